"""The vault: credential sets shared by integrations, referenced in their
templates as ``{{@VaultItem.<id>.Username}}``, ``.Password`` and ``.Secret``.
Every value is encrypted at rest; the password and secret are write-only."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from alertsite.fields import EncryptedTextField


class VaultItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    description = models.CharField(max_length=500, blank=True)
    username = EncryptedTextField(blank=True)
    password = EncryptedTextField(blank=True, help_text="Never shown again after saving.")
    secret = EncryptedTextField(
        blank=True, help_text="A further secret (an API key, an HMAC key); never shown again."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("vault items")
        ordering = ["name"]
        verbose_name = _("vault item")

    def __str__(self) -> str:
        return self.name

    def values(self) -> dict[str, str]:
        """Field name as written in templates → value."""
        return {"Username": self.username, "Password": self.password, "Secret": self.secret}
