"""Requests that once answered 500, replayed: each now gets a 400/404 or the page again with a
message, and nothing is half-saved."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentors.forms.interest import form_started_token
from newcomers.models import Referral
from seminars.models import Event, Invitation, InvitationStatus
from seminars.services import answer_token
from tests.factories import MentorFactory, an_event, an_invitation
from tests.newcomers.test_referrals import referral_data
from willkommen.core.dates import PLANNING_HORIZON

CRAFTED_IDS = ["abc", "1.5", "\x00", "²", "-1", "99999999999999999999", ""]


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


def errors_shown(response) -> list[str]:
    """The error messages a response carries: on a re-rendered form or as flash messages."""
    form = (response.context or {}).get("failed") or (response.context or {}).get("form")
    shown = [str(error) for errors in form.errors.values() for error in errors] if form else []
    return shown + [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


@pytest.mark.parametrize("value", CRAFTED_IDS)
def test_event_answer_with_a_crafted_invitation_is_refused(coordinator_client, value):
    invitation = an_invitation()
    response = coordinator_client.post(
        invitation.event.get_absolute_url(),
        {"step": "answer", "invitation": value, "accept": "yes"},
    )
    assert response.status_code == 200
    assert len(errors_shown(response)) == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


def test_event_answer_with_a_crafted_accept_is_refused(coordinator_client):
    invitation = an_invitation()
    response = coordinator_client.post(
        invitation.event.get_absolute_url(),
        {"step": "answer", "invitation": invitation.pk, "accept": "\x00"},
    )
    assert errors_shown(response) == ["Please choose an answer."]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


def test_an_invitation_of_another_event_cannot_be_answered_here(coordinator_client):
    invitation, other = an_invitation(), an_invitation()
    response = coordinator_client.post(
        invitation.event.get_absolute_url(),
        {"step": "answer", "invitation": other.pk, "accept": "yes"},
    )
    assert errors_shown(response) == [
        "This invitation is not part of this event. Please reload the page."
    ]
    other.refresh_from_db()
    assert other.status == InvitationStatus.INVITED


def past_invitation(**fields):
    invitation = an_invitation()
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.REGISTERED)
    Event.objects.filter(pk=invitation.event_id).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    return invitation


@pytest.mark.parametrize("value", CRAFTED_IDS)
def test_attendance_with_a_crafted_id_is_refused(coordinator_client, value):
    invitation = past_invitation()
    response = coordinator_client.post(
        invitation.event.get_absolute_url(),
        {"step": "attendance", "attended": [str(invitation.pk), value]},
    )
    assert response.status_code == 200
    assert len(errors_shown(response)) == 1
    invitation.refresh_from_db()
    assert invitation.attended is None
    assert not invitation.mentor.checklist.exists()


def test_attendance_for_someone_not_registered_is_refused(coordinator_client):
    invitation = past_invitation()
    not_registered = an_invitation(invitation.event)
    response = coordinator_client.post(
        invitation.event.get_absolute_url(),
        {"step": "attendance", "attended": [not_registered.pk]},
    )
    assert errors_shown(response) == [
        "Only registered mentors can be ticked. Please reload the page."
    ]
    assert not Invitation.objects.filter(attended__isnull=False).exists()


def test_an_unknown_step_is_refused_with_a_message(coordinator_client):
    event = an_event()
    response = coordinator_client.post(event.get_absolute_url(), {"step": ["invite\x00", "x"]})
    assert response.status_code == 302
    assert errors_shown(response) == ["This is no longer possible for this event."]


def test_the_mentors_answer_with_a_crafted_value_is_refused(client, db):
    invitation = an_invitation()
    url = reverse("seminars:answer", args=[answer_token(invitation)])
    response = client.post(url, {"accept": ["yes", "\x00"]})
    assert response.status_code == 200
    assert errors_shown(response) == ["Please choose an answer."]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


@pytest.mark.parametrize(
    "url",
    [
        "/kalender/%00.ics",
        "/kalender/%C2%B2.ics",
        "/kalender/" + "a" * 5000 + ".ics",
        "/kalender/..%2F..%2Fetc.ics",
        "/seminare/antwort/%00/",
        "/seminare/antwort/%00/termin.ics",
        "/seminare/antwort/" + "a:" * 2000 + "/",
    ],
)
def test_crafted_tokens_on_seminar_urls_are_not_found(client, db, url):
    assert client.get(url).status_code == 404


def test_a_monthly_series_starting_in_the_year_9999_is_refused(coordinator_client):
    response = coordinator_client.post(reverse("seminars:create"), {
        "title": "Reflexion", "type": "reflection", "starts_at": "9999-11-02T18:00",
        "ends_at": "9999-11-02T20:00", "place": "Rathaus", "capacity": "12",
        "repeat_monthly": "12",
    })  # fmt: skip
    assert response.status_code == 200
    latest = timezone.localdate() + PLANNING_HORIZON
    assert errors_shown(response) == [f"The date cannot be after {latest:%d.%m.%Y}."] * 2
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_ten_invite_clicks_at_once_invite_each_mentor_once(coordinator, mailoutbox):
    event = an_event()
    mentors = [MentorFactory(status="ready") for _ in range(3)]
    clients = []
    for _ in range(10):
        client = Client()
        client.force_login(coordinator)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses = []
    data = {"step": "invite", "group": "picked", "picked": [m.pk for m in mentors],
            "language": "de"}  # fmt: skip

    def click(client):
        barrier.wait()
        try:
            statuses.append(client.post(event.get_absolute_url(), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 10
    assert event.invitations.count() == 3


@pytest.mark.parametrize("page", ["mentors:interest", "mentors:edit"])
def test_a_thousand_language_rows_are_refused(coordinator_client, page):
    """Django's formsets build up to max_num + 1000 forms from TOTAL_FORMS: one such POST once
    took five seconds and answered three megabytes."""
    url = (reverse(page, args=[MentorFactory().pk]) if page == "mentors:edit"
           else reverse(page))  # fmt: skip
    response = coordinator_client.post(url, {
        "languages-TOTAL_FORMS": "1000", "languages-INITIAL_FORMS": "0",
        "started": form_started_token(time.time() - 600),
    })  # fmt: skip
    languages = response.context["languages"]
    assert len(languages.forms) == 10
    assert languages.non_form_errors() == ["Please list at most 10 languages."]


def a_filled_referral_form(client) -> dict:
    form = client.get(reverse("newcomers:referral_create")).context["form"]
    return {**referral_data(), "submission_key": form["submission_key"].value()}


def test_a_double_submitted_referral_form_creates_one_referral(advisor_client):
    data = a_filled_referral_form(advisor_client)
    first = advisor_client.post(reverse("newcomers:referral_create"), data)
    second = advisor_client.post(reverse("newcomers:referral_create"), data)
    assert Referral.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == reverse("newcomers:my_referral", args=[Referral.objects.get().pk])
    )


@pytest.mark.django_db(transaction=True)
def test_a_referral_form_sent_twice_at_once_creates_one_referral(advisor):
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(advisor)
    data = a_filled_referral_form(clients[0])
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        barrier.wait()
        try:
            statuses.append(client.post(reverse("newcomers:referral_create"), data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302, 302]
    assert Referral.objects.count() == 1
