from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from alerting.field_lists import OPERATOR_ALERTING, OPERATOR_CONTACT, SCHEDULE_ROWS, rows
from alerting.models import OffDutySchedule, Operator, OperatorGroup


class OffDutyScheduleInline(admin.StackedInline):
    # Stacked, a few fields a row: as a table its date and time pickers made
    # the page half again as wide as a laptop screen.
    model = OffDutySchedule
    extra = 0
    classes = ("schedule-windows",)
    fields = rows(SCHEDULE_ROWS)


@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    list_display = ("full_name", "email", "mobile_phone", "is_active", "is_on_duty", "schedule_count")
    list_filter = ("is_active", "is_on_duty", "language", "groups")
    list_editable = ("is_on_duty",)
    search_fields = ("full_name", "email", "mobile_phone")
    inlines = [OffDutyScheduleInline]
    actions = ["set_on_duty", "set_off_duty"]
    fieldsets = (
        (None, {"fields": OPERATOR_CONTACT}),
        (_("Alerting"), {"fields": OPERATOR_ALERTING}),
        (_("Login"), {"fields": ("user",)}),
    )
    raw_id_fields = ("user",)
    change_form_template = "admin/alerting/operator/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        def view(channel: str) -> Callable[[HttpRequest, str], HttpResponse]:
            def send(request: HttpRequest, pk: str) -> HttpResponse:
                return self.send_test_view(request, pk, channel)

            return self.admin_site.admin_view(require_POST(send))

        return [
            path("<uuid:pk>/test-email/", view("email"), name="alerting_operator_test_email"),
            path("<uuid:pk>/test-sms/", view("sms"), name="alerting_operator_test_sms"),
            *super().get_urls(),
        ]

    def send_test_view(self, request: HttpRequest, pk: str, channel: str) -> HttpResponse:
        """*Send test e-mail* / *Send test SMS*: the built-in integration, example values."""
        from alerting.admin.operator_tests import send_operator_test

        operator = get_object_or_404(Operator, pk=pk)
        if not self.has_change_permission(request, operator):
            raise PermissionDenied
        ok, text = send_operator_test(operator, channel)
        self.message_user(request, text, messages.SUCCESS if ok else messages.ERROR)
        return HttpResponseRedirect(reverse("admin:alerting_operator_change", args=[operator.pk]))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Operator]:
        return super().get_queryset(request).annotate(_schedules=Count("off_duty_schedules"))

    @admin.display(description=_("Off-duty schedules"), ordering="_schedules")
    def schedule_count(self, obj: Operator) -> int:
        return obj._schedules  # type: ignore[attr-defined]  # annotated

    @admin.action(description=_("Put selected operators on duty"))
    def set_on_duty(self, request: HttpRequest, queryset: QuerySet[Operator]) -> None:
        count = queryset.update(is_on_duty=True)
        self.message_user(
            request, gettext("%(count)s operator(s) put on duty.") % {"count": count}, messages.SUCCESS
        )

    @admin.action(description=_("Put selected operators off duty"))
    def set_off_duty(self, request: HttpRequest, queryset: QuerySet[Operator]) -> None:
        count = queryset.update(is_on_duty=False)
        self.message_user(
            request, gettext("%(count)s operator(s) put off duty.") % {"count": count}, messages.SUCCESS
        )


@admin.register(OperatorGroup)
class OperatorGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "member_count", "is_everyone", "is_administrators")
    search_fields = ("name",)
    filter_horizontal = ("members",)
    actions = ["all_on_duty", "all_off_duty"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[OperatorGroup]:
        return super().get_queryset(request).annotate(_members=Count("members"))

    @admin.display(description=_("Members"))
    def member_count(self, obj: OperatorGroup) -> str:
        return gettext("every operator") if obj.is_everyone else str(obj._members)  # type: ignore[attr-defined]  # annotated

    def get_readonly_fields(self, request: HttpRequest, obj: OperatorGroup | None = None) -> tuple[str, ...]:
        if obj and obj.is_everyone:
            return ("name", "members_note")
        if obj and obj.is_administrators:
            return ("name",)
        return ()

    def get_fields(self, request: HttpRequest, obj: OperatorGroup | None = None) -> Any:
        if obj and obj.is_everyone:
            return ["name", "members_note"]
        return ["name", "members"]

    @admin.display(description=_("Members"))
    def members_note(self, obj: OperatorGroup) -> str:
        return gettext("Every operator is a member of this group automatically.")

    def has_delete_permission(self, request: HttpRequest, obj: OperatorGroup | None = None) -> bool:
        if obj is not None and obj.is_system:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[OperatorGroup]) -> None:
        # The bulk "delete selected" action must not remove system groups either.
        super().delete_queryset(request, queryset.filter(is_everyone=False, is_administrators=False))

    def _set_duty(self, request: HttpRequest, queryset: QuerySet[OperatorGroup], on: bool) -> None:
        total = 0
        for group in queryset:
            total += group.member_operators().update(is_on_duty=on)
        text = (
            gettext("%(count)s operator(s) put on duty.")
            if on
            else gettext("%(count)s operator(s) put off duty.")
        )
        self.message_user(request, text % {"count": total}, messages.SUCCESS)

    @admin.action(description=_("Put all members on duty"))
    def all_on_duty(self, request: HttpRequest, queryset: QuerySet[OperatorGroup]) -> None:
        self._set_duty(request, queryset, True)

    @admin.action(description=_("Put all members off duty"))
    def all_off_duty(self, request: HttpRequest, queryset: QuerySet[OperatorGroup]) -> None:
        self._set_duty(request, queryset, False)
