"""Calendar entries (.ics) for events, built with the icalendar package.

An event keeps its UID for life; its SEQUENCE rises with each change mailed to participants
(new time or place, cancellation, a place from the waiting list), so calendar apps replace the
entry instead of adding one. A mentor on the waiting list gets the entry as TENTATIVE; moving
up brings the CONFIRMED one with a higher SEQUENCE.
"""

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from seminars.models import Invitation, InvitationStatus


def event_ics(events, *, tentative: bool = False) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Landeshauptstadt Stuttgart//WillkommensPaten//DE")
    calendar.add("version", "2.0")
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", f"event-{event.pk}@willkommenspaten")
        entry.add("sequence", event.sequence)
        entry.add("summary", event.title)
        entry.add("dtstart", event.starts_at)
        entry.add("dtend", event.ends_at)
        entry.add("dtstamp", event.updated_at)
        entry.add("location", event.place or event.online_link)
        entry.add("description", event.description)
        entry.add("status", _status(event, tentative=tentative))
        calendar.add_component(entry)
    return calendar.to_ical().decode()


def invitation_ics(invitation: Invitation) -> str:
    """The entry for one invited mentor: TENTATIVE while they wait for a place."""
    waiting = invitation.status == InvitationStatus.WAITING
    return event_ics([invitation.event], tentative=waiting)


def _status(event, *, tentative: bool) -> str:
    if event.cancelled_at:
        return "CANCELLED"
    return "TENTATIVE" if tentative else "CONFIRMED"
