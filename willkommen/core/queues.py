"""Work queues: each is one named set, shown as a dashboard card and as the list behind it.

An app names its queues once (e.g. mentors/queues.py); the dashboard shows their cards and the
app's list page filters by `?queue=<name>` with the same `items()`, so a card's count and its
list always agree (tests/overview/test_queues.py checks every queue).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext


@dataclass(frozen=True)
class WorkQueue:
    name: str
    title: str
    items: Callable[[], QuerySet]  # the set, oldest first
    list_url_name: str  # a list page that understands ?queue=<name>
    note: Callable[[object, date], str]  # what matters about one item, in words
    item_url: Callable[[object], str] | None = None  # default: the item's get_absolute_url
    hide_when_empty: bool = False  # a card that matters only when something went wrong

    def list_url(self) -> str:
        return reverse(self.list_url_name) + "?" + urlencode({"queue": self.name})

    def card(self, *, limit: int = 5) -> dict:
        """Count, the oldest few with their note, and the link to the whole list."""
        items = self.items()
        today = timezone.localdate()
        return {
            "name": self.name,
            "title": self.title,
            "count": items.count(),
            "rows": [
                {
                    "item": item,
                    "url": self.item_url(item) if self.item_url else item.get_absolute_url(),
                    "note": self.note(item, today),
                }
                for item in items[:limit]
            ],
            "list_url": self.list_url(),
        }


def days_since(moment: date | datetime, today: date) -> int:
    day = timezone.localdate(moment) if isinstance(moment, datetime) else moment
    return max((today - day).days, 0)


def waiting_days(moment: date | datetime, today: date) -> str:
    """ "waiting 12 days", counted in local calendar days."""
    days = days_since(moment, today)
    if days == 0:
        return gettext("waiting since today")
    return ngettext("waiting %(days)s day", "waiting %(days)s days", days) % {"days": days}


def queue_named(queues: list[WorkQueue], name: str) -> WorkQueue | None:
    return next((queue for queue in queues if queue.name == name), None)
