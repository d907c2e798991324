"""Reads of events that more than one page needs."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from mentors.models import ChecklistItem, Mentor, MentorStatus
from seminars.models import Event, EventType, Invitation, InvitationStatus


def upcoming_events(*, limit: int = 5) -> dict:
    """The dashboard's next events with their occupancy."""
    events = Event.objects.filter(starts_at__gte=timezone.now(), cancelled_at=None)
    return {
        "count": events.count(),
        "oldest": list(events.with_occupancy().order_by("starts_at")[:limit]),
    }


def mentors_without_seminar_date(*, limit: int = 5) -> dict:
    """Mentors in screening or ready who have neither attended an introductory seminar nor
    a place in an upcoming one: they need a date."""
    booked = Invitation.objects.filter(
        mentor=OuterRef("pk"), status=InvitationStatus.REGISTERED, event__type=EventType.INTRO,
        event__starts_at__gte=timezone.now(), event__cancelled_at=None,
    )  # fmt: skip
    mentors = (
        Mentor.objects.confirmed()
        .filter(status__in=[MentorStatus.SCREENING, MentorStatus.READY])
        .exclude(checklist__item=ChecklistItem.SEMINAR)
        .exclude(Exists(booked))
    )
    return {"count": mentors.count(), "oldest": list(mentors.order_by("created_at")[:limit])}
