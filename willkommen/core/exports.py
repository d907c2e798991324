"""Downloads for spreadsheets, one way for every list and report."""

import csv

from django.http import HttpResponse


def csv_response(filename: str, header, rows) -> HttpResponse:
    """CSV as German Excel opens it: UTF-8 with a byte order mark, semicolons."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return response
