"""Follow-ups (Wiedervorlagen): a date and a reason to look at a mentor, a referral or a tandem
again; due ones wait on the dashboard until someone marks them done."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from newcomers.models import FollowUp
from newcomers.queues import FOLLOW_UP_QUEUES
from newcomers.services import follow_up_create, follow_up_done
from tests.factories import MentorFactory, ReferralFactory, UserFactory, proposed_tandem
from willkommen.core.dates import PLANNING_HORIZON


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def today(days=0):
    return timezone.localdate() + timedelta(days=days)


def due_since(follow_up, days):
    """As if the follow-up had been made for `days` ago (dates in the past cannot be chosen)."""
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=today(-days))
    follow_up.refresh_from_db()
    return follow_up


DUE = next(queue for queue in FOLLOW_UP_QUEUES if queue.name == "follow-ups-due")


# --- The services ------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [-1, PLANNING_HORIZON.days + 1])
def test_a_follow_up_is_due_from_today_to_the_planning_horizon(coordinator, days):
    referral = ReferralFactory()
    with pytest.raises(ValidationError) as refused:
        follow_up_create(due_on=today(days), text="Anrufen", by=coordinator, referral=referral)
    assert "due_on" in refused.value.message_dict
    for days in (0, PLANNING_HORIZON.days):
        follow_up_create(due_on=today(days), text="Anrufen", by=coordinator, referral=referral)
    assert FollowUp.objects.count() == 2


def test_a_follow_up_needs_a_text(coordinator):
    with pytest.raises(ValidationError) as refused:
        follow_up_create(due_on=today(), text="  ", by=coordinator, mentor=MentorFactory())
    assert "text" in refused.value.message_dict
    assert not FollowUp.objects.exists()


def test_a_follow_up_is_about_exactly_one_record(coordinator):
    mentor, referral = MentorFactory(), ReferralFactory()
    for about in ({}, {"mentor": mentor, "referral": referral}):
        with pytest.raises(ValueError):
            follow_up_create(due_on=today(), text="Anrufen", by=coordinator, **about)
    # and the database says so too
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(
            due_on=today(), text="x", created_by=coordinator, mentor=mentor, referral=referral
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(due_on=today(), text="x", created_by=coordinator)


def test_done_once_by_someone(coordinator):
    follow_up = follow_up_create(
        due_on=today(), text="Anrufen", by=UserFactory(), tandem=proposed_tandem()
    )
    follow_up_done(follow_up=follow_up, by=coordinator)
    follow_up.refresh_from_db()
    assert follow_up.done_by == coordinator and follow_up.done_at is not None
    with pytest.raises(ValidationError):
        follow_up_done(follow_up=follow_up, by=coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=follow_up.pk).update(done_by=None)


def test_the_queue_holds_the_open_ones_due_today_or_earlier(coordinator):
    mentor, referral, tandem = MentorFactory(), ReferralFactory(), proposed_tandem()
    overdue = due_since(
        follow_up_create(due_on=today(), text="Zeugnis", by=coordinator, mentor=mentor), 3
    )
    due_today = follow_up_create(due_on=today(), text="Anrufen", by=coordinator, tandem=tandem)
    follow_up_create(due_on=today(1), text="Später", by=coordinator, referral=referral)
    done = follow_up_create(due_on=today(), text="Erledigt", by=coordinator, referral=referral)
    follow_up_done(follow_up=done, by=coordinator)

    assert list(DUE.items()) == [overdue, due_today]
    card = DUE.card()
    assert card["count"] == 2
    assert [row["note"] for row in card["rows"]] == [
        f"due since {overdue.due_on:%d.%m.%Y}",
        "due today",
    ]
    assert [row["url"] for row in card["rows"]] == [
        mentor.get_absolute_url(),
        tandem.get_absolute_url(),
    ]


# --- The pages ---------------------------------------------------------------------------------


def test_a_follow_up_on_a_referral_from_adding_to_done(coordinator_client):
    referral = ReferralFactory()
    add = reverse("newcomers:follow_up_add_referral", args=[referral.pk])
    response = coordinator_client.post(
        add, {"follow_up-due_on": today(7).isoformat(), "follow_up-text": "Nachfragen"}
    )
    assert response["Location"] == referral.get_absolute_url()
    follow_up = referral.follow_ups.get()
    assert (follow_up.due_on, follow_up.text) == (today(7), "Nachfragen")
    page = coordinator_client.get(referral.get_absolute_url())
    assert list(page.context["follow_ups"]) == [follow_up]
    assert reverse("newcomers:follow_up_done", args=[follow_up.pk]) in page.content.decode()

    done = coordinator_client.post(reverse("newcomers:follow_up_done", args=[follow_up.pk]))
    assert done["Location"] == referral.get_absolute_url()
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    assert list(coordinator_client.get(referral.get_absolute_url()).context["follow_ups"]) == []


@pytest.mark.parametrize(
    "data, message",
    [
        ({"follow_up-due_on": "2000-01-01", "follow_up-text": "x"}, "Due on: The date cannot"),
        ({"follow_up-due_on": "morgen", "follow_up-text": "x"}, "Due on: Enter a valid date."),
        ({"follow_up-due_on": today().isoformat(), "follow_up-text": " "}, "What is to be done"),
    ],
)
def test_bad_follow_ups_get_a_message_and_save_nothing(coordinator_client, data, message):
    tandem = proposed_tandem()
    response = coordinator_client.post(
        reverse("newcomers:follow_up_add_tandem", args=[tandem.pk]), data
    )
    assert response["Location"] == tandem.get_absolute_url()
    assert messages_of(response)[-1].startswith(message)
    assert not FollowUp.objects.exists()


def test_the_tandem_page_lists_its_open_follow_ups(coordinator_client, coordinator):
    tandem = proposed_tandem()
    url = reverse("newcomers:follow_up_add_tandem", args=[tandem.pk])
    coordinator_client.post(
        url, {"follow_up-due_on": today().isoformat(), "follow_up-text": "Erstes Treffen?"}
    )
    page = coordinator_client.get(tandem.get_absolute_url())
    assert [f.text for f in page.context["follow_ups"]] == ["Erstes Treffen?"]
    assert url in page.content.decode()


def test_the_mentors_page_adds_and_lists_follow_ups(coordinator_client):
    mentor = MentorFactory(status="ready")
    add = reverse("newcomers:follow_up_add_mentor", args=[mentor.pk])
    page = coordinator_client.get(mentor.get_absolute_url())
    assert add in page.content.decode()
    assert "No open follow-ups." in page.content.decode()
    response = coordinator_client.post(
        add, {"follow_up-due_on": today(30).isoformat(), "follow_up-text": "Führungszeugnis"}
    )
    assert response["Location"] == mentor.get_absolute_url()
    page = coordinator_client.get(mentor.get_absolute_url())
    assert [f.text for f in page.context["follow_ups"]] == ["Führungszeugnis"]
    assert "Führungszeugnis" in page.content.decode()


def test_the_list_shows_the_due_queue_and_done_returns_to_it(coordinator_client, coordinator):
    due = due_since(
        follow_up_create(
            due_on=today(), text="Zeugnis", by=coordinator, mentor=MentorFactory(status="ready")
        ),
        2,
    )
    later = follow_up_create(
        due_on=today(5), text="Später", by=coordinator, referral=ReferralFactory()
    )
    dashboard = coordinator_client.get(reverse("dashboard"))
    card = next(c for c in dashboard.context["queues"] if c["name"] == "follow-ups-due")
    listed = coordinator_client.get(card["list_url"])
    assert list(listed.context["page"].object_list) == [due]
    everything = coordinator_client.get(reverse("newcomers:follow_up_list"))
    assert list(everything.context["page"].object_list) == [due, later]
    assert "(overdue)" in everything.content.decode()

    done = coordinator_client.post(
        reverse("newcomers:follow_up_done", args=[due.pk]), {"back": "list"}
    )
    assert done["Location"] == reverse("newcomers:follow_up_list")
    assert list(DUE.items()) == []
    empty = coordinator_client.get(card["list_url"])
    assert "No follow-ups are due." in empty.content.decode()


@pytest.mark.parametrize("count", [1, 12])
def test_list_query_count_does_not_grow(
    coordinator_client, coordinator, django_assert_num_queries, count
):
    for _ in range(count):
        for about in (
            {"mentor": MentorFactory()},
            {"referral": ReferralFactory()},
            {"tandem": proposed_tandem()},
        ):
            follow_up_create(due_on=today(), text="Anrufen", by=coordinator, **about)
    with django_assert_num_queries(7):
        response = coordinator_client.get(reverse("newcomers:follow_up_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(3 * count, 25)
