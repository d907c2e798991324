"""The coordinators' overview of the whole programme: start pages, dashboard, reports."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render

from willkommen.core.exports import Sheet, csv_response, xlsx_workbook_response
from willkommen.core.roles import coordinator_required
from willkommen.overview.forms import PeriodForm
from willkommen.overview.navigation import home_url_for
from willkommen.overview.reports import export_file_name, export_note, export_rows, report
from willkommen.overview.search import MIN_LENGTH, SearchForm, search_everything


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


PUBLICATION = "veroeffentlichung"  # `?veroeffentlichung=1`: a file for publication


def _sheet(table, period, *, publish):
    """A table as a sheet: its title, the period and whom the numbers are for, then the rows."""
    header, rows = export_rows(table, publish=publish)
    title_rows = [
        [str(table.title)],
        [f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}"],
        [export_note(publish=publish)],
    ]
    return Sheet(table.sheet_name, title_rows, header, rows)


@coordinator_required
def report_export(request, key, fmt):
    """One table as CSV or Excel; `?veroeffentlichung=1` hides counts below five."""
    period = PeriodForm(request.GET or None).period()
    table = next((t for t in report(period) if t.key == key), None)
    if table is None or fmt not in ("csv", "xlsx"):
        raise Http404
    publish = request.GET.get(PUBLICATION) == "1"
    name = export_file_name(period, fmt, publish=publish, table=key)
    if fmt == "csv":
        return csv_response(name, *export_rows(table, publish=publish))
    return xlsx_workbook_response(name, [_sheet(table, period, publish=publish)])


@coordinator_required
def report_workbook(request):
    """The whole report as one Excel workbook, each table on its own sheet;
    `?veroeffentlichung=1` hides counts below five."""
    period = PeriodForm(request.GET or None).period()
    publish = request.GET.get(PUBLICATION) == "1"
    sheets = [_sheet(table, period, publish=publish) for table in report(period)]
    return xlsx_workbook_response(export_file_name(period, "xlsx", publish=publish), sheets)


@coordinator_required
def search(request):
    """Find anything: mentors, referrals, tandems and events for one query, grouped by kind."""
    form = SearchForm(request.GET)
    query = form.query()
    groups = search_everything(query) if len(query) >= MIN_LENGTH else []
    return render(
        request,
        "overview/search.html",
        {
            "form": form,
            "query": query,
            "too_short": 0 < len(query) < MIN_LENGTH,
            "min_length": MIN_LENGTH,
            "groups": groups,
            "total": sum(group.count for group in groups),
        },
    )
