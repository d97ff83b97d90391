"""User-defined functions of an integration (Uptrends' Mapping, Regular
expression and Hash functions), called in its templates as ``{{Name(…)}}``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from alertsite.fields import EncryptedTextField
from integrations.choices import FunctionKind, HashAlgorithm, HashEncoding
from integrations.models.integrations import Integration, variable_name_validator
from integrations.templating.functions import UserFunction


class IntegrationFunction(models.Model):
    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="functions", verbose_name=_("integration")
    )
    name = models.CharField(
        max_length=100,
        validators=[variable_name_validator],
        help_text=_("Called as {{Name({{@alert.description}})}}."),
        verbose_name=_("name"),
    )
    kind = models.CharField(max_length=10, choices=FunctionKind.choices, verbose_name=_("kind"))
    description = models.CharField(max_length=300, blank=True, verbose_name=_("description"))
    # Mapping: [[input, output], ...], compared exactly; no match gives default_value.
    mapping = models.JSONField(default=list, blank=True, verbose_name=_("mapping"))
    default_value = models.TextField(
        blank=True, help_text=_("Mapping: the result when no row matches."), verbose_name=_("default value")
    )
    pattern = models.TextField(
        blank=True,
        help_text=_("Regular expression: the first match's first group, or the whole match without groups."),
        verbose_name=_("pattern"),
    )
    algorithm = models.CharField(
        max_length=12, choices=HashAlgorithm.choices, blank=True, verbose_name=_("algorithm")
    )
    hash_key = EncryptedTextField(
        blank=True,
        help_text=_("HMAC key; may be a vault reference {{@VaultItem.<id>.Secret}}."),
        verbose_name=_("hash key"),
    )
    encoding = models.CharField(
        max_length=6, choices=HashEncoding.choices, default=HashEncoding.HEX, verbose_name=_("encoding")
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name_plural = _("user-defined functions")
        ordering = ["integration", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["integration", "name"], name="unique_function_name")]
        verbose_name = _("user-defined function")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from integrations.validation_functions import clean_function

        clean_function(self)

    def as_data(self, key: str | None = None) -> UserFunction:
        """The function as the renderer takes it; ``key`` is the HMAC key with
        any vault reference resolved (default: the stored key)."""
        return UserFunction(
            name=self.name,
            kind=self.kind,
            mapping=tuple((str(a), str(b)) for a, b in (self.mapping or [])),
            default=self.default_value,
            pattern=self.pattern,
            algorithm=self.algorithm,
            key=self.hash_key if key is None else key,
            encoding=self.encoding,
        )
