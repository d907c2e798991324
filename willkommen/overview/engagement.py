"""Mentors' engagement, by e-mail link and without an account: the hours they give, their
certificate of volunteering (Engagementnachweis), check-ins on their tandems, and reminders to
renew the extended police certificate.

Composed here, above the apps, because it reads mentors, tandems and seminars together.

- **Hours.** In the month after month M, each active mentor is asked once (a signed link) how
  many hours they gave in M and for what; the answer can be changed until that following month
  ends. Seminars and reflection meetings attended count by themselves (their duration), from
  the seminars app. A monthly report counts in a period when its month begins in the period; a
  seminar, when it starts in it.
- **Certificate.** A dated page for printing, on the department's letterhead: the period,
  tandems accompanied (how many and in how many months, nothing about the newcomers), the
  areas of help, the hours and the seminars attended. Coordinators print it from the mentor's
  page; a mentor requests it by the link in the hours mail and gets a link to it by mail.
- **Check-ins.** 30 days after a tandem starts, then every 60 days, and when it ends, the mentor
  gets three questions. An answer during the tandem is recorded as a support contact (so the
  contact schedule moves on); "please call me" or a low rating puts it on a work queue.
- **Renewal reminders.** A mentor whose police certificate is due for renewal (mentors.queues)
  is told once per certificate what to do.

`engagement_mail_send` (the daily timer `manage.py send_engagement_mail`) sends all of these.
Each mail is claimed by inserting its row first: a unique constraint lets only one of two
runs at the same moment insert it, and the mail is queued in the same transaction.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mentors.models import Mentor, MentorStatus
from mentors.queues import mentors_certificate_due
from mentors.services import address_check, mentor_add_note
from newcomers.models import SupportContact, Tandem, TandemStatus
from newcomers.services import support_contact_record
from willkommen.core.mail import mail_queue
from willkommen.core.models import ConsentWithdrawal, SupportArea
from willkommen.core.queues import WorkQueue, days_since
from willkommen.overview.hours import (
    EVENT_SECONDS,
    attended_in,
    mentor_hours,
    mentor_hours_by_month,
    month_end,
    month_start,
    months_later,
    reports_in,
    round_hours,
)
from willkommen.overview.models import (
    HOURS_PER_MONTH_MAX,
    CertificateRequest,
    CheckIn,
    CheckInKind,
    HoursReport,
    RenewalReminder,
)
from willkommen.overview.privacy.registry import anonymised_values, entry_for
from willkommen.overview.reports import Period

HOURS_SALT = "overview.engagement.hours"
CHECK_IN_SALT = "overview.engagement.check-in"
REQUEST_SALT = "overview.engagement.certificate-request"
CERTIFICATE_SALT = "overview.engagement.certificate"
# Every link in these mails works this long; the hours link closes earlier when the month
# after the asked month ends.
LINK_VALIDITY = timedelta(days=60)
# The schedule of check-ins: the first this long after the start, then one every interval.
CHECK_IN_FIRST = timedelta(days=30)
CHECK_IN_INTERVAL = timedelta(days=60)
# A tandem that ended this recently (or today) gets its closing check-in; older ends are not
# asked about any more (e.g. when the timer first runs).
CLOSING_CHECK_IN_WITHIN = timedelta(days=14)
# A rating this low or lower asks the coordination to get in touch, as "please call me" does.
CALL_RATING = 2
# Hours over this many months (the current one included) are compared with the threshold.
THRESHOLD_MONTHS = 12
# A mentor can request the certificate by link at most once in this time (one mail).
REQUEST_PAUSE = timedelta(hours=24)
# How a check-in answer is recorded as a support contact (the lead adds its own channel later).
CHECK_IN_NOTE_PREFIX = "Check-in per Link:"


# --- Months and periods ------------------------------------------------------------------------


def answer_until(month: date) -> date:
    """The last day on which the hours of `month` can be given or changed: the end of the
    month after it."""
    return month_end(months_later(month, 1))


def threshold_period(today: date) -> Period:
    """The twelve months compared with ENGAGEMENT_HOURS_THRESHOLD: the current month and the
    eleven before it, up to today."""
    return Period(months_later(month_start(today), 1 - THRESHOLD_MONTHS), today)


# --- Links --------------------------------------------------------------------------------------


def _sign(value, salt: str) -> str:
    return signing.dumps(value, salt=salt, compress=True)


def _unsign(token: str, salt: str):
    """The signed value; ValidationError (code "expired" or "invalid") when it is no good."""
    try:
        return signing.loads(token, salt=salt, max_age=LINK_VALIDITY)
    except signing.SignatureExpired as error:
        raise ValidationError(
            _("This link has expired. The links in our e-mails work for 60 days."),
            code="expired",
        ) from error
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise ValidationError(_("This link is not valid."), code="invalid") from error


def _invalid() -> ValidationError:
    return ValidationError(_("This link is not valid."), code="invalid")


def _link(name: str, token: str) -> str:
    return settings.SITE_URL + reverse(name, args=[token])


def hours_token(report: HoursReport) -> str:
    return _sign(report.pk, HOURS_SALT)


def hours_for_answer(*, token: str) -> HoursReport:
    """The monthly question behind a mentor's link; ValidationError if the link is no good."""
    pk = _unsign(token, HOURS_SALT)
    report = (
        HoursReport.objects.select_related("mentor").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if report is None:
        raise _invalid()
    return report


def check_in_token(check_in: CheckIn) -> str:
    return _sign(check_in.pk, CHECK_IN_SALT)


def check_in_for_answer(*, token: str) -> CheckIn:
    pk = _unsign(token, CHECK_IN_SALT)
    check_in = (
        CheckIn.objects.select_related("tandem__mentor", "tandem__referral").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if check_in is None:
        raise _invalid()
    return check_in


def _mentor_payload(mentor: Mentor, *extra) -> list:
    # Bound to the address: a corrected address voids the links sent to the old one.
    return [mentor.pk, address_check(mentor.email), *extra]


def _mentor_from(payload, length: int) -> Mentor:
    if not isinstance(payload, list) or len(payload) != length or not isinstance(payload[0], int):
        raise _invalid()
    mentor = Mentor.objects.filter(pk=payload[0]).first()
    if mentor is None or not constant_time_compare(str(payload[1]), address_check(mentor.email)):
        raise _invalid()
    return mentor


def certificate_request_token(mentor: Mentor) -> str:
    return _sign(_mentor_payload(mentor), REQUEST_SALT)


def mentor_for_certificate_request(*, token: str) -> Mentor:
    return _mentor_from(_unsign(token, REQUEST_SALT), 2)


def certificate_token(mentor: Mentor, issued_on: date) -> str:
    return _sign(_mentor_payload(mentor, issued_on.isoformat()), CERTIFICATE_SALT)


def certificate_for_link(*, token: str) -> tuple[Mentor, date]:
    """The mentor and the day of issue behind a certificate link."""
    payload = _unsign(token, CERTIFICATE_SALT)
    mentor = _mentor_from(payload, 3)
    try:
        issued_on = date.fromisoformat(payload[2])
    except (TypeError, ValueError) as error:
        raise _invalid() from error
    return mentor, issued_on


def threshold() -> int:
    return settings.ENGAGEMENT_HOURS_THRESHOLD


def reaches_threshold(total: Decimal) -> bool:
    return total >= threshold()


def mentor_engagement(mentor: Mentor, today: date) -> dict:
    """What the mentor's page shows of the mentor's engagement."""
    period = threshold_period(today)
    recent = mentor_hours(mentor, period)
    return {
        "years": mentor_hours_by_month(mentor),
        "period": period,
        "recent": recent,
        "threshold": threshold(),
        "reached": reaches_threshold(recent.total),
        "requests": list(mentor.certificate_requests.all()[:3]),
        "reminders": list(mentor.renewal_reminders.all()[:3]),
    }


# --- Hours: the answer ---------------------------------------------------------------------


def hours_open(report: HoursReport, today: date | None = None) -> bool:
    """The hours of a month can be given, and changed, until the month after it ends."""
    return (today or timezone.localdate()) <= answer_until(report.month)


@transaction.atomic
def hours_answer(*, report: HoursReport, hours: Decimal, areas, note: str = "") -> HoursReport:
    """The mentor's answer to the monthly question, or a change of it (until the month after
    the asked month ends). Side effects: none beyond the report."""
    report = HoursReport.objects.select_for_update().get(pk=report.pk)
    if not hours_open(report):
        raise ValidationError(
            _("The hours of this month can no longer be changed. Thank you all the same!")
        )
    if hours is None or not 0 <= hours <= HOURS_PER_MONTH_MAX:
        raise ValidationError(
            {"hours": _("Please give a number of hours from 0 to %(max)s.")
             % {"max": HOURS_PER_MONTH_MAX}}
        )  # fmt: skip
    report.hours = round_hours(hours)
    report.note = note.strip()
    report.answered_at = timezone.now()
    report.full_clean(exclude=["mentor", "areas"])
    report.save()
    report.areas.set(areas)
    return report


def attended_in_month(mentor: Mentor, month: date):
    """The seminars and reflection meetings the mentor attended in `month`, with `seconds`."""
    return (
        attended_in(Period(month, month_end(month)))
        .filter(mentor=mentor)
        .select_related("event")
        .annotate(seconds=EVENT_SECONDS)
        .order_by("event__starts_at")
    )


# --- Certificate ---------------------------------------------------------------------------


def _months_between(first: date, last: date) -> set[date]:
    months, month = set(), month_start(first)
    while month <= last:
        months.add(month)
        month = months_later(month, 1)
    return months


def certificate(mentor: Mentor, period: Period, *, issued_on: date) -> dict:
    """What the certificate of volunteering says: nothing about any newcomer."""
    tandems = (
        Tandem.objects.filter(mentor=mentor, started_on__isnull=False)
        .filter(started_on__lte=period.end)
        .filter(Q(ended_on=None) | Q(ended_on__gte=period.start))
    )
    months: set[date] = set()
    for started_on, ended_on in tandems.values_list("started_on", "ended_on"):
        last = min(ended_on or period.end, period.end, issued_on)
        months |= _months_between(max(started_on, period.start), last)
    reports = reports_in(period).filter(mentor=mentor)
    areas = SupportArea.objects.filter(
        Q(hours_reports__in=reports) | Q(tandem__in=tandems)
    ).distinct()
    seminars = attended_in(period).filter(mentor=mentor).select_related("event")
    return {
        "mentor": mentor,
        "period": period,
        "issued_on": issued_on,
        "hours": mentor_hours(mentor, period),
        "tandems": tandems.count(),
        "tandem_months": len(months),
        "areas": [area.label for area in areas],
        "seminars": [
            {
                "date": timezone.localdate(invitation.event.starts_at),
                "type": invitation.event.get_type_display(),
                "title": invitation.event.title,
            }
            for invitation in seminars.order_by("event__starts_at")
        ],  # fmt: skip
    }


def certificate_url(mentor: Mentor, issued_on: date) -> str:
    return _link("engagement_certificate_link", certificate_token(mentor, issued_on))


@transaction.atomic
def certificate_request(*, mentor: Mentor) -> bool:
    """A mentor asks for the certificate by link: the link to it goes to the mentor's address,
    and the request is in the mentor's timeline and on the list of hours. At most once per
    REQUEST_PAUSE (a second request then sends nothing and returns False)."""
    mentor = Mentor.objects.select_for_update(of=("self",)).get(pk=mentor.pk)
    since = timezone.now() - REQUEST_PAUSE
    if mentor.certificate_requests.filter(requested_at__gte=since).exists():
        return False
    CertificateRequest.objects.create(mentor=mentor)
    mentor_add_note(
        mentor=mentor,
        kind="contact",
        text=_("Requested a certificate of volunteering by link; the link was mailed."),
        by=None,
    )
    today = timezone.localdate()
    mail_queue(
        to=mentor.email,
        template="overview/emails/engagement_certificate",
        context={"mentor": mentor, "link": certificate_url(mentor, today),
                 "validity_days": LINK_VALIDITY.days},
        language=mentor.language,
    )  # fmt: skip
    return True


# --- Check-ins -----------------------------------------------------------------------------


def check_in_due_on(started_on: date, today: date) -> date | None:
    """The latest regular check-in on or before `today` of a tandem started on `started_on`:
    CHECK_IN_FIRST after the start, then every CHECK_IN_INTERVAL; None before the first."""
    first = started_on + CHECK_IN_FIRST
    if today < first:
        return None
    intervals = (today - first).days // CHECK_IN_INTERVAL.days
    return first + intervals * CHECK_IN_INTERVAL


def needs_call(check_in: CheckIn) -> bool:
    return check_in.call_me or (check_in.rating is not None and check_in.rating <= CALL_RATING)


def _contact_notes(check_in: CheckIn) -> str:
    # The coordinators' record, in their language whatever the mentor's.
    parts = [CHECK_IN_NOTE_PREFIX, f"{check_in.rating}/5."]
    if check_in.call_me:
        parts.append("Bitte um Anruf.")
    if check_in.note:
        parts.append(check_in.note)
    return " ".join(parts)


@transaction.atomic
def check_in_answer(*, check_in: CheckIn, rating: int, note: str = "", call_me: bool = False):
    """The mentor's answer to a check-in; once. During the tandem it is also recorded as a
    support contact with the mentor by e-mail (newcomers.services.support_contact_record), which
    moves the tandem's contact schedule on. "Please call me" or a rating of CALL_RATING or
    lower puts the answer on the queue "Check-ins: please get in touch"."""
    check_in = CheckIn.objects.select_for_update().select_related("tandem").get(pk=check_in.pk)
    if check_in.answered_at is not None:
        raise ValidationError(_("You have already answered these questions. Thank you!"))
    if rating not in range(1, 6):
        raise ValidationError({"rating": _("Please choose from 1 to 5.")})
    check_in.rating, check_in.note, check_in.call_me = rating, note.strip(), call_me
    check_in.answered_at = timezone.now()
    check_in.full_clean(exclude=["tandem", "contact", "handled_by"])  # before anything is saved
    tandem = check_in.tandem
    if tandem.takes_support_contacts:
        # Recorded in the name of the coordinator who proposed the tandem: a support contact
        # names a coordinator, and a link has none.
        with pghistory.context(via="check-in link"):
            check_in.contact = support_contact_record(
                tandem=tandem,
                by=tandem.proposed_by,
                contacted_on=timezone.localdate(),
                with_whom=SupportContact.With.MENTOR,
                channel=SupportContact.Channel.EMAIL,
                rating=rating,
                concern=needs_call(check_in),
                notes=_contact_notes(check_in),
            )
    check_in.save()
    return check_in


def check_ins_to_call():
    """Answers that ask the coordination to get in touch ("please call me", or a rating of
    CALL_RATING or lower), oldest first, until a coordinator marks them done or records a
    support contact with the tandem after the answer."""
    later_contact = SupportContact.objects.filter(
        tandem=OuterRef("tandem"), created_at__gt=OuterRef("answered_at"), check_in__isnull=True
    )
    return (
        CheckIn.objects.filter(answered_at__isnull=False, handled_at=None)
        .filter(Q(call_me=True) | Q(rating__lte=CALL_RATING))
        .exclude(Exists(later_contact))
        .select_related("tandem__mentor", "tandem__referral")
        .order_by("answered_at", "pk")
    )


@transaction.atomic
def check_in_done(*, check_in: CheckIn, by) -> CheckIn:
    """A coordinator got in touch about a check-in answer: it leaves the queue."""
    check_in = CheckIn.objects.select_for_update().get(pk=check_in.pk)
    if check_in.answered_at is None:
        raise ValidationError(_("This check-in has not been answered yet."))
    if check_in.handled_at is None:
        check_in.handled_at, check_in.handled_by = timezone.now(), by
        check_in.save(update_fields=["handled_at", "handled_by"])
    return check_in


def _check_in_note(check_in: CheckIn, today: date) -> str:
    what = (
        _("asks for a call")
        if check_in.call_me
        else _("rated %(rating)s of 5") % {"rating": check_in.rating}
    )
    days = days_since(check_in.answered_at, today)
    if days == 0:
        return _("%(what)s, answered today") % {"what": what}
    return ngettext(
        "%(what)s, answered %(days)s day ago", "%(what)s, answered %(days)s days ago", days
    ) % {"what": what, "days": days}


ENGAGEMENT_QUEUES = [
    WorkQueue(
        name="check-ins-call",
        title=gettext_lazy("Check-ins: please get in touch"),
        items=check_ins_to_call,
        list_url_name="engagement_check_ins",
        note=_check_in_note,
    ),
]


# --- The timer ----------------------------------------------------------------------------


@dataclass
class Sent:
    hours: int = 0
    check_ins: int = 0
    closing_check_ins: int = 0
    renewal_reminders: int = 0

    def __str__(self):
        return (
            f"{self.hours} hours questions, {self.check_ins} check-ins, "
            f"{self.closing_check_ins} closing check-ins, "
            f"{self.renewal_reminders} renewal reminders queued"
        )


def _claim(model, **fields):
    """Insert the row that stands for one mail, or None when it exists already (sent by an
    earlier run, or by another run this moment: its insert waits for ours, then fails)."""
    try:
        with transaction.atomic():
            return model.objects.create(**fields)
    except IntegrityError:
        return None


def _withdrawn(mentor_path: str = "pk"):
    return Exists(
        ConsentWithdrawal.objects.filter(
            subject=ConsentWithdrawal.Subject.MENTOR, object_id=OuterRef(mentor_path)
        )
    )


def _send(model, fields: dict, mail: dict) -> bool:
    with transaction.atomic():
        row = _claim(model, **fields)
        if row is None:
            return False
        mail["context"] = {**mail["context"](row)}
        mail_queue(**mail)
    return True


def hours_questions_send(today: date) -> int:
    """Ask every active mentor once about the hours of last month."""
    month = months_later(month_start(today), -1)
    mentors = (
        Mentor.objects.confirmed()
        .filter(status=MentorStatus.ACTIVE)
        .exclude(_withdrawn())
        .exclude(hours_reports__month=month)
        .order_by("pk")
    )
    sent = 0
    for mentor in mentors:
        sent += _send(
            HoursReport,
            {"mentor": mentor, "month": month},
            {
                "to": mentor.email,
                "template": "overview/emails/engagement_hours",
                "language": mentor.language,
                "context": lambda report, mentor=mentor: {
                    "mentor": mentor,
                    "month": report.month,
                    "until": answer_until(report.month),
                    "link": _link("engagement_hours", hours_token(report)),
                    "request_link": _link(
                        "engagement_certificate_request", certificate_request_token(mentor)
                    ),
                },
            },
        )
    return sent


def _check_in_mail(tandem: Tandem, kind: str) -> dict:
    mentor = tandem.mentor
    return {
        "to": mentor.email,
        "template": f"overview/emails/engagement_check_in_{kind}",
        "language": mentor.language,
        "context": lambda check_in: {
            "mentor": mentor,
            "first_name": tandem.referral.first_name,
            "started_on": tandem.started_on,
            "link": _link("engagement_check_in", check_in_token(check_in)),
            "validity_days": LINK_VALIDITY.days,
        },
    }


def check_ins_send(today: date) -> tuple[int, int]:
    """Send the check-ins due today: the latest regular one of each active tandem (none that
    an earlier run sent), and the closing one of each tandem that ended within
    CLOSING_CHECK_IN_WITHIN. Returns (regular, closing)."""
    active = (
        Tandem.objects.filter(status=TandemStatus.ACTIVE, started_on__lte=today - CHECK_IN_FIRST)
        .exclude(_withdrawn("mentor_id"))
        .select_related("mentor", "referral")
        .order_by("pk")
    )
    due = {tandem: check_in_due_on(tandem.started_on, today) for tandem in active}
    asked = set(
        CheckIn.objects.filter(tandem__in=[t.pk for t in due], kind=CheckInKind.REGULAR)
        .values_list("tandem_id", "due_on")
    )  # fmt: skip
    regular = 0
    for tandem, due_on in due.items():
        if (tandem.pk, due_on) in asked:
            continue
        regular += _send(
            CheckIn,
            {"tandem": tandem, "due_on": due_on, "kind": CheckInKind.REGULAR},
            _check_in_mail(tandem, CheckInKind.REGULAR),
        )
    ended = (
        Tandem.objects.filter(
            status=TandemStatus.ENDED,
            started_on__isnull=False,
            ended_on__gte=today - CLOSING_CHECK_IN_WITHIN,
            ended_on__lte=today,
        )
        .exclude(check_ins__kind=CheckInKind.CLOSING)
        .exclude(_withdrawn("mentor_id"))
        .select_related("mentor", "referral")
        .order_by("pk")
    )
    closing = 0
    for tandem in ended:
        closing += _send(
            CheckIn,
            {"tandem": tandem, "due_on": tandem.ended_on, "kind": CheckInKind.CLOSING},
            _check_in_mail(tandem, CheckInKind.CLOSING),
        )
    return regular, closing


def renewal_reminders_send(today: date) -> int:
    """Tell each mentor whose police certificate is due for renewal (mentors.queues), once per
    certificate, what to do."""
    mentors = (
        mentors_certificate_due(today)
        .exclude(_withdrawn())
        .exclude(
            Exists(
                RenewalReminder.objects.filter(
                    mentor=OuterRef("pk"), valid_until=OuterRef("certificate_valid_until")
                )
            )
        )
    )
    sent = 0
    for mentor in mentors:
        sent += _send(
            RenewalReminder,
            {"mentor": mentor, "valid_until": mentor.certificate_valid_until},
            {
                "to": mentor.email,
                "template": "overview/emails/engagement_renewal",
                "language": mentor.language,
                "context": lambda reminder, mentor=mentor: {
                    "mentor": mentor,
                    "valid_until": reminder.valid_until,
                    "expired": reminder.valid_until < today,
                    "contact_email": settings.CONTACT_EMAIL,
                },
            },
        )
    return sent


def engagement_mail_send(*, today: date | None = None) -> Sent:
    """Everything the daily timer sends: hours questions, check-ins, renewal reminders. Each
    mail once, however many runs at the same time."""
    today = today or timezone.localdate()
    sent = Sent()
    sent.hours = hours_questions_send(today)
    sent.check_ins, sent.closing_check_ins = check_ins_send(today)
    sent.renewal_reminders = renewal_reminders_send(today)
    return sent


def engagement_anonymise(*, mentor_id: int | None = None, tandem_ids=()) -> None:
    """Empty the free texts of engagement rows, as the registry of personal data says: for a
    mentor, the notes of their hours and of the check-ins on their tandems; for tandems (their
    newcomer's erasure, or their retention), the check-ins' notes. The support contacts recorded
    from check-ins are anonymised with the tandem (newcomers.services)."""
    check_ins = CheckIn.objects.filter(tandem_id__in=list(tandem_ids))
    if mentor_id is not None:
        HoursReport.objects.filter(mentor_id=mentor_id).update(
            **anonymised_values(entry_for(HoursReport))
        )
        check_ins = check_ins | CheckIn.objects.filter(tandem__mentor_id=mentor_id)
    check_ins.update(**anonymised_values(entry_for(CheckIn)))
