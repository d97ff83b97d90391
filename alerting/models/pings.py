"""The secret ping URL of each monitor (``/ping/<token>``, Healthchecks' shapes).

The token lives in a table of its own rather than on ``Monitor``: every
submission loads its monitor row, and an encrypted column there would cost a
decryption on each one. It is stored twice: as a SHA-256 hash, to find the
monitor of an incoming ping with one indexed query, and encrypted (under
``FIELD_ENCRYPTION_KEYS``, rotated with the other secrets) so the admin and
the API can show the URL again. A monitor gets its token the first time
anybody asks for its URL: until then nobody could know it anyway.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alerting.models.ingest import hash_key
from alerting.models.monitors import Monitor
from alertsite.fields import EncryptedTextField


def new_token() -> str:
    # 192 bits, URL-safe (no "/"), 32 characters: long enough that the log
    # filter masks it as a token-like path segment.
    return secrets.token_urlsafe(24)


class PingToken(models.Model):
    monitor = models.OneToOneField(
        Monitor,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="ping_token",
        verbose_name=_("monitor"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False, verbose_name=_("token hash"))
    token = EncryptedTextField(editable=False, verbose_name=_("token"))
    # Set by /ping/<token>/start, cleared by the result that ends the run.
    started_at = models.DateTimeField(null=True, blank=True, editable=False, verbose_name=_("started at"))
    created_at = models.DateTimeField(
        default=timezone.now, editable=False, verbose_name=_("created at")
    )  # rotation resets it

    class Meta:
        verbose_name_plural = _("ping tokens")
        verbose_name = _("ping token")

    def __str__(self) -> str:
        return f"Ping token of {self.monitor_id}"

    @property
    def url(self) -> str:
        return f"{settings.PUBLIC_BASE_URL}/ping/{self.token}"

    @classmethod
    def for_monitor(cls, monitor: Monitor) -> PingToken:
        """The monitor's token, made now if it has none yet."""
        try:
            return monitor.ping_token  # loaded with select_related, or one query
        except cls.DoesNotExist:
            pass
        raw = new_token()
        try:
            # Two first views at once: the primary key lets one row in, the
            # other request reads it.
            with transaction.atomic():
                return cls.objects.create(monitor=monitor, token_hash=hash_key(raw), token=raw)
        except IntegrityError:
            token = cls.objects.get(monitor=monitor)
            monitor.ping_token = token
            return token

    @classmethod
    def rotate(cls, monitor: Monitor) -> PingToken:
        """Replace the monitor's token: the old URL stops working at once."""
        raw = new_token()
        with transaction.atomic():
            token, created = cls.objects.select_for_update().get_or_create(
                monitor=monitor, defaults={"token_hash": hash_key(raw), "token": raw}
            )
            if not created:
                token.token_hash, token.token = hash_key(raw), raw
                token.started_at, token.created_at = None, timezone.now()
                token.save(update_fields=["token_hash", "token", "started_at", "created_at"])
        monitor.ping_token = token  # the caller's instance shows the new URL
        return token

    @classmethod
    def find(cls, raw: str) -> PingToken | None:
        """The token a ping presents, with its monitor, or None."""
        return cls.objects.select_related("monitor").filter(token_hash=hash_key(raw)).first()
