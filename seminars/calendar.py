"""Calendar entries (.ics) for events, built with the icalendar package."""

from icalendar import Calendar
from icalendar import Event as CalendarEvent


def event_ics(events) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//Landeshauptstadt Stuttgart//WillkommensPaten//DE")
    calendar.add("version", "2.0")
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", f"event-{event.pk}@willkommenspaten")
        entry.add("summary", event.title)
        entry.add("dtstart", event.starts_at)
        entry.add("dtend", event.ends_at)
        entry.add("dtstamp", event.updated_at)
        entry.add("location", event.place or event.online_link)
        entry.add("description", event.description)
        entry.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
        calendar.add_component(entry)
    return calendar.to_ical().decode()
