"""The seminars' work queues (see willkommen.core.queues)."""

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentors.models import ChecklistEntry, ChecklistItem, Mentor, MentorStatus
from seminars.models import Event, EventType, Invitation, InvitationStatus
from willkommen.core.queues import WorkQueue, waiting_days


def upcoming_events():
    return (
        Event.objects.filter(starts_at__gte=timezone.now(), cancelled_at=None)
        .with_occupancy()
        .order_by("starts_at", "pk")
    )


def mentors_without_seminar_date():
    """Mentors in screening who have neither attended an introductory seminar nor a place in
    an upcoming one: they need a date."""
    booked = Invitation.objects.filter(
        mentor=OuterRef("pk"), status=InvitationStatus.REGISTERED, event__type=EventType.INTRO,
        event__starts_at__gte=timezone.now(), event__cancelled_at=None,
    )  # fmt: skip
    attended = ChecklistEntry.objects.filter(mentor=OuterRef("pk"), item=ChecklistItem.SEMINAR)
    return (
        Mentor.objects.confirmed()
        .filter(status__in=MentorStatus.in_screening())
        .exclude(Exists(attended))
        .exclude(Exists(booked))
        .order_by("email_confirmed_at", "pk")
    )


def _occupancy(event, today) -> str:
    return _("%(date)s, %(registered)s of %(capacity)s places taken") % {
        "date": date_format(timezone.localtime(event.starts_at), "d.m.Y"),
        "registered": event.registered,
        "capacity": event.capacity,
    }


UPCOMING = WorkQueue(
    name="upcoming",
    title=gettext_lazy("Upcoming seminars and reflection meetings"),
    items=upcoming_events,
    list_url_name="seminars:list",
    note=_occupancy,
)
WITHOUT_SEMINAR_DATE = WorkQueue(
    name="without-seminar-date",
    title=gettext_lazy("Mentors without an introductory seminar date"),
    items=mentors_without_seminar_date,
    list_url_name="seminars:queue_mentors",
    note=lambda mentor, today: waiting_days(mentor.email_confirmed_at, today),
)
SEMINAR_QUEUES = [UPCOMING, WITHOUT_SEMINAR_DATE]
