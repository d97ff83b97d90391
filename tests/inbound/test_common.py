"""What the four inbound endpoints share: kept payloads, key templates, and
never a 500 whatever the body."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from alerting.inbound import keys
from alerting.inbound.formats import FORMATS
from alerting.inbound.record import KEPT_PER_FORMAT
from alerting.models import ApiKey, CheckResult, InboundPayload, Monitor
from tests.inbound.conftest import payload

pytestmark = pytest.mark.django_db


def keyed_client() -> tuple[APIClient, str]:
    _, raw = ApiKey.generate("inbound test", "ingest")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client, raw


@pytest.mark.parametrize("slug", list(FORMATS))
def test_every_payload_is_kept_with_its_answer_and_no_authorization(slug):
    client, raw = keyed_client()
    accepted = client.post(
        f"/api/v1/inbound/{slug}", payload(slug), format="json", HTTP_USER_AGENT="Tool/1.0"
    )
    refused = client.post(f"/api/v1/inbound/{slug}", {"nothing": True}, format="json")
    not_json = client.post(f"/api/v1/inbound/{slug}", "a=b", content_type="text/plain")
    assert (accepted.status_code, refused.status_code, not_json.status_code) == (202, 400, 415)
    kept = list(InboundPayload.objects.filter(format=slug).order_by("id"))
    assert [p.status_code for p in kept] == [202, 400, 415]
    first = kept[0]
    assert json.loads(first.body) == payload(slug)
    assert first.answer == accepted.json() and first.user_agent == "Tool/1.0"
    assert first.api_key is not None and first.api_key.name == "inbound test"
    assert kept[1].answer == refused.json()
    assert kept[2].answer == not_json.json() and "could not be read" in kept[2].body
    for stored in kept:
        assert raw not in json.dumps([stored.body, stored.answer, stored.content_type, stored.user_agent])


def test_only_the_last_payloads_of_each_format_are_kept(ingest_client):
    body = payload("uptime-kuma")
    for n in range(KEPT_PER_FORMAT + 5):
        body["heartbeat"]["time"] = f"2026-11-30 22:{n:02d}:00.000"
        ingest_client.post("/api/v1/inbound/uptime-kuma", body, format="json")
    ingest_client.post("/api/v1/inbound/uptrends", payload("uptrends"), format="json")
    kuma = InboundPayload.objects.filter(format="uptime-kuma")
    assert kuma.count() == KEPT_PER_FORMAT
    # The newest are kept.
    assert '"2026-11-30 22:24:00.000"' in kuma.order_by("-id").first().body
    assert InboundPayload.objects.filter(format="uptrends").count() == 1


def test_unauthenticated_requests_are_not_kept():
    response = APIClient().post("/api/v1/inbound/alertmanager", payload("alertmanager"), format="json")
    assert response.status_code == 401
    assert not InboundPayload.objects.exists()


@override_settings(AUTO_CREATE_MONITORS=False)
def test_unknown_monitor_without_auto_create_names_the_labels(ingest_client):
    Monitor.objects.create(key="DiskFull/db-1:9100", name="db-1 disk")
    response = ingest_client.post("/api/v1/inbound/alertmanager", payload("alertmanager"), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"1"} and "AUTO_CREATE_MONITORS" in errors["1"]["labels"][0]


def test_a_firing_alerts_bad_start_is_named_startsat(ingest_client):
    body = payload("alertmanager")
    body["alerts"][0]["startsAt"] = "2026-11-30 22:15"
    response = ingest_client.post("/api/v1/inbound/alertmanager", body, format="json")
    assert response.status_code == 400
    assert "time zone" in response.json()["errors"]["0"]["startsAt"][0]


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=25,
)


def mutated(slug: str) -> st.SearchStrategy:
    """The example payload with one field (at any depth) replaced by anything."""

    def paths(value, prefix=()):
        yield prefix
        if isinstance(value, dict):
            for k, v in value.items():
                yield from paths(v, (*prefix, k))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from paths(v, (*prefix, i))

    base = payload(slug)
    all_paths = [p for p in paths(base) if p]

    def apply(path, value):
        body = payload(slug)
        target = body
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return body

    return st.builds(apply, st.sampled_from(all_paths), JSON)


@pytest.mark.parametrize("slug", list(FORMATS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_body_is_answered_202_or_400_never_500(ingest_client, slug, data):
    body = data.draw(st.one_of(JSON, mutated(slug)))
    response = ingest_client.post(f"/api/v1/inbound/{slug}", body, format="json")
    assert response.status_code in (202, 400), (body, response.content)
    assert set(response.json()) <= {"errors", "results", "id", "monitor", "incident", "alerts", "ignored"}
    if response.status_code == 400:
        assert response.json()["errors"]


def test_all_or_nothing_is_kept_when_one_alert_is_bad(ingest_client):
    body = payload("alertmanager")
    body["alerts"][1]["labels"] = {"alertname": ["x"]}
    assert ingest_client.post("/api/v1/inbound/alertmanager", body, format="json").status_code == 400
    assert not CheckResult.objects.exists()


@pytest.mark.parametrize(
    ("template", "values", "key"),
    [
        ("{alertname}/{instance}", {"alertname": "Down", "instance": "web:9100"}, "Down/web:9100"),
        ("{alertname}/{instance}", {"alertname": "Down"}, "Down"),
        ("{alertname}/{instance}", {"instance": "web"}, "web"),
        ("{alertname}/{instance}", {}, ""),
        ("{alertname}", {"alertname": "High CPU (prod)"}, "High-CPU-prod"),
        ("{alertname}", {"alertname": "___"}, ""),
        ("{instance}", {"instance": "https://shop.example/"}, "https://shop.example"),
        ("kuma/{id}", {"id": "7"}, "kuma/7"),
        ("{a}", {"a": "x" * 300}, "x" * 200),
    ],
)
def test_key_template_rendering(template, values, key):
    assert keys.render(template, values) == key


@pytest.mark.parametrize(
    "template", ["", "plain", "{", "{a", "{}", "{0}", "{a!r}", "{a:>5}", "{a b}", "{a[0]}"]
)
def test_bad_key_templates_are_refused(template):
    with pytest.raises(ValidationError):
        keys.validate_template(template)


def test_placeholders_are_limited_where_the_format_has_no_labels():
    keys.validate_template("kuma/{name}", ["id", "name"])
    with pytest.raises(ValidationError, match="offers"):
        keys.validate_template("{alertname}", ["id", "name"])
