from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from alerting.models import AccountSettings, ApiKey


@admin.register(AccountSettings)
class AccountSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "stop_all_alerts", "changed_at", "changed_by")
    fields = ("stop_all_alerts", "changed_at", "changed_by")
    readonly_fields = ("changed_at", "changed_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AccountSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: AccountSettings, form: object, change: bool) -> None:
        obj.changed_at = timezone.now()
        obj.changed_by = request.user.get_username()
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(require_POST(self.stop_all_view))
        return [path("stop-all/", view, name="alerting_stop_all"), *super().get_urls()]

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Ticking the box here is the same switch as the dashboard's: it asks first.
        turning_on = request.method == "POST" and request.POST.get("stop_all_alerts") in ("on", "true", "1")
        already_on = AccountSettings.objects.filter(pk=1, stop_all_alerts=True).exists()
        if turning_on and not already_on and request.POST.get("post") != "yes":
            allowed = (
                self.has_change_permission(request)
                if object_id is not None
                else self.has_add_permission(request)
            )
            if not allowed:
                raise PermissionDenied
            return self.confirm_stop_all(request)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def confirm_stop_all(self, request: HttpRequest) -> TemplateResponse:
        """What switching on does, and a second click to do it (as Django's delete asks)."""
        from integrations.models import Message, MessageStatus

        queued = Message.objects.filter(status__in=[MessageStatus.PENDING, MessageStatus.SENDING]).count()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Stop all alerts?"),
            "queued": queued,
        }
        return TemplateResponse(request, "admin/alerting/stop_all_confirmation.html", context)

    def stop_all_view(self, request: HttpRequest) -> HttpResponse:
        """The dashboard's *Stop all alerts* switch; switching on is confirmed first."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        on = request.POST.get("stop_all_alerts") == "on"
        if on and request.POST.get("post") != "yes":
            return self.confirm_stop_all(request)
        AccountSettings.load()
        AccountSettings.objects.filter(pk=1).update(
            stop_all_alerts=on, changed_at=timezone.now(), changed_by=request.user.get_username()
        )
        if on:
            self.message_user(
                request, gettext("Stop all alerts is on: no messages will be sent."), messages.WARNING
            )
        else:
            self.message_user(
                request, gettext("Stop all alerts is off: alerts are sent again."), messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:index") + "#stop-all")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("name", "scope", "rate_limit_per_minute", "prefix", "created_at", "last_used_at", "revoked_at")
    # Radio buttons: each scope's description is read in full (a select cuts it).
    radio_fields = {"scope": admin.VERTICAL}
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiKey, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = ApiKey.generate(obj.name, obj.scope)
        if obj.rate_limit_per_minute:
            key.rate_limit_per_minute = obj.rate_limit_per_minute
            key.save(update_fields=["rate_limit_per_minute"])
        obj.pk = key.pk
        obj.prefix = key.prefix
        obj.key_hash = key.key_hash
        obj._state.adding = False
        self.message_user(
            request,
            gettext("API key created. Copy it now, it is shown only once: %(key)s") % {"key": raw},
        )

    @admin.action(description=_("Revoke selected keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, gettext("%(count)s key(s) revoked.") % {"count": count})
