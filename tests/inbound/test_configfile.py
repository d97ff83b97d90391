"""Inbound sources' key templates in the configuration document (export_config / apply_config)."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import CommandError, call_command

from alerting.configfile.export import build_document
from alerting.models import InboundSource

pytestmark = pytest.mark.django_db


def apply(tmp_path, document: dict, *args: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(document))
    out = io.StringIO()
    call_command("apply_config", str(path), *args, stdout=out)
    return out.getvalue()


def test_customized_templates_are_exported_and_applied(tmp_path):
    assert build_document()["inbound_sources"] == []
    InboundSource.objects.create(format="alertmanager", monitor_key_template="{job}/{alertname}")
    InboundSource.objects.create(format="grafana", monitor_key_template="")
    document = build_document()
    assert document["inbound_sources"] == [
        {"format": "alertmanager", "monitor_key_template": "{job}/{alertname}"}
    ]
    InboundSource.objects.all().delete()
    assert "change inbound source alertmanager: monitor_key_template" in apply(tmp_path, document)
    assert build_document() == document
    assert apply(tmp_path, document) == "No changes.\n"


def test_prune_resets_unlisted_templates(tmp_path):
    InboundSource.objects.create(format="uptrends", monitor_key_template="ut/{monitorGuid}")
    document = build_document()
    document["inbound_sources"] = []
    assert apply(tmp_path, document) == "No changes.\n"
    output = apply(tmp_path, document, "--prune")
    assert "change inbound source uptrends: monitor_key_template" in output
    assert InboundSource.objects.get(format="uptrends").monitor_key_template == ""


@pytest.mark.parametrize(
    ("items", "needle"),
    [
        ([{"format": "nagios"}], "inbound_sources[nagios].format: one of alertmanager"),
        ([{"format": 5}], "inbound_sources[5].format"),
        ([{"format": "grafana", "key": "x"}], "unknown field(s) key"),
        ([{"format": "grafana"}, {"format": "grafana"}], "appears twice"),
        ([{"format": "grafana", "monitor_key_template": ["x"]}], "expected a string"),
        ([{"format": "grafana", "monitor_key_template": "{a"}], "monitor_key_template: Not a key template"),
        ([{"format": "uptime-kuma", "monitor_key_template": "{alertname}"}], "Unknown placeholder"),
        ([{"format": "grafana", "monitor_key_template": "{a}" + "x" * 200}], "at most 200"),
        ("grafana", "expected a list"),
    ],
)
def test_bad_inbound_sources_stop_with_a_message(tmp_path, items, needle):
    document = build_document()
    document["inbound_sources"] = items
    with pytest.raises(CommandError) as raised:
        apply(tmp_path, document)
    assert needle in str(raised.value)
    assert not InboundSource.objects.exclude(monitor_key_template="").exists()
