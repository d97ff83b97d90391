"""A counting HTTP/1.1 receiver (asyncio, keep-alive), run as its own process.

Every request is recorded as (receipt time, path, monitor key from the JSON
body, Idempotency-Key). ``GET /_stats`` answers the count; ``GET /_dump``
answers the records; ``POST /_reset`` forgets them.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

records: list[tuple[float, str, str, str]] = []


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            _method, path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
            now = time.time()
            if path == "/_stats":
                answer = json.dumps({"count": len(records)}).encode()
            elif path == "/_dump":
                answer = json.dumps(records).encode()
            elif path == "/_reset":
                records.clear()
                answer = b"{}"
            else:
                monitor = ""
                if body.startswith(b"{"):
                    try:
                        monitor = str(json.loads(body).get("monitor", ""))
                    except ValueError:
                        monitor = ""
                records.append((now, path, monitor, headers.get("idempotency-key", "")))
                answer = b'{"ok":true}'
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + str(len(answer)).encode()
                + b"\r\n\r\n"
                + answer
            )
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
