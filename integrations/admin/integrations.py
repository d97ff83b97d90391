"""The integration editor: a type picker, predefined variables, steps with
their alert types, a variable panel, and preview / send test on the page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from integrations import catalogue, kinds, presets
from integrations.admin import setup, testing
from integrations.admin.adding import KIND_SUMMARIES, initial_for
from integrations.admin.drafts import body_check_answer, draft_from_post
from integrations.admin.filters import PresetFilter
from integrations.admin.forms import IntegrationForm, per_level_names
from integrations.admin.functions import FunctionInline
from integrations.admin.inlines import StatusHubServiceInline, StepInline, VariableInline
from integrations.admin.problems import BreakerFilter
from integrations.captures import parse_captures
from integrations.models import Integration, IntegrationKind, IntegrationStep, VaultItem
from integrations.template_warnings import integration_warnings

# Kinds whose messages are templates that may call user-defined functions
# (steps, or the e-mail subjects).
FUNCTION_KINDS = {IntegrationKind.WEBHOOK, IntegrationKind.EMAIL, IntegrationKind.SMS, IntegrationKind.PHONE}


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    form = IntegrationForm
    change_form_template = "admin/integrations/integration/change_form.html"
    list_display = (
        "name",
        "kind",
        "preset_name",
        "state",
        "step_count",
        "breaker",
    )
    list_filter = ("kind", "is_active", PresetFilter, BreakerFilter)
    search_fields = ("name", "description")
    readonly_fields = ("consecutive_failures", "paused_until")

    def get_fieldsets(self, request: HttpRequest, obj: Integration | None = None) -> list[Any]:
        main: tuple[str, ...]
        if obj is None:
            main = ("name", "kind", "preset", "is_active", "description")
        elif obj.kind == IntegrationKind.WEBHOOK and obj.preset:
            main = ("name", "kind", "preset_name", "is_active", "customized", "description")
        else:
            main = ("name", "kind", "is_active", "description")
        delivery: tuple[Any, ...] = ("rate_limit_per_minute", ("connect_timeout", "read_timeout"))
        viewer = obj is not None and not self.has_change_permission(request, obj)
        if (obj is None or obj.kind == IntegrationKind.WEBHOOK) and not viewer:
            delivery += ("signing_secrets", "clear_signing_secrets")
        if obj is not None:
            delivery += (("consecutive_failures", "paused_until"),)
        sets: list[Any] = [
            (None, {"fields": main}),
            (gettext("Delivery"), {"fields": delivery, "classes": ("collapse",)}),
        ]
        kind = obj.kind if obj is not None else request.GET.get("kind", "")
        test = ["test_alert_type", "test_level"]
        if obj is None or per_level_names(obj):
            test.append("test_values")
        if kind in (IntegrationKind.EMAIL, IntegrationKind.SMS, IntegrationKind.PHONE):
            test.append("test_recipient")
        sets.append(
            (
                gettext("Preview and test"),
                {
                    "fields": test,
                    "classes": ("test-fieldset",),
                    "description": gettext(
                        "Previews or sends a test alert, with example values for every "
                        "variable, of the form as it stands: nothing is saved."
                    ),
                },
            )
        )
        return sets

    def _kind(self, request: HttpRequest, obj: Integration | None) -> str:
        if obj is not None:
            return obj.kind
        if request.GET.get("preset") in presets.presets():
            return IntegrationKind.WEBHOOK
        return request.POST.get("kind") or request.GET.get("kind") or ""

    def get_inlines(self, request: HttpRequest, obj: Integration | None) -> list[type]:
        kind = self._kind(request, obj)
        inlines: list[type] = [VariableInline]
        if kind == IntegrationKind.WEBHOOK:
            inlines.append(StepInline)
        if kind == IntegrationKind.STATUSHUB:
            inlines.append(StatusHubServiceInline)
        if kind in FUNCTION_KINDS:
            inlines.append(FunctionInline)
        return inlines

    def get_queryset(self, request: HttpRequest) -> QuerySet[Integration]:
        return setup.with_variables(super().get_queryset(request).annotate(_steps=Count("steps")))

    @admin.display(description=_("State"), ordering="is_active")
    def state(self, obj: Integration) -> str:
        if not obj.is_active:
            return format_html('<span class="badge badge-quiet">{}</span>', "inactive")
        missing = setup.missing_settings(obj)
        if missing:
            return format_html(
                '<span class="badge badge-wait" title="Empty: {}">{}</span>',
                ", ".join(missing),
                "needs setup",
            )
        return format_html('<span class="badge badge-ok">{}</span>', "active")

    @admin.display(description=_("Steps"), ordering="_steps")
    def step_count(self, obj: Integration) -> int:
        return obj._steps  # type: ignore[attr-defined]  # annotated

    @admin.display(description=_("Circuit breaker"), ordering="paused_until")
    def breaker(self, obj: Integration) -> str:
        failures = obj.consecutive_failures
        if obj.paused_until and obj.paused_until > timezone.now():
            until = timezone.localtime(obj.paused_until).strftime("%H:%M:%S")
            return format_html(
                '<span class="badge badge-wait">Paused</span> until {}, {} failure{} in a row',
                until,
                failures,
                pluralize(failures),
            )
        if obj.paused_until:
            # The pause is over but no success closed the breaker yet: the next message is a trial.
            return format_html(
                '<span class="badge badge-wait">Half-open</span> next message is a trial; '
                "{} failure{} in a row",
                failures,
                pluralize(failures),
            )
        if failures:
            return format_html('<span class="badge badge-bad">Failing</span> {} in a row', failures)
        return "—"

    @admin.display(description=_("Preset"), ordering="preset")
    def preset_name(self, obj: Integration) -> str:
        preset = presets.presets().get(obj.preset)
        return preset.name if preset else "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Integration | None = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The type is fixed once created, as in Uptrends.
            fields += ("kind", "preset", "preset_name")
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: Integration | None = None) -> bool:
        if obj is not None and obj.is_builtin:
            return False
        return super().has_delete_permission(request, obj)

    # --- Adding: the type picker, then a form prefilled from the type ---------------------

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.update(initial_for(request)[0])
        return initial

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Integration, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if obj._state.adding and request.method == "GET":
            _kind, variables, steps = initial_for(request)
            if isinstance(inline, VariableInline):
                kwargs["initial"] = variables
            elif isinstance(inline, StepInline):
                kwargs["initial"] = steps
        return kwargs

    def get_form(
        self, request: HttpRequest, obj: Integration | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None and (request.GET.get("kind") or request.GET.get("preset")):
            # Picked on the previous page: shown as a heading, kept as hidden fields.
            for name in ("kind", "preset"):
                if name in form.base_fields:
                    form.base_fields[name].widget = forms.HiddenInput()
        return form

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        picked = request.GET.get("kind") or request.GET.get("preset")
        if request.method == "GET" and not picked:
            # The picker is the first page of adding: the same permission applies.
            if not self.has_add_permission(request):
                raise PermissionDenied
            return self.type_picker(request)
        extra_context = dict(extra_context or {})
        slug = request.GET.get("preset") or request.POST.get("preset") or ""
        kind = request.GET.get("kind") or request.POST.get("kind") or ""
        if slug in presets.presets():
            extra_context["picked_type"] = presets.get(slug).name
            extra_context["picked_summary"] = presets.get(slug).description
        elif kind in IntegrationKind.values:
            extra_context["picked_type"] = IntegrationKind(kind).label
            extra_context["picked_summary"] = KIND_SUMMARIES.get(IntegrationKind(kind), "")
        if request.method == "POST" and ("_preview" in request.POST or "_sendtest" in request.POST):
            return self.test_view(request)  # a test never saves
        extra_context.update(self.panel_context(None))
        extra_context["test_url"] = self.test_url(None)
        extra_context["check_body_url"] = reverse("admin:integrations_integration_check_body")
        return super().add_view(request, form_url, extra_context)

    def type_picker(self, request: HttpRequest) -> HttpResponse:
        add_url = reverse("admin:integrations_integration_add")
        builtin = [
            {
                "name": IntegrationKind(kind).label,
                "summary": KIND_SUMMARIES[IntegrationKind(kind)],
                "url": f"{add_url}?kind={kind}",
            }
            for kind in IntegrationKind.values
        ]
        preset_list = [
            {"name": p.name, "summary": p.description, "url": f"{add_url}?preset={p.slug}", "slug": p.slug}
            for p in sorted(presets.presets().values(), key=lambda p: p.name.lower())
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Add integration: choose a type"),
            "builtin_types": builtin,
            "preset_types": preset_list,
        }
        return TemplateResponse(request, "admin/integrations/integration/type_picker.html", context)

    # --- Editing: the panel, preview and test ---------------------------------------------

    def panel_context(self, obj: Integration | None) -> dict[str, Any]:
        groups: dict[str, list[dict[str, str]]] = {}
        for item in catalogue.as_api_list():
            groups.setdefault(item["group"], []).append(item)
        own = []
        if obj is not None:
            own = [
                {
                    "name": v.name,
                    "token": "{{" + v.name + "}}",
                    "meaning": v.description or v.get_mode_display(),
                }
                for v in obj.variables.all()
            ]
            own += [
                {"name": n, "token": "{{" + n + "}}", "meaning": gettext("Supplied by the service link.")}
                for n in kinds.step_variables(obj.kind)
            ]
            own += [
                {
                    "name": capture.name,
                    "token": "{{" + capture.name + "}}",
                    "meaning": gettext(
                        "Captured by step %(position)s from its response, for the later steps."
                    )
                    % {"position": step.position},
                }
                for step in obj.steps.all()
                for capture in parse_captures(step.captures)
            ]
            own += [
                {
                    "name": f.name,
                    "token": "{{" + f.name + "()}}",
                    "function": f.name,
                    "meaning": f.description or gettext("%(kind)s function") % {"kind": f.get_kind_display()},
                }
                for f in obj.functions.all()
            ]
        vault_items = [
            {
                "name": item.name,
                "fields": [
                    {"field": field, "token": "{{@VaultItem." + str(item.pk) + "." + field + "}}"}
                    for field in item.values()
                ],
            }
            for item in VaultItem.objects.only("id", "name")
        ]
        return {
            "panel_groups": groups,
            "panel_own": own,
            "panel_vault": vault_items,
            "panel_auth_types": catalogue.auth_types(),
        }

    def get_urls(self) -> list[Any]:
        # Before the defaults: "<path:object_id>/" would take "add/test/".
        view = self.admin_site.admin_view(self.test_view)
        check = self.admin_site.admin_view(self.check_body_view)
        return [
            path("check-body/", check, name="integrations_integration_check_body"),
            path("add/test/", view, name="integrations_integration_test_add"),
            path("<path:object_id>/test/", view, name="integrations_integration_test"),
            *super().get_urls(),
        ]

    def test_url(self, obj: Integration | None) -> str:
        if obj is None:
            return reverse("admin:integrations_integration_test_add")
        return reverse("admin:integrations_integration_test", args=[obj.pk])

    def test_view(self, request: HttpRequest, object_id: str | None = None) -> HttpResponse:
        """Preview or send a test of the posted form, unsaved. The editor's
        script shows the answer in the page (``?fragment=1``); without
        script the buttons post here and get a page of their own."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = None
        if object_id is not None:
            obj = self.get_object(request, object_id)
            if obj is None:
                raise Http404("No such integration.")
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        draft = draft_from_post(self, request, obj)
        data = draft.form.cleaned_data if not draft.problems else {}
        result = testing.run(
            draft,
            action="send" if "_sendtest" in request.POST else "preview",
            alert_type=data.get("test_alert_type") or "Alert",
            level=data.get("test_level") or 1,
            level_values=data.get("test_values") or {},
            recipient=data.get("test_recipient") or "",
        )
        template = "admin/integrations/integration/test_result.html"
        context: dict[str, Any] = {"result": result}
        if not request.GET.get("fragment"):
            template = "admin/integrations/integration/test_page.html"
            context.update(
                {
                    **self.admin_site.each_context(request),
                    "opts": self.opts,
                    "title": result.title,
                    "original": obj,
                    "editor_url": reverse("admin:integrations_integration_change", args=[obj.pk])
                    if obj is not None
                    else reverse("admin:integrations_integration_add"),
                }
            )
        return TemplateResponse(request, template, context)

    def check_body_view(self, request: HttpRequest) -> HttpResponse:
        """The editor's live JSON / XML check of one step's body (``step`` names
        its form prefix, e.g. ``steps-0``), from the form as posted."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        return JsonResponse(body_check_answer(request.POST))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and ("_preview" in request.POST or "_sendtest" in request.POST):
            return self.test_view(request, object_id)  # a test never saves
        extra_context = dict(extra_context or {})
        obj = self.get_object(request, object_id)
        extra_context.update(self.panel_context(obj))
        extra_context["test_url"] = self.test_url(obj)
        extra_context["check_body_url"] = reverse("admin:integrations_integration_check_body")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        steps_changed = any(fs.model is IntegrationStep and fs.has_changed() for fs in formsets)
        if change and obj.preset and not obj.customized and steps_changed:
            # Its steps are now its own: an upgrade of the preset must not replace them.
            Integration.objects.filter(pk=obj.pk).update(customized=True)
            obj.customized = True
            self.message_user(
                request,
                gettext("The preset's steps were changed, so the integration is now marked Customized."),
                messages.INFO,
            )
        # Saved, but maybe not what was meant (unknown @ variables render empty).
        for warning in integration_warnings(form.instance):
            self.message_user(request, warning, messages.WARNING)
