"""Mail that makes sense: the advisor hears of each change of status once; the mentor gets the
first meeting with a calendar entry, and an update of the same entry when it moves."""

from datetime import timedelta

from django.utils import timezone, translation
from icalendar import Calendar

from newcomers.models import ReferralStatus
from newcomers.services import (
    referral_triage,
    tandem_answer,
    tandem_end,
    tandem_plan_first_meeting,
    tandem_propose,
    tandem_start,
)
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.models import QueuedMail
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

AGREEMENT = {"agreement_contents": "Ämter, Deutsch", "expected_duration": "6 Monate",
             "meeting_places": "Stadtbibliothek", "frequency": "wöchentlich"}  # fmt: skip


def status_mails(advisor):
    return list(QueuedMail.objects.filter(to=advisor.email).order_by("pk"))


def meeting_mails(mentor):
    return list(
        QueuedMail.objects.filter(to=mentor.email, attachment_name="erstes-treffen.ics").order_by(
            "pk"
        )
    )


def entry(mail):
    return Calendar.from_ical(mail.attachment).walk("VEVENT")[0]


def an_advisor(**fields):
    advisor = UserFactory(**fields)
    user_set_role(user=advisor, role=Role.ADVISOR)
    return advisor


def accepted_tandem(coordinator, *, advisor=None, mentor=None):
    referral = ReferralFactory(status="waiting", children_ages=[], advisor=advisor or an_advisor())
    tandem = tandem_propose(
        referral=referral, mentor=mentor or MentorFactory(status="ready"), by=coordinator
    )
    return tandem_answer(tandem=tandem, accept=True, by=coordinator)


def plan(tandem, coordinator, *, at, place="Welcome Center", attendees=("coordinator",)):
    return tandem_plan_first_meeting(
        tandem=tandem, by=coordinator, at=at, place=place, attendees=list(attendees)
    )


def test_a_moved_first_meeting_sends_the_advisor_no_second_mentor_found(coordinator):
    """The bug: acceptance and each planning of the first meeting mailed the same news."""
    tandem = accepted_tandem(coordinator)
    advisor = tandem.referral.advisor
    soon = timezone.now() + timedelta(days=3)

    plan(tandem, coordinator, at=soon)
    plan(tandem, coordinator, at=soon + timedelta(days=1))
    plan(tandem, coordinator, at=soon + timedelta(days=1), place="Stadtbibliothek")

    assert len(status_mails(advisor)) == 1  # "mentor found", at the acceptance


def test_the_advisor_gets_one_mail_per_change_of_status_over_a_whole_referral(coordinator):
    advisor = an_advisor()
    referral = ReferralFactory(advisor=advisor, children_ages=[])
    referral_triage(referral=referral, by=coordinator, to_status=ReferralStatus.WAITING)
    mentor = MentorFactory(status="ready")
    tandem = tandem_propose(referral=referral, mentor=mentor, by=coordinator)
    tandem = tandem_answer(tandem=tandem, accept=True, by=coordinator)
    plan(tandem, coordinator, at=timezone.now() - timedelta(minutes=5))
    plan(tandem, coordinator, at=timezone.now() - timedelta(minutes=4))
    tandem = tandem_start(tandem=tandem, by=coordinator, agreement=AGREEMENT, areas=[])
    tandem_end(
        tandem=tandem, by=coordinator, ended_on=timezone.localdate(), reason="goals-reached",
        closing_conversation=True,
    )  # fmt: skip

    mails = status_mails(advisor)
    told = [ReferralStatus.WAITING.label, ReferralStatus.MATCHED.label, ReferralStatus.ENDED.label]
    assert len(mails) == len(told)
    with translation.override("de"):  # the advisor's language
        assert [str(status) in mail.body for mail, status in zip(mails, told, strict=True)] == [
            True
        ] * len(told)


def test_the_advisor_reads_the_status_in_their_language_whoever_acts(coordinator):
    english = an_advisor(language="en")
    german = an_advisor(language="de")
    with translation.override("de"):  # a coordinator working in German
        accepted_tandem(coordinator, advisor=english)
    with translation.override("en"):  # one working in English
        accepted_tandem(coordinator, advisor=german)

    (to_english,) = status_mails(english)
    (to_german,) = status_mails(german)
    assert to_english.subject == "WillkommensPaten: a referral of yours has a new status"
    assert "mentor found" in to_english.body
    assert to_german.subject == "WillkommensPaten: Eine Ihrer Vermittlungen hat einen neuen Status"
    assert "Patin oder Pate gefunden" in to_german.body


def test_the_mentor_gets_the_first_meeting_with_a_calendar_entry_and_its_updates(coordinator):
    mentor = MentorFactory(status="ready", language="en")
    tandem = accepted_tandem(coordinator, mentor=mentor)
    first = timezone.now().replace(microsecond=0) + timedelta(days=3)

    with translation.override("de"):
        plan(tandem, coordinator, at=first)
        plan(tandem, coordinator, at=first)  # saved again unchanged: nobody is mailed
        plan(tandem, coordinator, at=first + timedelta(hours=2), place="Stadtbibliothek")

    planned, moved = meeting_mails(mentor)
    assert planned.subject == f"Your first meeting with {tandem.referral.first_name}"
    assert moved.subject == f"Changed: your first meeting with {tandem.referral.first_name}"
    assert "Welcome Center" in planned.body and "Stadtbibliothek" in moved.body
    assert "When" in planned.body and "coordinator" in planned.body  # in English, with company
    assert tandem.referral.last_name not in planned.body
    before, after = entry(planned), entry(moved)
    assert (
        str(before["UID"])
        == str(after["UID"])
        == f"tandem-{tandem.pk}-first-meeting@willkommenspaten"
    )
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert before.decoded("DTSTART") == first
    assert after.decoded("DTSTART") == first + timedelta(hours=2)
    assert str(after["LOCATION"]) == "Stadtbibliothek"


def test_the_first_meeting_mail_follows_the_mentors_language(coordinator):
    mentor = MentorFactory(status="ready", language="de")
    tandem = accepted_tandem(coordinator, mentor=mentor)
    with translation.override("en"):
        plan(tandem, coordinator, at=timezone.now() + timedelta(days=2))
    (mail,) = meeting_mails(mentor)
    assert mail.body.startswith(f"Hallo {mentor.first_name},")
    assert "Wann" in mail.body
