"""The admin in the browser's language, and a staff user's own choice kept."""

from __future__ import annotations

import pytest

from alerting.models import StaffPreference

pytestmark = pytest.mark.browser


def test_the_admin_follows_the_browser_then_the_users_own_choice(page, admin_user) -> None:
    page.set_extra_http_headers({"Accept-Language": "de-DE,de;q=0.9"})
    page.goto(f"{page.base}/admin/")
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("#logout-form button").inner_text().strip().lower() == "abmelden"
    assert page.locator("#language-choice").input_value() == "de"
    # The menu: alertsite's own apps and models, in German.
    menu = page.locator("#content-main").inner_text().lower()  # captions are styled upper case
    for name in ("Alarmierung", "Alarmdefinitionen", "Wartungsfenster", "Operatorgruppen", "Integrationen"):
        assert name.lower() in menu, name
    assert "alert definitions" not in menu
    page.goto(f"{page.base}/admin/alerting/operator/add/")
    assert page.locator("input[name=_save]").get_attribute("value") == "Sichern"
    # alertsite's own field labels, in German.
    assert page.locator("label[for=id_mobile_phone]").inner_text().startswith("Mobiltelefon")

    # Nederlands from the menu: kept for this user, whatever the browser asks for.
    with page.expect_navigation():
        page.select_option("#language-choice", "nl")
    assert page.url.endswith("/admin/alerting/operator/add/")
    assert page.locator("input[name=_save]").get_attribute("value") == "Opslaan"
    assert StaffPreference.objects.get(user=admin_user).language == "nl"
    page.goto(f"{page.base}/admin/")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "alertdefinities" in page.locator("#content-main").inner_text().lower()
