"""The coordinators' overview of the whole programme: start pages, dashboard, reports."""

import openpyxl
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentors.models import MentorStatus
from mentors.selectors import mentor_queue
from newcomers.models import ReferralStatus
from newcomers.selectors import referral_queue, tandem_queues
from seminars.selectors import mentors_without_seminar_date, upcoming_events
from willkommen.core.exports import csv_response
from willkommen.core.roles import coordinator_required
from willkommen.overview.forms import PeriodForm
from willkommen.overview.navigation import home_url_for
from willkommen.overview.reports import published, report


def home(request):
    """After login: the start page of the person's role."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    return redirect(home_url_for(request.user))


@coordinator_required
def dashboard(request):
    queues = [
        {
            "title": _("Confirmed applications not yet contacted"),
            "list_url": reverse("mentors:list") + "?status=" + MentorStatus.NEW,
            **mentor_queue(status=MentorStatus.NEW),
        },
        {
            "title": _("Applicants waiting for their introductory conversation"),
            "list_url": reverse("mentors:list") + "?status=" + MentorStatus.CONTACTED,
            **mentor_queue(status=MentorStatus.CONTACTED),
        },
        {
            "title": _("Applicants in screening (checklist not complete)"),
            "list_url": reverse("mentors:list") + "?status=" + MentorStatus.SCREENING,
            **mentor_queue(status=MentorStatus.SCREENING),
        },
        {
            "title": _("Referrals waiting for triage"),
            "list_url": reverse("newcomers:referral_list") + "?status=received",
            **referral_queue(status=ReferralStatus.RECEIVED),
        },
        {
            "title": _("Referrals waiting for a mentor"),
            "list_url": reverse("newcomers:referral_list") + "?status=waiting",
            **referral_queue(status=ReferralStatus.WAITING),
        },
    ]
    titles = {
        "proposals": _("Proposals waiting for the mentor's answer"),
        "overdue": _("Tandems with overdue support contacts"),
        "early": _("Tandems in their early check"),
    }
    list_views = {"proposals": "starting", "overdue": "overdue", "early": "active"}
    for queue in tandem_queues():
        queue["title"] = titles[queue["key"]]
        queue["list_url"] = (
            reverse("newcomers:tandem_list") + "?ansicht=" + list_views[queue["key"]]
        )
        queues.append(queue)
    queues.append(
        {
            "title": _("Upcoming seminars and reflection meetings"),
            "list_url": reverse("seminars:list"),
            **upcoming_events(),
        }
    )
    queues.append(
        {
            "title": _("Mentors without an introductory seminar date"),
            "list_url": reverse("seminars:list"),
            **mentors_without_seminar_date(),
        }
    )
    return render(request, "willkommen/dashboard.html", {"queues": queues})


def section_placeholder(template_title):
    """A page for a section that a later release fills, so the navigation never leads nowhere."""

    def view(request):
        return render(request, "willkommen/section_placeholder.html", {"title": template_title})

    return view


def _chart(table):
    """Bars for a table's numbers (widths in percent of the largest), for the SVG chart."""
    values = [value if isinstance(value, int) else sum(value) if isinstance(value, tuple) else 0
              for _label, value in table.rows]  # fmt: skip
    largest = max(values, default=0) or 1
    return [
        {"label": label, "value": value, "width": round(100 * number / largest), "y": index * 28}
        for index, ((label, value), number) in enumerate(zip(table.rows, values, strict=True))
    ]


@coordinator_required
def report_page(request):
    form = PeriodForm(request.GET or None)
    period = form.period()
    tables = report(period)
    return render(
        request,
        "willkommen/report.html",
        {
            "form": form,
            "period": period,
            "tables": [
                {"table": t, "bars": _chart(t), "height": 28 * len(t.rows) + 8} for t in tables
            ],  # fmt: skip
            "query": request.GET.urlencode(),
        },
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
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = key[:31]
    sheet.append([str(table.title)])
    sheet.append([f"{period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    workbook.save(response)
    return response
