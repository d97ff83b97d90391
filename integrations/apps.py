from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate
        from django_q.signals import post_spawn

        from integrations.tasks import ensure_schedules, on_worker_spawn

        # The one hook creating every schedule; it runs once the last app
        # (django_q's tables included) has migrated.
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="alertsite-schedules")
        post_spawn.connect(on_worker_spawn, dispatch_uid="delivery-worker-spawn")

        from alertsite.observability import tasks as task_logging

        task_logging.connect()
