"""The texts written in code are translated where they are read: API error
messages in the request's language (Accept-Language), the admin's notices in
a staff user's own language, and management commands in the language active
when they run (the account's, ``ACCOUNT_LANGUAGE``, from the command line).
Error codes and JSON keys stay as they are; English stays the default."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from alerting.models import ApiKey, Operator, StaffPreference

ROOT = Path(__file__).resolve().parents[2]


def api_client(scope: str) -> APIClient:
    _, raw = ApiKey.generate(f"{scope} language test", scope)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.mark.django_db
def test_an_api_error_is_in_the_requests_language_with_its_keys_unchanged() -> None:
    client = api_client("ingest")
    english = client.post("/api/v1/alerts", [], format="json")
    german = client.post("/api/v1/alerts", [], format="json", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert english.status_code == german.status_code == 400
    assert english.json() == {"errors": {"detail": ["The list is empty; send at least one check result."]}}
    assert german.json() == {
        "errors": {"detail": ["Die Liste ist leer; senden Sie mindestens ein Prüfergebnis."]}
    }
    # A field error: the field name is the key in every language.
    french = client.post(
        "/api/v1/alerts", {"status": "error"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    ).json()["errors"]
    assert french["monitor"] == ["Ce champ est obligatoire : la clé du moniteur."]
    assert french["description"] == ["Obligatoire quand le statut est error : le texte de l’erreur."]


@pytest.mark.django_db
def test_a_configuration_error_in_dutch() -> None:
    answer = api_client("admin").post(
        "/api/v1/maintenance-periods",
        {
            "maintenance_type": "disable_notifications",
            "mode": "daily",
            "start_time": "22:00",
            "end_time": "23:00",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert answer.status_code == 400, answer.content
    assert answer.json()["errors"]["monitor"] == ["Geef een monitor of een monitorgroep op (precies één)."]


@pytest.mark.django_db
def test_an_admin_notice_is_in_the_staff_users_own_language(django_user_model) -> None:
    user = django_user_model.objects.create_superuser("greta", "greta@example.com", "pw-for-tests-only")
    StaffPreference.objects.create(user=user, language="de")
    client = Client()
    client.force_login(user)
    ada = Operator.objects.create(full_name="Ada", email="ada@example.com", is_on_duty=False)
    page = client.post(
        "/admin/alerting/operator/",
        {"action": "set_on_duty", "_selected_action": [str(ada.pk)]},
        follow=True,
        # The browser asks for English; the user's own choice wins.
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "1 Operator(en) in Dienst gesetzt." in page
    assert "put on duty" not in page
    dashboard = client.get("/admin/").content.decode()
    assert "Offene Vorfälle" in dashboard and "Zustellwarteschlange" in dashboard


@pytest.mark.django_db
def test_a_form_error_in_the_admin_is_translated(staff_client: Client) -> None:
    page = staff_client.post(
        "/admin/alerting/monitor/add/",
        {"key": "shop", "name": "Shop", "custom_fields-key-0": "", "custom_fields-value-0": "orphan"},
        HTTP_ACCEPT_LANGUAGE="fr",
    ).content.decode()
    assert "La valeur &#x27;orphan&#x27; n’a pas de nom." in page


@pytest.mark.django_db
def test_a_command_speaks_the_active_language() -> None:
    ApiKey.generate("uptime-checker", "ingest")
    with translation.override("de"), pytest.raises(CommandError) as refused:
        call_command("revoke_api_key", "nope")
    assert str(refused.value) == "Kein aktiver API-Schlüssel passt zu 'nope'."
    out = StringIO()
    with translation.override("fr"):
        call_command("revoke_api_key", "uptime-checker", stdout=out)
    assert out.getvalue().startswith("Clé API 'uptime-checker' (")
    assert out.getvalue().rstrip().endswith("révoquée.")


@pytest.mark.parametrize(
    ("account_language", "expected"),
    [("", "The name must be 1–200 characters."), ("nl", "De naam moet 1–200 tekens lang zijn.")],
)
def test_from_the_command_line_a_command_speaks_the_accounts_language(
    account_language: str, expected: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DATA_DIR": str(tmp_path), "ACCOUNT_LANGUAGE": account_language}
    if not account_language:
        del env["ACCOUNT_LANGUAGE"]
    done = subprocess.run(
        [sys.executable, "manage.py", "create_api_key", " "],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip().endswith(expected), done.stderr
