"""The *Inbound sources* page: per format, the URL to paste into the sending
tool, an example of its configuration, the monitor key template, and the last
payloads received with what they became."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alerting.inbound import keys
from alerting.inbound.formats import FORMATS, Format
from alerting.inbound.record import KEPT_PER_FORMAT
from alerting.models import InboundPayload, InboundSource, Incident, Monitor


@dataclass
class Outcome:
    """One line of what a payload became."""

    text: str
    monitor_url: str = ""
    incident_url: str = ""


@dataclass
class Received:
    payload: InboundPayload
    outcomes: list[Outcome] = field(default_factory=list)
    refused: str = ""

    @property
    def answer_json(self) -> str:
        return json.dumps(self.payload.answer, indent=2, ensure_ascii=False)


@dataclass
class SourceView:
    format: Format
    url: str
    example: str
    template: str
    is_default: bool
    received: list[Received]


def outcomes(answer: Any) -> tuple[list[Outcome], str]:
    """(what each result became, why it was refused) from a stored answer."""
    if not isinstance(answer, dict):
        return [], ""
    if "errors" in answer:
        return [], json.dumps(answer["errors"], ensure_ascii=False)[:500]
    results = answer.get("results", [answer])
    found = []
    for result in results if isinstance(results, list) else []:
        if not isinstance(result, dict):
            continue
        parts = [str(result.get("monitor") or "—")]
        if result.get("ignored"):
            parts.append(gettext("ignored: %(reason)s") % {"reason": result["ignored"]})
        incident = result.get("incident")
        if isinstance(incident, dict):
            parts.append(gettext("incident %(status)s") % {"status": incident.get("status", "")})
        alerts = [a.get("type", "") for a in result.get("alerts") or [] if isinstance(a, dict)]
        parts.append(
            gettext("alerts: %(types)s") % {"types": ", ".join(alerts)} if alerts else gettext("no alert")
        )
        found.append(Outcome(" · ".join(parts)))
    return found, ""


def link_outcomes(received: list[Received]) -> None:
    """Link each outcome to its monitor and incident (two queries per page)."""
    answers = [(r, r.payload.answer) for r in received]
    monitor_keys: set[str] = set()
    incident_keys: set[str] = set()
    for _payload, answer in answers:
        for result in _results(answer):
            if isinstance(result.get("monitor"), str):
                monitor_keys.add(result["monitor"])
            if isinstance(result.get("incident"), dict) and isinstance(result["incident"].get("key"), str):
                incident_keys.add(result["incident"]["key"])
    monitors = dict(Monitor.objects.filter(key__in=monitor_keys).values_list("key", "pk"))
    incidents = dict(Incident.objects.filter(key__in=incident_keys).values_list("key", "pk"))
    for item, answer in answers:
        for outcome, result in zip(item.outcomes, _results(answer), strict=False):
            if result.get("monitor") in monitors:
                outcome.monitor_url = reverse(
                    "admin:alerting_monitor_dashboard", args=[monitors[result["monitor"]]]
                )
            key = (result.get("incident") or {}).get("key")
            if key in incidents:
                outcome.incident_url = reverse("admin:alerting_incident_change", args=[incidents[key]])


def _results(answer: Any) -> list[dict[str, Any]]:
    if not isinstance(answer, dict) or "errors" in answer:
        return []
    results = answer.get("results", [answer])
    return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []


class InboundSourceForm(forms.ModelForm):
    class Meta:
        model = InboundSource
        fields = ["monitor_key_template"]

    def clean_monitor_key_template(self) -> str:
        template = self.cleaned_data["monitor_key_template"].strip()
        if template:
            keys.validate_template(template, FORMATS[self.instance.format].placeholders)
        return template


@admin.register(InboundSource)
class InboundSourceAdmin(admin.ModelAdmin):
    form = InboundSourceForm
    fields = ("format", "monitor_key_template", "placeholders")
    readonly_fields = ("format", "placeholders")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    @admin.display(description=_("Placeholders"))
    def placeholders(self, obj: InboundSource) -> str:
        source = FORMATS[obj.format]
        offered = (
            gettext("any label, written {name}")
            if source.placeholders is None
            else ", ".join(f"{{{p}}}" for p in source.placeholders)
        )
        return gettext("%(offered)s. Default: %(template)s") % {
            "offered": offered,
            "template": source.default_template,
        }

    def get_urls(self) -> list[URLPattern]:
        edit = self.admin_site.admin_view(self.edit_view)
        return [path("edit/<str:slug>/", edit, name="alerting_inboundsource_edit"), *super().get_urls()]

    def edit_view(self, request: HttpRequest, slug: str) -> HttpResponse:
        """The source's settings page, its row made on first use."""
        if slug not in FORMATS:
            raise PermissionDenied
        if not self.has_change_permission(request):
            raise PermissionDenied
        source, _created = InboundSource.objects.get_or_create(format=slug)
        return HttpResponseRedirect(reverse("admin:alerting_inboundsource_change", args=[source.pk]))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        templates = dict(InboundSource.objects.values_list("format", "monitor_key_template"))
        sources = []
        everything: list[Received] = []
        for slug, source in FORMATS.items():
            url = f"{settings.PUBLIC_BASE_URL}{source.path}"
            kept = InboundPayload.objects.filter(format=slug).select_related("api_key")[:KEPT_PER_FORMAT]
            received = []
            for payload in kept:
                found, refused = outcomes(payload.answer)
                received.append(Received(payload, found, refused))
            everything.extend(received)
            sources.append(
                SourceView(
                    format=source,
                    url=url,
                    example=render_to_string(source.example, {"url": url}).strip(),
                    template=templates.get(slug) or source.default_template,
                    is_default=not templates.get(slug),
                    received=received,
                )
            )
        link_outcomes(everything)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Inbound sources"),
            "sources": sources,
            "kept": KEPT_PER_FORMAT,
            "can_change": self.has_change_permission(request),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/alerting/inboundsource/sources.html", context)
