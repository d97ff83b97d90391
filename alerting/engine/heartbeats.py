"""Heartbeat monitors: an error when a monitor's results stop arriving.

A monitor with ``expected_interval_seconds`` expects a result at least that
often. When its newest result is older than the interval plus
``grace_seconds``, the minute sweep records an error for it, "No check result
received since <time>" (error type ``missing-heartbeat``), and applies it
through the engine's ordinary path (``process_batch``), as the API does with a
submitted error: it opens or extends the incident, fires the levels, and
maintenance periods and *Stop all alerts* record its alerts without sending
them. The next OK result resolves the incident.

Once per missed interval, not once a minute: the recorded error is the
monitor's newest result, so the monitor is due again only when another
interval plus grace passes in silence. Recording again then (rather than once
per silence) is what lets *error count* levels work: each missed interval is
one missed check, so a level at 3 errors fires after three intervals of
silence, as it would for a monitor whose checks fail; *error duration* levels
measure from the first missing-heartbeat error like from any first error.

Any stored result is a sign of life, also one the engine ignored (older than
the newest, or sent during a *disable monitoring* maintenance, when the
recorded error is stored but ignored as well). A monitor is watched from its
first result on: one that never reported is new, not silent (as in
Healthchecks), so setting it up before its job first runs raises nothing.

Race-safe with several workers: the due monitors are locked (the row locks a
submission takes, in the same key order) and the due condition is read again
under the locks, so when two sweeps find the same silent monitor the second
sees the first one's error and records nothing, and a result that arrived
meanwhile wins the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, IntegerField, Value
from django.utils import timezone

from alerting.engine import Outcome, Submission, clock, process_batch
from alerting.models import CheckResult, CheckStatus, Monitor

logger = logging.getLogger(__name__)

MISSING_HEARTBEAT = "missing-heartbeat"
CHUNK = 100
# At most this many monitors per run; the rest are still due next minute.
MAX_PER_RUN = 5000


def due_monitors(now: dt.datetime) -> list[object]:
    """Ids of the active heartbeat monitors whose last applied result is older
    than interval + grace (one query; the newest result of any kind is checked
    under the lock)."""
    # (Positive integer fields are not numbers to SQLite's duration arithmetic: say so.)
    seconds = ExpressionWrapper(
        F("expected_interval_seconds") + F("grace_seconds"), output_field=IntegerField()
    )
    allowed = ExpressionWrapper(seconds * Value(dt.timedelta(seconds=1)), output_field=DurationField())
    return list(
        Monitor.objects.filter(
            expected_interval_seconds__isnull=False, is_active=True, last_check_at__isnull=False
        )
        .alias(silent_after=ExpressionWrapper(F("last_check_at") + allowed, output_field=DateTimeField()))
        .filter(silent_after__lte=now)
        .order_by("key")
        .values_list("pk", flat=True)[:MAX_PER_RUN]
    )


def record_missing_heartbeats(now: dt.datetime | None = None) -> list[Outcome]:
    """Record a missing-heartbeat error for every silent monitor; the outcomes."""
    now = now or clock.now()
    stop_at = time.monotonic() + settings.Q_TIMEOUT * 0.25
    due = due_monitors(now)
    outcomes: list[Outcome] = []
    for start in range(0, len(due), CHUNK):
        if time.monotonic() > stop_at:
            logger.warning("heartbeats: %d silent monitor(s) left for the next run", len(due) - start)
            break
        outcomes.extend(_record_chunk(due[start : start + CHUNK], now))
    return outcomes


def _record_chunk(monitor_ids: list[object], now: dt.datetime) -> list[Outcome]:
    with transaction.atomic():
        # Lock first, then decide on what the lock lets us see: a result or
        # another sweep's error committed meanwhile is read here.
        monitors = list(Monitor.objects.select_for_update().filter(pk__in=monitor_ids).order_by("key"))
        subs = [sub for sub in (_missing(m, now) for m in monitors) if sub is not None]
        # process_batch takes the same locks again (already ours) and applies
        # the errors as one batch, as the API applies a list of submissions.
        return process_batch(subs, now) if subs else []


def _missing(monitor: Monitor, now: dt.datetime) -> Submission | None:
    """The missing-heartbeat error for ``monitor``, or None when it is not silent."""
    if not monitor.is_active or monitor.expected_interval_seconds is None or monitor.last_check_at is None:
        return None
    allowed = dt.timedelta(seconds=monitor.expected_interval_seconds + monitor.grace_seconds)
    results = CheckResult.objects.filter(monitor=monitor).order_by("-timestamp")
    newest = results.values_list("timestamp", flat=True).first()
    if max(newest or monitor.last_check_at, monitor.last_check_at) + allowed > now:
        return None
    # The time of the last real result, not of an earlier missing-heartbeat error.
    since = (
        results.exclude(error_type_id=MISSING_HEARTBEAT).values_list("timestamp", flat=True).first()
        or monitor.last_check_at
    )
    return Submission(
        monitor=monitor.key,
        status=CheckStatus.ERROR,
        timestamp=now,
        description=f"No check result received since {_local(since)}",
        check={
            "error_type_id": MISSING_HEARTBEAT,
            "failure_message": f"A result is expected at least every {monitor.expected_interval_seconds} s "
            f"(grace {monitor.grace_seconds} s).",
        },
    )


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")
