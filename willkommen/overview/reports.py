"""Key figures for a period: what the department reports to the city council and to funders.

Every table is a list of (label, number) rows, so the page, its charts and its CSV and Excel
exports all show the same numbers. Each figure is one aggregate query: the report costs the
same number of queries whatever the amount of data.
"""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.models import Mentor, MentorLanguage, MentorStatus
from newcomers.matching import SPEAKING_LEVELS
from newcomers.models import (
    DeclineReason,
    EndReason,
    Referral,
    ReferralActivity,
    ReferralStatus,
    Tandem,
    TandemStatus,
)
from seminars.models import EventType, Invitation, InvitationStatus
from willkommen.core.models import SupportArea
from willkommen.core.vocabularies import District, Language
from willkommen.overview.hours import hours_figures

SMALL_COUNT = 5  # below this, a published count could point to a person


@dataclass
class Table:
    key: str
    title: str
    rows: list  # [(label, value), ...]; a value may be a number, or a pair for "asked/offered"
    columns: tuple = (_("Figure"), _("Number"))
    sheet: str = ""  # the tab's name in the workbook when the title is too long (31 characters)

    @property
    def sheet_name(self) -> str:
        return str(self.sheet or self.title)


@dataclass(frozen=True)
class Period:
    start: date  # first day, included
    end: date  # last day, included

    @property
    def bounds(self):
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, zone),
            datetime.combine(self.end, time.max, zone),
        )

    @property
    def slug(self) -> str:
        """The period in a file name: "2026", "2026-q2", or "2026-02-03-bis-2026-02-10"."""
        start, end = self.start, self.end
        if (start.month, start.day) == (1, 1) and end == date(start.year, 12, 31):
            return str(start.year)
        if start.day == 1 and start.month in (1, 4, 7, 10):
            month = start.month + 3
            next_quarter = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
            if end == next_quarter - timedelta(days=1):
                return f"{start.year}-q{start.month // 3 + 1}"
        return f"{start:%Y-%m-%d}-bis-{end:%Y-%m-%d}"


def published(value):
    """A count as it may leave the department: small numbers are shown as "<5"."""
    if isinstance(value, int) and 0 < value < SMALL_COUNT:
        return f"<{SMALL_COUNT}"
    return value


def export_rows(table: Table, *, publish: bool) -> tuple[list, list]:
    """A table's header and rows as they go into a file: one cell per figure, small counts
    hidden when the file is for publication."""
    header = [str(column) for column in table.columns]
    rows = []
    for label, value in table.rows:
        figures = value if isinstance(value, tuple) else (value,)
        rows.append([str(label), *(published(f) if publish else f for f in figures)])
    return header, rows


def export_file_name(period: Period, extension: str, *, publish: bool, table: str = "") -> str:
    """What a download is, in its name: the programme, the period, the table (none for the
    whole report) and whether it is for internal use or for publication, e.g.
    `willkommenspaten-bericht-2026-intern.xlsx`."""
    audience = "veroeffentlichung" if publish else "intern"
    parts = ["willkommenspaten-bericht", period.slug, table, audience]
    return "-".join(part for part in parts if part) + f".{extension}"


def export_note(*, publish: bool) -> str:
    """The line at the top of each sheet that says who the numbers are for."""
    if publish:
        return _("For publication: counts from 1 to %(limit)s are shown as “<%(small)s”.") % {
            "limit": SMALL_COUNT - 1, "small": SMALL_COUNT,
        }  # fmt: skip
    return str(_("For internal use: exact counts, not for publication."))


def report(period: Period) -> list[Table]:
    return [
        _mentor_figures(period),
        _referral_figures(period),
        _referrals_by_organisation(period),
        _declined_by_reason(period),
        _tandem_figures(period),
        _ended_by_reason(period),
        _tandems_per_year(),
        _asked_and_offered("languages", _("Languages: asked for by newcomers / offered by mentors"),
                           _("Languages"), *_languages(period)),
        _asked_and_offered("districts", _("Districts: newcomers referred / mentors available"),
                           _("City districts"), *_districts(period)),
        _asked_and_offered("support", _("Support areas: needed / offered"), _("Support areas"),
                           *_support(period)),
        _seminar_figures(period),
        _hours(period),
    ]  # fmt: skip


def _in(field, period):
    start, end = period.bounds
    return {f"{field}__gte": start, f"{field}__lte": end}


def _dates_in(field, period):
    return {f"{field}__gte": period.start, f"{field}__lte": period.end}


def _mentor_figures(period):
    start, end = period.bounds
    counts = Mentor.objects.aggregate(
        received=Count("pk", filter=Q(**_in("created_at", period))),
        confirmed=Count("pk", filter=Q(**_in("email_confirmed_at", period))),
    )
    trained = (
        Invitation.objects.filter(attended=True, event__type=EventType.INTRO,
                                  **_in("event__starts_at", period))
        .values("mentor").distinct().count()
    )  # fmt: skip
    active = (
        Tandem.objects.filter(started_on__lte=period.end)
        .filter(Q(ended_on=None) | Q(ended_on__gt=period.end))
        .exclude(started_on=None)
        .values("mentor")
        .distinct()
        .count()
    )
    return Table("mentors", _("Mentors"), [
        (_("applications received"), counts["received"]),
        (_("applications confirmed"), counts["confirmed"]),
        (_("mentors trained (introductory seminar attended)"), trained),
        (_("mentors with an active tandem at the end of the period"), active),
    ])  # fmt: skip


def _referral_figures(period):
    received = Referral.objects.filter(**_in("created_at", period)).count()
    decisions = ReferralActivity.objects.filter(
        kind=ReferralActivity.Kind.STATUS, **_in("created_at", period)
    ).aggregate(
        accepted=Count("referral", distinct=True,
                       filter=Q(to_status=ReferralStatus.WAITING, from_status__in=[
                           ReferralStatus.RECEIVED, ReferralStatus.INFO_NEEDED])),
        declined=Count("referral", distinct=True, filter=Q(to_status=ReferralStatus.DECLINED)),
    )  # fmt: skip
    meetings = (
        Tandem.objects.filter(**_in("first_meeting_at", period))
        .exclude(status=TandemStatus.DECLINED)
        .values_list("referral__created_at", "first_meeting_at")
    )
    # Local calendar days: a UTC date would put a meeting soon after midnight on the day
    # before, a day before the referral.
    waits = sorted(
        (timezone.localdate(met) - timezone.localdate(referred)).days for referred, met in meetings
    )
    return Table("referrals", _("Referrals"), [
        (_("referrals received"), received),
        (_("accepted onto the waiting list"), decisions["accepted"]),
        (_("declined"), decisions["declined"]),
        (_("days from referral to first meeting: median"), _median(waits)),
        (_("days from referral to first meeting: 90th percentile"), _percentile(waits, 90)),
    ])  # fmt: skip


def _referrals_by_organisation(period):
    """Referrals received in the period, by the organisation of the advisor who has them now
    (after a handover, the new advisor's); most first. One query."""
    counts = (
        Referral.objects.filter(**_in("created_at", period))
        .order_by()
        .values_list("advisor__organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "advisor__organisation__name")
    )
    rows = [(name or _("no organisation"), n) for name, n in counts]
    return Table("organisations", _("Referrals received, by organisation"), rows,
                 (_("Organisation"), _("Referrals")), _("Referrals by organisation"))  # fmt: skip


def _median(values):
    return round(statistics.median(values)) if values else "–"


def _percentile(values, percent):
    if not values:
        return "–"
    index = max(0, -(-len(values) * percent // 100) - 1)  # nearest-rank method
    return values[index]


def _counts_by(queryset, field):
    """{value of `field`: number of rows}. `order_by()` first: a model's default ordering
    would otherwise join the GROUP BY and split each group into rows of one."""
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))


def _by_reason(key, title, queryset, field, choices, sheet):
    counts = _counts_by(queryset, field)
    return Table(key, title, [(label, counts.get(value, 0)) for value, label in choices],
                 sheet=sheet)  # fmt: skip


def _declined_by_reason(period):
    # A subquery rather than a join: each referral is counted once, however many activities.
    declined_in_period = ReferralActivity.objects.filter(
        to_status=ReferralStatus.DECLINED, **_in("created_at", period)
    ).values("referral")
    declined = Referral.objects.filter(status=ReferralStatus.DECLINED, pk__in=declined_in_period)
    return _by_reason("declined", _("Referrals declined, by reason"), declined, "decline_reason",
                      DeclineReason.choices, _("Declined, by reason"))  # fmt: skip


def _tandem_figures(period):
    counts = Tandem.objects.aggregate(
        started=Count("pk", filter=Q(**_dates_in("started_on", period))),
        ended=Count("pk", filter=Q(status=TandemStatus.ENDED, **_dates_in("ended_on", period))
                    & ~Q(started_on=None)),
        active=Count("pk", filter=Q(started_on__lte=period.end)
                     & (Q(ended_on=None) | Q(ended_on__gt=period.end))),
    )  # fmt: skip
    durations = sorted(
        (ended - started).days
        for started, ended in Tandem.objects.filter(
            status=TandemStatus.ENDED, **_dates_in("ended_on", period)
        )
        .exclude(started_on=None)
        .values_list("started_on", "ended_on")
    )
    return Table("tandems", _("Tandems"), [
        (_("tandems started"), counts["started"]),
        (_("tandems active at the end of the period"), counts["active"]),
        (_("tandems ended"), counts["ended"]),
        (_("duration of ended tandems in days: median"), _median(durations)),
    ])  # fmt: skip


def _ended_by_reason(period):
    ended = Tandem.objects.filter(status=TandemStatus.ENDED, **_dates_in("ended_on", period))
    return _by_reason("ended", _("Tandems ended, by reason"), ended.exclude(started_on=None),
                      "end_reason", EndReason.choices, _("Ended, by reason"))  # fmt: skip


def _tandems_per_year():
    years = (
        Tandem.objects.exclude(started_on=None)
        .annotate(year=ExtractYear("started_on"))
        .values_list("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    return Table("per-year", _("Tandems formed per year (all years)"),
                 [(str(year), n) for year, n in years], (_("Year"), _("Tandems")),
                 _("Tandems per year"))  # fmt: skip


def _asked_and_offered(key, title, sheet, labels, asked, offered):
    rows = [(label, (asked.get(value, 0), offered.get(value, 0))) for value, label in labels
            if asked.get(value) or offered.get(value)]  # fmt: skip
    rows.sort(key=lambda row: row[1][1] - row[1][0])  # where mentors are missing most, first
    return Table(key, title, rows, (_("Name"), _("asked"), _("offered")), sheet)


def _available_mentors():
    return Mentor.objects.filter(status__in=MentorStatus.matchable())


def _languages(period):
    asked = {}
    for languages in Referral.objects.filter(**_in("created_at", period)).values_list(
        "languages", flat=True
    ):
        for code in languages:
            asked[code] = asked.get(code, 0) + 1
    # A mentor names each language once (a unique constraint), so one row is one mentor.
    speakers = MentorLanguage.objects.filter(
        mentor__in=_available_mentors(), level__in=SPEAKING_LEVELS
    )
    offered = _counts_by(speakers, "language")
    return Language.choices, asked, offered


def _districts(period):
    asked = _counts_by(Referral.objects.filter(**_in("created_at", period)), "district")
    offered = _counts_by(_available_mentors(), "district")
    return District.choices, asked, offered


def _support(period):
    asked = dict(
        SupportArea.objects.annotate(n=Count("referral", filter=Q(
            **{f"referral__{k}": v for k, v in _in("created_at", period).items()})))
        .values_list("pk", "n")
    )  # fmt: skip
    offered = dict(
        SupportArea.objects.annotate(
            n=Count("mentor", filter=Q(mentor__in=_available_mentors()))
        ).values_list("pk", "n")
    )
    labels = [(area.pk, area.label) for area in SupportArea.objects.all()]
    return labels, asked, offered


def _seminar_figures(period):
    invitations = Invitation.objects.filter(**_in("event__starts_at", period),
                                            event__cancelled_at=None)  # fmt: skip
    rows = []
    for value, label in EventType.choices:
        of_type = invitations.filter(event__type=value)
        counts = of_type.aggregate(
            registered=Count("pk", filter=Q(status=InvitationStatus.REGISTERED)),
            attended=Count("pk", filter=Q(attended=True)),
        )
        rows.append((f"{label}: " + str(_("registered")), counts["registered"]))
        rows.append((f"{label}: " + str(_("attended")), counts["attended"]))
    return Table("seminars", _("Seminars and reflection meetings: participation"), rows,
                 sheet=_("Seminars and reflection meetings"))  # fmt: skip


def _hours(period):
    """Hours of volunteering (willkommen/overview/hours.py): reported by mentors, and seminars
    attended; whole hours."""
    return Table("hours", _("Hours of volunteering"), hours_figures(period))
