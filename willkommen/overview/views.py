"""The coordinators' overview of the whole programme: start pages, dashboard, reports."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render

from willkommen.core.exports import csv_response, xlsx_response
from willkommen.core.roles import coordinator_required
from willkommen.overview.forms import PeriodForm
from willkommen.overview.navigation import home_url_for
from willkommen.overview.reports import published, report


def home(request):
    """After login: the start page of the person's role."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return redirect(home_url_for(request.user))


# The report's SVG charts, in viewBox units (600 wide): labels left, bars right of them.
BARS_X = 250
BARS_WIDTH = 300  # the largest figure of a table; room for its number after the bar


def _bar(value, *, y, height, largest, hatched=False):
    """One bar: a count's length, none for a figure that is not a count ("–")."""
    number = value if isinstance(value, int) else 0
    width = max(round(BARS_WIDTH * number / largest), 1) if number else 0  # small, yet seen
    return {
        "value": value, "x": BARS_X, "y": y, "height": height, "width": width, "hatched": hatched,
        "value_x": BARS_X + width + 6, "value_y": y + height - 2,
    }  # fmt: skip


def _chart(table):
    """Where each bar of a table's chart goes. A row of (asked, offered) gets two bars, the
    offered one hatched, so that the gap between them shows without relying on colour."""
    grouped = any(isinstance(value, tuple) for _label, value in table.rows)
    figures = [f for _label, v in table.rows for f in (v if isinstance(v, tuple) else (v,))]
    largest = max((f for f in figures if isinstance(f, int)), default=0) or 1
    top, row_height = (28, 36) if grouped else (0, 28)  # a grouped chart has a legend on top
    rows = []
    for index, (label, value) in enumerate(table.rows):
        y = top + index * row_height
        if grouped:
            asked, offered = value
            bars = [
                _bar(asked, y=y + 4, height=13, largest=largest),
                _bar(offered, y=y + 19, height=13, largest=largest, hatched=True),
            ]
        else:
            bars = [_bar(value, y=y + 4, height=18, largest=largest)]
        rows.append({"label": label, "label_y": y + row_height // 2 + 5, "bars": bars})
    height = top + row_height * len(rows) + 8
    return {"grouped": grouped, "rows": rows, "height": height, "bars_x": BARS_X}


def _cells(value):
    """A table row's figures: one, or the pair asked / offered."""
    return list(value) if isinstance(value, tuple) else [value]


@coordinator_required
def report_page(request):
    form = PeriodForm(request.GET or None)
    period = form.period()
    tables = [
        {
            "table": table,
            "rows": [(label, _cells(value)) for label, value in table.rows],
            "chart": _chart(table),
        }
        for table in report(period)
    ]
    return render(
        request,
        "willkommen/report.html",
        {"form": form, "period": period, "tables": tables, "query": request.GET.urlencode()},
    )


@coordinator_required
def report_export(request, key, fmt):
    """One table as CSV or Excel; `?veroeffentlichung=1` hides counts below five."""
    period = PeriodForm(request.GET or None).period()
    table = next((t for t in report(period) if t.key == key), None)
    if table is None or fmt not in ("csv", "xlsx"):
        raise Http404
    publish = request.GET.get("veroeffentlichung") == "1"
    header = [str(column) for column in table.columns]
    rows = []
    for label, value in table.rows:
        values = list(value) if isinstance(value, tuple) else [value]
        rows.append([str(label)] + [published(v) if publish else v for v in values])
    name = f"bericht-{key}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    title_rows = [[str(table.title)], [f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}"]]
    return xlsx_response(f"{name}.xlsx", title_rows, header, rows, sheet_title=key)
