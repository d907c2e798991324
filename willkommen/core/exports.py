"""Downloads for spreadsheets, one way for every list and report.

Every cell passes through `spreadsheet_safe`: names and notes typed into the public form or by an
advisor reach the coordinators' Excel, and a text that starts like a formula would run there
(`=HYPERLINK(…)` sends the sheet's data to anyone). OWASP's rule: such a text gets a leading
apostrophe. Numbers are left alone; a negative number starts with "-" but is no formula.
"""

import csv

import openpyxl
from django.http import HttpResponse
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_safe(value):
    """`value` as it may go into a spreadsheet cell: a text never starts like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header, rows) -> HttpResponse:
    """CSV as German Excel opens it: UTF-8 with a byte order mark, semicolons."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([spreadsheet_safe(value) for value in header])
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return response


def xlsx_response(
    filename: str, title_rows, header, rows, *, sheet_title: str = ""
) -> HttpResponse:
    """An Excel workbook with one sheet: `title_rows` (e.g. the title and the period), the
    header, then the rows. Numbers and dates stay numbers and dates."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if sheet_title:
        sheet.title = sheet_title[:31]  # Excel's limit
    for row in [*title_rows, header, *rows]:
        sheet.append([_xlsx_cell(value) for value in row])
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


def _xlsx_cell(value):
    if isinstance(value, str):
        # Control characters are not allowed in the file format (openpyxl would raise). They go
        # first, so that none can hide a formula's "=" from the check.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return spreadsheet_safe(value)
