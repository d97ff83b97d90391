from django.apps import AppConfig


class AlertingConfig(AppConfig):
    name = "alerting"
    verbose_name = "Alerting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from alerting.engine.schedule import ensure_sweep_schedule

        post_migrate.connect(ensure_sweep_schedule, sender=self, dispatch_uid="alerting-sweep-schedule")
