"""A new coordinator sets up two-factor authentication at the first login, logs in again with a
code, and deactivates a colleague's account on the account pages - with an axe scan of each."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from tests.browser.conftest import assert_accessible, press, screenshot
from tests.conftest import current_code
from tests.factories import UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_second_factor]


def code_for_secret(secret: str) -> str:
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"


def log_in(page, live_server):
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")


def test_set_up_log_in_with_a_code_and_deactivate_a_colleague(live_server, page):
    coordinator = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    colleague = UserFactory(first_name="Bora", last_name="Demir")
    user_set_role(user=colleague, role=Role.ADVISOR)

    log_in(page, live_server)
    assert page.get_by_role("heading", level=1).inner_text() == "Zwei-Faktor-Anmeldung einrichten"
    assert page.get_by_role("img", name="QR-Code für Ihre Authenticator-App").is_visible()
    screenshot(page, "two-factor-setup")
    assert_accessible(page)
    secret = page.locator("code").inner_text()
    page.get_by_label("Code aus der App").fill("123")
    press(page, "Bestätigen und Einrichtung abschließen")
    assert page.get_by_role("alert").is_visible()  # the error summary
    page.get_by_label("Code aus der App").fill(code_for_secret(secret))
    press(page, "Bestätigen und Einrichtung abschließen")
    assert page.get_by_role("heading", level=1).inner_text() == "Ihre Wiederherstellungscodes"
    assert page.locator("ol.recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Ich habe die Codes aufbewahrt")).click()
    page.wait_for_url("**/koordination/")

    press(page, "Abmelden")
    log_in(page, live_server)
    assert page.get_by_role("heading", level=1).inner_text() == "Code eingeben"
    assert_accessible(page)
    page.get_by_label("Code").fill(current_code(coordinator.totpdevice_set.get()))
    press(page, "Bestätigen")
    assert page.get_by_role("heading", level=1).inner_text() == "Übersicht"

    page.goto(live_server.url + "/koordination/konten/")
    assert_accessible(page)
    page.get_by_role("link", name="Bora Demir").click()
    assert_accessible(page)
    page.get_by_role("link", name="Konto deaktivieren").click()
    assert_accessible(page)
    press(page, "Konto deaktivieren")
    assert page.get_by_text("Das Konto von Bora Demir ist deaktiviert.").is_visible()
    screenshot(page, "account-deactivated")

    page.goto(live_server.url + "/koordination/konten/einladen/")
    press(page, "Einladung senden")
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
