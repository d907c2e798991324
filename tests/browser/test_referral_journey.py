"""An advisor refers a family; the coordinator asks a question, the advisor answers, and the
coordinator puts the referral on the waiting list - with an axe scan of every page."""

import re

import pytest
from django.core.management import call_command

from tests.browser.conftest import assert_accessible, press, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(browser, live_server, email):
    page = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")
    return page


def test_refer_ask_answer_accept(live_server, browser):
    call_command("seed_demo", password="demo-passwort", mentors=0, referrals=0)
    advisor = log_in(browser, live_server, "beratung@example.org")
    advisor.get_by_role("link", name="Jemanden vermitteln").click()
    assert_accessible(advisor)
    advisor.get_by_label("Vorname").fill("Amal")
    advisor.get_by_label("Nachname").fill("Haddad")
    advisor.get_by_label("Arabisch").check()
    advisor.locator("#id_german_level").select_option("A1")
    advisor.locator("#id_arrived_on").fill("2026-09")
    advisor.locator("#id_district").select_option("bad-cannstatt")
    advisor.get_by_label("Erwachsene im Haushalt").fill("2")
    advisor.get_by_label("Alter der Kinder (optional)").fill("4, 9")
    advisor.get_by_label("Wer begleitet werden soll").fill("die Mutter")
    advisor.get_by_label("Begleitung zu Ämtern").check()
    advisor.get_by_label("Was die Person braucht").fill("Termine bei Ämtern, Kita-Platz.")
    advisor.locator("#id_consent").check()
    press(advisor, "Vermittlung senden")
    assert "Vermittlung für Amal Haddad" in advisor.get_by_role("heading", level=1).inner_text()
    assert_accessible(advisor)

    coordinator = log_in(browser, live_server, "koordination@example.org")
    coordinator.goto(live_server.url + "/koordination/vermittlungen/")
    assert_accessible(coordinator)
    coordinator.get_by_role("link", name="Haddad, Amal").click()
    coordinator.get_by_label(re.compile("^Frage an die Beratung")).fill("Wie alt ist die Mutter?")
    press(coordinator, "Bei der Beratung nachfragen")
    assert_accessible(coordinator)

    advisor.reload()
    assert advisor.get_by_text("Wie alt ist die Mutter?").is_visible()
    advisor.get_by_label("Ihre Antwort").fill("34 Jahre.")
    press(advisor, "Antwort senden")
    assert_accessible(advisor)

    coordinator.reload()
    assert coordinator.get_by_text("34 Jahre.").is_visible()
    press(coordinator, "Auf die Warteliste nehmen")
    status = coordinator.get_by_role("heading", name=re.compile("^Status"))
    assert status.inner_text() == "Status: wartet auf eine Patin oder einen Paten"
    screenshot(coordinator, "referral-waiting")
    assert_accessible(coordinator)
    advisor.context.close()
    coordinator.context.close()
