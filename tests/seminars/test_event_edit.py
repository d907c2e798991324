"""Coordinators edit an upcoming event: the checks, the history, the mails and calendar entries."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from seminars.calendar import event_ics
from seminars.models import Event, EventEvent, InvitationStatus
from seminars.services import event_cancel, event_update, invitation_answer
from tests.factories import MentorFactory, an_event, an_invitation
from willkommen.core.models import QueuedMail


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages and mails in the code's English, so that the tests do not depend on the
    catalogue's wording."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def entry(ics: str):
    return Calendar.from_ical(ics).walk("VEVENT")[0]


def answered(event, *answers):
    """One invitation per answer (True: comes, False: does not, None: no answer yet), given
    through the service in this order, so later acceptances wait once the places are taken."""
    invitations = []
    for answer in answers:
        invitation = an_invitation(event, MentorFactory(language="en"))  # mails in English
        if answer is not None:
            invitation_answer(invitation=invitation, accept=answer)
        invitations.append(invitation)
    QueuedMail.objects.all().delete()
    return invitations


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_new_time_is_mailed_to_those_registered_and_waiting_only(db, coordinator):
    event = an_event(capacity=1)
    registered, waiting, unanswered, declined = answered(event, True, True, None, False)
    new_start = event.starts_at + timedelta(days=1)

    change = event_update(event=event, by=coordinator, data={
        "starts_at": new_start, "ends_at": new_start + timedelta(hours=2),
    })  # fmt: skip

    assert change.informed == 2 and change.moved_up == 0
    mails = {m.to: m for m in QueuedMail.objects.all()}
    assert set(mails) == {registered.mentor.email, waiting.mentor.email}
    shown = f"{timezone.localtime(new_start):%d.%m.%Y, %H:%M}"
    assert all(shown in m.body for m in mails.values())
    assert "stays reserved" in mails[registered.mentor.email].body
    assert "waiting list" in mails[waiting.mentor.email].body
    calendar = entry(mails[registered.mentor.email].attachment)
    assert str(calendar["UID"]) == f"event-{event.pk}@willkommenspaten"
    assert calendar["SEQUENCE"] == 1
    assert calendar.decoded("DTSTART") == new_start.replace(microsecond=0)


def test_each_mailed_change_raises_the_sequence_and_keeps_the_uid(db, coordinator):
    event = an_event()
    answered(event, True)
    first = entry(event_ics([event]))
    event_update(event=event, data={"place": "Rathaus, Raum 2"}, by=coordinator)
    event_update(event=event, data={"online_link": "https://meet.example.org/x"}, by=coordinator)
    event.refresh_from_db()
    assert event.sequence == 2
    latest = entry(QueuedMail.objects.latest("pk").attachment)
    assert latest["UID"] == first["UID"]
    assert latest["SEQUENCE"] == 2 > first["SEQUENCE"]
    assert str(latest["LOCATION"]) == "Rathaus, Raum 2"


def test_a_change_of_title_or_places_alone_mails_nobody(db, coordinator):
    event = an_event(capacity=2)
    answered(event, True)
    change = event_update(
        event=event,
        data={"title": "Einführung", "facilitator": "Frau Aydın", "capacity": 3},
        by=coordinator,
    )
    event.refresh_from_db()
    assert (event.title, event.facilitator, event.capacity) == ("Einführung", "Frau Aydın", 3)
    assert event.sequence == 0 and change.informed == 0
    assert not QueuedMail.objects.exists()


def test_fewer_places_than_registered_are_refused_and_nothing_is_saved(db, coordinator):
    event = an_event(capacity=3)
    answered(event, True, True)
    new_start = event.starts_at + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        event_update(event=event, by=coordinator, data={
            "capacity": 1, "title": "Neu", "starts_at": new_start,
            "ends_at": new_start + timedelta(hours=2),
        })  # fmt: skip
    assert refused.value.message_dict["capacity"] == [
        "2 people are already registered, so the event needs at least 2 places. If someone is "
        "not coming, record their answer first."
    ]
    saved = Event.objects.get(pk=event.pk)
    assert (saved.capacity, saved.title, saved.sequence) == (3, event.title, 0)
    assert saved.starts_at == event.starts_at
    assert not QueuedMail.objects.exists()
    assert EventEvent.objects.filter(pgh_obj_id=event.pk).count() == 1  # its creation only


@pytest.mark.parametrize(
    ("starts_in", "lasts", "field", "message"),
    [
        (timedelta(hours=-1), timedelta(hours=2), "starts_at", "The event must start in the"),
        (timedelta(days=3), timedelta(hours=-1), "ends_at", "The end must be after the start."),
        (timedelta(days=400), timedelta(hours=2), "starts_at", "The date cannot be after"),
    ],
)  # fmt: skip
def test_new_dates_are_checked_like_new_events(db, coordinator, starts_in, lasts, field, message):
    event = an_event()
    answered(event, True)
    starts = timezone.now() + starts_in
    with pytest.raises(ValidationError) as refused:
        event_update(event=event, data={"starts_at": starts, "ends_at": starts + lasts},
                     by=coordinator)  # fmt: skip
    assert refused.value.message_dict[field][0].startswith(message)
    assert Event.objects.get(pk=event.pk).starts_at == event.starts_at
    assert not QueuedMail.objects.exists()


def test_an_event_without_place_or_link_is_refused(db, coordinator):
    event = an_event()
    with pytest.raises(ValidationError) as refused:
        event_update(event=event, data={"place": "", "online_link": ""}, by=coordinator)
    assert "place" in refused.value.message_dict
    assert Event.objects.get(pk=event.pk).place == "Rathaus, Raum 1"


def test_cancelled_or_begun_events_cannot_be_edited(db, coordinator):
    cancelled = an_event()
    event_cancel(event=cancelled)
    begun = an_event()
    Event.objects.filter(pk=begun.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    for event, message in ((cancelled, "cancelled"), (begun, "begun")):
        with pytest.raises(ValidationError, match=message):
            event_update(event=event, data={"title": "Neu"}, by=coordinator)
        assert Event.objects.get(pk=event.pk).title == "Einführungsseminar"


def test_more_places_move_the_first_waiting_up(db, coordinator):
    event = an_event(capacity=1)
    registered, first, second, third = answered(event, True, True, True, True)

    change = event_update(event=event, data={"capacity": 3}, by=coordinator)

    statuses = dict(event.invitations.values_list("pk", "status"))
    assert [statuses[i.pk] for i in (registered, first, second, third)] == [
        InvitationStatus.REGISTERED, InvitationStatus.REGISTERED, InvitationStatus.REGISTERED,
        InvitationStatus.WAITING,
    ]  # fmt: skip
    assert change.moved_up == 2 and change.informed == 2
    assert sorted(QueuedMail.objects.values_list("to", flat=True)) == sorted(
        [first.mentor.email, second.mentor.email]
    )
    assert all("moved up" in body for body in QueuedMail.objects.values_list("body", flat=True))


def test_a_new_place_and_more_places_inform_each_person(db, coordinator):
    event = an_event(capacity=1)
    answered(event, True, True, True)
    change = event_update(event=event, data={"capacity": 2, "place": "Stadtbibliothek"},
                          by=coordinator)  # fmt: skip
    # the one moved up gets both mails (a place, the new place) but counts once
    assert change.informed == 3 and change.moved_up == 1
    assert QueuedMail.objects.count() == 4


def test_cancelling_sends_the_entry_with_a_higher_sequence(db, coordinator):
    event = an_event()
    answered(event, True)
    event_update(event=event, data={"place": "Stadtbibliothek"}, by=coordinator)
    event_cancel(event=event)
    cancelled = entry(QueuedMail.objects.latest("pk").attachment)
    assert cancelled["SEQUENCE"] == 2
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_the_history_records_the_edit_and_who_made_it(db, coordinator):
    event = an_event()
    event_update(event=event, data={"place": "Stadtbibliothek"}, by=coordinator)
    last = EventEvent.objects.filter(pgh_obj_id=event.pk).latest("pgh_id")
    assert (last.pgh_label, last.place, last.sequence) == ("update", "Stadtbibliothek", 1)
    assert last.pgh_context.metadata["user"] == coordinator.pk


# --- the page ----------------------------------------------------------------------------------


def test_coordinator_edits_an_event_and_is_told_who_was_informed(coordinator_client):
    event = an_event(capacity=2)
    answered(event, True, True, None)
    url = reverse("seminars:edit", args=[event.pk])
    detail = coordinator_client.get(event.get_absolute_url())
    assert url in detail.content.decode()
    page = coordinator_client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert f'value="{local_input(event.starts_at)}"' in page.content.decode()
    data = {name: form[name].value() for name in form.fields}
    new_start = timezone.localtime(event.starts_at + timedelta(days=2)).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    data |= {"starts_at": local_input(new_start),
             "ends_at": local_input(new_start + timedelta(hours=2)), "facilitator": ""}  # fmt: skip

    response = coordinator_client.post(url, data)

    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    event.refresh_from_db()
    assert event.starts_at == new_start and event.sequence == 1
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The changes have been saved. 2 people were informed by e-mail."
    ]


def test_saving_the_page_unchanged_mails_nobody(
    coordinator_client, django_capture_on_commit_callbacks
):
    event = an_event()  # its times have seconds, the page shows minutes
    answered(event, True)
    url = reverse("seminars:edit", args=[event.pk])
    form = coordinator_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data |= {"starts_at": local_input(event.starts_at), "ends_at": local_input(event.ends_at)}
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, data)
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).starts_at == event.starts_at
    assert mail.outbox == []


def test_the_page_shows_why_fewer_places_are_refused(coordinator_client):
    event = an_event(capacity=2)
    answered(event, True, True)
    url = reverse("seminars:edit", args=[event.pk])
    form = coordinator_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields} | {
        "starts_at": local_input(event.starts_at), "ends_at": local_input(event.ends_at),
        "capacity": "1",
    }  # fmt: skip
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert "2 people are already registered" in response.context["form"].errors["capacity"][0]
    assert Event.objects.get(pk=event.pk).capacity == 2


def test_a_cancelled_event_has_no_edit_page(coordinator_client):
    event = an_event()
    event_cancel(event=event)
    url = reverse("seminars:edit", args=[event.pk])
    assert url not in coordinator_client.get(event.get_absolute_url()).content.decode()
    response = coordinator_client.get(url)
    assert response["Location"] == event.get_absolute_url()
    assert coordinator_client.post(url, {"title": "Neu"})["Location"] == event.get_absolute_url()
    assert Event.objects.get(pk=event.pk).title == "Einführungsseminar"


def test_advisors_cannot_edit_events(advisor_client):
    event = an_event()
    url = reverse("seminars:edit", args=[event.pk])
    assert advisor_client.get(url).status_code == 403
    assert advisor_client.post(url, {"title": "Neu"}).status_code == 403
    assert Event.objects.get(pk=event.pk).title == "Einführungsseminar"


def test_moving_up_mails_carry_the_new_sequence(db, coordinator):
    event = an_event(capacity=1)
    _registered, waiting = answered(event, True, True)
    event_update(event=event, data={"place": "Stadtbibliothek", "capacity": 2}, by=coordinator)
    moved_up = QueuedMail.objects.filter(to=waiting.mentor.email, subject__contains="place")
    # raised by the new place, and again by the move up (it replaces the TENTATIVE entry)
    assert entry(moved_up.get().attachment)["SEQUENCE"] == 2
