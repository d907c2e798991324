"""Seminar paperwork: the sign-in sheet, when attendance opens, the mentor's answer page, the
waiting list's calendar entries and the reflection-gap list with its invitations."""

import re
from datetime import datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from seminars.models import Event, Invitation, InvitationStatus
from seminars.services import answer_token, attendance_record, invitation_answer
from tests.factories import MentorFactory, an_event, an_invitation


def move(event, *, starts_in: timedelta, hours: int = 2) -> Event:
    """`event`, moved to start `starts_in` from now (negative: in the past)."""
    starts = timezone.now() + starts_in
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts, ends_at=starts + timedelta(hours=hours)
    )
    return Event.objects.get(pk=event.pk)


def invited(event, last_name, status=InvitationStatus.INVITED, **fields):
    mentor = MentorFactory(last_name=last_name, first_name="Pat", **fields)
    return Invitation.objects.create(event=event, mentor=mentor, status=status)


def entry_of(ics: str):
    return Calendar.from_ical(ics).walk("VEVENT")[0]


class MainContent(HTMLParser):
    """The tags inside <main>: what the page shows apart from header and footer."""

    def __init__(self):
        super().__init__()
        self.inside, self.tags = False, []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.inside = True
        elif self.inside:
            self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag == "main":
            self.inside = False


def main_tags(response) -> list[str]:
    parser = MainContent()
    parser.feed(response.content.decode())
    return parser.tags


# --- The sign-in sheet -------------------------------------------------------------------------


def test_the_sign_in_sheet_lists_the_registered_by_last_name_the_german_way(coordinator_client):
    event = an_event(title="Einführungsseminar März", facilitator="Dana Roth", capacity=10)
    for name in ("Zeller", "Özdemir", "Oberle", "Abel", "ärmel"):
        invited(event, name, InvitationStatus.REGISTERED)
    invited(event, "Declined", InvitationStatus.DECLINED)
    invited(event, "Waiting", InvitationStatus.WAITING)
    invited(event, "Unanswered")
    response = coordinator_client.get(reverse("seminars:sign_in_sheet", args=[event.pk]))
    assert response.status_code == 200
    names = [mentor.last_name for mentor in response.context["mentors"]]
    assert names == ["Abel", "ärmel", "Oberle", "Özdemir", "Zeller"]  # Ä as A, Ö as O
    page = response.content.decode()
    for absent in ("Declined", "Waiting", "Unanswered"):
        assert absent not in page
    starts = timezone.localtime(event.starts_at)
    for fact in ("Einführungsseminar März", "Dana Roth", "Rathaus, Raum 1",
                 f"{starts:%d.%m.%Y}", f"{starts:%H:%M}"):  # fmt: skip
        assert fact in page
    rows = re.findall(r"<tr><td class=\"sheet-number\">(\d+)</td>", page)
    assert rows == [str(n) for n in range(1, 5 + 8 + 1)]  # five people, eight empty lines


def test_the_sign_in_sheet_has_no_buttons_or_forms(coordinator_client):
    event = an_event()
    invited(event, "Abel", InvitationStatus.REGISTERED)
    response = coordinator_client.get(reverse("seminars:sign_in_sheet", args=[event.pk]))
    tags = main_tags(response)
    assert "table" in tags
    assert "button" not in tags and "form" not in tags and "input" not in tags


def test_the_event_page_links_the_sheet_and_keeps_its_answer_buttons_off_paper(
    coordinator_client,
):
    event = an_event()
    invited(event, "Abel")
    page = coordinator_client.get(event.get_absolute_url()).content.decode()
    assert reverse("seminars:sign_in_sheet", args=[event.pk]) in page
    assert '<section class="my-4 d-print-none" aria-labelledby="participants-heading">' in page
    Event.objects.filter(pk=event.pk).update(cancelled_at=timezone.now())
    cancelled = coordinator_client.get(event.get_absolute_url()).content.decode()
    assert reverse("seminars:sign_in_sheet", args=[event.pk]) not in cancelled


@pytest.mark.parametrize("count", [1, 15])
def test_sign_in_sheet_query_count_does_not_grow(
    coordinator_client, django_assert_num_queries, count
):
    event = an_event(capacity=20)
    for number in range(count):
        invited(event, f"Name{number}", InvitationStatus.REGISTERED)
    url = reverse("seminars:sign_in_sheet", args=[event.pk])
    coordinator_client.get(url)  # the session's first request loads more
    with django_assert_num_queries(7):
        response = coordinator_client.get(url)
    assert len(response.context["mentors"]) == count


# --- Attendance: from the start of the event on ------------------------------------------------


def later_today() -> timedelta:
    """From now to the last second of today (local time): an event later today."""
    end_of_today = timezone.make_aware(datetime.combine(timezone.localdate(), time(23, 59, 59)))
    return end_of_today - timezone.now()


@pytest.mark.parametrize(
    ("starts_in", "open_"),
    [
        (later_today, True),  # today, before the start: the sign-in sheet is out
        (lambda: timedelta(seconds=-1), True),  # today, just after the start
        (lambda: timedelta(days=-1), True),  # a day later
        (lambda: later_today() + timedelta(seconds=2), False),  # tomorrow
    ],
)
def test_attendance_opens_on_the_day_of_the_event(coordinator_client, coordinator,
                                                  starts_in, open_):  # fmt: skip
    invitation = invited(an_event(), "Abel", InvitationStatus.REGISTERED)
    event = move(invitation.event, starts_in=starts_in())
    assert event.attendance_open is open_
    forms = coordinator_client.get(event.get_absolute_url()).context["forms"]
    assert ("attendance" in forms) is open_
    if open_:
        attendance_record(event=event, attended_ids={invitation.pk}, by=coordinator)
        assert Invitation.objects.get(pk=invitation.pk).attended is True
    else:
        with pytest.raises(ValidationError):
            attendance_record(event=event, attended_ids={invitation.pk}, by=coordinator)
        assert Invitation.objects.get(pk=invitation.pk).attended is None


def test_attendance_posted_before_the_day_is_refused_on_the_page(coordinator_client):
    invitation = invited(an_event(), "Abel", InvitationStatus.REGISTERED)
    event = move(invitation.event, starts_in=later_today() + timedelta(hours=1))
    response = coordinator_client.post(
        event.get_absolute_url(), {"step": "attendance", "attended": [invitation.pk]}
    )
    assert response.status_code == 302  # "no longer possible" with a message
    assert Invitation.objects.get(pk=invitation.pk).attended is None


# --- The mentor's answer page ------------------------------------------------------------------


def answer_page(client, invitation):
    return reverse("seminars:answer", args=[answer_token(invitation)])


def test_the_answer_page_confirms_a_registration_and_offers_the_calendar(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    invitation = an_invitation(an_event(title="Reflexionstreffen April"))
    url = answer_page(client, invitation)
    assert client.post(url, {"accept": "yes"})["Location"] == url
    response = client.get(url)
    starts = timezone.localtime(invitation.event.starts_at)
    state = response.context["answer"]
    assert state["message"] == (
        f"You are registered for Reflexionstreffen April on {starts:%A, %d.%m.%Y} "
        f"at {starts:%H:%M}."
    )
    assert state["calendar"] and state["decline"] == "I cannot come after all"
    assert state["accept"] is None
    page = response.content.decode()
    assert state["message"] in page
    assert reverse("seminars:answer_ics", args=[answer_token(invitation)]) in page


def test_the_answer_page_names_the_place_on_the_waiting_list(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    event = an_event(capacity=1)
    first, *waiting = (an_invitation(event) for _ in range(3))
    for invitation in (first, *waiting):
        client.post(answer_page(client, invitation), {"accept": "yes"})
    second = client.get(answer_page(client, waiting[1])).context["answer"]
    assert second["message"] == "You are on the waiting list (place 2)."
    assert second["decline"] == "Take me off the waiting list" and second["calendar"]
    client.post(answer_page(client, first), {"accept": "no"})  # the first one waiting moves up
    moved = client.get(answer_page(client, waiting[1])).context["answer"]
    assert moved["message"] == "You are on the waiting list (place 1)."


def test_the_answer_page_confirms_a_refusal_and_offers_to_come_after_all(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    invitation = an_invitation()
    url = answer_page(client, invitation)
    client.post(url, {"accept": "no"})
    state = client.get(url).context["answer"]
    assert state["message"] == "You have declined."
    assert state["accept"] == "I can come after all"
    assert state["decline"] is None and not state["calendar"]


def test_the_answer_page_offers_no_change_once_the_event_has_begun(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    invitation = invited(an_event(), "Abel", InvitationStatus.REGISTERED)
    move(invitation.event, starts_in=timedelta(minutes=-5))
    response = client.get(answer_page(client, invitation))
    state = response.context["answer"]
    assert state["accept"] is None and state["decline"] is None
    assert "form" not in main_tags(response)


# --- The waiting list's calendar entries -------------------------------------------------------


def test_the_waiting_list_gets_a_tentative_entry_and_moving_up_a_confirmed_one(
    db, django_capture_on_commit_callbacks
):
    event = an_event(capacity=1)
    registered, waiting = an_invitation(event), an_invitation(event)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_answer(invitation=registered, accept=True)
        invitation_answer(invitation=waiting, accept=True)
    tentative = entry_of(mail.outbox[-1].attachments[0][1])
    assert mail.outbox[-1].to == [waiting.mentor.email]
    assert str(tentative["STATUS"]) == "TENTATIVE"
    assert str(entry_of(mail.outbox[0].attachments[0][1])["STATUS"]) == "CONFIRMED"
    with django_capture_on_commit_callbacks(execute=True):
        invitation_answer(invitation=registered, accept=False)
    moved_up = mail.outbox[-1]
    assert moved_up.to == [waiting.mentor.email]
    confirmed = entry_of(moved_up.attachments[0][1])
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    assert str(confirmed["UID"]) == str(tentative["UID"])
    assert confirmed["SEQUENCE"] > tentative["SEQUENCE"]


def test_the_answer_links_calendar_entry_follows_the_answer(client, db):
    event = an_event(capacity=1)
    invited(event, "Abel", InvitationStatus.REGISTERED)
    waiting = an_invitation(event)
    invitation_answer(invitation=waiting, accept=True)
    url = reverse("seminars:answer_ics", args=[answer_token(waiting)])
    assert str(entry_of(client.get(url).content.decode())["STATUS"]) == "TENTATIVE"
    Invitation.objects.filter(pk=waiting.pk).update(status=InvitationStatus.REGISTERED)
    assert str(entry_of(client.get(url).content.decode())["STATUS"]) == "CONFIRMED"


def test_more_places_move_people_up_with_a_higher_sequence_each(
    db, coordinator, django_capture_on_commit_callbacks
):
    from seminars.services import event_update

    event = an_event(capacity=1)
    invited(event, "Abel", InvitationStatus.REGISTERED)
    for _ in range(2):
        invitation_answer(invitation=an_invitation(event), accept=True)
    before = Event.objects.get(pk=event.pk).sequence
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_update(event=event, data={"capacity": 3}, by=coordinator)
    entries = [entry_of(message.attachments[0][1]) for message in mail.outbox]
    assert [str(entry["STATUS"]) for entry in entries] == ["CONFIRMED", "CONFIRMED"]
    assert all(entry["SEQUENCE"] > before for entry in entries)
    assert Event.objects.get(pk=event.pk).sequence == before + 2


# --- The reflection-gap list -------------------------------------------------------------------


def reflection(days: int, **fields) -> Event:
    """A reflection meeting `days` from now (negative: in the past)."""
    event = an_event(title="Reflexionstreffen", type="reflection", capacity=20, **fields)
    return move(event, starts_in=timedelta(days=days))


def attended(event, mentor):
    Invitation.objects.create(event=event, mentor=mentor, status=InvitationStatus.REGISTERED,
                              attended=True)  # fmt: skip


def test_the_gap_list_shows_the_last_reflection_meeting(coordinator_client):
    long_ago, recent = reflection(-300), reflection(-30)
    never = MentorFactory(last_name="Abel", status="active")
    lapsed = MentorFactory(last_name="Bauer", status="active")
    attended(long_ago, lapsed)
    attended(recent, MentorFactory(last_name="Conrad", status="active"))  # not on the list
    MentorFactory(last_name="Dorn", status="ready")  # no tandem: not on the list
    rows = coordinator_client.get(reverse("seminars:reflection_missing")).context["rows"]
    assert [row["mentor"] for row in rows] == [never, lapsed]
    assert rows[0]["mentor"].last_reflection is None
    assert rows[1]["mentor"].last_reflection == long_ago.starts_at


@pytest.mark.parametrize("count", [1, 12])
def test_gap_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    past, upcoming = reflection(-300), reflection(14)
    for number in range(count):
        mentor = MentorFactory(last_name=f"Name{number}", status="active")
        attended(past, mentor)
        Invitation.objects.create(event=upcoming, mentor=mentor)
    url = reverse("seminars:reflection_missing")
    coordinator_client.get(url)
    with django_assert_num_queries(8):
        response = coordinator_client.get(url)
    assert len(response.context["rows"]) == count
    assert all(row["mentor"].next_reflection == upcoming.starts_at
               for row in response.context["rows"])  # fmt: skip


def test_the_coordinator_invites_those_ticked(
    coordinator_client, django_capture_on_commit_callbacks
):
    meeting = reflection(14)
    reflection(20, cancelled_at=timezone.now())  # cancelled: not offered
    a, b, _c = (
        MentorFactory(last_name=name, status="active") for name in ("Abel", "Bauer", "Conrad")
    )
    url = reverse("seminars:reflection_missing")
    offered = coordinator_client.get(url).context["form"].fields["event"].queryset
    assert list(offered) == [meeting]
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            url, {"mentors": [a.pk, b.pk], "whom": "picked", "event": meeting.pk}
        )
    assert response.status_code == 302
    assert set(meeting.invitations.values_list("mentor__last_name", flat=True)) == {"Abel", "Bauer"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])


def test_the_coordinator_invites_everyone_on_the_list(coordinator_client):
    meeting = reflection(14)
    mentors = [MentorFactory(last_name=f"Name{n}", status="active") for n in range(3)]
    invited_before = Invitation.objects.create(event=meeting, mentor=mentors[0])
    response = coordinator_client.post(
        reverse("seminars:reflection_missing"), {"whom": "all", "event": meeting.pk}, follow=True
    )
    assert meeting.invitations.count() == 3
    assert Invitation.objects.get(mentor=mentors[0]) == invited_before  # not twice
    assert any("1" in str(message) for message in response.context["messages"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"whom": "picked"}, "mentors"),  # nobody ticked
        ({"whom": "picked", "mentors": ["recent"]}, "mentors"),  # not on the list
        ({"whom": "all", "event": "past"}, "event"),  # a meeting that is over
        ({"whom": "all", "event": "training"}, "event"),  # no reflection meeting
        ({"whom": "someone"}, "whom"),
    ],
)
def test_a_wrong_invitation_from_the_gap_list_says_why_and_saves_nothing(
    coordinator_client, settings, data, field
):
    settings.LANGUAGE_CODE = "en"
    meeting = reflection(14)
    MentorFactory(last_name="Abel", status="active")
    recent = MentorFactory(last_name="Recent", status="active")
    attended(reflection(-10), recent)
    choices = {"recent": recent.pk, "past": reflection(-1).pk,
               "training": an_event(type="training").pk}  # fmt: skip
    data = {"event": meeting.pk, **data}
    data = {key: [choices.get(v, v) for v in value] if isinstance(value, list)
            else choices.get(value, value) for key, value in data.items()}  # fmt: skip
    before = Invitation.objects.count()
    response = coordinator_client.post(reverse("seminars:reflection_missing"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Invitation.objects.count() == before
    assert not mail.outbox


def test_without_an_upcoming_reflection_meeting_the_list_says_so(coordinator_client):
    MentorFactory(last_name="Abel", status="active")
    response = coordinator_client.get(reverse("seminars:reflection_missing"))
    assert not response.context["can_invite"]
    assert "form" not in main_tags(response)
