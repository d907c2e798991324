"""The hours of mentors' engagement: reported by the mentors month by month (willkommen/
overview/engagement.py asks them), and the seminars and reflection meetings they attended,
counted by their duration. One definition for the mentor's page, the certificate of
volunteering, the list of hours and the report.

A monthly report counts in a period when its month begins in the period; a seminar, when it
starts in it. `period` is anything with `start`, `end` (dates, both included) and `bounds`
(the first and last moment), as willkommen.overview.reports.Period.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from mentors.models import Mentor
from newcomers.models import Tandem
from seminars.models import Invitation
from willkommen.core.models import SupportArea
from willkommen.overview.models import CertificateRequest, HoursReport

HOUR = Decimal("0.1")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_later(month: date, months: int) -> date:
    """The first day of the month `months` after (or before, if negative) `month`'s."""
    years, index = divmod(month.month - 1 + months, 12)
    return date(month.year + years, index + 1, 1)


def month_end(month: date) -> date:
    return months_later(month, 1) - timedelta(days=1)


def round_hours(value) -> Decimal:
    return Decimal(value).quantize(HOUR, rounding=ROUND_HALF_UP)


def seconds_to_hours(seconds) -> Decimal:
    return round_hours(Decimal(seconds or 0) / 3600)


class Seconds(models.Func):
    """The length of an interval in seconds (PostgreSQL's EXTRACT(EPOCH …))."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = models.DecimalField()


EVENT_SECONDS = Seconds(
    models.ExpressionWrapper(
        F("event__ends_at") - F("event__starts_at"), output_field=models.DurationField()
    )
)


def reports_in(period):
    """The answered monthly reports whose month begins in `period`."""
    return HoursReport.objects.filter(
        hours__isnull=False, month__gte=period.start, month__lte=period.end
    )


def attended_in(period):
    """Seminars and reflection meetings attended that start in `period` (not cancelled)."""
    start, end = period.bounds
    return Invitation.objects.filter(
        attended=True,
        event__cancelled_at=None,
        event__starts_at__gte=start,
        event__starts_at__lte=end,
    )


@dataclass
class Hours:
    reported: Decimal = Decimal(0)  # as the mentor answered
    seminar_seconds: Decimal = Decimal(0)  # seminars and reflection meetings attended

    @property
    def seminars(self) -> Decimal:
        return seconds_to_hours(self.seminar_seconds)

    @property
    def total(self) -> Decimal:
        return round_hours(self.reported + Decimal(self.seminar_seconds) / 3600)


def mentor_hours(mentor: Mentor, period) -> Hours:
    """The mentor's hours in `period`: reported and from seminars attended."""
    reported = reports_in(period).filter(mentor=mentor).aggregate(total=Sum("hours"))["total"]
    seconds = attended_in(period).filter(mentor=mentor).aggregate(total=Sum(EVENT_SECONDS))
    return Hours(reported or Decimal(0), seconds["total"] or Decimal(0))


def _sum_per_mentor(queryset, value):
    """`value` summed over the rows of `queryset` of the outer query's mentor."""
    return Coalesce(
        Subquery(
            queryset.filter(mentor=OuterRef("pk"))
            .order_by()
            .values("mentor")
            .annotate(total=Sum(value))
            .values("total"),
            output_field=models.DecimalField(),
        ),
        Decimal(0),
        output_field=models.DecimalField(),
    )


def mentors_with_hours(period):
    """Every confirmed mentor with hours in `period`, the most first, annotated with
    `reported_hours`, `seminar_seconds` and `total_hours` (the same sums as `mentor_hours`,
    held equal by a test) and `last_requested_at` (the last request of a certificate)."""
    reported = _sum_per_mentor(reports_in(period), "hours")
    seminars = _sum_per_mentor(attended_in(period), EVENT_SECONDS)
    last_request = Subquery(
        CertificateRequest.objects.filter(mentor=OuterRef("pk"))
        .order_by("-requested_at")
        .values("requested_at")[:1]
    )
    return (
        Mentor.objects.confirmed()
        .annotate(reported_hours=reported, seminar_seconds=seminars)
        .annotate(
            total_hours=models.ExpressionWrapper(
                F("reported_hours") + F("seminar_seconds") / Decimal(3600),
                output_field=models.DecimalField(),
            ),
            last_requested_at=last_request,
        )
        .filter(total_hours__gt=0)
        .order_by("-total_hours", "pk")
    )


def mentor_hours_by_month(mentor: Mentor) -> list[dict]:
    """The mentor's hours, month by month (newest first), grouped into years with their sums:
    [{"year", "reported", "seminars", "total", "months": [{"month", "reported", "seminars",
    "total", "areas", "note", "asked", "answered"}]}]. Two queries, whatever the length."""
    months: dict[date, dict] = {}

    def row(month):
        return months.setdefault(month, {"month": month, "reported": None, "seconds": 0,
                                         "areas": [], "note": "", "asked": False})  # fmt: skip

    for report in mentor.hours_reports.prefetch_related("areas"):
        entry = row(report.month)
        entry.update(asked=True, reported=report.hours, note=report.note,
                     areas=[area.label for area in report.areas.all()])  # fmt: skip
    attended = (
        Invitation.objects.filter(mentor=mentor, attended=True, event__cancelled_at=None)
        .annotate(seconds=EVENT_SECONDS)
        .values_list("event__starts_at", "seconds")
    )
    for starts_at, seconds in attended:
        row(month_start(timezone.localdate(starts_at)))["seconds"] += seconds
    years: dict[int, dict] = {}
    for month in sorted(months, reverse=True):
        entry = months[month]
        hours = Hours(entry["reported"] or Decimal(0), entry["seconds"])
        entry.update(seminars=hours.seminars, total=hours.total)
        year = years.setdefault(month.year, {"year": month.year, "months": [],
                                             "reported": Decimal(0), "seconds": 0})  # fmt: skip
        year["months"].append(entry)
        year["reported"] += entry["reported"] or 0
        year["seconds"] += entry["seconds"]
    for year in years.values():
        hours = Hours(year["reported"], year["seconds"])
        year.update(seminars=hours.seminars, total=hours.total)
    return list(years.values())


def _whole(value) -> int:
    return int(Decimal(value or 0).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_figures(period) -> list[tuple]:
    """The rows of the report's table of hours: in total, reported, in seminars, how many
    mentors reported, the hours per mentor active in the period, and the reported hours by
    support area (a report naming several areas shares its hours equally among them). Whole
    hours, as the report's other figures are counts. Five queries."""
    active = (
        Tandem.objects.filter(started_on__isnull=False, started_on__lte=period.end)
        .filter(Q(ended_on=None) | Q(ended_on__gte=period.start))
        .values("mentor")
    )
    reports = reports_in(period)
    reported = reports.aggregate(
        total=Sum("hours"),
        mentors=Count("mentor", distinct=True),
        of_active=Sum("hours", filter=Q(mentor__in=active)),
    )
    seminars = attended_in(period).aggregate(
        total=Sum(EVENT_SECONDS), of_active=Sum(EVENT_SECONDS, filter=Q(mentor__in=active))
    )
    active_count = Mentor.objects.filter(pk__in=active).count()
    through = HoursReport.areas.through
    areas_of_report = (
        through.objects.filter(hoursreport=OuterRef("hoursreport"))
        .order_by()
        .values("hoursreport")
        .annotate(n=Count("pk"))
        .values("n")
    )
    shares = dict(
        through.objects.filter(hoursreport__in=reports)
        .annotate(share=F("hoursreport__hours") / Subquery(areas_of_report))
        .order_by()
        .values_list("supportarea")
        .annotate(hours=Sum("share"))
    )
    reported_total = reported["total"] or Decimal(0)
    seminar_hours = Decimal(seminars["total"] or 0) / 3600
    of_active = (reported["of_active"] or Decimal(0)) + Decimal(seminars["of_active"] or 0) / 3600
    rows = [
        (_("hours in total"), _whole(reported_total + seminar_hours)),
        (_("hours reported by mentors"), _whole(reported_total)),
        (_("hours in seminars and reflection meetings"), _whole(seminar_hours)),
        (_("mentors who reported hours"), reported["mentors"]),
        (_("hours per mentor with a tandem in the period"),
         _whole(of_active / active_count) if active_count else 0),
    ]  # fmt: skip
    for area in SupportArea.objects.all():
        if shares.get(area.pk):
            rows.append((area.label, _whole(shares[area.pk])))
    unnamed = reported_total - sum(shares.values(), Decimal(0))
    if _whole(unnamed):
        rows.append((_("reported hours without a support area"), _whole(unnamed)))
    return rows
