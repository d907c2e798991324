"""Reads of events that more than one page needs."""

from django.utils import timezone

from seminars.models import Event


def upcoming_events(*, limit: int = 5) -> dict:
    """The dashboard's next events with their occupancy."""
    events = Event.objects.filter(starts_at__gte=timezone.now(), cancelled_at=None)
    return {
        "count": events.count(),
        "oldest": list(events.with_occupancy().order_by("starts_at")[:limit]),
    }
