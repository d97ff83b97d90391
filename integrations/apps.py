from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from integrations.delivery.sweep import ensure_schedule

        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="delivery-sweep-schedule")
