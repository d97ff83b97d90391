"""A small threaded HTTP/1.1 receiver for delivery tests.

pytest-httpserver is fine for one request at a time; delivery sends many at
once on keep-alive connections, so tests that measure or count concurrent
deliveries use this. It records every request and answers with a behaviour
that a test can change while it runs (``receiver.respond = ...``), and it can
be stopped and started again on the same port to play a receiver outage.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> object:
        return json.loads(self.body)


Answer = tuple[int, dict[str, str], bytes]


def ok(_: Received) -> Answer:
    return 200, {"Content-Type": "application/json"}, b'{"ok": true}'


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.received: list[Received] = []
        self.respond: Callable[[Received], Answer] = ok
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes; with Nagle on, the body would
            # wait for the client's delayed ACK (40 ms a request).
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                item = Received(self.path, dict(self.headers.items()), self.rfile.read(length), time.time())
                status, headers, body = receiver.respond(item)
                with receiver.lock:
                    receiver.received.append(item)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_PUT = do_PATCH = do_GET = do_DELETE = do_POST

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def keys(self) -> list[str]:
        with self.lock:
            return [r.headers.get("Idempotency-Key", "") for r in self.received]
