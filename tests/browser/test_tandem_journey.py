"""The coordinator opens a waiting referral, reads why the top mentor is suggested, proposes,
records the answer and the first meeting, writes the agreement, records two support contacts
and later ends the tandem after a confirming page - with an axe scan of every page."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from newcomers.models import Tandem
from tests.browser.conftest import assert_accessible, press, screenshot
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_waiting_referral_to_closure(live_server, browser):
    coordinator = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    referral = ReferralFactory(first_name="Amal", last_name="Haddad", status="waiting",
                               languages=["ar"], german_level="none", children_ages=[])  # fmt: skip
    MentorFactory(first_name="Lena", last_name="Maier", status="ready",
                  languages=[("ar", "native")], district="west")  # fmt: skip
    MentorFactory(first_name="Otto", last_name="Ohne", status="ready", district="ost")

    page = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")
    page.goto(live_server.url + referral.get_absolute_url())
    top = page.locator("ol.suggestions > li").first
    assert "Lena Maier" in top.inner_text()
    assert "spricht Arabisch, und die Person spricht noch wenig Deutsch" in top.inner_text()
    screenshot(page, "suggestions")
    assert_accessible(page)

    press(page, re.compile("^Vorschlagen Lena Maier"))
    assert_accessible(page)
    page.get_by_label("Ja, gern").check()
    press(page, "Antwort erfassen")
    when = (timezone.localtime() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Datum und Uhrzeit").fill(when)
    page.get_by_label("Ort").fill("Welcome Center Stuttgart")
    page.get_by_label("Dolmetschende Person").check()
    press(page, "Erstes Treffen speichern")
    page.get_by_label("vereinbarte Inhalte").fill("Termine bei Ämtern, Deutsch üben")
    page.get_by_label("wie oft").fill("einmal pro Woche")
    press(page, "Tandem beginnen")
    assert "Status: aktiv" in page.get_by_role("heading", level=2).first.inner_text()
    # a fortnight later: contacts cannot be dated before the start
    Tandem.objects.update(started_on=timezone.localdate() - timedelta(days=14))
    for days_ago in ("10", "3"):
        page.locator("#id_contacted_on").fill(
            (timezone.localdate() - timedelta(days=int(days_ago))).isoformat()
        )
        page.locator("#id_with_whom").select_option("both")
        page.locator("#id_channel").select_option("phone")
        page.locator("input[name=rating][value='4']").check()
        press(page, "Kontakt speichern")
    assert page.locator("ol.timeline > li").count() == 2
    assert_accessible(page)

    # no date is filled in for the end, and the end is confirmed on a page of its own
    assert page.locator("#id_ended_on").input_value() == ""
    page.locator("#id_ended_on").fill(timezone.localdate().isoformat())
    page.locator("#id_reason").select_option("goals-reached")
    page.get_by_label("Abschlussgespräch geführt").check()
    with page.expect_navigation():
        page.locator("form:has(input[name=step][value=end]) button[type=submit]").click()
    assert "Lena Maier" in page.locator(".alert-warning").inner_text()  # whose place is free
    screenshot(page, "tandem-end-confirm")
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("button.btn-danger").click()
    assert "Status: beendet" in page.get_by_role("heading", level=2).first.inner_text()
    screenshot(page, "tandem-ended")
    assert_accessible(page)
    page.context.close()
