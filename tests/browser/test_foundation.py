import pytest
from django.core.management import call_command

from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_coordinator_logs_in_and_sees_the_dashboard(live_server, page):
    call_command("seed_demo", password="demo-passwort")
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Anmelden").first.click()
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/koordination/")
    assert page.get_by_role("heading", level=1).inner_text() == "Übersicht"
    assert page.get_by_role("link", name="Übersicht").get_attribute("aria-current") == "page"
    screenshot(page, "dashboard")
    assert_accessible(page)


def test_landing_page_on_a_phone_is_accessible_and_keyboard_usable(live_server, phone):
    phone.goto(live_server.url + "/")
    phone.keyboard.press("Tab")
    skip_link = phone.get_by_role("link", name="Zum Inhalt springen")
    assert skip_link.evaluate("element => element === document.activeElement")
    phone.keyboard.press("Enter")
    assert phone.evaluate("document.activeElement.id") == "inhalt"
    screenshot(phone, "landing-phone")
    assert_accessible(phone)


def test_login_errors_are_announced_and_accessible(live_server, page):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("niemand@example.org")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    assert page.get_by_role("alert").is_visible()
    screenshot(page, "login-error")
    assert_accessible(page)


def test_english_language_switch(live_server, page):
    page.goto(live_server.url + "/datenschutz/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Privacy notice"
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
