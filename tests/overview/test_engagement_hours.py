"""Mentors' hours: the monthly question by link, its answer window, the arithmetic (reported
hours plus seminars attended, per period), the mentor's page, the list and the report."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from seminars.models import Event, Invitation
from tests.factories import MentorFactory, UserFactory
from willkommen.core.models import SupportArea
from willkommen.overview.engagement import (
    LINK_VALIDITY,
    answer_until,
    hours_answer,
    hours_open,
    hours_token,
    threshold_period,
)
from willkommen.overview.hours import (
    hours_figures,
    mentor_hours,
    mentor_hours_by_month,
    mentors_with_hours,
    months_later,
)
from willkommen.overview.models import HoursReport
from willkommen.overview.reports import Period, report

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
YEAR = Period(date(2021, 1, 1), date(2021, 12, 31))


@pytest.fixture(autouse=True)
def english(settings):
    """Messages are compared in English, the language of the code; the mentors' pages speak
    their language (German by default), so the tests' mentors speak English."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def answered(mentor, month, hours, *areas, note=""):
    report = HoursReport.objects.create(
        mentor=mentor, month=month, hours=Decimal(hours), note=note, answered_at=timezone.now()
    )
    report.areas.set(SupportArea.objects.filter(slug__in=areas))
    return report


def attended(mentor, starts_at, hours, *, attended=True, cancelled=False, type_="reflection"):
    event = Event.objects.create(
        title="Reflexionstreffen", type=type_, starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours), capacity=10,
        cancelled_at=starts_at - timedelta(days=1) if cancelled else None,
    )  # fmt: skip
    return Invitation.objects.create(
        event=event, mentor=mentor, status="registered", attended=attended
    )


def asked(mentor, month=None):
    """The monthly question as the timer leaves it: sent, not yet answered."""
    month = month or months_later(timezone.localdate().replace(day=1), -1)
    return HoursReport.objects.create(mentor=mentor, month=month)


# --- The arithmetic -------------------------------------------------------------------------


def test_hours_add_the_reported_ones_and_the_seminars_attended_within_the_period():
    mentor = MentorFactory(status="active")
    answered(mentor, date(2021, 1, 1), "10.5", "german")
    answered(mentor, date(2021, 12, 1), "4")
    answered(mentor, date(2020, 12, 1), "100")  # the month before the period
    answered(mentor, date(2022, 1, 1), "100")  # the month after
    attended(mentor, datetime(2021, 1, 1, 0, 0, tzinfo=ZONE), 2)  # first moment: inside
    attended(mentor, datetime(2021, 12, 31, 23, 0, tzinfo=ZONE), 1.5)  # last hour: inside
    attended(mentor, datetime(2020, 12, 31, 23, 59, tzinfo=ZONE), 50)  # before
    attended(mentor, datetime(2022, 1, 1, 0, 0, tzinfo=ZONE), 50)  # after
    attended(mentor, datetime(2021, 6, 1, 18, 0, tzinfo=ZONE), 50, attended=False)
    attended(mentor, datetime(2021, 6, 2, 18, 0, tzinfo=ZONE), 50, cancelled=True)
    HoursReport.objects.create(mentor=mentor, month=date(2021, 3, 1))  # asked, not answered
    answered(MentorFactory(), date(2021, 5, 1), "30")  # someone else's

    hours = mentor_hours(mentor, YEAR)

    assert hours.reported == Decimal("14.5")
    assert hours.seminars == Decimal("3.5")
    assert hours.total == Decimal("18.0")


def test_a_report_counts_in_a_period_when_its_month_begins_in_it():
    mentor = MentorFactory()
    answered(mentor, date(2021, 3, 1), "8")
    assert mentor_hours(mentor, Period(date(2021, 3, 1), date(2021, 3, 1))).total == 8
    assert mentor_hours(mentor, Period(date(2021, 2, 1), date(2021, 2, 28))).total == 0
    assert mentor_hours(mentor, Period(date(2021, 3, 2), date(2021, 3, 31))).total == 0


def test_seminar_minutes_are_summed_before_rounding():
    mentor = MentorFactory()
    for day in (1, 2, 3):  # three times 20 minutes make one hour, not three times 0.3
        attended(mentor, datetime(2021, 4, day, 18, 0, tzinfo=ZONE), 1 / 3)
    assert mentor_hours(mentor, YEAR).seminars == Decimal("1.0")


def test_the_list_sums_as_the_mentor_does(django_assert_num_queries):
    people = [MentorFactory() for _ in range(3)]
    answered(people[0], date(2021, 2, 1), "12.5")
    attended(people[0], datetime(2021, 2, 3, 18, 0, tzinfo=ZONE), 2.25)
    attended(people[1], datetime(2021, 7, 3, 18, 0, tzinfo=ZONE), 3)
    answered(people[2], date(2020, 2, 1), "40")  # outside: not listed
    listed = list(mentors_with_hours(YEAR))
    assert [mentor.pk for mentor in listed] == [people[0].pk, people[1].pk]
    for mentor in listed:
        assert round(mentor.total_hours, 1) == mentor_hours(mentor, YEAR).total


def test_the_threshold_period_is_this_month_and_the_eleven_before():
    assert threshold_period(date(2026, 3, 15)) == Period(date(2025, 4, 1), date(2026, 3, 15))
    assert threshold_period(date(2026, 12, 31)) == Period(date(2026, 1, 1), date(2026, 12, 31))


def test_hours_by_month_are_grouped_into_years_newest_first():
    mentor = MentorFactory()
    answered(mentor, date(2025, 12, 1), "5", "german")
    answered(mentor, date(2026, 1, 1), "7")
    attended(mentor, datetime(2026, 1, 20, 18, 0, tzinfo=ZONE), 2)
    HoursReport.objects.create(mentor=mentor, month=date(2026, 2, 1))
    years = mentor_hours_by_month(mentor)
    assert [year["year"] for year in years] == [2026, 2025]
    months = {row["month"]: row for year in years for row in year["months"]}
    assert months[date(2026, 1, 1)]["total"] == Decimal("9.0")
    assert months[date(2026, 2, 1)]["asked"] and months[date(2026, 2, 1)]["reported"] is None
    assert months[date(2025, 12, 1)]["areas"] == ["Speaking and practising German"]
    assert years[0]["total"] == Decimal("9.0") and years[1]["total"] == Decimal("5.0")


# --- The link -------------------------------------------------------------------------------


def test_the_hours_link_shows_the_question_and_saves_the_answer(client):
    report = asked(MentorFactory(first_name="Ines", language="en"))
    url = reverse("engagement_hours", args=[hours_token(report)])
    page = client.get(url)
    assert page.status_code == 200
    assert "Ines" in page.content.decode()
    german = SupportArea.objects.get(slug="german")
    response = client.post(url, {"hours": "7,5", "areas": [german.pk], "note": "Behörde"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.hours == Decimal("7.5") and report.note == "Behörde"
    assert list(report.areas.all()) == [german] and report.answered_at is not None


def test_one_answer_a_month_changeable_until_the_month_after_ends(client):
    report = asked(MentorFactory())
    url = reverse("engagement_hours", args=[hours_token(report)])
    client.post(url, {"hours": "3"})
    client.post(url, {"hours": "4.5"})  # a change: the same row
    assert HoursReport.objects.filter(mentor=report.mentor).count() == 1
    report.refresh_from_db()
    assert report.hours == Decimal("4.5")
    assert hours_open(report, answer_until(report.month))
    assert not hours_open(report, answer_until(report.month) + timedelta(days=1))


def test_after_the_window_the_answer_stays_and_cannot_be_changed(client):
    month = months_later(timezone.localdate().replace(day=1), -2)  # the window closed
    report = answered(MentorFactory(), month, "6")
    url = reverse("engagement_hours", args=[hours_token(report)])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    response = client.post(url, {"hours": "60"})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.hours == Decimal("6")
    with translation.override("en"), pytest.raises(Exception, match="can no longer be changed"):
        hours_answer(report=report, hours=Decimal(1), areas=[])


def test_the_window_is_the_month_after():
    assert answer_until(date(2026, 1, 1)) == date(2026, 2, 28)
    assert answer_until(date(2026, 12, 1)) == date(2027, 1, 31)


@pytest.mark.parametrize("hours", ["-1", "301", "abc", "", "1e9", "2.25", "NaN"])
def test_impossible_hours_are_refused_with_a_message_and_nothing_saved(client, hours):
    report = asked(MentorFactory())
    response = client.post(reverse("engagement_hours", args=[hours_token(report)]),
                           {"hours": hours})  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["hours"]
    report.refresh_from_db()
    assert report.answered_at is None and report.hours is None


def test_a_tampered_hours_link_is_refused_with_a_clear_page(client):
    token = hours_token(asked(MentorFactory()))
    response = client.get(reverse("engagement_hours", args=[token[:-3] + "abc"]))
    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()


def test_an_hours_link_expires_after_sixty_days(client, monkeypatch):
    report = asked(MentorFactory())
    token = hours_token(report)
    later = signing.time.time() + LINK_VALIDITY.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(reverse("engagement_hours", args=[token]))
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_a_link_of_another_kind_is_not_an_hours_link(client):
    from willkommen.overview.engagement import certificate_request_token

    mentor = MentorFactory()
    token = certificate_request_token(mentor)
    assert client.get(reverse("engagement_hours", args=[token])).status_code == 400


def test_the_page_speaks_the_mentors_language(client):
    report = asked(MentorFactory(language="en"))
    page = client.get(reverse("engagement_hours", args=[hours_token(report)]))
    assert '<html lang="en">' in page.content.decode()


def test_the_page_lists_the_seminars_counted_by_themselves(client):
    report = asked(MentorFactory())
    day = report.month.replace(day=10)
    attended(report.mentor, datetime(day.year, day.month, day.day, 18, 0, tzinfo=ZONE), 2)
    page = client.get(reverse("engagement_hours", args=[hours_token(report)]))
    assert page.context["seminars"][0]["hours"] == Decimal("2.0")


# --- Coordinators: the mentor's page, the list, the report ------------------------------------


def test_the_mentors_page_shows_hours_by_month_and_the_threshold(coordinator_client, settings):
    settings.ENGAGEMENT_HOURS_THRESHOLD = 10
    mentor = MentorFactory(status="active")
    answered(mentor, timezone.localdate().replace(day=1), "12", "german")
    page = coordinator_client.get(mentor.get_absolute_url())
    assert page.status_code == 200
    engagement = page.context["engagement"]
    assert engagement["reached"] and engagement["recent"].total == 12
    assert "Reaches the threshold of 10 hours." in page.content.decode()


def test_the_list_shows_who_reaches_the_threshold(coordinator_client, settings):
    settings.ENGAGEMENT_HOURS_THRESHOLD = 20
    month = timezone.localdate().replace(day=1)
    many, few = MentorFactory(last_name="Viel"), MentorFactory(last_name="Wenig")
    answered(many, month, "25")
    answered(few, month, "5")
    page = coordinator_client.get(reverse("engagement_list"))
    assert [row["mentor"].pk for row in page.context["rows"]] == [many.pk, few.pk]
    assert [row["reached"] for row in page.context["rows"]] == [True, False]
    only = coordinator_client.get(reverse("engagement_list") + "?reached=on")
    assert [row["mentor"].pk for row in only.context["rows"]] == [many.pk]


@pytest.mark.parametrize("size", [1, 12])
def test_the_list_costs_the_same_queries_whatever_its_length(
    coordinator_client, django_assert_num_queries, size
):
    month = timezone.localdate().replace(day=1)
    for _ in range(size):
        mentor = MentorFactory()
        answered(mentor, month, "3")
        attended(mentor, timezone.now() - timedelta(days=1), 2)
    # the session, the user, the permission checks, the count and the page of mentors
    with django_assert_num_queries(7):
        assert coordinator_client.get(reverse("engagement_list")).status_code == 200


def test_the_list_is_empty_without_hours(coordinator_client):
    page = coordinator_client.get(reverse("engagement_list"))
    assert "No hours in these twelve months yet." in page.content.decode()


def test_the_report_shows_hours_in_total_per_active_mentor_and_by_area():
    from newcomers.models import Tandem
    from tests.factories import ReferralFactory

    one, two, idle = MentorFactory(), MentorFactory(), MentorFactory()
    for mentor in (one, two):
        Tandem.objects.create(referral=ReferralFactory(), mentor=mentor, proposed_by=UserFactory(),
                              status="active", started_on=date(2020, 6, 1))  # fmt: skip
    answered(one, date(2021, 3, 1), "10", "german", "authorities")  # 5 each
    answered(two, date(2021, 4, 1), "6", "german")
    answered(idle, date(2021, 5, 1), "3")  # no area named, no tandem
    attended(one, datetime(2021, 5, 5, 18, 0, tzinfo=ZONE), 2)
    answered(one, date(2022, 1, 1), "50", "german")  # outside

    rows = {str(label): value for label, value in hours_figures(YEAR)}

    assert rows["hours in total"] == 21
    assert rows["hours reported by mentors"] == 19
    assert rows["hours in seminars and reflection meetings"] == 2
    assert rows["mentors who reported hours"] == 3
    assert rows["hours per mentor with a tandem in the period"] == 9  # (10 + 2 + 6) / 2
    assert rows["Speaking and practising German"] == 11
    assert rows["Accompanying to authorities"] == 5
    assert rows["reported hours without a support area"] == 3
    assert "hours" in {table.key for table in report(YEAR)}


def test_the_report_without_hours_shows_zeros():
    rows = {str(label): value for label, value in hours_figures(YEAR)}
    assert rows == {
        "hours in total": 0,
        "hours reported by mentors": 0,
        "hours in seminars and reflection meetings": 0,
        "mentors who reported hours": 0,
        "hours per mentor with a tandem in the period": 0,
    }
