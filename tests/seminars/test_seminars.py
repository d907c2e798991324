import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mentors.models import ChecklistItem
from seminars.calendar import event_ics
from seminars.models import Event, Invitation, InvitationStatus
from seminars.services import (
    answer_token,
    attendance_record,
    calendar_feed_renew,
    event_cancel,
    event_create,
    invitation_answer,
    invitations_send,
    reminders_send,
)
from tests.factories import MentorFactory, an_event, an_invitation


def statuses(event):
    return dict(event.invitations.values_list("mentor__last_name", "status"))


def test_waiting_list_and_moving_up(db, django_capture_on_commit_callbacks):
    event = an_event(capacity=2)
    a, b, c = (an_invitation(event, MentorFactory(last_name=name)) for name in "ABC")
    with django_capture_on_commit_callbacks(execute=True):
        for invitation in (a, b, c):
            invitation_answer(invitation=invitation, accept=True)
    assert statuses(event) == {"A": "registered", "B": "registered", "C": "waiting"}
    with django_capture_on_commit_callbacks(execute=True):
        invitation_answer(invitation=a, accept=False)
    assert statuses(event) == {"A": "declined", "B": "registered", "C": "registered"}
    moved_up = mail.outbox[-1]
    assert moved_up.to == [c.mentor.email] and moved_up.attachments[0][0] == "termin.ics"


@pytest.mark.django_db(transaction=True)
def test_racing_answers_never_overfill_an_event():
    event = an_event(capacity=2)
    invitations = [an_invitation(event) for _ in range(6)]
    barrier = threading.Barrier(len(invitations))

    def accept(invitation):
        barrier.wait()
        try:
            invitation_answer(invitation=invitation, accept=True)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(i,)) for i in invitations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert event.invitations.filter(status=InvitationStatus.REGISTERED).count() == 2
    assert event.invitations.filter(status=InvitationStatus.WAITING).count() == 4


def test_answer_links(client, db):
    invitation = an_invitation()
    url = reverse("seminars:answer", args=[answer_token(invitation)])
    page = client.get(url)
    assert invitation.event.title in page.content.decode()
    client.post(url, {"accept": "yes"})
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REGISTERED
    client.post(url, {"accept": "no"})  # changing the answer is allowed before the event
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    tampered = reverse("seminars:answer", args=[answer_token(invitation)[:-2] + "xx"])
    assert client.get(tampered).status_code == 404


def test_no_answers_after_the_start_or_for_a_cancelled_event(db):
    past = an_invitation(an_event())
    Event.objects.filter(pk=past.event_id).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(ValidationError):
        invitation_answer(invitation=past, accept=True)
    cancelled = an_invitation()
    event_cancel(event=cancelled.event)
    with pytest.raises(ValidationError):
        invitation_answer(invitation=cancelled, accept=True)


def test_cancelling_tells_everyone_registered_or_waiting(db, django_capture_on_commit_callbacks):
    event = an_event(capacity=1)
    registered, waiting, declined = (an_invitation(event) for _ in range(3))
    invitation_answer(invitation=registered, accept=True)
    invitation_answer(invitation=waiting, accept=True)
    invitation_answer(invitation=declined, accept=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(event=event)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [registered.mentor.email, waiting.mentor.email]
    )


def test_reminders_are_sent_once(db, settings, django_capture_on_commit_callbacks):
    settings.SEMINAR_REMINDER_DAYS = 3
    soon = an_event(starts_at=timezone.now() + timedelta(days=2),
                    ends_at=timezone.now() + timedelta(days=2, hours=2))  # fmt: skip
    later = an_event()  # in a week
    for event in (soon, later):
        invitation_answer(invitation=an_invitation(event), accept=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == 1
        assert reminders_send() == 0
    assert len(mail.outbox) == 1


def test_the_calendar_entry_parses_back(db):
    event = an_event(title="Reflexionstreffen", type="reflection")
    calendar = Calendar.from_ical(event_ics([event]))
    entry = calendar.walk("VEVENT")[0]
    assert str(entry["SUMMARY"]) == "Reflexionstreffen"
    assert entry.decoded("DTSTART") == event.starts_at.replace(microsecond=0)
    assert str(entry["LOCATION"]) == "Rathaus, Raum 1"


def test_attending_an_introductory_seminar_completes_the_checklist(db, coordinator):
    event = an_event()
    came, absent = an_invitation(event), an_invitation(event)
    for invitation in (came, absent):
        invitation_answer(invitation=invitation, accept=True)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    event.refresh_from_db()
    attendance_record(event=event, attended_ids={came.pk}, by=coordinator)
    assert came.mentor.checklist.filter(item=ChecklistItem.SEMINAR).exists()
    assert not absent.mentor.checklist.exists()
    assert Invitation.objects.get(pk=absent.pk).attended is False


def test_a_series_repeats_on_the_same_weekday_of_the_month(db):
    local = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0)
    first = local + timedelta(days=30)
    events = event_create(
        data={"title": "Reflexion", "type": "reflection", "starts_at": first,
              "ends_at": first + timedelta(hours=2), "place": "Rathaus", "capacity": 12},
        repeat_monthly=3,
    )  # fmt: skip
    assert len(events) == 4
    weekdays = {timezone.localtime(event.starts_at).weekday() for event in events}
    assert weekdays == {first.weekday()}
    assert all(timezone.localtime(e.starts_at).hour == 18 for e in events)


def test_invitations_by_group_never_twice(db, django_capture_on_commit_callbacks):
    event = an_event()
    active = [MentorFactory(status="active") for _ in range(2)]
    MentorFactory(status="paused")
    from seminars.services import MENTOR_GROUPS

    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_send(event=event, mentors=MENTOR_GROUPS["with-tandem"]()) == 2
        assert invitations_send(event=event, mentors=MENTOR_GROUPS["with-tandem"]()) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in active)
    assert "/seminare/antwort/" in mail.outbox[0].body


def test_coordinator_pages(coordinator_client):
    starts = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT18:00")
    ends = (timezone.localtime() + timedelta(days=10)).strftime("%Y-%m-%dT20:00")
    response = coordinator_client.post(reverse("seminars:create"), {
        "title": "Einführungsseminar", "type": "intro", "starts_at": starts, "ends_at": ends,
        "place": "Rathaus", "capacity": "2", "repeat_monthly": "0",
    })  # fmt: skip
    event = Event.objects.get()
    assert response["Location"] == event.get_absolute_url()
    bad = coordinator_client.post(reverse("seminars:create"), {
        "title": "X", "type": "intro", "starts_at": ends, "ends_at": starts, "capacity": "0",
        "repeat_monthly": "0",
    })  # fmt: skip
    assert {"ends_at", "place", "capacity"} <= set(bad.context["form"].errors)
    assert Event.objects.count() == 1
    mentor = MentorFactory(status="ready")
    coordinator_client.post(event.get_absolute_url(),
                            {"step": "invite", "group": "picked", "picked": [mentor.pk],
                             "language": "de"})  # fmt: skip
    invitation = event.invitations.get()
    answer = {"step": "answer", "invitation": invitation.pk, "accept": "yes"}
    coordinator_client.post(event.get_absolute_url(), answer)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REGISTERED
    ics = coordinator_client.get(reverse("seminars:ics", args=[event.pk]))
    assert ics["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("count", [1, 20])
def test_event_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    for _ in range(count):
        event = an_event(capacity=3)
        an_invitation(event)
    with django_assert_num_queries(7):
        response = coordinator_client.get(reverse("seminars:list"))
    assert len(response.context["page"].object_list) == count


def test_private_calendar_feed_can_be_renewed_and_revoked(coordinator_client, coordinator):
    an_event(title="Reflexionstreffen Januar")
    coordinator_client.post(reverse("seminars:calendar_feed"), {"action": "renew"})
    old = reverse("seminars:feed", args=[coordinator.calendar_feed.token])
    feed = coordinator_client.get(old)
    assert "Reflexionstreffen Januar" in feed.content.decode()
    coordinator_client.post(reverse("seminars:calendar_feed"), {"action": "renew"})
    coordinator.refresh_from_db()
    assert coordinator_client.get(old).status_code == 404
    coordinator_client.post(reverse("seminars:calendar_feed"), {"action": "revoke"})
    assert (
        not type(coordinator)
        .objects.filter(pk=coordinator.pk, calendar_feed__isnull=False)
        .exists()
    )


def test_a_feed_stops_when_its_owner_is_no_coordinator(client, coordinator):
    feed = calendar_feed_renew(user=coordinator)
    coordinator.groups.clear()
    assert client.get(reverse("seminars:feed", args=[feed.token])).status_code == 404


def event_data(starts, hours=2):
    return {"title": "Reflexion", "type": "reflection", "starts_at": starts,
            "ends_at": starts + timedelta(hours=hours), "place": "Rathaus",
            "capacity": 12}  # fmt: skip


@pytest.mark.parametrize(
    ("days", "hours", "fields"),
    [
        (-1, 2, ["starts_at"]),  # in the past
        (400, 2, ["starts_at", "ends_at"]),  # beyond the planning horizon
        (10, 0, ["ends_at"]),  # ends as it starts
        (10, -1, ["ends_at"]),  # ends before it starts
        (365, 48, ["ends_at"]),  # starts within the horizon, ends beyond
    ],
)
def test_event_dates_outside_the_planning_window_are_refused(db, days, hours, fields):
    with pytest.raises(ValidationError) as error:
        event_create(data=event_data(timezone.now() + timedelta(days=days), hours))
    assert list(error.value.message_dict) == fields
    assert not Event.objects.exists()


def test_a_series_that_would_end_beyond_the_planning_horizon_is_refused(db):
    starts = timezone.now() + timedelta(days=300)
    with pytest.raises(ValidationError) as error:
        event_create(data=event_data(starts), repeat_monthly=3)
    assert list(error.value.message_dict) == ["repeat_monthly"]
    assert not Event.objects.exists()
    assert len(event_create(data=event_data(starts), repeat_monthly=0)) == 1


def test_attendance_is_not_recorded_for_a_cancelled_event(db, coordinator):
    invitation = an_invitation()
    invitation_answer(invitation=invitation, accept=True)
    event_cancel(event=invitation.event)
    Event.objects.filter(pk=invitation.event_id).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    with pytest.raises(ValidationError):
        attendance_record(event=Event.objects.get(), attended_ids={invitation.pk}, by=coordinator)
    assert Invitation.objects.get().attended is None


def test_invitations_are_not_sent_for_a_cancelled_event(db):
    event = an_event()
    event_cancel(event=event)
    with pytest.raises(ValidationError):
        invitations_send(event=event, mentors=[MentorFactory()])  # the caller's copy is stale
    assert not Invitation.objects.exists()


def test_cancelling_needs_the_tick_and_says_so_on_the_page(coordinator_client, settings):
    settings.LANGUAGE_CODE = "en"
    event = an_event()
    response = coordinator_client.post(event.get_absolute_url(), {"step": "cancel"})
    assert response.status_code == 200  # back on the confirming page (test_event_cancel.py)
    assert response.context["form"].errors == {
        "confirm": ["Please tick the box to confirm the cancellation."]
    }
    event.refresh_from_db()
    assert event.cancelled_at is None
    coordinator_client.post(event.get_absolute_url(), {"step": "cancel", "confirm": "on"})
    event.refresh_from_db()
    assert event.cancelled_at is not None


def test_an_answer_after_the_start_shows_the_reason_on_the_mentors_page(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    invitation = an_invitation()
    url = reverse("seminars:answer", args=[answer_token(invitation)])
    Event.objects.filter(pk=invitation.event_id).update(
        starts_at=timezone.now() - timedelta(minutes=5), ends_at=timezone.now() + timedelta(hours=1)
    )
    response = client.post(url, {"accept": "yes"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The event has begun; answers can no longer be changed."
    ]
    assert not response.context["open"]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.INVITED


def test_the_event_page_offers_what_fits_the_events_state(coordinator_client):
    event = an_event()
    invitation = an_invitation(event)
    upcoming = coordinator_client.get(event.get_absolute_url()).context
    assert set(upcoming["forms"]) == {"invite", "answer", "cancel"}
    assert upcoming["rows"][0]["can_answer"] and upcoming["rows"][0]["attendance"] is None
    invitation_answer(invitation=invitation, accept=True)
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    past = coordinator_client.get(event.get_absolute_url()).context
    assert set(past["forms"]) == {"attendance"}
    assert past["rows"][0]["attendance"] is not None and not past["rows"][0]["can_answer"]
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now())
    cancelled = coordinator_client.get(event.get_absolute_url()).context
    assert cancelled["forms"] == {} and cancelled["last_column"] is None
