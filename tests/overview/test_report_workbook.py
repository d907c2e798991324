"""The whole report as one workbook, and names that say what each download is."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from newcomers.models import Referral, Tandem
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.exports import sheet_names
from willkommen.overview.reports import Period, published, report

ZONE = timezone.get_default_timezone()
YEAR = Period(date(2021, 1, 1), date(2021, 12, 31))
QUERY = "?year=2021"
TITLE_ROWS = 3  # title, period, whom the numbers are for; then the header
WORKBOOK = reverse("report_workbook")


def started_tandem(started_on):
    return Tandem.objects.create(
        referral=ReferralFactory(), mentor=MentorFactory(), proposed_by=UserFactory(),
        status="active", started_on=started_on,
    )  # fmt: skip


@pytest.fixture
def data_2021(db):
    """Two tandems started (a small count) and seven referrals received (not small) in 2021."""
    for month in (3, 4):
        started_tandem(date(2021, month, 1))
    for _ in range(7):
        referral = ReferralFactory()
        Referral.objects.filter(pk=referral.pk).update(
            created_at=datetime(2021, 5, 1, 10, 0, tzinfo=ZONE)
        )


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def sheet_rows(sheet):
    """The rows below the header, as the cells show them."""
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=TITLE_ROWS + 2)]


def page_rows(response):
    """Each table of the report page: its rows as the page shows them, label and figures."""
    with translation.override("de"):
        return [
            [[str(label), *cells] for label, cells in item["rows"]]
            for item in response.context["tables"]
        ]


def file_name(response):
    return response["Content-Disposition"].removeprefix('attachment; filename="').rstrip('"')


def test_workbook_has_one_sheet_per_table_with_the_numbers_of_the_page(
    coordinator_client, data_2021
):
    page = coordinator_client.get(reverse("reports") + QUERY)
    response = coordinator_client.get(WORKBOOK + QUERY)

    book = workbook(response)
    tables = page_rows(page)
    assert len(book.worksheets) == len(tables) == len(report(YEAR))
    assert [sheet_rows(sheet) for sheet in book.worksheets] == tables
    with translation.override("de"):
        titles = [str(item["table"].title) for item in page.context["tables"]]
    assert [sheet["A1"].value for sheet in book.worksheets] == titles
    assert book.worksheets[0]["A2"].value == "01.01.2021 – 31.12.2021"
    tandems = book.worksheets[[item["table"].key for item in page.context["tables"]].index(
        "tandems")]  # fmt: skip
    assert sheet_rows(tandems)[0][1] == 2  # a number, not a text


def test_publication_workbook_hides_small_counts_only(coordinator_client, data_2021):
    internal = workbook(coordinator_client.get(WORKBOOK + QUERY))
    public = workbook(coordinator_client.get(WORKBOOK + QUERY + "&veroeffentlichung=1"))

    assert [s.title for s in public.worksheets] == [s.title for s in internal.worksheets]
    for inside, outside in zip(internal.worksheets, public.worksheets, strict=True):
        assert sheet_rows(outside) == [
            [row[0], *(published(value) for value in row[1:])] for row in sheet_rows(inside)
        ]
        assert inside["A3"].value != outside["A3"].value  # each says whom it is for
    figures = {
        sheet.title: {row[0]: row[1:] for row in sheet_rows(sheet)} for sheet in public.worksheets
    }
    assert figures["Tandems"]["begonnene Tandems"] == ["<5"]
    assert figures["Vermittlungen"]["eingegangene Vermittlungen"] == [7]
    assert "<5" in {value for sheet in figures.values() for row in sheet.values() for value in row}


def test_sheet_names_are_short_unique_and_excel_safe(coordinator_client, data_2021):
    names = [sheet.title for sheet in workbook(coordinator_client.get(WORKBOOK)).worksheets]
    assert all(0 < len(name) <= 31 for name in names)
    assert len({name.casefold() for name in names}) == len(names)

    made = sheet_names(["Sprachen: gefragt / angeboten", "x" * 40, "x" * 40, "X" * 40, "",
                        "'History'", "a[1]*?"])  # fmt: skip
    assert made[0] == "Sprachen gefragt angeboten"
    assert made[1:4] == ["x" * 31, "x" * 27 + " (2)", "X" * 27 + " (3)"]
    assert made[4:] == ["Sheet", "History (2)", "a 1"]


def test_file_names_say_period_and_audience(coordinator_client, data_2021):
    def name(url):
        return file_name(coordinator_client.get(url))

    assert name(WORKBOOK + QUERY) == "willkommenspaten-bericht-2021-intern.xlsx"
    assert name(WORKBOOK + QUERY + "&veroeffentlichung=1") == (
        "willkommenspaten-bericht-2021-veroeffentlichung.xlsx"
    )
    assert name(WORKBOOK + "?year=2021&quarter=2") == "willkommenspaten-bericht-2021-q2-intern.xlsx"
    assert name(WORKBOOK + "?start=2021-02-03&end=2021-03-04") == (
        "willkommenspaten-bericht-2021-02-03-bis-2021-03-04-intern.xlsx"
    )
    table = reverse("report_export", args=["tandems", "csv"]) + QUERY
    assert name(table) == "willkommenspaten-bericht-2021-tandems-intern.csv"
    assert name(table + "&veroeffentlichung=1") == (
        "willkommenspaten-bericht-2021-tandems-veroeffentlichung.csv"
    )
    excel = reverse("report_export", args=["tandems", "xlsx"]) + QUERY + "&veroeffentlichung=1"
    assert name(excel) == "willkommenspaten-bericht-2021-tandems-veroeffentlichung.xlsx"


def test_a_table_for_publication_hides_small_counts(coordinator_client, data_2021):
    url = reverse("report_export", args=["tandems", "csv"]) + QUERY + "&veroeffentlichung=1"
    text = coordinator_client.get(url).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][1] == "<5"
    url = reverse("report_export", args=["tandems", "xlsx"]) + QUERY + "&veroeffentlichung=1"
    sheet = workbook(coordinator_client.get(url)).active
    assert sheet_rows(sheet)[0][1] == "<5"


def test_report_page_links_both_workbooks(coordinator_client):
    html = coordinator_client.get(reverse("reports") + QUERY).content.decode()
    assert f'href="{WORKBOOK}?year=2021"' in html
    assert f'href="{WORKBOOK}?year=2021&amp;veroeffentlichung=1"' in html


@pytest.mark.parametrize(
    ("start", "end", "slug"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), "2026"),
        (date(2026, 10, 1), date(2026, 12, 31), "2026-q4"),
        (date(2026, 1, 1), date(2026, 3, 31), "2026-q1"),
        (date(2026, 1, 1), date(2026, 3, 30), "2026-01-01-bis-2026-03-30"),
        (date(2025, 12, 1), date(2026, 2, 28), "2025-12-01-bis-2026-02-28"),
    ],
)
def test_period_names_itself_in_file_names(start, end, slug):
    assert Period(start, end).slug == slug


def test_workbook_query_count_does_not_grow(coordinator_client, db):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert coordinator_client.get(WORKBOOK + QUERY).status_code == 200
        return len(captured)

    started_tandem(date(2021, 3, 1))
    few = queries()
    for _ in range(10):
        started_tandem(date(2021, 3, 1))
    assert queries() == few
