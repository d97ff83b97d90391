from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from alerting.configfile.export import build_document
from alerting.models import Monitor, Operator, OperatorGroup
from integrations.models import Integration, IntegrationStep, IntegrationVariable
from tests.config.configdata import SECRETS, build, make_fresh


def export(tmp_path, *args: str, name: str = "config.yaml") -> str:
    path = tmp_path / name
    call_command("export_config", "--output", str(path), *args, stderr=io.StringIO())
    return str(path)


def apply(path: str, *args: str) -> str:
    out = io.StringIO()
    call_command("apply_config", path, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def configured(api):
    build(api)


def test_export_is_stable_and_leaves_secrets_out(configured, tmp_path):
    first = tmp_path / "a.yaml"
    call_command("export_config", "--output", str(first), stderr=io.StringIO())
    out = io.StringIO()
    call_command("export_config", stdout=out)
    assert first.read_text() == out.getvalue()
    text = out.getvalue()
    for secret in SECRETS:
        assert secret not in text
    document = yaml.safe_load(text)
    assert [o["email"] for o in document["operators"]] == ["alice@example.com", "bob@example.com"]
    assert [g.get("system") for g in document["operator_groups"]] == ["everyone", "administrators", None]
    with_secrets = io.StringIO()
    call_command("export_config", "--include-secrets", "--format", "json", stdout=with_secrets)
    assert all(secret in with_secrets.getvalue() for secret in SECRETS)
    json.loads(with_secrets.getvalue())


@pytest.mark.parametrize("secrets", [False, True])
def test_export_apply_into_a_fresh_database_reproduces_the_document(configured, tmp_path, secrets):
    args = ("--include-secrets",) if secrets else ()
    path = export(tmp_path, *args)
    before = build_document(include_secrets=secrets)
    make_fresh()
    assert build_document(include_secrets=secrets) != before
    output = apply(path)
    assert "create operator alice@example.com" in output
    assert "change operator group Everyone: id" in output
    assert build_document(include_secrets=secrets) == before
    assert Path(export(tmp_path, *args, name="again.yaml")).read_text() == Path(path).read_text()
    if secrets:
        assert IntegrationVariable.objects.get(name="Token").secret_value == SECRETS[0]
        assert IntegrationStep.objects.get(integration__name="Hook").auth_password == SECRETS[1]
    # Applying the same document again changes nothing.
    assert apply(path) == "No changes.\n"


def test_apply_twice_changes_nothing(configured, tmp_path):
    path = export(tmp_path, name="config.json")
    assert apply(path) == "No changes.\n"
    assert apply(path, "--prune") == "No changes.\n"


def test_secrets_left_out_of_the_file_are_kept(configured, tmp_path):
    path = export(tmp_path)
    document = yaml.safe_load(Path(path).read_text())
    hook = next(i for i in document["integrations"] if i["name"] == "Hook")
    hook["description"] = "Changed"
    with open(path, "w") as handle:
        yaml.safe_dump(document, handle)
    assert apply(path) == "change integration Hook: description\n"
    integration = Integration.objects.get(name="Hook")
    assert integration.signing_secrets == [SECRETS[2]]
    assert integration.variables.get(name="Token").secret_value == SECRETS[0]
    assert integration.steps.get().auth_password == SECRETS[1]
    assert integration.statushub_services.count() == 0
    assert Integration.objects.get(name="Status").statushub_services.get().webhook_url.endswith(SECRETS[3])


def test_dry_run_changes_nothing(configured, tmp_path):
    path = export(tmp_path)
    document = yaml.safe_load(Path(path).read_text())
    document["operators"][0]["full_name"] = "Alice Cooper"
    document["monitors"].append({"key": "new-monitor", "name": "New"})
    document["alert_definitions"][1]["levels"].pop()
    with open(path, "w") as handle:
        yaml.safe_dump(document, handle)
    before = build_document(include_secrets=True)
    output = apply(path, "--dry-run", "--prune")
    assert "change operator alice@example.com: full_name" in output
    assert "create monitor new-monitor" in output
    assert "change alert definition Production: levels[2] (deleted)" in output
    assert "Dry run: nothing was saved." in output
    assert build_document(include_secrets=True) == before
    # Without --dry-run the same changes are made.
    assert apply(path) == output.replace("Dry run: nothing was saved.\n", "")
    assert Operator.objects.get(email="alice@example.com").full_name == "Alice Cooper"


def test_prune_deletes_what_the_file_lacks_but_never_system_objects(configured, tmp_path):
    path = export(tmp_path)
    document = yaml.safe_load(Path(path).read_text())
    document["monitors"] = [m for m in document["monitors"] if m["key"] != "db-1"]
    document["maintenance_periods"] = [p for p in document["maintenance_periods"] if "monitor" not in p]
    document["alert_definitions"][1]["monitors"] = []
    document["operator_groups"] = document["operator_groups"][:1]
    document["alert_definitions"][1]["levels"][1]["operator_groups"] = []
    document["integrations"] = [i for i in document["integrations"] if not i.get("builtin")]
    with open(path, "w") as handle:
        yaml.safe_dump(document, handle)
    assert "delete monitor" not in apply(path)
    assert Monitor.objects.filter(key="db-1").exists()
    output = apply(path, "--prune")
    assert "delete monitor db-1" in output
    assert "delete operator group On call" in output
    assert not Monitor.objects.filter(key="db-1").exists()
    assert OperatorGroup.objects.filter(is_administrators=True).exists()
    assert Integration.objects.filter(is_builtin=True).count() == 3


def named(items, name):
    return next(item for item in items if item["name"] == name)


def broken(tmp_path, change) -> str:
    path = export(tmp_path)
    document = yaml.safe_load(Path(path).read_text())
    change(document)
    with open(path, "w") as handle:
        yaml.safe_dump(document, handle)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["operators"][0].update(mobile_phone="0612345678"),
            "operators[alice@example.com].mobile_phone: Enter the number in E.164 form",
        ),
        (
            lambda d: d["alert_definitions"][1]["levels"][1].update(number=3),
            "alert_definitions[Production].levels: Escalation levels must be numbered 1, 2, 3",
        ),
        (lambda d: d["monitors"][0].update(colour="red"), "monitors[db-1]: unknown field(s) colour"),
        (
            lambda d: d["operator_groups"][2].update(members=["nobody@example.com"]),
            "operator_groups[On call].members: no operator 'nobody@example.com'",
        ),
        (
            lambda d: d["operator_groups"][0].update(name="All of us"),
            "operator_groups[All of us].name: a system group cannot be renamed",
        ),
        (
            lambda d: named(d["integrations"], "Hook")["steps"][0].update(url="https://x.example/{{Chanel}}"),
            "integrations[Hook].steps[0].url: {{Chanel}}",
        ),
        (
            lambda d: d["operators"][1].update(is_active="yes"),
            "operators[bob@example.com].is_active: Enter true",
        ),
        (
            lambda d: d["maintenance_periods"][0].update(mode="weekly"),
            "maintenance_periods[#1]: A weekly window needs a weekday.",
        ),
    ],
)
def test_invalid_documents_fail_naming_object_and_field(configured, tmp_path, change, message):
    path = broken(tmp_path, change)
    before = build_document(include_secrets=True)
    with pytest.raises(CommandError) as caught:
        apply(path)
    assert message in str(caught.value)
    assert build_document(include_secrets=True) == before


def test_unreadable_files(db, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("operators: [\n")
    with pytest.raises(CommandError, match="not valid YAML"):
        apply(str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        apply(str(tmp_path / "missing.yaml"))
    bad.write_text("- just a list\n")
    with pytest.raises(CommandError, match="document: expected a mapping"):
        apply(str(bad))


def test_hand_written_file_with_natural_keys(db, tmp_path):
    path = tmp_path / "hand.yaml"
    path.write_text(
        """
operators:
  - email: carol@example.com
    full_name: Carol
operator_groups:
  - name: Night shift
    members: [carol@example.com]
monitors:
  - key: api
    name: API
alert_definitions:
  - name: API alerts
    monitors: [api]
    levels:
      - number: 1
        operator_groups: [Night shift, Everyone]
        integrations:
          - integration: E-mail
"""
    )
    output = apply(str(path))
    assert "create alert definition API alerts" in output
    level = Monitor.objects.get(key="api").alert_definitions.get().levels.get()
    assert set(level.operator_groups.values_list("name", flat=True)) == {"Night shift", "Everyone"}
    assert apply(str(path)) == "No changes.\n"
