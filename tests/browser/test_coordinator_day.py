"""A coordinator's day: finds a mentor with the header search, corrects a referral, proposes a
mentor who is not among the suggestions, edits an event and sees the participants' mail, and
records a follow-up that the dashboard shows when it is due - with an axe scan of every page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from newcomers.models import FollowUp, Tandem
from seminars.services import invitation_answer, invitations_send
from tests.browser.conftest import assert_accessible, press, screenshot
from tests.factories import MentorFactory, ReferralFactory, UserFactory, an_event
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coordinators_day(live_server, browser):
    coordinator = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    referral = ReferralFactory(first_name="Amal", last_name="Haddad", status="waiting",
                               languages=["ar"], german_level="none", children_ages=[],
                               district="west", phone="")  # fmt: skip
    # Ten mentors who fit better fill the suggestions; Greta Hänel is not among them.
    for number in range(10):
        MentorFactory(first_name="Passt", last_name=f"Gut{number}", status="ready",
                      languages=[("ar", "native")], district="west")  # fmt: skip
    greta = MentorFactory(first_name="Greta", last_name="Hänel", status="ready", district="ost")
    seminar_guest = MentorFactory(first_name="Sami", last_name="Gast", status="screening")
    event = an_event(title="Einführungsseminar Herbst")
    invitations_send(event=event, mentors=[seminar_guest])
    invitation_answer(invitation=event.invitations.get(), accept=True)
    mail.outbox.clear()

    page = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")

    # Find a mentor from any page, with the header's search field.
    page.get_by_label("Patinnen und Paten, Vermittlungen, Tandems und Veranstaltungen suchen").fill(
        "Hänel"
    )
    press(page, "Finden")
    assert_accessible(page)
    screenshot(page, "day-search")
    with page.expect_navigation():
        page.get_by_role("link", name="Hänel, Greta").click()
    assert "Greta Hänel" in page.get_by_role("heading", level=1).inner_text()

    # Correct the referral: the advisor sent the phone number in an answer.
    page.goto(live_server.url + referral.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("link", name="Angaben korrigieren").click()
    assert_accessible(page)
    page.locator("#id_phone").fill("0176 2345678")
    press(page, "Änderungen speichern")
    referral.refresh_from_db()
    assert referral.phone == "0176 2345678"

    # Propose a mentor who is not among the ten suggestions.
    suggested = page.locator("ol.suggestions").first.inner_text()
    assert "Greta Hänel" not in suggested
    page.get_by_label("Name, E-Mail-Adresse oder Telefonnummer").fill("Hänel")
    press(page, "Suchen")
    assert_accessible(page)
    press(page, "Vorschlagen Greta Hänel")
    assert Tandem.objects.get(referral=referral).mentor == greta
    assert any(greta.email in message.to for message in mail.outbox)

    # Move the event to another room: the registered mentor is told.
    page.goto(live_server.url + event.get_absolute_url())
    with page.expect_navigation():
        page.get_by_role("link", name="Bearbeiten").click()
    assert_accessible(page)
    screenshot(page, "day-event-edit")
    page.get_by_label("Ort (Adresse und Raum)").fill("Rathaus, Raum 2.114")
    press(page, "Änderungen speichern")
    assert "1 Person" in page.locator(".alert").first.inner_text()
    told = [message for message in mail.outbox if seminar_guest.email in message.to]
    assert told and "Raum 2.114" in told[-1].body

    # A follow-up for tomorrow; the next day it is on the dashboard.
    page.goto(live_server.url + referral.get_absolute_url())
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Fällig am").fill(tomorrow.isoformat())
    page.get_by_label("Was ist zu tun?").fill("Beraterin anrufen: Kita-Platz?")
    press(page, "Wiedervorlage speichern")
    assert FollowUp.objects.get(referral=referral).due_on == tomorrow
    FollowUp.objects.update(due_on=timezone.localdate())  # the next day
    page.goto(live_server.url + "/koordination/")
    card = page.locator("section, article, .card").filter(has_text="Wiedervorlagen fällig").first
    assert "Beraterin anrufen: Kita-Platz?" in card.inner_text()
    assert_accessible(page)
    screenshot(page, "day-dashboard")
