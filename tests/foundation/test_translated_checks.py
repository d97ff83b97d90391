"""An integration's finer checks, apply_config's change lines and the admin
scripts' texts in the reader's language: a capture definition error, a body
check warning and a refused outbound address through the API
(Accept-Language), a template syntax error in two languages one after the
other (parsed templates are cached, the message is translated when read),
apply_config's report in the account's language, and the JavaScript
catalogue the admin's scripts read. English stays the default."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from alerting.models import ApiKey
from integrations.validation import template_errors


@pytest.fixture
def api(db) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {ApiKey.generate('admin key', 'admin')[1]}")
    return client


def hook(**step: object) -> dict:
    return {
        "name": "Hook",
        "kind": "webhook",
        "variables": [{"name": "ApiUrl", "value": "https://hooks.example.com/in"}],
        "steps": [{"name": "All", "url": "{{ApiUrl}}", **step}],
    }


def test_a_capture_definition_error_is_in_the_requests_language(api: APIClient) -> None:
    bad = hook(captures=[{"name": "TicketId", "source": "json-pointer", "expression": "result/id"}])
    english = api.post("/api/v1/integrations", bad, format="json")
    german = api.post("/api/v1/integrations", bad, format="json", HTTP_ACCEPT_LANGUAGE="de")
    assert english.status_code == german.status_code == 400
    assert (
        "capture TicketId: a JSON pointer starts with / (e.g. /result/0/sys_id), or is empty for the whole "
        "document." in english.content.decode()
    )
    assert (
        "Erfassung TicketId: ein JSON-Pointer beginnt mit / (z. B. /result/0/sys_id) oder ist für das ganze "
        "Dokument leer." in german.content.decode()
    )


def test_a_body_warning_is_in_the_requests_language(api: APIClient) -> None:
    xml = hook(body="<a>{{@alert.description}}</a>", content_type="application/xml")
    answer = api.post("/api/v1/integrations", xml, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 201, answer.content
    assert answer.json()["warnings"] == [
        "étape 1 body : {{@alert.description}} à la ligne 1, colonne 4 : un < ou un & dans sa valeur rend "
        "le corps XML non valide ; écrivez {{@XmlEncode({{@alert.description}})}}"
    ]


def test_a_refused_address_is_in_the_requests_language(api: APIClient) -> None:
    local = {**hook(), "steps": [{"name": "All", "url": "http://127.0.0.1:9/in"}]}
    answer = api.post("/api/v1/integrations", local, format="json", HTTP_ACCEPT_LANGUAGE="nl")
    assert answer.status_code == 400
    assert (
        "127.0.0.1 is een loopbackadres; voeg het toe aan OUTBOUND_ALLOWLIST om aanroepen toe te staan"
        in answer.content.decode()
    )


def test_a_template_syntax_error_is_translated_when_it_is_read() -> None:
    template = "{{@JsonEncode({{@monitor.name}}"
    english = template_errors(template, set())
    with translation.override("de"):
        german = template_errors(template, set())
    with translation.override("fr"):
        french = template_errors(template, set())
    assert english == [
        "{{@JsonEncode( at line 1, column 1: unbalanced braces: {{@JsonEncode( is never closed with )}}"
    ]
    assert german == [
        "{{@JsonEncode( in Zeile 1, Spalte 1: unausgeglichene Klammern: {{@JsonEncode( wird nie mit )}} "
        "geschlossen"
    ]
    assert french == [
        "{{@JsonEncode( à la ligne 1, colonne 1 : accolades non équilibrées : {{@JsonEncode( n’est jamais "
        "fermé par )}}"
    ]


@pytest.mark.django_db
def test_apply_config_reports_its_changes_in_the_active_language(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump({"operators": [{"email": "ada@example.com", "full_name": "Ada"}]}), encoding="utf-8"
    )
    out = StringIO()
    with translation.override("nl"):
        call_command("apply_config", str(path), stdout=out)
    assert out.getvalue().splitlines() == ["aanmaken: operator ada@example.com"]
    path.write_text(
        yaml.safe_dump({"operators": [{"email": "ada@example.com", "full_name": "Ada L."}]}), encoding="utf-8"
    )
    out = StringIO()
    call_command("apply_config", str(path), stdout=out)
    assert out.getvalue().splitlines() == ["change operator ada@example.com: full_name"]

    path.write_text(
        yaml.safe_dump({"operators": [{"email": "x@example.com", "colour": "red"}]}), encoding="utf-8"
    )
    with translation.override("de"), pytest.raises(CommandError) as refused:
        call_command("apply_config", str(path))
    assert "operators[x@example.com]: unbekannte(s) Feld(er) colour (erlaubt: " in str(refused.value)


@pytest.mark.django_db
def test_the_javascript_catalogue_serves_the_scripts_texts_in_the_pages_language() -> None:
    client = Client()
    french = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200
    assert french["Content-Type"].startswith("text/javascript")
    text = french.content.decode()
    assert '"Wrap in %(encoder)s": "Envelopper dans %(encoder)s"' in text
    assert '"Add another integration": "Ajouter une autre int\\u00e9gration"' in text or (
        '"Add another integration": "Ajouter une autre intégration"' in text
    )
    english = client.get("/jsi18n/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Envelopper" not in english


@pytest.mark.django_db
def test_the_pages_with_scripts_load_the_catalogue_first(staff_client: Client) -> None:
    definition = staff_client.get("/admin/alerting/alertdefinition/add/").content.decode()
    assert definition.index('src="/jsi18n/"') < definition.index("alerting/levels.js")
    editor = staff_client.get("/admin/integrations/integration/add/?kind=webhook").content.decode()
    assert editor.index('src="/jsi18n/"') < editor.index("integrations/editor.js")


def test_the_message_list_shortens_a_connection_error_in_the_language_it_was_recorded_in(settings) -> None:
    from integrations.admin.messages import short_error
    from integrations.transports.http import connection_failed

    raw = (
        "ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded (Caused by "
        "NewConnectionError('<urllib3.connection.HTTPConnection>: Failed to establish a new connection: "
        "[Errno 111] Connection refused'))"
    )
    assert short_error(connection_failed(raw)) == "Connection failed: Connection refused"
    settings.ACCOUNT_LANGUAGE = "de"
    with translation.override("de"):
        recorded = connection_failed(raw)
    # Read by a French staff user, the recorded German stays German, only shorter.
    with translation.override("fr"):
        assert short_error(recorded) == "Verbindung fehlgeschlagen: Connection refused"
