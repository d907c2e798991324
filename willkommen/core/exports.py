"""Downloads for spreadsheets, one way for every list and report.

Every cell passes through `spreadsheet_safe`: names and notes typed into the public form or by an
advisor reach the coordinators' Excel, and a text that starts like a formula would run there
(`=HYPERLINK(…)` sends the sheet's data to anyone). OWASP's rule: such a text gets a leading
apostrophe. Numbers are left alone; a negative number starts with "-" but is no formula.
"""

import csv
import re
from dataclasses import dataclass

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


@dataclass
class Sheet:
    """One sheet of a workbook: `title_rows` (e.g. the title and the period), the header, then
    the rows. `name` is the tab's name; it is shortened and made unique as Excel needs."""

    name: str
    title_rows: list
    header: list
    rows: list


def xlsx_response(
    filename: str, title_rows, header, rows, *, sheet_title: str = ""
) -> HttpResponse:
    """An Excel workbook with one sheet. Numbers and dates stay numbers and dates."""
    return xlsx_workbook_response(filename, [Sheet(sheet_title, title_rows, header, rows)])


def xlsx_workbook_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    """An Excel workbook with one sheet for each of `sheets`, in their order."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    names = sheet_names([sheet.name for sheet in sheets])
    for sheet, name in zip(sheets, names, strict=True):
        worksheet = workbook.create_sheet(title=name)
        for row in [*sheet.title_rows, sheet.header, *sheet.rows]:
            worksheet.append([_xlsx_cell(value) for value in row])
    if not sheets:
        workbook.create_sheet()  # a workbook needs one sheet
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    workbook.save(response)
    return response


SHEET_NAME_LENGTH = 31  # Excel's limit
SHEET_NAME_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")  # Excel refuses these in a tab's name


def sheet_names(wanted: list[str]) -> list[str]:
    """Names Excel accepts for tabs: at most 31 characters, none of `\\ / * ? : [ ]`, no
    apostrophe at either end, not "History" (Excel's own), and unique however they are
    capitalised; a name taken already gets " (2)", " (3)" … at its end."""
    taken = {"history"}
    names = []
    for name in wanted:
        name = SHEET_NAME_FORBIDDEN.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", str(name)))
        base, number = " ".join(name.split()).strip(" '") or "Sheet", 1
        while (candidate := _with_suffix(base, number)).casefold() in taken:
            number += 1
        taken.add(candidate.casefold())
        names.append(candidate)
    return names


def _with_suffix(name: str, number: int) -> str:
    suffix = f" ({number})" if number > 1 else ""
    return name[: SHEET_NAME_LENGTH - len(suffix)].rstrip(" '") + suffix


def _xlsx_cell(value):
    if isinstance(value, str):
        # Control characters are not allowed in the file format (openpyxl would raise). They go
        # first, so that none can hide a formula's "=" from the check.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return spreadsheet_safe(value)
