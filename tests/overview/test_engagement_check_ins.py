"""Check-ins by link: the schedule (30 days after the start, then every 60, and at the end), the
answer as a support contact that moves the contact schedule on, and the queue of mentors who
asked to be called."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from newcomers.models import SupportContact, Tandem
from newcomers.selectors import tandems_overdue
from newcomers.services import support_contact_record
from tests.factories import active_tandem
from willkommen.overview.engagement import (
    CHECK_IN_NOTE_PREFIX,
    check_in_answer,
    check_in_due_on,
    check_in_token,
    check_ins_send,
    check_ins_to_call,
)
from willkommen.overview.models import CheckIn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def a_check_in(tandem, *, kind="regular", due_on=None):
    return CheckIn.objects.create(tandem=tandem, due_on=due_on or timezone.localdate(), kind=kind)


def ended(tandem, *, days_ago=0):
    Tandem.objects.filter(pk=tandem.pk).update(
        status="ended", ended_on=timezone.localdate() - timedelta(days=days_ago),
        end_reason="goals-reached",
    )  # fmt: skip
    tandem.refresh_from_db()
    return tandem


# --- The schedule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_since_start", "due_days_after_start"),
    [(0, None), (29, None), (30, 30), (31, 30), (89, 30), (90, 90), (149, 90), (150, 150),
     (400, 390)],
)  # fmt: skip
def test_check_ins_are_due_30_days_after_the_start_then_every_60(
    days_since_start, due_days_after_start
):
    start = date(2026, 1, 1)
    due = check_in_due_on(start, start + timedelta(days=days_since_start))
    expected = start + timedelta(days=due_days_after_start) if due_days_after_start else None
    assert due == expected


def test_the_timer_asks_each_tandem_once_per_date():
    today = timezone.localdate()
    young = active_tandem(started_days_ago=10)
    first = active_tandem(started_days_ago=30)
    second = active_tandem(started_days_ago=95)
    assert check_ins_send(today) == (2, 0)
    assert check_ins_send(today) == (0, 0)
    assert not young.check_ins.exists()
    assert first.check_ins.get().due_on == today
    assert second.check_ins.get().due_on == today - timedelta(days=5)
    assert check_ins_send(today + timedelta(days=20)) == (1, 0)  # the young one's first
    assert young.check_ins.get().due_on == today + timedelta(days=20)
    assert check_ins_send(today + timedelta(days=60)) == (2, 0)  # the others' next
    assert [c.due_on for c in first.check_ins.order_by("due_on")] == [
        today,
        today + timedelta(days=60),
    ]


def test_the_mail_names_the_newcomers_first_name_and_links_the_questions(
    django_capture_on_commit_callbacks,
):
    tandem = active_tandem(started_days_ago=30)
    with django_capture_on_commit_callbacks(execute=True):
        check_ins_send(timezone.localdate())
    message = mail.outbox[-1]
    assert message.to == [tandem.mentor.email]
    assert tandem.referral.first_name in message.body
    assert tandem.referral.last_name not in message.body
    assert reverse("engagement_check_in", args=[check_in_token(tandem.check_ins.get())]) in (
        message.body
    )


def test_an_ended_tandem_gets_one_closing_check_in_and_an_old_end_none():
    today = timezone.localdate()
    recent = ended(active_tandem(started_days_ago=100), days_ago=3)
    old = ended(active_tandem(started_days_ago=200), days_ago=60)
    never_started = ended(active_tandem(started_days_ago=5))
    Tandem.objects.filter(pk=never_started.pk).update(started_on=None)
    assert check_ins_send(today) == (0, 1)
    assert check_ins_send(today) == (0, 0)
    closing = recent.check_ins.get()
    assert closing.kind == "closing" and closing.due_on == recent.ended_on
    assert not old.check_ins.exists()


def test_no_check_in_for_a_mentor_who_withdrew_consent():
    from willkommen.core.models import ConsentWithdrawal

    tandem = active_tandem(started_days_ago=30)
    ConsentWithdrawal.objects.create(subject="mentor", object_id=tandem.mentor_id, via="link")
    assert check_ins_send(timezone.localdate()) == (0, 0)


# --- The answer -----------------------------------------------------------------------------


def test_an_answer_is_a_support_contact_that_takes_the_tandem_off_the_overdue_list(client):
    # two contacts in the first month, the last 40 days ago: a contact was due 10 days ago
    tandem = active_tandem(started_days_ago=100, contacts_days_ago=[90, 40])
    assert tandem in tandems_overdue()
    check_in = a_check_in(tandem)
    url = reverse("engagement_check_in", args=[check_in_token(check_in)])

    response = client.post(url, {"rating": "4", "note": "Läuft gut."})

    assert response.status_code == 302
    check_in.refresh_from_db()
    contact = check_in.contact
    assert (contact.channel, contact.with_whom, contact.rating) == ("email", "mentor", 4)
    assert contact.notes.startswith(CHECK_IN_NOTE_PREFIX) and "Läuft gut." in contact.notes
    assert contact.contacted_on == timezone.localdate() and not contact.concern
    tandem.refresh_from_db()
    assert tandem.contact_count == 3 and tandem.last_contact_on == timezone.localdate()
    assert tandem.next_contact_due == timezone.localdate() + timedelta(days=30)
    assert tandem not in tandems_overdue()
    assert not check_ins_to_call().exists()


def test_one_answer_only(client):
    check_in = a_check_in(active_tandem(started_days_ago=40))
    url = reverse("engagement_check_in", args=[check_in_token(check_in)])
    client.post(url, {"rating": "5"})
    response = client.post(url, {"rating": "1", "call_me": "on"})
    assert response.status_code == 200 and response.context["form"] is None
    check_in.refresh_from_db()
    assert check_in.rating == 5 and not check_in.call_me
    assert SupportContact.objects.filter(tandem=check_in.tandem).count() == 1
    with pytest.raises(ValidationError):
        check_in_answer(check_in=check_in, rating=3)


@pytest.mark.parametrize("data", [{}, {"rating": "0"}, {"rating": "6"}, {"rating": "x"},
                                  {"rating": "3", "note": "x" * 2001}])  # fmt: skip
def test_a_bad_answer_is_refused_and_nothing_saved(client, data):
    check_in = a_check_in(active_tandem(started_days_ago=40))
    response = client.post(reverse("engagement_check_in", args=[check_in_token(check_in)]), data)
    assert response.status_code == 200 and response.context["form"].errors
    check_in.refresh_from_db()
    assert check_in.answered_at is None
    assert not SupportContact.objects.exists()


def test_a_closing_answer_is_kept_without_a_support_contact(client):
    tandem = ended(active_tandem(started_days_ago=100))
    check_in = a_check_in(tandem, kind="closing", due_on=tandem.ended_on)
    client.post(reverse("engagement_check_in", args=[check_in_token(check_in)]),
                {"rating": "2", "note": "Schwierig am Ende."})  # fmt: skip
    check_in.refresh_from_db()
    assert check_in.rating == 2 and check_in.contact is None
    assert list(check_ins_to_call()) == [check_in]


def test_tampered_and_expired_check_in_links_are_refused(client, monkeypatch):
    from django.core import signing

    token = check_in_token(a_check_in(active_tandem(started_days_ago=40)))
    assert client.get(reverse("engagement_check_in", args=[token + "x"])).status_code == 400
    later = signing.time.time() + 61 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(reverse("engagement_check_in", args=[token]))
    assert response.status_code == 400 and "expired" in response.content.decode()


# --- The queue ------------------------------------------------------------------------------


def test_please_call_me_or_a_low_rating_puts_the_tandem_on_the_queue():
    calls = a_check_in(active_tandem(started_days_ago=40))
    low = a_check_in(active_tandem(started_days_ago=40))
    fine = a_check_in(active_tandem(started_days_ago=40))
    check_in_answer(check_in=calls, rating=4, call_me=True)
    check_in_answer(check_in=low, rating=2)
    check_in_answer(check_in=fine, rating=3)
    assert list(check_ins_to_call()) == [calls, low]
    calls.refresh_from_db()
    assert calls.contact.concern


def test_a_coordinators_contact_after_the_answer_takes_it_off_the_queue(coordinator):
    check_in = a_check_in(active_tandem(started_days_ago=40))
    check_in_answer(check_in=check_in, rating=1)
    assert check_ins_to_call().count() == 1
    support_contact_record(tandem=check_in.tandem, by=coordinator,
                           contacted_on=timezone.localdate(), with_whom="mentor",
                           channel="phone", rating=3)  # fmt: skip
    assert check_ins_to_call().count() == 0


def test_done_takes_it_off_the_queue(coordinator_client):
    check_in = a_check_in(active_tandem(started_days_ago=40))
    check_in_answer(check_in=check_in, rating=4, call_me=True)
    page = coordinator_client.get(reverse("engagement_check_ins") + "?queue=check-ins-call")
    assert [item.pk for item in page.context["page"].object_list] == [check_in.pk]
    response = coordinator_client.post(reverse("engagement_check_in_done", args=[check_in.pk]))
    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.handled_at is not None and check_in.handled_by is not None
    assert not check_ins_to_call().exists()


def test_an_unanswered_check_in_cannot_be_done(coordinator_client):
    check_in = a_check_in(active_tandem(started_days_ago=40))
    coordinator_client.post(reverse("engagement_check_in_done", args=[check_in.pk]))
    check_in.refresh_from_db()
    assert check_in.handled_at is None


def test_the_dashboard_card_and_its_list_agree(coordinator_client):
    for _ in range(3):
        check_in = a_check_in(active_tandem(started_days_ago=40))
        check_in_answer(check_in=check_in, rating=1)
    cards = {card["name"]: card for card in
             coordinator_client.get(reverse("dashboard")).context["queues"]}  # fmt: skip
    assert cards["check-ins-call"]["count"] == 3
    assert "asks for a call" not in cards["check-ins-call"]["rows"][0]["note"]
    assert "rated 1 of 5" in cards["check-ins-call"]["rows"][0]["note"]


@pytest.mark.parametrize("size", [1, 8])
def test_the_queue_list_costs_the_same_queries_whatever_its_length(
    coordinator_client, django_assert_num_queries, size
):
    for _ in range(size):
        check_in_answer(check_in=a_check_in(active_tandem(started_days_ago=40)), rating=2)
    with django_assert_num_queries(7):
        response = coordinator_client.get(reverse("engagement_check_ins"))
    assert response.status_code == 200


def test_the_queue_list_is_empty_without_answers(coordinator_client):
    page = coordinator_client.get(reverse("engagement_check_ins"))
    assert "Nobody is waiting for a call." in page.content.decode()
