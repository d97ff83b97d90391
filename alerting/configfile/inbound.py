"""The inbound sources' monitor key templates in the configuration document.

Only customized templates are written (an empty list when none is), keyed by
format: a fresh install applying the file keys the sending tools' alerts to
the same monitors as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop

from alerting.configfile.base import ConfigError, check_keys, expect, thing, where
from alerting.inbound import keys
from alerting.inbound.formats import FORMATS
from alerting.models import InboundSource

if TYPE_CHECKING:
    from alerting.configfile.apply import Applier

SECTION = "inbound_sources"
FIELDS = {"format", "monitor_key_template"}
MAX_TEMPLATE = InboundSource._meta.get_field("monitor_key_template").max_length or 200


def export_inbound_sources() -> list[dict[str, Any]]:
    rows = InboundSource.objects.exclude(monitor_key_template="").order_by("format")
    return [{"format": s.format, "monitor_key_template": s.monitor_key_template} for s in rows]


def wanted_templates(items: list[dict[str, Any]]) -> dict[str, str]:
    wanted: dict[str, str] = {}
    for index, item in enumerate(items):
        label = str(item.get("format") or f"#{index + 1}")
        place = where(SECTION, label)
        check_keys(item, FIELDS, place)
        slug = item.get("format")
        if not isinstance(slug, str) or slug not in FORMATS:
            raise ConfigError(
                gettext("%(place)s.format: one of %(formats)s.")
                % {"place": place, "formats": ", ".join(FORMATS)}
            )
        if slug in wanted:
            raise ConfigError(
                gettext("%(place)s: the same inbound source appears twice in the document.")
                % {"place": place}
            )
        field = f"{place}.monitor_key_template"
        template = expect(item.get("monitor_key_template") or "", str, field, "a string").strip()
        if len(template) > MAX_TEMPLATE:
            raise ConfigError(
                gettext("%(place)s: at most %(count)s characters.") % {"place": field, "count": MAX_TEMPLATE}
            )
        if template:
            try:
                keys.validate_template(template, FORMATS[slug].placeholders)
            except ValidationError as exc:
                raise ConfigError(f"{field}: {' '.join(exc.messages)}") from None
        wanted[slug] = template
    return wanted


def apply_inbound_sources(applier: Applier) -> None:
    """Set the listed templates; with prune, the unlisted ones go back to the default."""
    wanted = wanted_templates(applier.items(SECTION))
    current = dict(InboundSource.objects.values_list("format", "monitor_key_template"))
    for slug in FORMATS:
        if slug not in wanted and not applier.prune:
            continue
        template = wanted.get(slug, "")
        if current.get(slug, "") == template:
            continue
        InboundSource.objects.update_or_create(format=slug, defaults={"monitor_key_template": template})
        applier.report.changed(thing(gettext_noop("inbound source"), slug), ["monitor_key_template"])
