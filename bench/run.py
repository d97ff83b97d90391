"""The delivery and ingest benchmark: ``.venv/bin/python bench/run.py``.

On PostgreSQL (DATABASE_URL when it is PostgreSQL, else the local server's
``alertsite_bench`` database, recreated), the app served by gunicorn, django-q2
workers, and a counting local receiver, it prints:

- ingest: single and batched submissions per second, beside a no-op Django
  view served by the same gunicorn (the ratio says what the app costs);
- the outage storm: 5,000 monitors go to error at once, each alerted to two
  webhook integrations: seconds until all 10,000 messages are received, and
  p50/p99 from submission to receipt;
- the crash takeover: every qcluster killed (kill -9) while a smaller storm is
  being delivered and a new one started at once: seconds until all is received;
- the ceiling: requests per second a plain keep-alive client reaches against
  the receiver, and the storm's delivery rate as a fraction of it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the project root, for bench.load
PY = sys.executable

from bench.load import percentile, rate, wait_received  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/alertsite"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{parts.path.lstrip('/') or 'alertsite'}_bench"))


def recreate(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def redis_url(db: int) -> str | None:
    import redis

    # The server from REDIS_URL (or the local one), but always the bench's own
    # database number: it is emptied first, so never the app's.
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    url = urlunsplit(urlsplit(url)._replace(path=f"/{db}"))
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()
        return url
    except redis.exceptions.ConnectionError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--monitors", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=5.0, help="Length of each rate measurement.")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--web-threads", type=int, default=3)
    parser.add_argument("--clusters", type=int, default=1, help="qcluster processes")
    parser.add_argument("--q-workers", type=int, default=2, help="workers per qcluster")
    parser.add_argument("--broker", choices=["redis", "orm"], default=None)
    parser.add_argument(
        "--parts",
        type=lambda v: set(v.split(",")),
        default={"ingest", "first-error", "probe", "storm", "crash", "alertmanager"},
        help="Comma-separated subset of ingest,first-error,probe,storm,crash,alertmanager "
        "(the ceiling is always measured).",
    )
    parser.add_argument("--redis-db", type=int, default=5, help="Redis database to empty and use.")
    parser.add_argument(
        "--crash-monitors", type=int, default=1000, help="First errors (two messages each) of the crash run."
    )
    parser.add_argument("--probe-count", type=int, default=200, help="Paced single submissions.")
    parser.add_argument("--probe-rate", type=float, default=20.0, help="Probe submissions per second.")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class (sync, gthread).")
    parser.add_argument(
        "--soak", type=float, default=0.0, help="Seconds of steady load before the end RSS (e.g. 600)."
    )
    options = parser.parse_args()

    db = database_url()
    broker_url = redis_url(options.redis_db) if options.broker != "orm" else None
    if options.broker == "redis" and broker_url is None:
        raise SystemExit("--broker redis: no Redis server is reachable")
    print(f"database {urlsplit(db).path.lstrip('/')}, broker {'redis' if broker_url else 'orm'}", flush=True)
    # Other work on the machine skews every figure: say how busy it was.
    print(f"{os.cpu_count()} cores, load average before the run {os.getloadavg()[0]:.2f}", flush=True)
    recreate(db)
    receiver_port, web_port = free_port(), free_port()
    receiver_url = f"http://127.0.0.1:{receiver_port}"
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db,
        DJANGO_SETTINGS_MODULE="bench.settings",
        OUTBOUND_ALLOWLIST="127.0.0.1",
        API_RATE_LIMIT_PER_MINUTE="100000000",
        LOG_LEVEL="WARNING",
        Q_LOG_LEVEL="WARNING",
        Q_WORKERS=str(options.q_workers),
        DATABASE_CONN_MAX_AGE="60",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    if broker_url:
        env["REDIS_URL"] = broker_url
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run(
        [PY, "-c", "import django; django.setup(); import runpy; runpy.run_path('bench/seed.py')"],
        cwd=ROOT,
        env={**env, "BENCH_RECEIVER": receiver_url, "BENCH_MONITORS": str(options.monitors)},
        check=True,
        capture_output=True,
        text=True,
    )
    key = json.loads(seeded.stdout.strip().splitlines()[-1])["key"]

    children: list[subprocess.Popen] = []

    def spawn(args: list[str], child_env: dict[str, str] | None = None) -> subprocess.Popen:
        process = subprocess.Popen(args, cwd=ROOT, env=child_env or env, start_new_session=True)
        children.append(process)
        return process

    try:
        spawn([PY, "bench/receiver.py", str(receiver_port)])
        spawn(
            [
                str(Path(PY).with_name("gunicorn")),
                "bench.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                str(options.web_workers),
                "--worker-class",
                options.worker_class,
                "--threads",
                str(options.web_threads),
                "--log-level",
                "warning",
            ]
        )
        web = f"http://127.0.0.1:{web_port}"
        wait_http(f"{web}/healthz")
        wait_http(f"{receiver_url}/_stats")
        figures = measure(options, web, key, receiver_url, spawn, env)
    finally:
        for process in children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in children:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    report(figures)
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def measure(options, web: str, key: str, receiver_url: str, spawn, env: dict[str, str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    figures: dict[str, float] = {}
    if "ingest" in options.parts:
        measure_ingest(options, web, auth, figures)
    # Before the workers start, as the no-op view and the OK figures: no
    # delivery shares the cores with it.
    if "alertmanager" in options.parts:
        measure_alertmanager(options, receiver_url, figures)
    print("measuring the ceiling", flush=True)
    requests.post(f"{receiver_url}/_reset")
    figures["ceiling"] = rate(
        f"{receiver_url}/ceiling",
        "POST",
        {"Content-Type": "application/json"},
        [b"{}"],
        options.seconds,
        2,
        8,
    )
    requests.post(f"{receiver_url}/_reset")
    clusters = [spawn([PY, "manage.py", "qcluster"]) for _n in range(options.clusters)]
    time.sleep(3)  # the workers are up
    figures.update({f"rss_start_{k}": v for k, v in rss_by_role().items()})
    if "probe" in options.parts:
        measure_probe(options, web, auth, receiver_url, figures)
    if "storm" in options.parts:
        measure_storm(options, web, auth, receiver_url, figures)
    if "crash" in options.parts:
        clusters = measure_crash(options, web, auth, receiver_url, figures, spawn, clusters)
    # Last: their messages (two per new monitor) are still being delivered
    # when the run ends, and would disturb anything measured after them.
    if "first-error" in options.parts:
        measure_first_errors(options, web, auth, figures)
    if options.soak:
        soak(options, web, auth, figures)
    figures.update({f"rss_end_{k}": v for k, v in rss_by_role().items()})
    return figures


def rss_by_role() -> dict[str, float]:
    """Resident memory (MB) of the largest gunicorn worker and qcluster process of this run."""
    found: dict[str, float] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            command = (status.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        role = "web" if "bench.wsgi:application" in command else "worker" if "qcluster" in command else None
        rss = next((line.split()[1] for line in text.splitlines() if line.startswith("VmRSS:")), None)
        if role and rss and str(ROOT) in str(os.readlink(status.parent / "cwd")):
            found[role] = max(found.get(role, 0.0), int(rss) / 1024)
    return found


def soak(options, web: str, auth: dict[str, str], figures: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    """Steady mixed load (OK results and first errors) for ``--soak`` seconds:
    RSS at the start and end of the run shows whether memory stays flat."""
    print(f"soak: {options.soak:.0f} s of mixed load", flush=True)
    # 500 monitors go to error (an incident, an alert, two messages each), then
    # back to OK (resolved, an Ok alert, two messages), over and over.
    bodies = [
        json.dumps(
            {"monitor": f"soak-{i % 500}", "status": "error", "description": "down"}
            if i < 500
            else {"monitor": f"soak-{i % 500}", "status": "ok"}
        ).encode()
        for i in range(1000)
    ]
    # In one-minute rounds, RSS sampled after each: the first minute warms up
    # (caches, the first incidents, the pools' threads); growth after it is
    # what a leak looks like.
    rounds = max(1, round(options.soak / 60))
    rates, series = [], []
    for n in range(rounds):
        rates.append(rate(f"{web}/api/v1/alerts", "POST", auth, bodies, options.soak / rounds, 2, 2))
        sample = rss_by_role()
        series.append(sample)
        print(
            f"  soak minute {n + 1}: " + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(sample.items())),
            flush=True,
        )
    figures["soak_rate"] = sum(rates) / len(rates)
    for role in ("web", "worker"):
        if role in series[0] and role in series[-1]:
            figures[f"rss_soak_warm_{role}"] = series[0][role]
            figures[f"rss_soak_end_{role}"] = series[-1][role]


def measure_first_errors(options, web: str, auth: dict[str, str], figures: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    """Each submission a new monitor's first error: an incident, an alert and
    two webhook messages, while the worker delivers them."""
    print("measuring first errors", flush=True)
    seconds = options.seconds
    singles = [
        json.dumps({"monitor": f"first-{i}", "status": "error", "description": "down"}).encode()
        for i in range(int(seconds * 3000) + 1000)
    ]
    batches = [
        json.dumps(
            [{"monitor": f"firstb-{i}-{j}", "status": "error", "description": "down"} for j in range(100)]
        ).encode()
        for i in range(int(seconds * 150) + 20)
    ]
    figures["first_single"] = rate(f"{web}/api/v1/alerts", "POST", auth, singles, seconds, 2, 4)
    figures["first_batch_requests"] = rate(f"{web}/api/v1/alerts", "POST", auth, batches, seconds, 2, 2)
    figures["first_batched"] = figures["first_batch_requests"] * 100


ALERTMANAGER_CONFIG = """route:
  receiver: bench
  group_by: [alertname, instance]
  group_wait: 1s
  group_interval: 5m
receivers:
  - name: bench
    webhook_configs:
      - url: {url}
"""


def alertmanager_binary() -> str | None:
    import shutil

    for name in ("prometheus-alertmanager", "alertmanager"):
        if found := shutil.which(name):
            return found
    print("Alertmanager is not installed: installing the Debian package prometheus-alertmanager", flush=True)
    try:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "prometheus-alertmanager"],
            check=True,
            timeout=600,
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"  could not install it ({exc}); the Alertmanager rows are SKIPPED", flush=True)
        return None
    return shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


def measure_alertmanager(options, receiver_url: str, figures: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    """Prometheus Alertmanager taking new alerts (POST /api/v2/alerts) with a
    webhook receiver, under the same client and load generator."""
    import tempfile

    binary = alertmanager_binary()
    if binary is None:
        figures["am_skipped"] = 1
        return
    print("measuring Alertmanager", flush=True)
    port = free_port()
    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "alertmanager.yml"
        config.write_text(ALERTMANAGER_CONFIG.format(url=f"{receiver_url}/alertmanager"))
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={work}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_http(f"{url}/-/ready")
            headers = {"Content-Type": "application/json"}
            seconds = options.seconds

            def alert(name: str) -> dict[str, object]:
                return {
                    "labels": {"alertname": "Down", "instance": name},
                    "annotations": {"description": "down"},
                }

            singles = [json.dumps([alert(f"am-{i}")]).encode() for i in range(int(seconds * 6000) + 1000)]
            batches = [
                json.dumps([alert(f"amb-{i}-{j}") for j in range(100)]).encode()
                for i in range(int(seconds * 150) + 20)
            ]
            figures["am_single"] = rate(f"{url}/api/v2/alerts", "POST", headers, singles, seconds, 2, 4)
            batch_requests = rate(f"{url}/api/v2/alerts", "POST", headers, batches, seconds, 2, 2)
            figures["am_batched"] = batch_requests * 100
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still sending its notifications
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def measure_ingest(options, web: str, auth: dict[str, str], figures: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    seconds = options.seconds
    # Warm up both endpoints (connections, imports).
    rate(f"{web}/noop", "POST", {}, [b"{}"], 1, 2, 4)
    singles = [json.dumps({"monitor": f"ingest-{i % 200}", "status": "ok"}).encode() for i in range(200)]
    batch = [
        json.dumps(
            [{"monitor": f"ingest-{(i * 100 + j) % 500}", "status": "ok"} for j in range(100)]
        ).encode()
        for i in range(5)
    ]
    rate(f"{web}/api/v1/alerts", "POST", auth, singles, 1, 2, 4)
    print("measuring ingest", flush=True)
    figures["noop"] = rate(f"{web}/noop", "POST", {}, [b"{}"], seconds, 2, 4)
    figures["single"] = rate(f"{web}/api/v1/alerts", "POST", auth, singles, seconds, 2, 4)
    figures["batch_requests"] = rate(f"{web}/api/v1/alerts", "POST", auth, batch, seconds, 2, 2)
    figures["batched"] = figures["batch_requests"] * 100


def measure_probe(
    options, web: str, auth: dict[str, str], receiver_url: str, figures: dict[str, float]
) -> None:  # type: ignore[no-untyped-def]
    """Submission to receipt when the system is not saturated: single error
    submissions for fresh monitors, paced, each raising two messages."""
    print("measuring latency, not saturated", flush=True)
    requests.post(f"{receiver_url}/_reset")
    session = requests.Session()
    submitted: dict[str, float] = {}
    count, pace = options.probe_count, 1 / options.probe_rate
    started = time.time()
    for i in range(count):
        monitor = f"probe-{i:04d}"
        time.sleep(max(0.0, started + i * pace - time.time()))
        submitted[monitor] = time.time()
        response = session.post(
            f"{web}/api/v1/alerts",
            data=json.dumps({"monitor": monitor, "status": "error", "description": "down"}),
            headers=auth,
        )
        if response.status_code >= 300:
            print(f"  probe answered {response.status_code}: {response.text[:200]}", file=sys.stderr)
    records = wait_received(receiver_url, 2 * count, 60)
    latencies = [r[0] - submitted[r[2]] for r in records if r[2] in submitted]
    figures["probe_received"] = len(latencies)
    figures["probe_expected"] = 2 * count
    if latencies:
        figures["probe_p50_ms"] = percentile(latencies, 0.5) * 1000
        figures["probe_p99_ms"] = percentile(latencies, 0.99) * 1000
    requests.post(f"{receiver_url}/_reset")


def measure_storm(
    options, web: str, auth: dict[str, str], receiver_url: str, figures: dict[str, float]
) -> None:  # type: ignore[no-untyped-def]
    print("the outage storm", flush=True)
    submitted: dict[str, float] = {}
    keys = [f"storm-{i:05d}" for i in range(options.monitors)]
    chunks = [keys[i : i + 100] for i in range(0, len(keys), 100)]
    lock = threading.Lock()

    def submit(my_chunks: list[list[str]]) -> None:
        session = requests.Session()
        for chunk in my_chunks:
            body = json.dumps([{"monitor": k, "status": "error", "description": "down"} for k in chunk])
            sent = time.time()
            response = session.post(f"{web}/api/v1/alerts", data=body, headers=auth)
            if response.status_code >= 300:
                print(
                    f"  storm submission answered {response.status_code}: {response.text[:200]}",
                    file=sys.stderr,
                )
            with lock:
                for k in chunk:
                    submitted[k] = sent

    began = time.time()
    threads = [threading.Thread(target=submit, args=(chunks[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    figures["storm_submit_s"] = time.time() - began
    expected = 2 * options.monitors
    records = wait_received(receiver_url, expected, 180)
    figures["storm_received"] = len(records)
    figures["storm_expected"] = expected
    if records:
        last = max(r[0] for r in records)
        figures["storm_drain_s"] = last - began
        latencies = [r[0] - submitted[r[2]] for r in records if r[2] in submitted]
        figures["p50_ms"] = percentile(latencies, 0.5) * 1000
        figures["p99_ms"] = percentile(latencies, 0.99) * 1000
        figures["delivery_rate"] = len(records) / max(0.001, last - min(r[0] for r in records))
        figures["duplicates"] = len(records) - len({r[3] for r in records})


def measure_crash(  # type: ignore[no-untyped-def]
    options, web: str, auth: dict[str, str], receiver_url: str, figures: dict[str, float], spawn, clusters
) -> list[subprocess.Popen]:  # type: ignore[type-arg]
    """kill -9 of every qcluster in the middle of a storm, a new one started at
    once: seconds from the kill until every message has been received."""
    print("crash takeover", flush=True)
    requests.post(f"{receiver_url}/_reset")
    session = requests.Session()
    keys = [f"crash-{i:05d}" for i in range(options.crash_monitors)]
    for start in range(0, len(keys), 100):
        chunk = keys[start : start + 100]
        body = json.dumps([{"monitor": k, "status": "error", "description": "down"} for k in chunk])
        session.post(f"{web}/api/v1/alerts", data=body, headers=auth)
    expected = 2 * len(keys)
    # Mid-storm: some delivered, most not.
    deadline = time.time() + 60
    while time.time() < deadline and requests.get(f"{receiver_url}/_stats").json()["count"] < expected // 10:
        time.sleep(0.02)
    killed_at = time.time()
    for process in clusters:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    figures["crash_at_kill"] = requests.get(f"{receiver_url}/_stats").json()["count"]
    fresh = [spawn([PY, "manage.py", "qcluster"]) for _ in clusters]
    deadline = time.time() + 180
    records: list[list] = []  # type: ignore[type-arg]
    while time.time() < deadline:
        records = requests.get(f"{receiver_url}/_dump").json()
        if len({r[3] for r in records}) >= expected:
            break
        time.sleep(0.25)
    distinct = {r[3] for r in records}
    figures["crash_expected"] = expected
    figures["crash_received"] = len(distinct)
    figures["crash_duplicates"] = len(records) - len(distinct)
    if len(distinct) >= expected:
        figures["crash_takeover_s"] = max(r[0] for r in records) - killed_at
    requests.post(f"{receiver_url}/_reset")
    return fresh


def report(f: dict[str, float]) -> None:
    nan = float("nan")
    rows = [("ceiling: keep-alive client to receiver (requests/s)", f"{f['ceiling']:.0f}")]
    if "noop" in f:
        rows += [
            ("no-op Django view (requests/s)", f"{f['noop']:.0f}"),
            ("ingest, single submissions/s", f"{f['single']:.0f}  ({f['single'] / f['noop']:.0%} of no-op)"),
            (
                "ingest, batched submissions/s",
                f"{f['batched']:.0f}  ({f['batch_requests']:.1f} requests of 100/s)",
            ),
        ]

    def vs(value: float, peer: str) -> str:
        parts = []
        if f.get(peer):
            parts.append(f"{value / f[peer]:.2f}x Alertmanager")
        if f.get("noop"):
            parts.append(f"{value / f['noop']:.2f}x no-op")
        return f"{value:.0f}  ({', '.join(parts)})" if parts else f"{value:.0f}"

    if "am_single" in f:
        rows += [
            ("Alertmanager: one alert per POST (alerts/s)", vs(f["am_single"], "")),
            ("Alertmanager: 100 alerts per POST (alerts/s)", f"{f['am_batched']:.0f}"),
        ]
    elif "am_skipped" in f:
        rows.append(("Alertmanager", "SKIPPED: not installed and could not be installed"))
    if "noop" in f:
        rows += [
            ("OK, single (results/s)", vs(f["single"], "am_single")),
            ("OK, batched (results/s)", vs(f["batched"], "am_batched")),
        ]
    if "first_single" in f:
        rows += [
            ("first error, single (new monitors/s)", vs(f["first_single"], "am_single")),
            ("first error, batched 100 (new monitors/s)", vs(f["first_batched"], "am_batched")),
        ]
    if "soak_rate" in f:
        rows.append(("soak: errors and OKs of 500 monitors (submissions/s)", f"{f['soak_rate']:.0f}"))
    for role in ("web", "worker"):
        if f"rss_start_{role}" in f:
            rows.append(
                (
                    f"RSS of the largest {role} process, start / end (MB)",
                    f"{f[f'rss_start_{role}']:.0f} / {f.get(f'rss_end_{role}', nan):.0f}",
                )
            )
        if f"rss_soak_warm_{role}" in f:
            rows.append(
                (
                    f"RSS of the largest {role} process, soak after 1 min / end (MB)",
                    f"{f[f'rss_soak_warm_{role}']:.0f} / {f[f'rss_soak_end_{role}']:.0f}",
                )
            )
    if "probe_expected" in f:
        rows += [
            ("not saturated: messages received", f"{f['probe_received']:.0f} of {f['probe_expected']:.0f}"),
            (
                "not saturated: submission→receipt p50 / p99 (ms)",
                f"{f.get('probe_p50_ms', nan):.0f} / {f.get('probe_p99_ms', nan):.0f}",
            ),
        ]
    if "storm_expected" in f:
        rows += [
            ("storm: messages received", f"{f['storm_received']:.0f} of {f['storm_expected']:.0f}"),
            ("storm: submission took (s)", f"{f['storm_submit_s']:.1f}"),
            ("storm: drained after (s)", f"{f.get('storm_drain_s', nan):.1f}"),
            (
                "storm: submission→receipt p50 / p99 (ms)",
                f"{f.get('p50_ms', nan):.0f} / {f.get('p99_ms', nan):.0f}",
            ),
            ("storm: duplicates received", f"{f.get('duplicates', 0):.0f}"),
            (
                "storm: delivery rate (messages/s, fraction of ceiling)",
                f"{f.get('delivery_rate', 0):.0f}  ({f.get('delivery_rate', 0) / f['ceiling']:.0%})",
            ),
        ]
    if "crash_expected" in f:
        rows += [
            (
                "crash: kill -9 of the qcluster mid-storm, all delivered after (s)",
                f"{f.get('crash_takeover_s', nan):.1f}  ({f['crash_received']:.0f} of"
                f" {f['crash_expected']:.0f} messages, {f['crash_at_kill']:.0f} received before the kill,"
                f" {f['crash_duplicates']:.0f} sent twice)",
            )
        ]
    width = max(len(r[0]) for r in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
