"""The mentors' work queues (see willkommen.core.queues)."""

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentors.models import Mentor, MentorStage, MentorStatus, Preference, certificate_valid
from willkommen.core.queues import WorkQueue, waiting_days

# Coordinators see a police certificate this long before it must be renewed: time enough for
# the mentor to apply for a new one (it takes a few weeks).
CERTIFICATE_RENEWAL_NOTICE = timedelta(days=60)


def _confirmed_with(status: MentorStatus):
    return lambda: Mentor.objects.confirmed().filter(status=status).order_by("created_at", "pk")


def _waiting_since_confirmed(mentor, today) -> str:
    return waiting_days(mentor.email_confirmed_at, today)


def mentors_certificate_due(today: date | None = None):
    """Mentors whose police certificate must be renewed within CERTIFICATE_RENEWAL_NOTICE or has
    expired, among those who need it: mentors who wish to accompany families and may be matched
    (neither paused nor left), and mentors still accompanying a tandem (paused ones too).
    Most urgent first. Its twin for one mentor is `certificate_due`."""
    today = today or timezone.localdate()
    return (
        Mentor.objects.confirmed()
        .filter(
            preferences__contains=[Preference.FAMILIES_WITH_CHILDREN],
            certificate_valid_until__lte=today + CERTIFICATE_RENEWAL_NOTICE,
        )
        .filter(~Q(stage__in=[MentorStage.PAUSED, MentorStage.LEFT]) | Q(tandems_active__gt=0))
        .order_by("certificate_valid_until", "pk")
    )


def certificate_due(mentor: Mentor, today: date) -> bool:
    """`mentors_certificate_due` for one mentor; tests/overview/test_certificate_queues.py
    holds both equal."""
    return (
        mentor.accompanies_families
        and mentor.certificate_valid_until is not None
        and mentor.certificate_valid_until <= today + CERTIFICATE_RENEWAL_NOTICE
        and (
            mentor.stage not in (MentorStage.PAUSED, MentorStage.LEFT) or mentor.tandems_active > 0
        )
    )


def certificate_note(valid_until: date, today: date) -> str:
    """ "expires on 12.01.2027" or "expired since 12.01.2027": the renewal date as the
    checklist shows it."""
    day = date_format(valid_until, "d.m.Y")
    if certificate_valid(valid_until, today):
        return gettext("expires on %(date)s") % {"date": day}
    return gettext("expired since %(date)s") % {"date": day}


MENTOR_QUEUES = [
    WorkQueue(
        name="to-contact",
        title=_("Confirmed applications not yet contacted"),
        items=_confirmed_with(MentorStatus.NEW),
        list_url_name="mentors:list",
        note=_waiting_since_confirmed,
    ),
    WorkQueue(
        name="to-talk",
        title=_("Applicants waiting for their introductory conversation"),
        items=_confirmed_with(MentorStatus.CONTACTED),
        list_url_name="mentors:list",
        note=_waiting_since_confirmed,
    ),
    WorkQueue(
        name="in-screening",
        title=_("Applicants in screening (checklist not complete)"),
        items=_confirmed_with(MentorStatus.SCREENING),
        list_url_name="mentors:list",
        note=_waiting_since_confirmed,
    ),
    WorkQueue(
        name="certificates-due",
        title=_("Police certificates expiring"),
        items=mentors_certificate_due,
        list_url_name="mentors:list",
        note=lambda mentor, today: certificate_note(mentor.certificate_valid_until, today),
    ),
]
