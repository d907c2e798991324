"""The coordinators' list of mentors and its CSV export."""

from django.shortcuts import render
from django.utils import timezone

from mentors.forms.filters import MentorFilterForm
from mentors.models import MentorStatus
from mentors.selectors import mentor_counts_by_status, mentors_for_list
from willkommen.core.exports import csv_response
from willkommen.core.paging import page_of
from willkommen.core.roles import coordinator_required

PAGE_SIZE = 25


@coordinator_required
def mentor_list(request):
    form = MentorFilterForm(request.GET)
    filters = form.filters()
    page = page_of(mentors_for_list(filters=filters), request.GET.get("page"), per_page=PAGE_SIZE)
    counts = mentor_counts_by_status(filters=filters)
    without_status = request.GET.copy()
    without_status.pop("status", None)
    without_status.pop("page", None)
    without_page = request.GET.copy()
    without_page.pop("page", None)
    return render(
        request,
        "mentors/mentor_list.html",
        {
            "form": form,
            "page": page,
            "status_counts": [(status, counts[status.value]) for status in MentorStatus],
            "total": sum(counts.values()),
            "query_without_status": without_status.urlencode(),
            "query_without_page": without_page.urlencode(),
            "filtered": bool(filters.keys() - {"sort"}),
            "queue_title": dict(form.fields["queue"].choices).get(filters.get("queue")),
        },
    )


CSV_COLUMNS = [
    "Vorname", "Nachname", "E-Mail", "Telefon", "Status", "Stadtbezirk", "PLZ", "Sprachen",
    "Unterstützungsbereiche", "Stunden pro Monat", "Tandems gleichzeitig", "belegte Plätze",
    "beworben am", "bestätigt am",
]  # fmt: skip


@coordinator_required
def mentor_export(request):
    """The filtered list as CSV for Excel: UTF-8 with BOM, semicolons."""
    mentors = mentors_for_list(filters=MentorFilterForm(request.GET).filters())
    rows = (
        [
            mentor.first_name,
            mentor.last_name,
            mentor.email,
            mentor.phone,
            mentor.get_status_display(),
            mentor.get_district_display(),
            mentor.postal_code,
            ", ".join(str(language) for language in mentor.languages.all()),
            ", ".join(area.label for area in mentor.support_areas.all()),
            mentor.hours_per_month,
            mentor.capacity,
            mentor.places_taken,
            f"{timezone.localtime(mentor.created_at):%d.%m.%Y}",
            f"{timezone.localtime(mentor.email_confirmed_at):%d.%m.%Y}",
        ]
        for mentor in mentors
    )
    return csv_response(f"paten-{timezone.localdate():%Y-%m-%d}.csv", CSV_COLUMNS, rows)
