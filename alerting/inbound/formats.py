"""The inbound formats: each one's conversion, key template and example config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from alerting.inbound import alertmanager, uptime_kuma, uptrends
from alerting.inbound.common import Converted
from alerting.models import InboundFormat


@dataclass(frozen=True)
class Format:
    slug: str
    title: str
    convert: Callable[[Any, str], Converted]
    default_template: str
    # The placeholders a key template may use; None: any label.
    placeholders: list[str] | None
    # The sending tool's configuration, a template under alerting/inbound/.
    example: str
    # One alert per payload (answered as one result) rather than a list.
    single: bool = False

    @property
    def path(self) -> str:
        return f"/api/v1/inbound/{self.slug}"


FORMATS: dict[str, Format] = {
    f.slug: f
    for f in (
        Format(
            InboundFormat.ALERTMANAGER,
            "Prometheus Alertmanager",
            alertmanager.convert_alertmanager,
            alertmanager.DEFAULT_TEMPLATE,
            None,
            "alerting/inbound/alertmanager.yml",
        ),
        Format(
            InboundFormat.GRAFANA,
            "Grafana",
            alertmanager.convert_grafana,
            alertmanager.DEFAULT_TEMPLATE,
            None,
            "alerting/inbound/grafana.txt",
        ),
        Format(
            InboundFormat.UPTIME_KUMA,
            "Uptime Kuma",
            uptime_kuma.convert_uptime_kuma,
            uptime_kuma.DEFAULT_TEMPLATE,
            uptime_kuma.PLACEHOLDERS,
            "alerting/inbound/uptime-kuma.txt",
            single=True,
        ),
        Format(
            InboundFormat.UPTRENDS,
            "Uptrends",
            uptrends.convert_uptrends,
            uptrends.DEFAULT_TEMPLATE,
            uptrends.PLACEHOLDERS,
            "alerting/inbound/uptrends.txt",
            single=True,
        ),
    )
}
