"""Keeping a task's claims alive while it runs.

Leases are short (policy.lease_seconds) so that the messages of a killed
worker are taken over within seconds. A live task renews the claims of the
batch it is sending from a thread of its own, with a conditional UPDATE on
its own lease token: a message someone else has taken over is never taken
back. The thread dies with the process, so a killed or timed-out task stops
renewing and its leases run out by themselves.

``covers(seconds)`` tells a lane whether the last confirmed renewal still
covers a whole request; when it does not (the database was slow, or the
integration has long timeouts) the lane renews that one message first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from integrations.delivery import heartbeat
from integrations.delivery.policy import lease_seconds, renew_seconds
from integrations.models import Message, MessageStatus

logger = logging.getLogger(__name__)


class LeaseKeeper:
    def __init__(self, owner: str, stop_at: float) -> None:
        self.owner = owner
        # No renewal after the task's own deadline: nothing may be sent then.
        self.stop_at = stop_at
        self.lock = threading.Lock()
        self.held: list[int] = []
        self.confirmed_until = 0.0  # monotonic
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="delivery-leases", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=10)

    def hold(self, ids: Iterable[int], claimed_at: float) -> None:
        """The batch just claimed (at monotonic ``claimed_at``) replaces the last one."""
        with self.lock:
            self.held = list(ids)
            self.confirmed_until = claimed_at + lease_seconds()

    def covers(self, seconds: float) -> bool:
        return self.confirmed_until - time.monotonic() >= seconds

    def renew_one(self, message_id: int, seconds: float) -> bool:
        """Extend one message's lease to cover ``seconds``; False when it is no longer ours."""
        length = max(lease_seconds(), seconds + renew_seconds())
        now = timezone.now()
        return bool(
            Message.objects.filter(
                id=message_id, lease_owner=self.owner, status=MessageStatus.SENDING
            ).update(lease_expires_at=now + timedelta(seconds=length), updated_at=now)
        )

    def renew(self) -> int:
        with self.lock:
            ids = list(self.held)
        if not ids:
            return 0
        began = time.monotonic()
        now = timezone.now()
        length = lease_seconds()
        mine = Message.objects.filter(id__in=ids, lease_owner=self.owner, status=MessageStatus.SENDING)
        with transaction.atomic():
            if connection.features.has_select_for_update_skip_locked:
                # One UPDATE over a whole batch would lock its rows in no set
                # order while a lane's save() locks some of them in its own:
                # a deadlock, and PostgreSQL aborts one side. Rows a save is
                # writing right now are skipped (the save ends their lease, or
                # the next renewal takes them); the rest are locked in id order.
                free = list(
                    mine.select_for_update(skip_locked=True).order_by("id").values_list("id", flat=True)
                )
                mine = Message.objects.filter(id__in=free)
            renewed = mine.update(lease_expires_at=now + timedelta(seconds=length), updated_at=now)
        with self.lock:
            if self.held == ids:
                self.confirmed_until = began + length
        return renewed

    def _run(self) -> None:
        try:
            while not self.stopped.wait(renew_seconds()):
                if time.monotonic() > self.stop_at:
                    break
                try:
                    self.renew()
                except DatabaseError:
                    # covers() turns false in time; lanes then renew or stop.
                    logger.warning("could not renew delivery leases", exc_info=True)
                heartbeat.beat()
        finally:
            connection.close()
