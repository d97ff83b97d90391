"""List filters that show people names, not internal slugs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from integrations import presets


class PresetFilter(admin.SimpleListFilter):
    title = "preset"
    parameter_name = "preset"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        used = set(model_admin.get_queryset(request).exclude(preset="").values_list("preset", flat=True))
        known = presets.presets()
        return sorted(
            ((slug, known[slug].name if slug in known else slug) for slug in used), key=lambda item: item[1]
        )

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        return queryset.filter(preset=value) if value else queryset
