"""The window of dates a person may enter, written once for every service that checks dates."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# The programme began in February 2015: no tandem, contact, screening step or seminar is older.
PROGRAMME_START = date(2015, 2, 1)
# Plans (first meetings, seminars) reach at most this far ahead.
PLANNING_HORIZON = timedelta(days=366)


def check_date_window(
    field: str, value: date, *, earliest: date | None = None, latest: date | None = None
) -> None:
    """Raise a ValidationError on `field` unless earliest <= value <= latest (both optional)."""
    if earliest is not None and value < earliest:
        raise ValidationError(
            {field: _("The date cannot be before %(date)s.") % {"date": _shown(earliest)}}
        )
    if latest is not None and value > latest:
        today = timezone.localdate()
        message = (
            _("The date cannot be in the future.")
            if latest == today
            else _("The date cannot be after %(date)s.") % {"date": _shown(latest)}
        )
        raise ValidationError({field: message})


def _shown(day: date) -> str:
    return date_format(day, "d.m.Y")
