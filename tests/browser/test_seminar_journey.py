"""The coordinator creates an introductory seminar with 2 places and invites 3 mentors; two
accept, the third lands on the waiting list; one declines and the third moves up; after the
event the coordinator ticks attendance and the mentors become ready for matching."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from mentors.models import Mentor, MentorStatus
from mentors.services import mentor_check_item
from seminars.models import Event
from tests.browser.conftest import assert_accessible, press, screenshot
from tests.factories import MentorFactory, UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

pytestmark = pytest.mark.django_db(transaction=True)


def screened_mentor(last_name, coordinator):
    mentor = MentorFactory(first_name="Pat", last_name=last_name, status="screening")
    for item in ("agreement", "confidentiality"):  # the conversation came with the status
        mentor_check_item(mentor=mentor, item=item, done_on=timezone.localdate(), by=coordinator)
    return mentor


def answer(browser, live_server, mentor, button):
    link = next(
        m for m in reversed(mail.outbox) if m.to == [mentor.email] and "/antwort/" in m.body
    )
    url = re.search(r"http://\S+/seminare/antwort/\S+/", link.body).group(0)
    page = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 844}).new_page()
    page.goto(url.replace("http://127.0.0.1:8000", live_server.url))
    press(page, button)
    status = page.locator("dd strong").inner_text()
    assert_accessible(page)
    page.context.close()
    return status


def test_seminar_with_waiting_list_and_attendance(live_server, browser):
    coordinator = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    anna, bert, cleo = (
        screened_mentor(name, coordinator) for name in ("Arnold", "Bauer", "Conrad")
    )

    page = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")
    page.goto(live_server.url + "/koordination/seminare/neu/")
    assert_accessible(page)
    day = timezone.localtime() + timedelta(days=7)
    page.get_by_label("Titel").fill("Einführungsseminar Dezember")
    page.locator("#id_type").select_option("intro")
    page.locator("#id_starts_at").fill(day.strftime("%Y-%m-%dT17:00"))
    page.locator("#id_ends_at").fill(day.strftime("%Y-%m-%dT20:00"))
    page.locator("#id_place").fill("Rathaus, Raum 2")
    page.locator("#id_capacity").fill("2")
    press(page, "Anlegen")
    page.locator("#invite-search").fill("Pat")  # the picker lists only what a search finds
    press(page, "Suchen")
    page.locator("#id_group").select_option("picked")
    for mentor in (anna, bert, cleo):
        page.locator(f"input[name=picked][value='{mentor.pk}']").check()
    press(page, "Einladungen senden")
    assert_accessible(page)

    assert answer(browser, live_server, anna, "Ich komme") == "angemeldet"
    assert answer(browser, live_server, bert, "Ich komme") == "angemeldet"
    assert answer(browser, live_server, cleo, "Ich komme") == "auf der Warteliste"
    assert answer(browser, live_server, bert, "Ich kann doch nicht kommen") == "abgelehnt"
    assert any(m.to == [cleo.email] and "frei geworden" in m.body for m in mail.outbox)

    event = Event.objects.get()
    page.goto(live_server.url + event.get_absolute_url())  # the sign-in sheet, to print
    with page.expect_navigation():
        page.locator(f"a[href='{reverse('seminars:sign_in_sheet', args=[event.pk])}']").click()
    assert page.locator(".sheet-table tbody th").all_inner_texts() == ["Arnold, Pat", "Conrad, Pat"]
    assert_accessible(page)
    page.emulate_media(media="print")
    assert page.get_by_role("button").count() == 0 and page.get_by_role("link").count() == 0
    screenshot(page, "seminar-sign-in-sheet-print")
    page.emulate_media(media="screen")
    Event.objects.filter(pk=event.pk).update(  # the evening has come and gone
        starts_at=timezone.now() - timedelta(hours=4), ends_at=timezone.now() - timedelta(hours=1)
    )
    page.goto(live_server.url + event.get_absolute_url())
    page.get_by_label(re.compile("^teilgenommen: Pat Arnold")).check()
    page.get_by_label(re.compile("^teilgenommen: Pat Conrad")).check()
    press(page, "Teilnahme speichern")
    screenshot(page, "seminar-attendance")
    assert_accessible(page)
    statuses = dict(Mentor.objects.values_list("last_name", "status"))
    assert statuses == {"Arnold": MentorStatus.READY, "Bauer": MentorStatus.SCREENING,
                        "Conrad": MentorStatus.READY}  # fmt: skip
    page.context.close()
