from django.apps import AppConfig


class AlertingConfig(AppConfig):
    name = "alerting"
    verbose_name = "Alerting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks
        from django.db.models.signals import post_migrate

        from alerting.audit import signals as audit_signals
        from alerting.config_snapshot import signals as config_signals
        from alerting.engine.schedule import ensure_sweep_schedule
        from alertsite.checks import check_encryption_keys

        config_signals.connect(self)
        audit_signals.connect()
        post_migrate.connect(ensure_sweep_schedule, sender=self, dispatch_uid="alerting-sweep-schedule")
        # Every management command (migrate, runserver, qcluster) refuses to
        # start when the keys cannot read the stored secrets.
        checks.register(check_encryption_keys, "security")
