"""An escalation level's use of an integration, with the level's own settings.

It lives here, not beside the levels in ``alerting``, so that relations
between the two apps run one way: integrations (this link, the outbox) read
alerting's levels and alerts; alerting's models name no integrations model.
The table kept its name from when the model was ``alerting``'s (see
``integrations/migrations/0014_levelintegration_moved_in``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from alerting.models.config import ConfigManager
from alerting.models.definitions import EscalationLevel, validate_email_list, validate_statushub_links
from integrations.models.integrations import Integration


class LevelIntegration(models.Model):
    """An integration used by an escalation level, with the level's own settings."""

    level = models.ForeignKey(
        EscalationLevel, on_delete=models.CASCADE, related_name="integration_links", verbose_name=_("level")
    )
    integration = models.ForeignKey(
        Integration,
        on_delete=models.CASCADE,
        related_name="level_links",
        verbose_name=_("integration"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    send_ok_alerts = models.BooleanField(_("send OK alerts"), default=True)
    send_reminders = models.BooleanField(default=True, verbose_name=_("send reminders"))
    variable_values = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Values for the integration's variables set to 'value per escalation level'."),
        verbose_name=_("variable values"),
    )
    extra_email_addresses = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_email_list],
        help_text=_("E-mail integrations only."),
        verbose_name=_("extra email addresses"),
    )
    statushub_service_links = models.JSONField(
        _("StatusHub service links"),
        default=list,
        blank=True,
        validators=[validate_statushub_links],
        help_text=_("StatusHub only: which service each monitor updates."),
    )

    objects = ConfigManager()

    class Meta:
        # The table it had in alerting: moving the model moved no data.
        db_table = "alerting_levelintegration"
        verbose_name_plural = _("escalation level integrations")
        ordering = ["level", "integration__name"]
        constraints = [
            models.UniqueConstraint(fields=["level", "integration"], name="unique_level_integration")
        ]
        verbose_name = _("escalation level integration")

    def __str__(self) -> str:
        return f"{self.level}: {self.integration}"
