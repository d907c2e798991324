"""The seminars' work queues (see willkommen.core.queues)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy, ngettext

from mentors.models import BY_NAME, ChecklistEntry, ChecklistItem, Mentor, MentorStatus
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


# How long a mentor with a tandem may go without a reflection meeting ("six months").
REFLECTION_INTERVAL = timedelta(days=183)


def mentors_without_reflection():
    """Mentors with an active tandem who have not attended a reflection meeting within
    REFLECTION_INTERVAL, by name; each with `last_reflection` (when they last attended one, or
    None) and `next_reflection` (the start of an upcoming one they are invited to, or None)."""
    attended = Invitation.objects.filter(
        mentor=OuterRef("pk"), attended=True, event__type=EventType.REFLECTION
    )
    invited = Invitation.objects.filter(
        mentor=OuterRef("pk"), event__type=EventType.REFLECTION, event__cancelled_at=None,
        event__starts_at__gte=timezone.now(),
        status__in=[InvitationStatus.INVITED, InvitationStatus.REGISTERED,
                    InvitationStatus.WAITING],
    )  # fmt: skip
    return (
        Mentor.objects.confirmed()
        .filter(status=MentorStatus.ACTIVE)
        .exclude(
            Exists(attended.filter(event__starts_at__gte=timezone.now() - REFLECTION_INTERVAL))
        )
        .annotate(
            last_reflection=Subquery(
                attended.order_by("-event__starts_at").values("event__starts_at")[:1]
            ),
            next_reflection=Subquery(
                invited.order_by("event__starts_at").values("event__starts_at")[:1]
            ),
        )
        .order_by(*BY_NAME, "pk")
    )


def upcoming_reflection_meetings():
    """Reflection meetings that still take invitations, soonest first."""
    return (
        Event.objects.filter(
            type=EventType.REFLECTION, cancelled_at=None, starts_at__gt=timezone.now()
        )
        .with_occupancy()
        .order_by("starts_at", "pk")
    )


def _occupancy(event, today) -> str:
    return ngettext(
        "%(date)s, %(registered)s of %(capacity)s place taken",
        "%(date)s, %(registered)s of %(capacity)s places taken",
        event.capacity,
    ) % {
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
