"""Every table of the coordinators' report, with known data and the exact rows it must show.

The period is the year 2021, far from the day the tests run, so that rows the factories create
"now" stay outside it unless a test moves them in. Each table is probed at both ends of the
period: the first and the last microsecond are inside, the ones next to them are not.
"""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from newcomers.models import DeclineReason, ReferralActivity, Tandem
from newcomers.services import referral_answer, referral_triage
from seminars.models import Event, Invitation
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.models import Organisation
from willkommen.overview.reports import Period, report

ZONE = timezone.get_default_timezone()
YEAR = Period(date(2021, 1, 1), date(2021, 12, 31))
FIRST = datetime(2021, 1, 1, 0, 0, tzinfo=ZONE)  # the period's first moment
LAST = datetime(2021, 12, 31, 23, 59, 59, 999999, tzinfo=ZONE)  # and its last
BEFORE = FIRST - timedelta(microseconds=1)
AFTER = LAST + timedelta(microseconds=1)
EARLIER = datetime(2020, 12, 1, 9, 0, tzinfo=ZONE)  # referred before the period, decided in it

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def rows(key, period=YEAR):
    table = next(table for table in report(period) if table.key == key)
    return [(str(label), value) for label, value in table.rows]


def moved(obj, **fields):
    """Set fields the model sets itself (`auto_now_add`), as if the row were made back then."""
    type(obj)._base_manager.filter(pk=obj.pk).update(**fields)
    return obj


def referral_at(created_at, **fields):
    return moved(ReferralFactory(**fields), created_at=created_at)


def available_mentor(**fields):
    """A mentor ready for matching (the factory builds the facts that status follows from)."""
    return MentorFactory(status="ready", **fields)


def tandem(*, started=None, ended=None, reason="", mentor=None, status=None):
    """A tandem as the services leave it: ended ones have a reason; started ones a date."""
    if status is None:
        status = "ended" if ended else "active"
    return Tandem.objects.create(
        referral=ReferralFactory(), mentor=mentor or MentorFactory(), proposed_by=UserFactory(),
        status=status, started_on=started, ended_on=ended, end_reason=reason,
    )  # fmt: skip


def event(type_, starts_at, *, cancelled=False):
    return Event.objects.create(
        title="Termin", type=type_, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
        capacity=20, cancelled_at=starts_at - timedelta(days=1) if cancelled else None,
    )  # fmt: skip


def invite(event, mentor=None, *, status="registered", attended=None):
    return Invitation.objects.create(
        event=event, mentor=mentor or MentorFactory(), status=status, attended=attended
    )


# --- mentors ---------------------------------------------------------------------------------


def test_mentor_figures_count_each_mentor_once_within_the_period():
    moved(MentorFactory(), created_at=FIRST, email_confirmed_at=FIRST)
    moved(MentorFactory(), created_at=LAST, email_confirmed_at=None)
    moved(MentorFactory(), created_at=BEFORE, email_confirmed_at=FIRST)
    moved(MentorFactory(), created_at=AFTER, email_confirmed_at=AFTER)
    # trained: attended an introductory seminar in the period, once however often
    twice, once, late_evening = MentorFactory(), MentorFactory(), MentorFactory()
    march, june = event("intro", FIRST + timedelta(days=60)), event("intro", FIRST.replace(month=6))
    invite(march, twice, attended=True)
    invite(june, twice, attended=True)
    invite(march, once, attended=True)
    invite(march, attended=False)
    invite(march, status="declined")
    invite(event("reflection", FIRST.replace(month=4)), attended=True)  # not the intro
    invite(event("intro", LAST - timedelta(minutes=30)), late_evening, attended=True)
    invite(event("intro", AFTER), attended=True)
    invite(event("intro", BEFORE - timedelta(hours=1)), attended=True)
    # with an active tandem on the period's last day, once however many
    two_tandems = MentorFactory()
    tandem(started=date(2021, 2, 1), mentor=two_tandems)
    tandem(started=date(2021, 5, 1), mentor=two_tandems)
    tandem(started=date(2020, 1, 1), ended=date(2022, 1, 1), reason="contact-lost")
    tandem(started=date(2021, 12, 31))
    tandem(started=date(2021, 3, 1), ended=date(2021, 12, 31), reason="goals-reached")
    tandem(started=date(2022, 1, 1))

    assert rows("mentors") == [
        ("applications received", 2),
        ("applications confirmed", 2),
        ("mentors trained (introductory seminar attended)", 3),
        ("mentors with an active tandem at the end of the period", 3),
    ]


# --- referrals -------------------------------------------------------------------------------


def test_referral_figures_count_decisions_once_per_referral(coordinator):
    referral_at(FIRST)
    referral_at(LAST)
    referral_at(BEFORE)
    referral_at(AFTER)
    accepted = referral_at(EARLIER)
    referral_triage(referral=accepted, by=coordinator, to_status="waiting")
    accepted_twice = referral_at(EARLIER)
    referral_triage(referral=accepted_twice, by=coordinator, to_status="waiting")
    referral_triage(referral=accepted_twice, by=coordinator, to_status="info-needed",
                    question="Welche Sprache?")  # fmt: skip
    referral_answer(referral=accepted_twice, by=accepted_twice.advisor, text="Tigrinya")
    referral_triage(referral=accepted_twice, by=coordinator, to_status="waiting")
    accepted_later = referral_at(EARLIER)
    referral_triage(referral=accepted_later, by=coordinator, to_status="waiting")
    declined = referral_at(EARLIER)
    referral_triage(referral=declined, by=coordinator, to_status="declined",
                    decline_reason=DeclineReason.OTHER_SERVICE)  # fmt: skip
    declined_after_question = referral_at(EARLIER)
    referral_triage(referral=declined_after_question, by=coordinator, to_status="info-needed",
                    question="Einverständnis?")  # fmt: skip
    referral_triage(referral=declined_after_question, by=coordinator, to_status="declined",
                    decline_reason=DeclineReason.NO_CONSENT)  # fmt: skip
    declined_earlier = referral_at(EARLIER)
    referral_triage(referral=declined_earlier, by=coordinator, to_status="declined",
                    decline_reason=DeclineReason.OTHER)  # fmt: skip
    ReferralActivity.objects.update(created_at=FIRST + timedelta(days=10))
    ReferralActivity.objects.filter(referral=accepted_later).update(created_at=AFTER)
    ReferralActivity.objects.filter(referral=declined_earlier).update(created_at=BEFORE)

    assert rows("referrals") == [
        ("referrals received", 2),
        ("accepted onto the waiting list", 2),
        ("declined", 2),
        ("days from referral to first meeting: median", "–"),
        ("days from referral to first meeting: 90th percentile", "–"),
    ]


def test_referral_waiting_days_are_local_calendar_days():
    referred = datetime(2021, 3, 1, 0, 10, tzinfo=ZONE)
    meetings = [
        datetime(2021, 3, 1, 0, 30, tzinfo=ZONE),  # 0 days, though the day before in UTC
        datetime(2021, 3, 2, 0, 30, tzinfo=ZONE),  # 1 day, though the same day in UTC
        LAST,  # 305 days
        AFTER,  # outside the period
    ]
    for first_meeting in meetings:
        Tandem.objects.create(
            referral=referral_at(referred), mentor=MentorFactory(), proposed_by=UserFactory(),
            status="accepted", first_meeting_at=first_meeting,
        )  # fmt: skip

    assert rows("referrals") == [
        ("referrals received", 4),
        ("accepted onto the waiting list", 0),
        ("declined", 0),
        ("days from referral to first meeting: median", 1),
        ("days from referral to first meeting: 90th percentile", 305),
    ]


def test_declined_by_reason_counts_every_referral_with_the_same_reason(coordinator):
    reasons = [DeclineReason.OTHER_SERVICE] * 3 + [DeclineReason.OTHER] * 2
    referrals = []
    for hour, reason in enumerate(reasons + [DeclineReason.NOT_REACHABLE]):
        # referred at different times: a GROUP BY that took in the referral's date split them
        referral = referral_at(EARLIER + timedelta(hours=hour))
        referral_triage(referral=referral, by=coordinator, to_status="declined",
                        decline_reason=reason)  # fmt: skip
        referrals.append(referral)
    ReferralActivity.objects.update(created_at=FIRST + timedelta(days=100))
    ReferralActivity.objects.filter(referral=referrals[0]).update(created_at=FIRST)
    ReferralActivity.objects.filter(referral=referrals[-1]).update(created_at=AFTER)

    assert rows("declined") == [
        ("outside what the programme offers", 0),
        ("another service fits better", 3),
        ("consent missing or withdrawn", 0),
        ("newcomer could not be reached", 0),
        ("other", 2),
    ]
    assert dict(rows("referrals"))["declined"] == 5


# --- tandems ---------------------------------------------------------------------------------


def test_tandem_figures_reasons_and_years():
    tandem(started=date(2021, 1, 1), ended=date(2021, 12, 31), reason="goals-reached")  # 364 d
    tandem(started=date(2020, 12, 31), ended=date(2021, 1, 1), reason="moved")  # 1 day
    tandem(started=date(2021, 3, 1), ended=date(2021, 3, 1), reason="did-not-fit")  # 0 days
    tandem(started=date(2021, 12, 31))  # active at the end
    tandem(started=date(2020, 6, 1), ended=date(2022, 1, 1), reason="contact-lost")  # so is this
    tandem(started=date(2022, 1, 1))
    tandem(ended=date(2021, 5, 1), reason="did-not-fit")  # ended before it started: no tandem
    Tandem.objects.create(
        referral=ReferralFactory(), mentor=MentorFactory(), proposed_by=UserFactory(),
        status="declined",
    )  # fmt: skip

    assert rows("tandems") == [
        ("tandems started", 3),
        ("tandems active at the end of the period", 2),
        ("tandems ended", 3),
        ("duration of ended tandems in days: median", 1),
    ]
    assert rows("ended") == [
        ("goals reached", 1),
        ("newcomer moved away", 1),
        ("mentor no longer available", 0),
        ("did not fit", 1),
        ("contact lost", 0),
        ("other", 0),
    ]
    # every year, whatever the period
    assert rows("per-year", Period(date(2030, 1, 1), date(2030, 1, 1))) == [
        ("2020", 2),
        ("2021", 3),
        ("2022", 1),
    ]


def test_tandem_figures_without_tandems_show_zeros_and_no_median():
    assert rows("tandems") == [
        ("tandems started", 0),
        ("tandems active at the end of the period", 0),
        ("tandems ended", 0),
        ("duration of ended tandems in days: median", "–"),
    ]
    assert [n for _label, n in rows("ended")] == [0] * 6
    assert rows("per-year") == []


# --- asked and offered -----------------------------------------------------------------------


def test_languages_asked_and_offered_largest_gap_first():
    for languages in (["ti"], ["ti", "ar"], ["ti"], ["fa"]):
        referral_at(FIRST + timedelta(days=50), languages=languages)
    referral_at(FIRST, languages=["ar"])
    referral_at(AFTER, languages=["uk"])
    referral_at(BEFORE, languages=["uk"])
    available_mentor(languages=[("ar", "native")])
    available_mentor(languages=[("ar", "A2"), ("en", "C1")])  # A2 is too little to help
    MentorFactory(languages=[("ti", "native")])  # not ready for matching

    assert rows("languages") == [
        ("Tigrinya", (3, 0)),
        ("Arabic", (2, 1)),
        ("Persian (Farsi)", (1, 0)),
        ("English", (0, 1)),
    ]


def test_districts_asked_and_offered_largest_gap_first():
    for district in ("west", "west", "mitte"):
        referral_at(LAST, district=district)
    referral_at(AFTER, district="nord")
    referral_at(BEFORE, district="nord")
    available_mentor(district="west")
    available_mentor(district="sued")
    MentorFactory(district="nord")  # not ready for matching

    assert rows("districts") == [("Mitte", (1, 0)), ("West", (2, 1)), ("Süd", (0, 1))]


def test_support_areas_asked_and_offered_largest_gap_first():
    for areas in (["jobs"], ["jobs", "german"], ["housing"]):
        referral_at(FIRST, support_areas=areas)
    referral_at(AFTER, support_areas=["school"])
    available_mentor(support_areas=["german"])
    available_mentor(support_areas=["german", "leisure"])
    MentorFactory(support_areas=["jobs"])  # not ready for matching

    assert rows("support") == [
        ("Job search and applications", (2, 0)),
        ("Finding a home", (1, 0)),
        ("Speaking and practising German", (1, 2)),
        ("Leisure and making contacts", (0, 1)),
    ]


# --- seminars --------------------------------------------------------------------------------


def test_seminar_participation_by_type_without_cancelled_events():
    intro = event("intro", FIRST)
    invite(intro, attended=True)
    invite(intro, attended=False)
    invite(intro, status="waiting", attended=True)  # came from the waiting list
    invite(intro, status="declined")
    invite(intro, status="invited")
    reflection = event("reflection", LAST - timedelta(hours=1))
    invite(reflection, attended=True)
    invite(event("intro", FIRST + timedelta(days=3), cancelled=True))
    invite(event("training", AFTER), attended=True)
    invite(event("training", BEFORE - timedelta(hours=2)), attended=True)

    assert rows("seminars") == [
        ("introductory seminar: registered", 2),
        ("introductory seminar: attended", 2),
        ("further training: registered", 0),
        ("further training: attended", 0),
        ("reflection meeting: registered", 1),
        ("reflection meeting: attended", 1),
    ]


def test_referrals_are_counted_by_the_organisation_of_their_advisor():
    caritas = Organisation.objects.create(slug="caritas", name="Caritas Stuttgart")
    partner = UserFactory(organisation=caritas)
    referral_at(FIRST, advisor=partner)
    referral_at(LAST, advisor=partner)
    referral_at(AFTER, advisor=partner)  # outside the period
    referral_at(LAST, advisor=UserFactory(organisation=None))
    assert rows("organisations") == [("Caritas Stuttgart", 2), ("no organisation", 1)]


def test_every_report_table_has_a_test_here():
    tested = {"mentors", "referrals", "organisations", "declined", "tandems", "ended", "per-year",
              "languages", "districts", "support", "seminars",
              "hours"}  # tested in tests/overview/test_engagement_hours.py  # fmt: skip
    assert {table.key for table in report(YEAR)} == tested
