"""The delivery task: claim due messages, send them, record what happened.

One task drains: it claims a batch (its own ids first, then any other due
messages), sends it on a bounded thread pool with one keep-alive session per
lane, records the results, and claims again until nothing is due, lingering a
few seconds for retries and rate-limited sends about to fall due. So the
throughput does not depend on how fast the broker hands out tasks, and the
many small tasks of a storm mostly find their messages already sent.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Iterable
from concurrent.futures import wait
from datetime import datetime

import requests
from django.conf import settings
from django.db import close_old_connections
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation
from django.utils.translation import gettext

from alertsite.observability import logcontext
from integrations.delivery import breaker, claims, heartbeat, outcome, queue
from integrations.delivery.lanes import Lane, plan_lanes
from integrations.delivery.leases import LeaseKeeper
from integrations.delivery.outcome import Result
from integrations.delivery.policy import request_timeouts, stale_after_seconds
from integrations.delivery.threads import SendingThreads, sending_threads
from integrations.models import Integration, Message, MessageStatus
from integrations.outbound import OutboundURLError, outbound_session
from integrations.transports.base import TransportError

logger = logging.getLogger(__name__)

# Results are written in small groups: fewer round trips, little lost on a crash
# (a lost result only means the message is sent again, harmlessly).
FLUSH_EVERY = 25
FLUSH_SECONDS = 0.25


def deliver(message_ids: Iterable[int] | None = None) -> int:
    """The django-q2 task. Returns the number of messages attempted."""
    heartbeat.beat()
    owner = claims.new_owner()
    started = time.monotonic()
    # Stop taking new work early enough that every request, with its timeouts,
    # ends before django-q2 would stop the task.
    stop_claiming_at = started + settings.Q_TIMEOUT * 0.5
    deadline = started + settings.Q_TIMEOUT * 0.85
    batch = settings.DELIVERY_BATCH_SIZE
    own_ids = list(message_ids or [])
    attempted = 0
    watch = Watch(owner, started)
    pool = sending_threads(settings.DELIVERY_THREADS)
    with LeaseKeeper(owner, deadline) as leases:
        while time.monotonic() < stop_claiming_at:
            claimed_at = time.monotonic()
            # Half-open breakers first: a probe is one message, alone.
            probes = breaker.take_probes(owner)
            ids = list(probes)
            if own_ids:
                ids += claims.claim(owner, limit=batch, ids=own_ids)
            own_ids = []
            if len(ids) < batch:
                ids += claims.claim(owner, limit=batch - len(ids))
            if ids:
                leases.hold(ids, claimed_at)
                attempted += send_batch(pool, owner, ids, deadline, leases, frozenset(probes))
                heartbeat.beat()
                continue
            outcome_ = watch.linger(stop_claiming_at)
            if outcome_ == "handover":
                queue.continue_draining()
                break
            if not outcome_:
                break
        else:
            # Out of time with work perhaps left: hand over to a fresh task.
            queue.continue_draining()
    return attempted


class Watch:
    """What an idle task waits for before it ends: a message or a probe about
    to fall due, and leases held by other workers that may be dead.

    A live worker renews its leases every few seconds, so an idle task first
    watches other workers' leases for a little longer than that (a task
    started by a fresh worker process or by the sweep comes to look); a lease
    that is not renewed meanwhile is waited out and taken over as soon as it
    runs out, instead of at the next sweep.
    """

    def __init__(self, owner: str, started: float) -> None:
        self.owner = owner
        self.observe_until = started + stale_after_seconds() + 1

    def linger(self, stop_claiming_at: float) -> bool | str:
        """True: claim again now. False: nothing near, end. "handover": work
        is near but past this task's time, queue a fresh task."""
        now = timezone.now()
        waits: list[float] = []
        due_at = breaker.next_due_at()
        if due_at is not None:
            wait_for = (due_at - now).total_seconds()
            if wait_for <= settings.DELIVERY_LINGER_SECONDS:
                waits.append(wait_for)
        stale = claims.stale_lease_expiry(self.owner)
        if stale is not None:
            waits.append((stale - now).total_seconds() + 0.05)
        if not waits and time.monotonic() < self.observe_until and claims.held_by_others(self.owner).exists():
            waits.append(1.0)  # look again: renewed, or stale by then
        if not waits:
            return False
        wait_for = max(min(waits), 0.05)
        if time.monotonic() + wait_for > stop_claiming_at:
            # A stale lease runs out after this task must stop claiming.
            return "handover" if stale is not None else False
        time.sleep(min(wait_for, max(settings.DELIVERY_LINGER_SECONDS, 1.0)))
        return True


def send_batch(
    pool: SendingThreads,
    owner: str,
    ids: list[int],
    deadline: float,
    leases: LeaseKeeper,
    probes: frozenset[int] = frozenset(),
) -> int:
    messages = list(
        Message.objects.filter(id__in=ids, lease_owner=owner).select_related(
            "alert__incident__monitor", "level_link", "operator"
        )
    )
    # One Integration object per integration, loaded (with its variables and
    # steps) once for the whole batch rather than joined into every message's
    # row: a batch of a storm is hundreds of messages to a few integrations.
    shared = Integration.objects.in_bulk({m.integration_id for m in messages})
    # (An integration deleted since the claim took its messages with it.)
    messages = [m for m in messages if m.integration_id in shared]
    for message in messages:
        message.integration = shared[message.integration_id]
    prefetch_related_objects(list(shared.values()), "variables", "steps", "statushub_services", "functions")
    lanes = plan_lanes(owner, messages, settings.DELIVERY_THREADS)
    # Each lane runs in the task's log context (its lines name the task).
    futures = [
        pool.submit(contextvars.copy_context().run, run_lane, owner, lane, deadline, leases, probes)
        for lane in lanes
    ]
    wait(futures)
    for future in futures:
        if future.exception() is not None:
            # The lane's messages stay leased and go out again after the lease.
            logger.error("delivery lane failed", exc_info=future.exception())
    return sum(f.result() for f in futures if f.exception() is None)


def run_lane(
    owner: str, lane: Lane, deadline: float, leases: LeaseKeeper, probes: frozenset[int] = frozenset()
) -> int:
    """Send one lane's messages in order on one keep-alive session (a thread)."""
    close_old_connections()
    integration = lane.integration
    connect, read = request_timeouts(integration)
    session = outbound_session(connect, read)
    pending: list[Result] = []
    last_flush = time.monotonic()
    local_failures = 0
    sent = 0
    try:
        for index, (message, slot) in enumerate(lane.items):
            rest = [m.id for m, _ in lane.items[index:]]
            if time.monotonic() + connect + read + 2 > deadline:
                claims.release(owner, rest, timezone.now())
                break
            if slot is not None:
                _sleep_until(slot)
            # Start no request that could outlast our lease on the message.
            if not leases.covers(connect + read + 1) and not leases.renew_one(message.id, connect + read + 1):
                continue  # no longer ours (the lease ran out): its new owner sends it
            result = attempt(message, session, owner)
            pending.append(result)
            sent += 1
            local_failures = local_failures + 1 if result.transient_failure else 0
            urgent = local_failures >= settings.DELIVERY_BREAKER_THRESHOLD
            if urgent or len(pending) >= FLUSH_EVERY or time.monotonic() - last_flush > FLUSH_SECONDS:
                opened = outcome.save(pending, owner, probes)
                pending, last_flush = [], time.monotonic()
                if integration.pk in opened:
                    # The breaker opened: the rest wait out the pause in the outbox.
                    claims.release(owner, rest[1:], opened[integration.pk])
                    break
    finally:
        try:
            # Also when the lane stops on an error: what was sent is recorded,
            # else its lease would run out and it would be sent again.
            outcome.save(pending, owner, probes)
        finally:
            session.close()
            # The thread lives on: its connection is kept for the next lane
            # unless it is past DATABASE_CONN_MAX_AGE or unusable.
            close_old_connections()
    return sent


def _sleep_until(slot: datetime) -> None:
    delay = (slot - timezone.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)


def attempt(message: Message, session: requests.Session, owner: str) -> Result:
    result = Result(
        message_id=message.id,
        integration_id=message.integration_id,
        number=message.attempt_count,
        replay_base=message.attempts_before_replay,
        started_at=timezone.now(),
        duration_ms=0,
    )
    # Recorded before the request goes out; save() fills in the answer.
    result.attempt_id = outcome.start_attempt(message, owner)
    began = time.monotonic()
    # What the message log records is read by anyone on the account: in the
    # account's language (a message's own text follows its reader, inside).
    with logcontext.bound(message_id=message.id):
        with translation.override(settings.ACCOUNT_LANGUAGE):
            _send(message, session, result)
            result.duration_ms = int((time.monotonic() - began) * 1000)
            outcome.decide(result)
        _log(result)
    return result


def _log(result: Result) -> None:
    """One line per attempt: what an operator greps for when a message did not arrive."""
    if result.delivered:
        logger.info("message %s delivered in %d ms", result.message_id, result.duration_ms)
    elif result.status == MessageStatus.PENDING:
        logger.warning("message %s attempt failed, retrying: %s", result.message_id, result.error[:300])
    else:
        logger.warning("message %s failed: %s", result.message_id, result.error[:300])


def _send(message: Message, session: requests.Session, result: Result) -> None:
    from integrations.sending import send_message  # the render-and-transport side

    try:
        result.exchanges = send_message(message, session)
        result.delivered = True
    except TransportError as exc:
        result.exchanges = exc.exchanges
        result.error = str(exc)
        result.permanent = exc.permanent
        result.retry_after = exc.retry_after
    except OutboundURLError as exc:
        result.error = gettext("URL refused: %(error)s") % {"error": exc}
        result.permanent = True
    except requests.RequestException as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:1000]
    except Exception as exc:
        # A bug, not the receiver: log it, and let the retry schedule bound it.
        logger.exception("sending message %s failed unexpectedly", message.id)
        result.error = gettext("Internal error: %(error)s") % {"error": type(exc).__name__}
