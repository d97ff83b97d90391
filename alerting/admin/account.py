from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

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


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("scope",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("name", "scope", "rate_limit_per_minute", "prefix", "created_at", "last_used_at", "revoked_at")
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
            f"API key created. Copy it now, it is shown only once: {raw}",
        )

    @admin.action(description="Revoke selected keys")
    def revoke(self, request: HttpRequest, queryset: object) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"{count} key(s) revoked.")
