import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from mentors.models import Mentor
from newcomers.models import Referral, Tandem
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.overview.forms import PeriodForm
from willkommen.overview.reports import Period, published, report

YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))
ZONE = timezone.get_default_timezone()


def at(*parts):
    return datetime(*parts, tzinfo=ZONE)


def figures(period=YEAR):
    return {table.key: dict(table.rows) for table in report(period)}


def tandem(started, ended=None, reason="", **fields):
    return Tandem.objects.create(
        referral=ReferralFactory(), mentor=MentorFactory(), proposed_by=UserFactory(),
        status="ended" if ended else "active", started_on=started, ended_on=ended,
        end_reason=reason, **fields,
    )  # fmt: skip


def test_mentor_figures_respect_the_period_boundaries(db):
    inside = MentorFactory()
    last_minute = at(2025, 12, 31, 23, 59)
    Mentor.objects.filter(pk=inside.pk).update(
        created_at=last_minute, email_confirmed_at=last_minute
    )
    outside = MentorFactory()
    next_year = at(2026, 1, 1, 0, 0)
    Mentor.objects.filter(pk=outside.pk).update(created_at=next_year, email_confirmed_at=next_year)
    mentors = list(figures()["mentors"].values())
    assert mentors[:2] == [1, 1]


def test_tandem_figures_and_reasons(db):
    tandem(date(2025, 2, 1), date(2025, 5, 2), "goals-reached")  # 90 days
    tandem(date(2025, 3, 1), date(2025, 3, 31), "did-not-fit")  # 30 days
    tandem(date(2025, 11, 1))  # still active at the end
    tandem(date(2024, 6, 1), date(2026, 2, 1), "moved")  # active across the whole year
    result = figures()
    tandems = list(result["tandems"].values())
    assert tandems == [3, 2, 2, 60]  # started, active at the end, ended, median duration
    ended = {str(label): n for label, n in result["ended"].items()}
    assert ended["Ziele erreicht"] == 1 and ended["hat nicht gepasst"] == 1
    assert {str(k): v for k, v in result["per-year"].items()} == {"2024": 1, "2025": 3}


def test_referrals_and_waiting_time(db):
    for days in (10, 20, 30, 40):
        referral = ReferralFactory()
        Referral.objects.filter(pk=referral.pk).update(created_at=at(2025, 3, 1, 9, 0))
        Tandem.objects.create(
            referral=referral, mentor=MentorFactory(), proposed_by=UserFactory(),
            status="accepted", first_meeting_at=at(2025, 3, 1, 10, 0) + timedelta(days=days),
        )  # fmt: skip
    referrals = list(figures()["referrals"].values())
    assert referrals[0] == 4  # received
    assert referrals[3:] == [25, 40]  # median and 90th percentile of waiting days


def test_languages_asked_and_offered(db):
    for _ in range(3):
        referral = ReferralFactory(languages=["ti"])
        Referral.objects.filter(pk=referral.pk).update(created_at=at(2025, 6, 1, 9, 0))
    MentorFactory(status="ready", languages=[("ti", "native")])
    MentorFactory(status="paused", languages=[("ti", "native")])  # not available
    languages = {str(k): v for k, v in figures()["languages"].items()}
    assert languages["Tigrinya"] == (3, 1)


def test_small_counts_are_hidden_for_publication():
    assert [published(n) for n in (0, 1, 4, 5, 12, "–")] == [0, "<5", "<5", 5, 12, "–"]


def test_exports_parse_back(coordinator_client):
    for _ in range(2):
        tandem(date(2025, 4, 1))
    base = reverse("report_export", args=["tandems", "csv"]) + "?year=2025"
    rows = list(csv.reader(io.StringIO(coordinator_client.get(base).content.decode("utf-8-sig")),
                           delimiter=";"))  # fmt: skip
    assert rows[1][1] == "2"
    published_rows = list(csv.reader(io.StringIO(
        coordinator_client.get(base + "&veroeffentlichung=1").content.decode("utf-8-sig")),
        delimiter=";"))  # fmt: skip
    assert published_rows[1][1] == "<5"
    xlsx = coordinator_client.get(reverse("report_export", args=["tandems", "xlsx"]) + "?year=2025")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=5, column=2).value == 2  # below the title, period, note and header


def test_an_unknown_table_is_not_found(coordinator_client):
    assert coordinator_client.get(reverse("report_export", args=["nope", "csv"])).status_code == 404


def test_period_choices():
    assert PeriodForm({"year": "2025", "quarter": "2"}).period() == Period(
        date(2025, 4, 1), date(2025, 6, 30)
    )
    assert PeriodForm({"start": "2025-02-03", "end": "2025-02-10"}).period() == Period(
        date(2025, 2, 3), date(2025, 2, 10)
    )
    assert not PeriodForm({"start": "2025-02-10", "end": "2025-02-03"}).is_valid()


@pytest.mark.parametrize("size", [1, 15])
def test_report_query_count_does_not_grow(coordinator_client, django_assert_num_queries, size):
    for _ in range(size):
        tandem(date(2025, 4, 1), date(2025, 8, 1), "goals-reached")
        MentorFactory(status="ready")
    # 4 for the session and permissions, 27 for the report (5 of them for the hours)
    with django_assert_num_queries(32):
        assert coordinator_client.get(reverse("reports") + "?year=2025").status_code == 200
