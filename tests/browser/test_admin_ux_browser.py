"""Issue 20, the admin's everyday tasks, at a desktop (1280 px) and a phone
(390 px) width: each page fits its width and does what it says.

With ``ALERTSITE_SCREENSHOTS=1`` the tests also refresh the README's
screenshots in docs/screenshots/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from alerting.models import ApiKey, EscalationLevel, Operator
from integrations.models import Integration, LevelIntegration
from tests.browser.tour import build_tour

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def assert_fits(page) -> None:  # type: ignore[no-untyped-def]
    """No horizontal scroll for the page, nor for a table inside its scroll box."""
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    overflowing = page.evaluate(
        """() => Array.from(document.querySelectorAll('table')).filter(t => t.offsetParent !== null)
             .filter(t => t.getBoundingClientRect().right > window.innerWidth + 1
                          || t.scrollWidth > t.parentElement.clientWidth + 1)
             .map(t => t.id || t.className || t.parentElement.className)"""
    )
    assert overflowing == []
    # Help texts and headings are read whole, not cut at their box's edge.
    cut = page.evaluate(
        """() => {
          const clipped = (e) => {
            const right = e.getBoundingClientRect().right;
            if (getComputedStyle(e).overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1) return true;
            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
              if (['hidden', 'clip'].includes(getComputedStyle(a).overflowX)) {
                return right > a.getBoundingClientRect().right + 1;
              }
            }
            return false;
          };
          const texts = '#content .help, #content h2, #content th, #content label';
          return Array.from(document.querySelectorAll(texts))
            .filter(e => e.offsetParent !== null && !e.closest('.visually-hidden') && clipped(e))
            .map(e => e.textContent.trim().slice(0, 40));
        }"""
    )
    assert cut == []


def screenshot(page, name: str, show: str = "") -> None:  # type: ignore[no-untyped-def]
    """One screen (not the whole page, to keep the files small), scrolled to ``show``."""
    if os.environ.get("ALERTSITE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = page.evaluate("window.innerWidth")
        if show:
            page.locator(show).first.evaluate("el => { el.scrollIntoView(); window.scrollBy(0, -8); }")
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"))


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_definition_levels_as_tabs_many_integrations_warning_and_coverage(page) -> None:
    tour = build_tour()
    Operator.objects.create(full_name="Grace Hopper", email="grace@example.com")
    email = Integration.objects.get(name="E-mail")
    page.goto(f"{page.base}/admin/alerting/alertdefinition/{tour.definition.pk}/change/")
    assert_fits(page)

    # What else alerts for the same monitor is said on the page.
    coverage = page.locator(".field-coverage .coverage-summary").inner_text()
    assert "Covers 1 monitor: 1 directly." in coverage
    assert "Default alert definition via All monitors (1 of 1)" in coverage

    # One tab per level; level 2 is active with nobody to tell, and says so.
    tabs = page.locator(".level-tab")
    assert tabs.all_inner_texts() == ["Level 1", "Level 2 ⚠"]
    assert page.locator("#levels-0").is_visible() and not page.locator("#levels-1").is_visible()
    page.click("#levels-1-tab")
    assert page.locator("#levels-1").is_visible() and not page.locator("#levels-0").is_visible()
    assert page.locator("#levels-1 .level-warning").is_visible()
    screenshot(
        page, "definition", ".escalation-levels" if page.viewport_size["width"] > 800 else ".level-tabs"
    )

    # Two operators and two integrations in one go.
    page.locator("#levels-1").get_by_label("Ada Lovelace").check()
    assert not page.locator("#levels-1 .level-warning").is_visible()  # live, before saving
    assert tabs.nth(1).inner_text() == "Level 2"
    page.locator("#levels-1").get_by_label("Grace Hopper").check()
    page.select_option("select[name=levels-1-links-0-integration]", label="Ops receiver")
    page.locator("#levels-1 .add-integration").click()
    page.select_option("select[name=levels-1-links-1-integration]", label="E-mail")
    page.uncheck("input[name=levels-1-links-1-send_ok_alerts]")
    assert_fits(page)
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    assert page.locator(".messagelist .warning").count() == 0

    level2 = EscalationLevel.objects.get(definition=tour.definition, number=2)
    assert set(level2.operators.values_list("full_name", flat=True)) == {"Ada Lovelace", "Grace Hopper"}
    links = {link.integration: link for link in LevelIntegration.objects.filter(level=level2)}
    assert set(links) == {tour.receiver, email}
    assert links[tour.receiver].send_ok_alerts and not links[email].send_ok_alerts

    # Switching the level's recipients off again is warned about on save.
    page.click("#levels-1-tab")
    page.locator("#levels-1").get_by_label("Ada Lovelace").uncheck()
    page.locator("#levels-1").get_by_label("Grace Hopper").uncheck()
    page.check("input[name=levels-1-links-0-DELETE]")
    page.check("input[name=levels-1-links-1-DELETE]")
    assert page.locator("#levels-1 .level-warning").is_visible()
    page.click("input[name=_continue]")
    warning = page.locator(".messagelist .warning")
    warning.wait_for()
    assert "Level 2 is active but notifies nobody" in warning.inner_text()
    assert page.locator(".level-tab").all_inner_texts() == ["Level 1", "Level 2 ⚠"]
    assert_fits(page)


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_monitor_page_says_which_definitions_cover_it(page) -> None:
    tour = build_tour()
    page.goto(f"{page.base}/admin/alerting/monitor/{tour.shop.pk}/change/")
    assert_fits(page)
    covered = page.locator(".field-covered_by .coverage-summary").inner_text()
    assert "Default alert definition via All monitors; Web-Shop Eskalation directly" in covered
    screenshot(page, "monitor", "fieldset:has(.field-covered_by)")
    page.click(".field-covered_by a:text-is('Web-Shop Eskalation')")
    page.wait_for_url(f"**/alertdefinition/{tour.definition.pk}/change/")

    # A definition without an active level covers, but sends nothing: said so.
    EscalationLevel.objects.filter(definition__name="Default alert definition").update(is_active=False)
    page.goto(f"{page.base}/admin/alerting/monitor/{tour.shop.pk}/change/")
    covered = page.locator(".field-covered_by .coverage-summary").inner_text()
    assert (
        "Web-Shop Eskalation directly; Default alert definition via All monitors (no active level" in covered
    )


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_maintenance_now_on_monitor_page_list_and_dashboard(page) -> None:
    tour = build_tour()
    page.goto(f"{page.base}/admin/alerting/monitor/{tour.backup.pk}/change/")
    banner = page.locator("#maintenance-now")
    assert "In maintenance now: Notifications off" in banner.inner_text()
    assert '"Storage migration"' in banner.inner_text()
    assert_fits(page)
    page.goto(f"{page.base}/admin/alerting/monitor/{tour.shop.pk}/change/")
    assert page.locator("#maintenance-now").count() == 0

    page.goto(f"{page.base}/admin/alerting/monitor/")
    assert_fits(page)
    backup_row = page.locator("#result_list tbody tr", has_text="Nightly backup")
    assert "maintenance: notifications off" in backup_row.inner_text()
    shop_row = page.locator("#result_list tbody tr", has_text="Web-Shop checkout")
    assert "maintenance" not in shop_row.inner_text()

    # The ingest answer says the alert was raised but its messages held back.
    _, key = ApiKey.generate("checks", "ingest")
    answer = requests.post(
        f"{page.base}/api/v1/alerts",
        json={"monitor": "nightly-backup", "status": "error", "description": "Backup did not run"},
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert answer.status_code == 202, answer.text
    [alert] = answer.json()["alerts"]
    assert alert["suppressed"] == "maintenance: notifications disabled"

    page.goto(f"{page.base}/admin/")
    card = page.locator("#dash-maintenance")
    assert card.locator(".big").inner_text() == "1"
    assert "Nightly backup" in card.inner_text() and "notifications off" in card.inner_text()
    assert_fits(page)


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_schedule_and_message_tables_fit(page) -> None:
    tour = build_tour()
    page.goto(f"{page.base}/admin/alerting/operator/{tour.operator.pk}/change/")
    assert_fits(page)
    assert page.locator("select[name=off_duty_schedules-0-weekday]").input_value() == "5"
    assert page.locator("input[name=off_duty_schedules-1-end_time]").is_visible()
    page.goto(f"{page.base}/admin/alerting/monitor/{tour.backup.pk}/change/")
    assert_fits(page)
    assert page.locator("input[name=maintenance_periods-0-description]").input_value() == "Storage migration"

    page.goto(f"{page.base}/admin/integrations/message/")
    assert_fits(page)
    row = page.locator("#result_list tbody tr", has_text="Ops receiver")
    for text in ("Pending", "0 tries", "next", "Web-Shop checkout, level 1"):
        assert text in row.inner_text()
    # Every column's heading is whole and on screen.
    for heading in page.locator("#result_list thead th:not(.action-checkbox-column)").all():
        box = heading.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
        assert heading.evaluate(
            "th => { const t = th.querySelector('.text') || th; return t.scrollWidth <= t.clientWidth + 1; }"
        )
    if page.viewport_size["width"] < 768:
        # Cards: each value says which column it is.
        assert row.locator("td.field-alert_column").get_attribute("data-label") == "Alert"
    screenshot(page, "messages", "#content")

    # The other history lists and the monitor dashboard fit as well (a list too
    # wide beside its filters gets them below it; then labelled cards).
    for path in ("alerting/alert/", "alerting/incident/", "alerting/checkresult/", "alerting/operator/"):
        page.goto(f"{page.base}/admin/{path}")
        assert_fits(page)
        assert page.locator("#result_list tbody tr").count() >= 1
    page.goto(f"{page.base}/admin/alerting/monitor/{tour.shop.pk}/dashboard/")
    assert_fits(page)


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_no_raw_machine_data(page) -> None:
    tour = build_tour()
    # Custom fields as name/value rows, not a JSON object.
    page.goto(f"{page.base}/admin/alerting/monitor/{tour.shop.pk}/change/")
    assert page.locator("textarea[name=custom_fields]").count() == 0
    assert page.locator("input[name=custom_fields-key-0]").input_value() == "ComponentId"
    assert page.locator("input[name=custom_fields-value-0]").input_value() == "7149488f"
    page.fill("input[name=custom_fields-value-1]", "Checkout")  # Team: Shop -> Checkout
    page.click(".key-value-add")
    page.click(".key-value-add")  # as many rows as needed before one save
    page.fill("input[name=custom_fields-key-5]", "Region")
    page.fill("input[name=custom_fields-value-5]", "eu-west")
    assert_fits(page)
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    tour.shop.refresh_from_db()
    assert tour.shop.custom_fields == {"ComponentId": "7149488f", "Team": "Checkout", "Region": "eu-west"}
    # A value without a name is a form error, and nothing is lost.
    page.fill("input[name=custom_fields-value-3]", "orphan")
    page.click("input[name=_continue]")
    error = page.locator(".field-custom_fields .errorlist")
    error.wait_for()
    assert "has no name" in error.inner_text()
    assert page.locator("input[name=custom_fields-value-3]").input_value() == "orphan"

    # The alert's variables as a table of names and values.
    alert = tour.shop.incidents.get().alerts.first()
    page.goto(f"{page.base}/admin/alerting/alert/{alert.pk}/change/")
    table = page.locator("#alert-variables")
    row = table.locator("tr", has=page.locator("th", has_text="@monitor.name"))
    assert row.locator("td").inner_text() == "Web-Shop checkout"
    assert "{" not in table.locator("td").first.inner_text()
    assert_fits(page)

    # Labels written for people.
    check = tour.shop.check_results.get()
    page.goto(f"{page.base}/admin/alerting/checkresult/{check.pk}/change/")
    labels = page.locator(
        "#content-main label, #content-main .form-row .flex-container > label"
    ).all_inner_texts()
    text = " ".join(labels)
    for label in ("SSL valid until", "Resolved IP", "API key", "Check URL", "Server IPv4"):
        assert label in text
    assert "Ssl" not in text and "Api key" not in text

    # The preset filter names the preset, not its slug.
    page.goto(f"{page.base}/admin/integrations/integration/")
    filters = page.locator("#changelist-filter").inner_text()
    assert "Uptrends Integration" in filters and "uptrends" not in filters
    assert_fits(page)

    # The API docs' groups have names.
    page.goto(f"{page.base}/api/docs/")
    page.locator(".opblock-tag").first.wait_for()
    groups = [t.strip() for t in page.locator(".opblock-tag h3 span, .opblock-tag a span").all_inner_texts()]
    groups = [g for g in groups if g]
    assert "Messages" in groups and "Check results" in groups and "Incidents" in groups
    assert "v1" not in groups and "messages" not in groups


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_variable_panel_inserts_on_enter_and_space(page) -> None:
    tour = build_tour()
    page.goto(f"{page.base}/admin/integrations/integration/{tour.receiver.pk}/change/")
    assert_fits(page)
    panel = page.locator("#variable-panel .panel-details")
    if not panel.evaluate("d => d.open"):
        panel.locator("summary").click()  # closed by default on a narrow screen
    body = page.locator("textarea[name=steps-0-body]")
    body.fill("Down: ")
    # Tab from the body through the rest of the form to the panel's button, as
    # a keyboard user does: the fields passed on the way are not the target.
    token = "{{@monitor.name}}"
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.token || ''") == token:
            break
    else:
        pytest.fail("the panel's button was never reached with Tab")
    page.keyboard.press("Enter")
    assert body.input_value() == "Down: " + token
    screenshot(page, "integration", "#content")
    assert page.evaluate("document.activeElement.name") == "steps-0-body"  # back to typing

    body.press("End")
    body.type(" at ")
    page.locator("#variable-panel button[data-token='{{@alert.description}}']").focus()
    page.keyboard.press("Space")
    assert body.input_value() == f"Down: {token} at {{{{@alert.description}}}}"


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_no_dead_ends(page) -> None:
    tour = build_tour()
    page.goto(f"{page.base}/admin/alerting/monitor/")
    # No "View site" (there is no public site); the dashboard and the API docs instead.
    assert page.locator("#user-tools a", has_text="View site").count() == 0
    page.click("#user-tools #api-docs-link")
    page.wait_for_url("**/api/docs/")
    page.locator(".opblock-tag").first.wait_for()
    page.goto(f"{page.base}/admin/alerting/monitor/")
    page.click("#user-tools #dashboard-link")
    page.wait_for_url(f"{page.base}/admin/")
    assert page.locator("#dashboard").is_visible()

    # The built-in SMS and phone integrations have no Twilio account yet: needs setup, not active.
    card = page.locator("#dash-needs-setup")
    assert card.locator(".big").inner_text() == "2"
    assert "SMS" in card.inner_text() and "TwilioAccountSid" in card.inner_text()
    assert_fits(page)
    page.goto(f"{page.base}/admin/integrations/integration/")
    sms = page.locator("#result_list tbody tr", has_text="SMS")
    assert "needs setup" in sms.inner_text() and "active" not in sms.inner_text().replace("needs setup", "")
    receiver = page.locator("#result_list tbody tr", has_text="Ops receiver")
    assert "active" in receiver.inner_text()
    assert_fits(page)

    # What a Read key may do, said where the scope is chosen.
    page.goto(f"{page.base}/admin/alerting/apikey/add/")
    read = page.locator("label", has_text="Read:").inner_text()
    assert "submit check results" in read and "configuration" in read
    assert "Respond: what Read may, plus acknowledge" in page.locator(".field-scope").inner_text()
    assert_fits(page)

    # Editing a preset's steps marks it customized (README: Presets).
    page.goto(f"{page.base}/admin/integrations/integration/{tour.receiver.pk}/change/")
    assert not page.locator("input[name=customized]").is_checked()
    page.fill("input[name=steps-0-name]", "Post to the receiver")
    page.click("input[name=_continue]")
    page.locator(".messagelist .info").wait_for()
    tour.receiver.refresh_from_db()
    assert tour.receiver.customized
    assert page.locator("input[name=customized]").is_checked()


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_wording_test_messages_and_retry(page, httpserver) -> None:
    from tests.browser.conftest import receiver_url

    httpserver.expect_request("/hook", method="POST").respond_with_json({"ok": True})
    tour = build_tour(receiver_url(httpserver, "/hook"))
    page.goto(f"{page.base}/admin/integrations/integration/{tour.receiver.pk}/change/")
    page.click("#preview-button")
    result = page.locator("#test-result")
    result.locator("h2").wait_for()
    assert "Preview of a test Alert message (nothing was sent, nothing was saved)" in result.inner_text()
    page.click("#send-test-button")
    result.locator(".http-status").wait_for()
    text = result.inner_text()
    assert "Test Alert message sent" in text and "Alert alert" not in text
    assert_fits(page)

    # One word for sending a message again: Retry, in the list's actions and on the message.
    page.goto(f"{page.base}/admin/integrations/message/")
    actions = page.locator("select[name=action] option").all_inner_texts()
    assert any(a.startswith("Retry") for a in actions) and not any("eplay" in a for a in actions)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "Replay with" not in readme and "replay messages" not in readme and "replayable" not in readme


@pytest.mark.parametrize("page", WIDTHS, indirect=True)
def test_a_level_added_on_the_page_gets_a_tab_and_its_integrations(page) -> None:
    tour = build_tour()
    page.goto(f"{page.base}/admin/alerting/alertdefinition/{tour.definition.pk}/change/")
    page.click(".escalation-levels .add-row a")
    tabs = page.locator(".level-tab")
    assert tabs.count() == 3
    assert tabs.nth(2).get_attribute("aria-selected") == "true"
    panel = page.locator(".escalation-levels .inline-related:not(.empty-form)").nth(2)
    assert panel.is_visible()
    panel.locator("input[name$='-number']").fill("3")
    panel.locator("input[name$='-threshold']").fill("30")
    # Its blank row and one more, both in the new level's nested formset.
    panel.locator(".add-integration").click()
    selects = panel.locator("select[name$='-integration']")
    assert selects.count() == 2
    names = selects.evaluate_all("els => els.map(e => e.name)")
    assert names == ["levels-2-links-0-integration", "levels-2-links-1-integration"]
    selects.nth(0).select_option(label="Ops receiver")
    selects.nth(1).select_option(label="E-mail")
    assert tabs.nth(2).inner_text() == "Level 3"
    assert_fits(page)
    page.click("input[name=_continue]")
    page.locator(".messagelist .success").wait_for()
    level3 = EscalationLevel.objects.get(definition=tour.definition, number=3)
    assert level3.threshold == 30
    assert set(level3.integration_links.values_list("integration__name", flat=True)) == {
        "Ops receiver",
        "E-mail",
    }
