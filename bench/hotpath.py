"""One request at a time, in process: what each ingest path costs the app.

``.venv/bin/python bench/hotpath.py [--count 300] [--profile first-error]``

Creates a fresh test database (``test_<name>`` of DATABASE_URL; PostgreSQL is
what production runs), seeds the benchmark's configuration (an alert
definition for all monitors, two webhook integrations on level 1), and calls
the app through Django's test client (the WSGI handler, middleware, signals)
on one thread, with persistent connections as gunicorn has them. It prints
milliseconds of wall time and of this process's CPU per request (per item for
batches): OK single, first error single (each a new monitor), first errors
batched (100 new monitors per request), and the no-op view. ``--profile PATH``
prints the cProfile of that path's requests. No worker runs during those:
messages stay in the outbox.

``delivery`` then delivers the outbox the first-error paths filled, in this
process, through the delivery task (claims, attempts, rendering, HTTP to the
benchmark's local receiver, results), and prints wall and CPU (every thread
of this process) per message.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")

PATHS = ("ok", "first-error", "first-error-batched", "noop", "delivery")


def seed() -> str:
    from alerting.models import AlertDefinition, ApiKey, EscalationLevel, MonitorGroup
    from integrations.models import Integration, IntegrationKind, IntegrationStep, LevelIntegration

    _, key = ApiKey.generate("profile", "ingest")
    AlertDefinition.objects.update(is_active=False)
    everyone = MonitorGroup.objects.get(is_all_monitors=True)
    definition = AlertDefinition.objects.create(name="Profile")
    definition.monitor_groups.add(everyone)
    level = EscalationLevel.objects.create(definition=definition, number=1, threshold=1)
    for name in ("a", "b"):
        integration = Integration.objects.create(name=f"profile-{name}", kind=IntegrationKind.WEBHOOK)
        IntegrationStep.objects.create(
            integration=integration,
            position=1,
            url=f"https://receiver.example/{name}",
            body='{"monitor": "{{@monitor.name}}", "type": "{{@alert.type}}"}',
        )
        LevelIntegration.objects.create(level=level, integration=integration)
    return key


def measure(count: int, call: Callable[[int], None], per: int = 1) -> tuple[float, float]:
    """(wall ms, CPU ms) per item over ``count`` calls of ``per`` items each."""
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        call(i)
    items = count * per
    return (time.perf_counter() - wall) * 1000 / items, (time.process_time() - cpu) * 1000 / items


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=300, help="requests per path (batches: a tenth)")
    parser.add_argument("--profile", choices=PATHS, help="print the cProfile of this path")
    parser.add_argument("--paths", default=",".join(PATHS), help=f"a comma-separated subset of {PATHS}")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    # Keep the test database's name apart from the benchmark's and the tests'.
    connection.settings_dict["TEST"] = {**connection.settings_dict.get("TEST", {}), "NAME": None}
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        key = seed()
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="127.0.0.1")

        def post(body: object) -> None:
            response = client.post("/api/v1/alerts", json.dumps(body), content_type="application/json")
            if response.status_code != 202:
                raise SystemExit(f"{response.status_code}: {response.content[:300]!r}")

        run = {
            "ok": (lambda i: post({"monitor": "steady", "status": "ok"}), 1),
            "first-error": (
                lambda i: post({"monitor": f"single-{i}", "status": "error", "description": "down"}),
                1,
            ),
            "first-error-batched": (
                lambda i: post(
                    [
                        {"monitor": f"batch-{i}-{j}", "status": "error", "description": "down"}
                        for j in range(100)
                    ]
                ),
                100,
            ),
            "noop": (lambda i: client.get("/noop"), 1),
        }
        receiver = start_receiver()
        # Warm up every path (connections, the configuration snapshot, imports).
        for call, _ in list(run.values()):
            for i in range(3):
                call(10_000_000 + i)
        kept = connection.settings_dict["CONN_MAX_AGE"]
        print(f"database: {connection.vendor} {name}, persistent connections: {kept}")
        print(f"{'path':<22} {'wall ms/item':>13} {'app CPU ms/item':>16}")
        for path, (call, per) in run.items():
            if path not in args.paths.split(","):
                continue
            count = max(3, args.count // 10) if per > 1 else args.count
            profiler = cProfile.Profile() if path == args.profile else None
            if profiler:
                profiler.enable()
            wall, cpu = measure(count, call, per)
            if profiler:
                profiler.disable()
            print(f"{path:<22} {wall:>13.3f} {cpu:>16.3f}")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        if "delivery" in args.paths.split(","):
            deliver_outbox(receiver[1], args.profile == "delivery")
    finally:
        receiver[0].kill()
        connection.creation.destroy_test_db(name, verbosity=0)


def start_receiver() -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "receiver.py"), str(port)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, url
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the receiver did not start")


def deliver_outbox(receiver: str, profile: bool) -> None:
    from django.conf import settings

    from integrations.delivery import worker
    from integrations.models import IntegrationStep, Message, MessageStatus

    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1"]
    settings.DELIVERY_LINGER_SECONDS = 0
    IntegrationStep.objects.update(url=f"{receiver}/hook")
    ids = list(Message.objects.filter(status=MessageStatus.PENDING).values_list("id", flat=True))
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    worker.deliver(ids)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler:
        profiler.disable()
    delivered = Message.objects.filter(id__in=ids, status=MessageStatus.DELIVERED).count()
    per = max(delivered, 1)
    print(
        f"{'delivery':<22} {wall * 1000 / per:>13.3f} {cpu * 1000 / per:>16.3f}"
        f"   ({delivered} of {len(ids)} delivered)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
