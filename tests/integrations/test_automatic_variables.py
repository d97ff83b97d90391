"""Uptrends' automatic variables (KB "Automatic variables"): @DateTime,
@RandomGuid, @UniqueGuid, @RandomInt, @RandomChar in URLs, headers, bodies and
e-mail subjects, listed by the API and the editor's panel."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from alerting.models import ApiKey
from integrations import provisioning
from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable
from integrations.sending import send_test
from integrations.templating import automatic, render, validate

GUID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")
KB_NOW = dt.datetime(2018, 2, 24, 22, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        # The KB's own examples, "if right now is 24 February, 2018 22:30 UTC".
        ("dd-MM-yyyy HH:mm", "24-02-2018 22:30"),
        ("ISO", "2018-02-24T22:30:00.0000000Z"),
        ("UNIX", "1519511400"),
        ("MM/dd/yyyy,-86400", "02/23/2018"),
        ("MM/dd/yyyy,86400", "02/25/2018"),
        ("Iso", "2018-02-24T22:30:00.0000000Z"),
        ("yyyy-MM-ddTHH:mm:ss, -18000", "2018-02-24T17:30:00"),
        ("dd MMM, yyyy h:mm tt", "24 Feb, 2018 10:30 PM"),
        ("'day' d 'of' M", "day 24 of 2"),
    ],
)
def test_date_time(argument: str, expected: str) -> None:
    assert automatic.date_time(argument, KB_NOW) == expected


def test_date_time_is_now_in_utc() -> None:
    before = int(dt.datetime.now(dt.UTC).timestamp())
    value = int(render("{{@DateTime(Unix,60)}}", {}))
    assert before + 60 <= value <= before + 62


def test_random_values() -> None:
    guids = {render("{{@RandomGuid}}", {}) for _ in range(20)}
    assert len(guids) == 20 and all(GUID.match(g) for g in guids)
    ints = {int(render("{{@RandomInt(-2,2)}}", {})) for _ in range(200)}
    assert ints == {-2, -1, 0, 1, 2}
    chars = render("{{@RandomChar(40)}}", {})
    assert len(chars) == 40 and chars.isalnum() and chars.isascii()
    # Inside an encoder too: the functions nest like any other.
    assert len(render("{{@Base64Encode({{@RandomChar(3)}})}}", {})) == 4


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{{@RandomInt(5,1)}}", "min is larger than max"),
        ("{{@RandomInt(1)}}", "{{@RandomInt(min,max)}}"),
        ("{{@RandomChar(0)}}", "n from 1 to 1000"),
        ("{{@RandomChar(abc)}}", "n from 1 to 1000"),
        ("{{@DateTime()}}", "{{@DateTime(format,offset)}}"),
    ],
)
def test_bad_arguments_are_errors_at_save(template: str, words: str) -> None:
    [error] = validate(template)
    assert words in error.message and error.token.startswith("{{@")


def test_valid_uses_have_no_errors_or_warnings() -> None:
    assert (
        validate(
            "{{@RandomGuid}} {{@UniqueGuid}} {{@DateTime(yyyy,0)}} {{@RandomInt(1,2)}} {{@RandomChar(9)}}"
        )
        == []
    )


def test_in_url_headers_body_and_one_unique_guid_per_message(db, receiver) -> None:
    receiver.expect_request(re.compile(r"/in/.*"), method="POST").respond_with_data("ok")
    integration = Integration.objects.create(name="Auto", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=integration, name="Base", value=receiver.url_for("/in"))
    IntegrationStep.objects.create(
        integration=integration,
        url="{{Base}}/{{@UniqueGuid}}?day={{@DateTime(yyyy-MM-dd)}}",
        headers=[["X-Request", "{{@UniqueGuid}}"], ["X-Random", "{{@RandomGuid}}"]],
        body='{"id": "{{@UniqueGuid}}", "n": {{@RandomInt(1,9)}}, "code": "{{@RandomChar(6)}}"}',
    )
    send_test(integration, "Alert")
    send_test(integration, "Alert")
    first, second = (entry[0] for entry in receiver.log[-2:])
    unique = first.path.rsplit("/", 1)[1]
    assert GUID.match(unique)
    assert first.headers["X-Request"] == unique and first.get_json()["id"] == unique
    assert GUID.match(first.headers["X-Random"]) and first.headers["X-Random"] != unique
    assert first.args["day"] == dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    assert 1 <= first.get_json()["n"] <= 9 and len(first.get_json()["code"]) == 6
    assert second.path.rsplit("/", 1)[1] != unique  # a new message, a new GUID


def test_in_the_email_subject(db, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    integration = Integration.objects.create(name="Mail", kind=IntegrationKind.EMAIL)
    provisioning.ensure_kind_variables(integration)
    subject = integration.variables.get(name="SubjectAlert")
    subject.value = "{{@Lower({{@monitor.name}})}}"
    with pytest.raises(ValidationError, match="unknown function @Lower"):
        subject.full_clean()
    # A subject is a template (saving one with placeholders used to be refused).
    subject.value = "{{@monitor.name}} at {{@DateTime(yyyy-MM-dd)}} [{{@RandomChar(5)}}]"
    subject.full_clean()
    subject.save()
    send_test(integration, "Alert", recipient="ops@example.com")
    subject = mail.outbox[-1].subject
    day = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    assert re.fullmatch(rf".+ at {day} \[[A-Za-z0-9]{{5}}\]", subject), subject


def test_listed_by_the_api_and_the_panel(db, staff_client) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiKey.generate('reader', 'read')[1]}")
    listed = {item["name"]: item for item in client.get("/api/v1/variables").json()["variables"]}
    for name in (
        "@DateTime(format,offset)",
        "@RandomGuid",
        "@UniqueGuid",
        "@RandomInt(min,max)",
        "@RandomChar(length)",
    ):
        assert listed[name]["kind"] == "automatic" and listed[name]["group"] == "automatic", name
    assert listed["@RandomGuid"]["token"] == "{{@RandomGuid}}"

    integration = Integration.objects.create(name="Panel", kind=IntegrationKind.WEBHOOK)
    html = staff_client.get(f"/admin/integrations/integration/{integration.pk}/change/").content.decode()
    assert "{{@RandomGuid}}" in html and "{{@DateTime(yyyy-MM-dd HH:mm,3600)}}" in html
