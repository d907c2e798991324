"""The mentors' work queues (see willkommen.core.queues)."""

from django.utils.translation import gettext_lazy as _

from mentors.models import Mentor, MentorStatus
from willkommen.core.queues import WorkQueue, waiting_days


def _confirmed_with(status: MentorStatus):
    return lambda: Mentor.objects.confirmed().filter(status=status).order_by("created_at", "pk")


def _waiting_since_confirmed(mentor, today) -> str:
    return waiting_days(mentor.email_confirmed_at, today)


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
]
