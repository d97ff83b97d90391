from __future__ import annotations

import json

import pytest

from integrations.models import Integration, IntegrationStep, IntegrationVariable

TOPIC = "topic-secret-6f1c2a"
TOKEN = "tk_token-secret-93bd"
PASSWORD = "basic-password-secret-71aa"
SIGNING = "signing-secret-0123456789abcdef"
SERVICE_URL = "https://hooks.statushub.example/hook/service-secret-5521"
SECRETS = (TOPIC, TOKEN, PASSWORD, SIGNING, SERVICE_URL, "twilio-secret-44aa")


def assert_no_secret_in(api) -> None:
    for body in api.bodies:
        for secret in SECRETS:
            assert secret not in body


def custom_body(**extra):
    return {
        "name": "Hook",
        "kind": "webhook",
        "signing_secrets": [SIGNING],
        "variables": [
            {"name": "Channel", "mode": "per_level"},
            {"name": "ApiToken", "is_secret": True, "secret_value": TOKEN},
            {"name": "Base", "value": "https://hooks.example.com"},
        ],
        "steps": [
            {
                "name": "Errors",
                "handles_ok": False,
                "url": "{{Base}}/alert",
                "headers": [["X-Token", "{{ApiToken}}"]],
                "body": '{"text": "{{@JsonEncode({{@monitor.name}})}}", "channel": "{{Channel}}"}',
                "auth_type": "basic",
                "auth_username": "alerts",
                "auth_password": PASSWORD,
            },
            {"name": "Ok", "handles_alert": False, "handles_reminder": False, "url": "{{Base}}/ok"},
        ],
        **extra,
    }


def test_custom_integration_crud_keeps_secrets_write_only(api, read_api):
    created = api.post("integrations", custom_body())
    assert created.status_code == 201, created.content
    data = created.json()
    integration_id = data["id"]
    assert data["signing_secrets_set"] is True and "signing_secrets" not in data
    token = next(v for v in data["variables"] if v["name"] == "ApiToken")
    assert token == {
        "name": "ApiToken",
        "mode": "fixed",
        "is_secret": True,
        "value": "",
        "secret_value_set": True,
        "description": "",
    }
    assert data["steps"][0]["auth_password_set"] is True and "auth_password" not in data["steps"][0]
    assert [s["position"] for s in data["steps"]] == [1, 2]

    # An update that leaves the secrets out keeps them.
    body = custom_body()
    body["variables"][1] = {"name": "ApiToken", "is_secret": True}
    del body["steps"][0]["auth_password"]
    del body["signing_secrets"]
    body["description"] = "Our hook"
    updated = api.put(f"integrations/{integration_id}", body)
    assert updated.status_code == 200, updated.content
    integration = Integration.objects.get(pk=integration_id)
    assert integration.signing_secrets == [SIGNING]
    assert integration.variables.get(name="ApiToken").secret_value == TOKEN
    assert integration.steps.get(position=1).auth_password == PASSWORD
    assert integration.description == "Our hook"

    # PATCH of scalars only touches nothing else.
    assert api.patch(f"integrations/{integration_id}", {"is_active": False}).status_code == 200
    assert integration.variables.count() == 3 and integration.steps.count() == 2

    # Replacing the variables drops those left out; "" clears a secret.
    patched = api.patch(
        f"integrations/{integration_id}",
        {
            "variables": [
                {"name": "Channel", "mode": "per_level"},
                {"name": "ApiToken", "is_secret": True, "secret_value": ""},
                {"name": "Base", "value": "https://hooks2.example.com"},
            ]
        },
    )
    assert patched.status_code == 200, patched.content
    assert integration.variables.get(name="ApiToken").secret_value == ""
    assert (
        next(v for v in patched.json()["variables"] if v["name"] == "ApiToken")["secret_value_set"] is False
    )

    for client in (api, read_api):
        assert client.get("integrations").status_code == 200
        assert client.get(f"integrations/{integration_id}").status_code == 200
    assert api.delete(f"integrations/{integration_id}").status_code == 204
    assert not Integration.objects.filter(pk=integration_id).exists()
    assert_no_secret_in(api)
    assert_no_secret_in(read_api)


def test_integration_from_preset(api):
    created = api.post(
        "integrations",
        {
            "name": "Phone pushes",
            "preset": "ntfy",
            "variables": [{"name": "Topic", "is_secret": True, "secret_value": TOPIC}],
        },
    )
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["kind"], data["preset"], data["customized"]) == ("webhook", "ntfy", False)
    names = [v["name"] for v in data["variables"]]
    assert names == ["ServerUrl", "Topic", "AccessToken"]
    assert data["variables"][0]["value"] == "https://ntfy.sh"
    assert len(data["steps"]) >= 1
    integration = Integration.objects.get(pk=data["id"])
    assert integration.variables.get(name="Topic").secret_value == TOPIC

    # Values can be set; the preset's steps cannot be edited until customized.
    set_value = api.patch(
        f"integrations/{integration.pk}",
        {"variables": [{"name": "ServerUrl", "value": "https://ntfy.example"}]},
    )
    assert set_value.status_code == 200, set_value.content
    assert integration.variables.count() == 3
    assert integration.variables.get(name="Topic").secret_value == TOPIC
    locked = api.patch(f"integrations/{integration.pk}", {"steps": [{"url": "https://x.example"}]})
    assert locked.status_code == 400 and "customized" in locked.json()["errors"]["steps"][0]
    adding = api.patch(f"integrations/{integration.pk}", {"variables": [{"name": "Extra", "value": "x"}]})
    assert adding.status_code == 400 and "Extra" in adding.json()["errors"]["variables"][0]
    assert api.patch(f"integrations/{integration.pk}", {"preset": "discord"}).status_code == 400

    unknown = api.post("integrations", {"name": "Nope", "preset": "no-such-preset"})
    assert unknown.status_code == 400 and "preset" in unknown.json()["errors"]
    assert_no_secret_in(api)


def test_template_errors_name_the_token(api):
    body = custom_body()
    body["steps"][0]["body"] = '{"text": "{{@JsonEncode({{@monitor.name}})}}", "c": "{{Chanel}}"}'
    response = api.post("integrations", body)
    assert response.status_code == 400
    messages = response.json()["errors"]["steps"]["0"]["body"]
    assert any("{{Chanel}}" in m and "Channel" in m for m in messages)
    assert not Integration.objects.filter(name="Hook").exists()

    # Removing a variable a step still uses is refused too.
    assert api.post("integrations", custom_body()).status_code == 201
    hook = Integration.objects.get(name="Hook")
    dropped = api.patch(f"integrations/{hook.pk}", {"variables": [{"name": "Channel"}, {"name": "ApiToken"}]})
    assert dropped.status_code == 400
    assert "Base" in json.dumps(dropped.json()["errors"]["variables"])
    assert hook.variables.filter(name="Base").exists()


def test_several_steps_may_handle_one_alert_type(api):
    # A message runs every step of its type, in order (a lookup, then an update).
    body = custom_body()
    body["steps"][1]["handles_alert"] = True
    response = api.post("integrations", body)
    assert response.status_code == 201, response.content
    steps = IntegrationStep.objects.filter(integration__name="Hook").order_by("position")
    assert [(s.position, s.handles_alert) for s in steps] == [(1, True), (2, True)]


BASE_CAPTURE = {"name": "Base", "source": "regex", "expression": "x"}


def chained_body(**extra):
    body = custom_body(**extra)
    body["steps"] = [
        {
            "name": "Look up",
            "method": "GET",
            "url": "{{Base}}/find?key={{@UrlEncode({{@incident.key}})}}",
            "captures": [
                {"name": "TicketId", "source": "json-pointer", "expression": "/result/0/id"},
                {"name": "Session", "source": "regex", "expression": "sid=(\\w+)", "secret": True},
            ],
        },
        {
            "name": "Update",
            "method": "PATCH",
            "url": "{{Base}}/tickets/{{TicketId}}",
            "headers": [["Cookie", "sid={{Session}}"]],
            "body": '{"channel": "{{Channel}}"}',
        },
    ]
    return body


def test_captures_round_trip_through_the_api(api):
    created = api.post("integrations", chained_body())
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["steps"][0]["captures"] == [
        {
            "name": "TicketId",
            "source": "json-pointer",
            "expression": "/result/0/id",
            "secret": False,
            "optional": False,
        },
        {"name": "Session", "source": "regex", "expression": "sid=(\\w+)", "secret": True, "optional": False},
    ]
    assert data["steps"][1]["captures"] == []
    step = IntegrationStep.objects.get(integration__name="Hook", position=1)
    assert step.captures == data["steps"][0]["captures"]
    # A PATCH that changes a capture replaces the list.
    steps = data["steps"]
    steps[0]["captures"] = [
        {"name": "TicketId", "source": "regex", "expression": "id=(\\d+)", "optional": True}
    ]
    steps[1]["headers"] = []
    changed = api.patch(f"integrations/{data['id']}", {"steps": steps})
    assert changed.status_code == 200, changed.content
    assert api.get(f"integrations/{data['id']}").json()["steps"][0]["captures"] == [
        {"name": "TicketId", "source": "regex", "expression": "id=(\\d+)", "secret": False, "optional": True}
    ]


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        (
            lambda b: b["steps"][0]["captures"][0].update(expression="result/0/id"),
            ["steps", "0", "captures"],
            "capture TicketId: a JSON pointer starts with /",
        ),
        (
            lambda b: b["steps"][0]["captures"][0].update(source="xpath"),
            ["steps", "0", "captures", "0", "source"],
            '"xpath" is not a valid choice.',
        ),
        (
            lambda b: b["steps"][0]["captures"][0].update(name="2nd"),
            ["steps", "0", "captures", "0", "name"],
            "A name is letters, digits and underscores",
        ),
        (
            lambda b: b["steps"][0]["captures"][1].update(expression="(a)(b)"),
            ["steps", "0", "captures"],
            "capture Session: the first group is taken",
        ),
        (
            lambda b: b["steps"].reverse(),
            ["steps", "0", "url"],
            "{{TicketId}} is captured by step 2, which runs after this step.",
        ),
        (
            lambda b: b["steps"][0].update(handles_reminder=False),
            ["steps", "1", "url"],
            "{{TicketId}} is captured by step 1, which does not run for Reminder messages",
        ),
        (
            lambda b: b["steps"][0]["captures"].append(
                {"name": "Base", "source": "regex", "expression": "x"}
            ),
            ["steps", "0", "captures"],
            "capture Base: the integration has a variable so named.",
        ),
        (
            lambda b: b["steps"][1].update(url="{{Base}}/tickets/{{TicketID}}"),
            ["steps", "1", "url"],
            "unknown variable TicketID (did you mean TicketId?)",
        ),
    ],
)
def test_capture_errors_are_field_errors(api, change, where, message):
    body = chained_body()
    for step in body["steps"]:
        step.pop("position", None)
    change(body)
    for position, step in enumerate(body["steps"], start=1):
        step["position"] = position
    response = api.post("integrations", body)
    assert response.status_code == 400, response.content
    found = response.json()["errors"]
    for key in where:
        found = found[key]
    assert message in " ".join(found), found
    assert not Integration.objects.filter(name="Hook").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "No kind"}, "kind"),
        ({"name": "Slack steps", "kind": "slack", "steps": [{"url": "https://x.example"}]}, "steps"),
        (
            {
                "name": "Svc",
                "kind": "webhook",
                "statushub_services": [{"name": "a", "webhook_url": "https://a"}],
            },
            "statushub_services",
        ),
        ({"name": "Short", "kind": "webhook", "signing_secrets": ["short"]}, "signing_secrets"),
        ({"name": "T", "kind": "webhook", "read_timeout": 600}, "read_timeout"),
        ({"name": "Dup", "kind": "webhook", "variables": [{"name": "A"}, {"name": "A"}]}, "variables"),
    ],
)
def test_integration_validation(api, body, field):
    response = api.post("integrations", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Integration.objects.filter(name=body["name"]).exists()


def test_builtin_integrations(api):
    sms = Integration.objects.get(kind="sms", is_builtin=True)
    response = api.patch(
        f"integrations/{sms.pk}",
        {"variables": [{"name": "TwilioAuthToken", "is_secret": True, "secret_value": "twilio-secret-44aa"}]},
    )
    assert response.status_code == 200, response.content
    assert sms.variables.get(name="TwilioAuthToken").secret_value == "twilio-secret-44aa"
    assert sms.variables.filter(name="TwilioAccountSid").exists()
    assert api.patch(f"integrations/{sms.pk}", {"kind": "email"}).status_code == 400
    deleted = api.delete(f"integrations/{sms.pk}")
    assert deleted.status_code == 400 and "built-in" in deleted.json()["errors"]["detail"][0]
    assert Integration.objects.filter(pk=sms.pk).exists()
    assert_no_secret_in(api)


def test_statushub_services(api):
    created = api.post(
        "integrations",
        {
            "name": "Status",
            "kind": "statushub",
            "statushub_services": [{"name": "Web", "webhook_url": SERVICE_URL}],
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["statushub_services"] == [{"name": "Web", "webhook_url_set": True}]
    integration = Integration.objects.get(name="Status")
    kept = api.patch(
        f"integrations/{integration.pk}", {"statushub_services": [{"name": "Web"}, {"name": "Db"}]}
    )
    assert kept.status_code == 400 and "statushub_services" in kept.json()["errors"]
    assert integration.statushub_services.get(name="Web").webhook_url == SERVICE_URL
    assert_no_secret_in(api)


def test_integration_writes_need_admin(read_api, ingest_api):
    for client in (read_api, ingest_api):
        assert client.post("integrations", custom_body()).status_code == 403
    assert ingest_api.get("integrations").status_code == 403
    assert not IntegrationVariable.objects.filter(name="ApiToken").exists()
