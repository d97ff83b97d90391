"""Fault test 5: two worker processes (standing in for two machines) on one
PostgreSQL, with the ORM broker and with the Redis broker: 10,000 messages
reach the receiver, each message id exactly once.

This needs PostgreSQL whatever the run's database is: it uses a database of
its own on the run's PostgreSQL server, or on this machine's when the run is
on SQLite, and a Redis database of its own (a private redis-server when none
is running).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

from tests.delivery.cluster import ROOT, Cluster, base_env, run_django, wait_for
from tests.delivery.receiver import Receiver

pytestmark = pytest.mark.worker

COUNT = 10_000


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgres://postgres@127.0.0.1:5432/alertsite_delivery"
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "alertsite"
    return urlunsplit(parts._replace(path=f"/{name}_scaleout"))


@pytest.fixture(scope="module")
def postgres_url() -> str:
    url = _postgres_url()
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = base_env(DATABASE_URL=url)
    env.pop("REDIS_URL", None)
    subprocess.run(
        [os.sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    yield url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SEED = """
from django.utils import timezone
from alerting.models import Alert, Incident, Monitor
from integrations.models import Integration, IntegrationStep, Message
from django_q.models import OrmQ
Message.objects.all().delete()
Integration.objects.filter(name='scale-out').delete()
OrmQ.objects.all().delete()
Monitor.objects.filter(key='scale-out').delete()
monitor = Monitor.objects.create(key='scale-out', name='Scale out')
incident = Incident.objects.create(key='scale-out', monitor=monitor, opened_at=timezone.now())
alert = Alert.objects.create(incident=incident, definition_name='d', level_number=1, alert_type='Alert',
    timestamp=timezone.now(), variables={'@alert.type': 'Alert', '@monitor.name': 'Scale out'})
integration = Integration.objects.create(name='scale-out', kind='webhook')
IntegrationStep.objects.create(integration=integration, position=1, method='POST', url=os.environ['HOOK_URL'],
    body='{"type": "{{@alert.type}}"}')
now = timezone.now()
count = int(os.environ['COUNT'])
rows = [Message(alert=alert, integration=integration, next_attempt_at=now) for _ in range(count)]
rows = Message.objects.bulk_create(rows, batch_size=2000)
print(','.join(str(m.id) for m in rows))
"""

ENQUEUE = """
from integrations.delivery.queue import enqueue_messages
ids = [int(i) for i in open(os.environ['IDS_FILE']).read().split(',')]
enqueue_messages(ids)
"""

STATUS = """
from integrations.models import Message
from django.db.models import Count
print(dict(Message.objects.values_list('status').annotate(n=Count('id'))))
"""


@pytest.mark.parametrize("broker", ["orm", "redis"])
def test_two_workers_share_the_outbox_each_message_once(
    broker: str, postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    receiver = Receiver().start()
    env = base_env(DATABASE_URL=postgres_url, Q_TIMEOUT="60", Q_WORKERS="2", DELIVERY_RETRY_SCHEDULE="2,2,2")
    env.pop("REDIS_URL", None)
    if broker == "redis":
        redis.Redis.from_url(redis_url).flushdb()
        env["REDIS_URL"] = redis_url
    clusters: list[Cluster] = []
    try:
        out = run_django({**env, "HOOK_URL": receiver.url("/hook"), "COUNT": str(COUNT)}, SEED)
        ids = out.strip().splitlines()[-1].split(",")
        assert len(ids) == COUNT
        ids_file = tmp_path / "ids"
        ids_file.write_text(",".join(ids))
        clusters = [Cluster(env, tmp_path / f"cluster-{n}.log").start() for n in (1, 2)]
        began = time.monotonic()
        run_django({**env, "IDS_FILE": str(ids_file)}, ENQUEUE)
        arrived = wait_for(lambda: len(receiver.received) >= COUNT, 240, interval=0.5)
        elapsed = time.monotonic() - began
        time.sleep(2)  # anything sent twice would arrive now
        assert arrived, (len(receiver.received), clusters[0].log(), clusters[1].log())
        keys = Counter(receiver.keys())
        assert sorted(keys) == sorted(ids)
        assert set(keys.values()) == {1}, [k for k, n in keys.items() if n > 1][:10]
        assert wait_for(lambda: run_django(env, STATUS).strip() == f"{{'delivered': {COUNT}}}", 30)
        # Both processes did part of the work.
        print(f"{broker}: {COUNT} messages in {elapsed:.1f} s")
    finally:
        for cluster in clusters:
            cluster.stop()
        receiver.stop()
