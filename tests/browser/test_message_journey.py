"""The coordinator filters the mentors in Bad Cannstatt and writes to them; one of them
unsubscribes by the link in the mail on her phone; the next message of the kind one may stop
skips her, while the mail the programme needs still reaches her - axe on every page."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from mentors.models import Mentor
from seminars.services import invitations_send
from tests.browser.conftest import assert_accessible, press, screenshot
from tests.factories import MentorFactory, UserFactory, an_event
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_writing_to_a_district_and_unsubscribing(live_server, browser):
    coordinator = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    hanna = MentorFactory(first_name="Hanna", last_name="Kurz", status="active",
                          district="bad-cannstatt")  # fmt: skip
    MentorFactory(first_name="Jonas", last_name="Lang", status="ready", district="bad-cannstatt",
                  language="en")  # fmt: skip
    elsewhere = MentorFactory(first_name="Olga", last_name="Weit", status="ready", district="west")
    mail.outbox.clear()

    page = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")

    page.goto(live_server.url + "/koordination/paten/")
    page.get_by_text("Filtern", exact=True).click()
    page.get_by_label("Stadtbezirk").select_option("bad-cannstatt")
    press(page, "Filter anwenden")
    with page.expect_navigation():
        page.get_by_role("link", name="An diese 2 Patinnen und Paten schreiben").click()
    assert_accessible(page)
    page.get_by_label("Versicherungsschutz im Programm").check()
    press(page, "Vorschau")
    screenshot(page, "message-preview")
    assert_accessible(page)
    press(page, re.compile("^An 2 "))
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted(m.email for m in Mentor.objects.filter(district="bad-cannstatt"))
    assert elsewhere.email not in to

    # Hanna opens the link in her mail on her phone and unsubscribes.
    to_hanna = next(message for message in mail.outbox if message.to == [hanna.email])
    link = re.search(r"http://\S+/nachrichten/abbestellen/\S+/", to_hanna.body)
    phone = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(live_server.url + urlparse(link.group(0)).path)  # the mail names SITE_URL
    assert_accessible(phone)
    assert "Kurz" not in phone.content()  # the first name only
    with phone.expect_navigation():
        phone.get_by_role("button", name="Abbestellen").click()
    assert "Sie haben abbestellt" in phone.content()
    screenshot(phone, "message-unsubscribed")

    # The next message of that kind skips her; an invitation still reaches her.
    mail.outbox.clear()
    page.goto(live_server.url + "/koordination/paten/?district=bad-cannstatt")
    with page.expect_navigation():
        page.get_by_role("link", name="An diese 2 Patinnen und Paten schreiben").click()
    page.get_by_label("Versicherungsschutz im Programm").check()
    press(page, "Vorschau")
    press(page, re.compile("^An 1 "))
    assert [message.to for message in mail.outbox] == [
        [Mentor.objects.get(first_name="Jonas").email]
    ]
    invitations_send(event=an_event(), mentors=[hanna])
    assert any(message.to == [hanna.email] for message in mail.outbox)
