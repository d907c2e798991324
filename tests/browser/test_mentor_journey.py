"""A new volunteer applies on a phone and confirms; a coordinator takes the application to
"ready for matching" - in the browser, with an axe scan of every page on the way."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from tests.browser.conftest import assert_accessible, press, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_application_to_ready_for_matching(live_server, browser, settings):
    settings.MENTOR_MIN_FILL_SECONDS = 0  # the robot types faster than any person
    call_command("seed_demo", password="demo-passwort", mentors=0)

    phone = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + "/")
    phone.get_by_role("link", name="WillkommensPatin oder WillkommensPate werden").first.click()
    assert_accessible(phone)
    phone.get_by_label("Vorname").fill("Lena")
    phone.get_by_label("Nachname").fill("Maier")
    phone.get_by_label("E-Mail-Adresse").fill("lena.maier@example.org")
    phone.locator("#id_district").select_option("west")
    phone.locator("#id_languages-0-level").select_option("native")
    phone.locator("#id_languages-1-language").select_option("ar")
    phone.locator("#id_languages-1-level").select_option("B1")
    phone.get_by_label("Deutsch sprechen und üben").check()
    phone.get_by_label("Dienstag").check()
    phone.get_by_label("abends").check()
    phone.locator("#id_hours_per_month").select_option(index=2)
    phone.locator("#id_motivation").fill("Ich bin selbst vor Jahren neu angekommen.")
    phone.locator("#id_consent").check()
    screenshot(phone, "interest-form-filled")
    phone.get_by_role("button", name="Bewerbung absenden").click()
    phone.wait_for_url("**/mitmachen/danke/")
    assert_accessible(phone)

    link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
    phone.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    phone.get_by_role("button", name="Meine Bewerbung bestätigen").click()
    assert "bestätigt" in phone.get_by_role("heading", level=1).inner_text()
    assert_accessible(phone)

    desk = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    desk.goto(live_server.url + "/konto/anmelden/")
    desk.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    desk.get_by_label("Passwort").fill("demo-passwort")
    desk.get_by_role("button", name="Anmelden").click()
    desk.get_by_role("link", name="Lena Maier").click()
    assert_accessible(desk)
    press(desk, "Auf „kontaktiert“ setzen")
    press(desk, "Auf „Erstgespräch geführt“ setzen")
    for step in (
        "Ehrenamtsvereinbarung unterschrieben",
        "Verschwiegenheitserklärung unterschrieben",
        "Einführungsseminar besucht",
    ):
        press(desk, re.compile(f"^Als erledigt markieren.*{step}$"))
    status = desk.get_by_role("heading", name=re.compile("^Status"))
    assert status.inner_text() == "Status: bereit für eine Vermittlung"
    screenshot(desk, "mentor-ready")
    assert_accessible(desk)

    desk.get_by_role("link", name="Zurück zur Liste der Patinnen und Paten").click()
    assert desk.get_by_role("link", name="Maier, Lena").is_visible()
    assert_accessible(desk)
    phone.context.close()
    desk.context.close()
