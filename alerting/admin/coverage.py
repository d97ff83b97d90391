"""Coverage summaries for people: which alert definitions cover a monitor and
how ("Default alert definition via All monitors; Web-Shop directly"), and what
a definition covers besides the others.

Read from the engine's compiled configuration (``Snapshot.covering_paths``),
so the admin says exactly what the engine will do: only active definitions
cover, and a definition without an active level sends nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from alerting import config_snapshot
from alerting.config_snapshot import Snapshot
from alerting.config_snapshot.compiled import ALL_MONITORS, DIRECTLY
from alerting.models import AlertDefinition, Monitor, MonitorGroup


@dataclass(frozen=True)
class Cover:
    definition_id: Any
    name: str
    reasons: tuple[str, ...]  # "via All monitors", "via group Shop", "directly"
    sends: bool  # it has an active level

    @property
    def url(self) -> str:
        return reverse("admin:alerting_alertdefinition_change", args=[self.definition_id])

    def text(self) -> str:
        return f"{self.name} {and_join(self.reasons)}"


def and_join(parts: Any) -> str:
    return gettext(" and ").join(parts)


def reason(path: Any, group_names: dict[Any, str]) -> str:
    """How a definition reaches a monitor, in words; the monitor dashboard
    says it the same way."""
    if path == ALL_MONITORS:
        return gettext("via All monitors")
    if path == DIRECTLY:
        return gettext("directly")
    return gettext("via group %(group)s") % {"group": group_names.get(path, "?")}


def _sending(snapshot: Snapshot) -> set[Any]:
    return {level.definition_id for level in snapshot.active_levels}


def monitor_coverage(monitor: Monitor, snapshot: Snapshot | None = None) -> list[Cover]:
    snapshot = snapshot or config_snapshot.get()
    paths = snapshot.covering_paths(monitor.pk)
    if not paths:
        return []
    groups = {p for ways in paths.values() for p in ways if p not in (ALL_MONITORS, DIRECTLY)}
    group_names = dict(MonitorGroup.objects.filter(pk__in=groups).values_list("pk", "name"))
    names = dict(AlertDefinition.objects.filter(pk__in=list(paths)).values_list("pk", "name"))
    sending = _sending(snapshot)
    covers = [
        Cover(d, names.get(d, "?"), tuple(reason(p, group_names) for p in ways), d in sending)
        for d, ways in paths.items()
    ]
    return sorted(covers, key=lambda c: (not c.sends, c.name.lower()))


def monitor_summary(monitor: Monitor) -> SafeString:
    """The monitor page's *Covered by* line."""
    covers = monitor_coverage(monitor)
    warnings = []
    if not monitor.is_active:
        warnings.append(gettext("The monitor is inactive: it raises no alerts."))
    elif not monitor.generate_alerts:
        warnings.append(gettext("Generate alerts is off: results are recorded, no alerts are raised."))
    if not any(c.sends for c in covers):
        warnings.append(
            gettext("No active alert definition with an active level covers this monitor: nobody is told.")
        )
    items = format_html_join(
        "; ",
        '<a href="{}">{}</a> {}{}',
        (
            (
                c.url,
                c.name,
                and_join(c.reasons),
                "" if c.sends else gettext(" (no active level: sends nothing)"),
            )
            for c in covers
        ),
    )
    line = format_html("<span class='coverage-line'>{}</span>", items) if covers else ""
    warning = format_html_join("", "<p class='coverage-warning'>{}</p>", ((w,) for w in warnings))
    return format_html('<div class="coverage-summary">{}{}</div>', line, warning)


def definition_summary(definition: AlertDefinition) -> SafeString:
    """What a saved definition covers, and which other definitions cover the
    same monitors (each of them alerts too)."""
    if not definition.is_active:
        return format_html(
            '<div class="coverage-summary"><p class="coverage-warning">{}</p></div>',
            gettext("Inactive: this definition covers no monitor and sends nothing until it is switched on."),
        )
    snapshot = config_snapshot.get()
    reasons: Counter[str] = Counter()
    others: Counter[Any] = Counter()
    other_reasons: dict[Any, set[str]] = {}
    covered = 0
    total = 0
    group_ids = set(snapshot.by_group)
    group_names = dict(MonitorGroup.objects.filter(pk__in=group_ids).values_list("pk", "name"))
    for monitor_id in Monitor.objects.values_list("pk", flat=True):
        total += 1
        paths = snapshot.covering_paths(monitor_id)
        mine = paths.get(definition.pk)
        if not mine:
            continue
        covered += 1
        reasons.update(reason(p, group_names) for p in mine)
        for other, ways in paths.items():
            if other != definition.pk:
                others[other] += 1
                other_reasons.setdefault(other, set()).update(reason(p, group_names) for p in ways)
    parts = []
    if definition.pk in snapshot.everyone:
        text = gettext("Covers <strong>every monitor</strong> (%(count)s) via All monitors.")
        parts.append(format_html(text.replace("%(count)s", "{}"), total))
    elif covered:
        detail = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        text = ngettext(
            "Covers <strong>%(count)s monitor</strong>: %(detail)s.",
            "Covers <strong>%(count)s monitors</strong>: %(detail)s.",
            covered,
        )
        parts.append(
            format_html(text.replace("%(count)s", "{}").replace("%(detail)s", "{}"), covered, detail)
        )
    else:
        parts.append(
            format_html("{}", gettext("Covers no monitor yet: choose monitors or monitor groups below."))
        )
    if others:
        names = dict(AlertDefinition.objects.filter(pk__in=list(others)).values_list("pk", "name"))
        also = format_html_join(
            "; ",
            '<a href="{}">{}</a> {} ({})',
            (
                (
                    reverse("admin:alerting_alertdefinition_change", args=[other]),
                    names.get(other, "?"),
                    and_join(sorted(other_reasons[other])),
                    gettext("%(count)s of %(total)s") % {"count": count, "total": covered},
                )
                for other, count in sorted(others.items(), key=lambda item: names.get(item[0], "").lower())
            ),
        )
        text = gettext("Also covering these monitors, and alerting too: %(definitions)s.")
        parts.append(format_html(text.replace("%(definitions)s", "{}"), also))
    if definition.pk not in _sending(snapshot):
        parts.append(
            format_html(
                "<span class='coverage-warning'>{}</span>",
                gettext("No active level: this definition sends nothing."),
            )
        )
    return format_html(
        '<div class="coverage-summary">{}</div>', format_html_join("", "<p>{}</p>", ((p,) for p in parts))
    )
