from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertingConfig(AppConfig):
    name = "alerting"
    verbose_name = _("Alerting")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from alerting.audit import signals as audit_signals
        from alerting.config_snapshot import signals as config_signals
        from alertsite.checks import check_encryption_keys

        config_signals.connect(self)
        audit_signals.connect()
        # Every management command (migrate, runserver, qcluster) refuses to
        # start when the keys cannot read the stored secrets.
        checks.register(check_encryption_keys, "security")
