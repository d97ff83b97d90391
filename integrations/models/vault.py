"""The vault: credential sets shared by integrations, referenced in their
templates as ``{{@VaultItem.<id>.Username}}``, ``.Password`` and ``.Secret``.
Every value is encrypted at rest; the password and secret are write-only."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from alertsite.fields import EncryptedTextField
from integrations.models.integrations import Integration
from integrations.templating import vault
from integrations.validation_functions import integration_templates


class VaultItem(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False, verbose_name=_("id"))
    name = models.CharField(max_length=200, unique=True, verbose_name=_("name"))
    description = models.CharField(max_length=500, blank=True, verbose_name=_("description"))
    username = EncryptedTextField(blank=True, verbose_name=_("username"))
    password = EncryptedTextField(
        blank=True, help_text=_("Never shown again after saving."), verbose_name=_("password")
    )
    secret = EncryptedTextField(
        blank=True,
        help_text=_("A further secret (an API key, an HMAC key); never shown again."),
        verbose_name=_("secret"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name_plural = _("vault items")
        ordering = ["name"]
        verbose_name = _("vault item")

    def __str__(self) -> str:
        return self.name

    def values(self) -> dict[str, str]:
        """Field name as written in templates → value."""
        return {"Username": self.username, "Password": self.password, "Secret": self.secret}

    def used_by(self) -> list[str]:
        """The names of the integrations whose templates name this item."""
        item_id = str(self.pk).lower()
        return [
            integration.name
            for integration in Integration.objects.prefetch_related("steps", "variables", "functions")
            if item_id in vault.references(integration_templates(integration))
        ]
