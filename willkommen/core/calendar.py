"""One calendar entry (.ics) for a mail, built with the icalendar package.

An appointment keeps its UID for life; its SEQUENCE rises with each change mailed, so calendar
apps replace the entry instead of adding a second one (RFC 5545, 3.8.7.4). seminars/calendar.py
builds the entries of events the same way.
"""

from datetime import datetime

from icalendar import Calendar, Event

PRODUCT_ID = "-//Landeshauptstadt Stuttgart//WillkommensPaten//DE"


def appointment_ics(
    *,
    uid: str,
    sequence: int,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str,
    stamp: datetime,
    description: str = "",
    cancelled: bool = False,
) -> str:
    """A calendar with one entry; `uid` is unique world-wide, e.g. "tandem-7@willkommenspaten"."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    entry = Event()
    entry.add("uid", uid)
    entry.add("sequence", sequence)
    entry.add("summary", summary)
    entry.add("dtstart", starts_at)
    entry.add("dtend", ends_at)
    entry.add("dtstamp", stamp)
    entry.add("location", location)
    if description:
        entry.add("description", description)
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(entry)
    return calendar.to_ical().decode()
