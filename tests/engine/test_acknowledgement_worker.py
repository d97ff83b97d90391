"""Acknowledge and snooze with a real ``manage.py qcluster``: while the
incident is acknowledged, the worker's minute sweep fires nothing although a
duration level is long due; once a snooze passes, the next sweep fires it and
its message reaches the receiver."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import Success
from django_q.tasks import async_task

from alerting.engine import Submission, process_submission
from alerting.engine.acknowledgement import acknowledge
from alerting.models import EscalationState, Incident
from integrations.models import IntegrationStep
from integrations.tasks import ESCALATION_SWEEP
from tests.delivery.cluster import Cluster, base_env, wait_for
from tests.delivery.receiver import Receiver
from tests.engine import factories as f

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SNOOZE_SECONDS = 2


def hook(name: str, receiver: Receiver, path: str):
    integration = f.webhook(name)
    IntegrationStep.objects.filter(integration=integration).update(
        url=receiver.url(path),
        body='{"type": "{{@alert.type}}", "incident": "{{@incident.key}}"}',
    )
    return integration


def sweeps_since(moment: dt.datetime) -> int:
    return Success.objects.filter(func=ESCALATION_SWEEP.func, started__gte=moment).count()


def run_sweep_now() -> dt.datetime:
    """Queue the sweep the schedule runs every minute, for the worker to run now."""
    moment = timezone.now()
    async_task(ESCALATION_SWEEP.func)
    return moment


def test_a_snoozed_incident_escalates_only_after_the_snooze_passes(tmp_path):
    f.silence_default_definition()
    receiver = Receiver().start()
    cluster = None
    try:
        first, second = hook("Level 1", receiver, "/level1"), hook("Level 2", receiver, "/level2")
        monitor = f.monitor("shop")
        definition = f.definition(
            "Shop",
            [
                {"threshold": 1, "integrations": [first]},
                {"mode": "error_duration", "threshold": 5, "integrations": [second]},
            ],
            monitors=[monitor],
        )
        # The error started ten minutes ago: level 2 (five minutes of errors) is due
        # at the first sweep, unless the incident is acknowledged.
        started = timezone.now() - dt.timedelta(minutes=10)
        process_submission(Submission("shop", "error", started, "Shop is down"), now=started)
        incident = Incident.objects.get(monitor=monitor)
        acknowledge(incident.key, by="oncall", note="looking")

        cluster = Cluster(base_env(Q_WORKERS="1"), tmp_path / "qcluster.log").start()
        snoozed_sweep = run_sweep_now()
        assert wait_for(lambda: sweeps_since(snoozed_sweep) >= 1, 60), cluster.log()
        assert wait_for(lambda: any(r.path == "/level1" for r in receiver.received), 60), cluster.log()
        assert [r.path for r in receiver.received] == ["/level1"]
        level_two = EscalationState.objects.filter(incident=incident, level__definition=definition)
        level_two = level_two.filter(level__number=2)
        assert not level_two.exists()

        # Acknowledged again with a snooze (it replaces the open-ended one): once
        # it passes, the worker's next sweep fires level 2.
        until = timezone.now() + dt.timedelta(seconds=SNOOZE_SECONDS)
        acknowledge(incident.key, by="oncall", note="back in a moment", until=until)
        assert wait_for(lambda: timezone.now() > until, SNOOZE_SECONDS + 5)
        run_sweep_now()
        assert wait_for(lambda: any(r.path == "/level2" for r in receiver.received), 90), cluster.log()
        [message] = [r.json() for r in receiver.received if r.path == "/level2"]
        assert message == {"type": "Alert", "incident": incident.key}
        assert level_two.exists()
        incident.refresh_from_db()
        # Resumed: the acknowledgement is cleared, the incident open again.
        assert (incident.status, incident.acknowledged_at, incident.acknowledged_by) == ("open", None, "")
    finally:
        if cluster is not None:
            cluster.stop()
        receiver.stop()
