from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from integrations.delivery.sweep import ensure_schedule

        post_migrate.connect(ensure_schedule, sender=self, dispatch_uid="delivery-sweep-schedule")

        from django_q.signals import post_spawn

        from integrations.delivery.sweep import on_worker_spawn

        post_spawn.connect(on_worker_spawn, dispatch_uid="delivery-worker-spawn")

        from alertsite.observability import tasks as task_logging

        task_logging.connect()
