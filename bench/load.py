"""Load generation for the benchmark: keep-alive clients in child processes
(so the client's GIL is not the server's), and waiting on the receiver."""

from __future__ import annotations

import http.client
import multiprocessing
import sys
import threading
import time
from urllib.parse import urlsplit

import requests


def _hammer(args: tuple) -> tuple[int, int]:
    url, method, headers, bodies, duration, threads, stride, first = args
    done = [0, 0]
    lock = threading.Lock()
    end = time.monotonic() + duration
    parts = urlsplit(url)

    def loop(n: int) -> None:
        # A bare keep-alive http.client connection rather than requests: the
        # load generator shares the machine's two cores with the server, and
        # requests costs several times more CPU per call.
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        ok = bad = 0
        i = first + n
        while time.monotonic() < end:
            body = bodies[i % len(bodies)]
            i += stride
            conn.request(method, parts.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status < 300:
                ok += 1
            else:
                bad += 1
        conn.close()
        with lock:
            done[0] += ok
            done[1] += bad

    workers = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return done[0], done[1]


def rate(
    url: str, method: str, headers: dict, bodies: list[bytes], duration: float, procs: int, threads: int
) -> float:
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        # Each client thread of each process starts at its own body, so no two
        # send the same monitor at the same moment (a real monitor is checked
        # once a minute; lockstep clients would only queue on its row lock).
        stride = threads * procs
        jobs = [(url, method, headers, bodies, duration, threads, stride, p * threads) for p in range(procs)]
        results = pool.map(_hammer, jobs)
    ok = sum(r[0] for r in results)
    bad = sum(r[1] for r in results)
    if bad:
        print(f"  warning: {bad} non-2xx answers from {url}", file=sys.stderr)
    return ok / duration


def wait_received(receiver_url: str, expected: int, timeout: float) -> list[list]:  # type: ignore[type-arg]
    deadline = time.time() + timeout
    while time.time() < deadline and requests.get(f"{receiver_url}/_stats").json()["count"] < expected:
        time.sleep(0.05)
    return requests.get(f"{receiver_url}/_dump").json()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * fraction + 0.5) - 1))]
