"""Reads of seminars that more than one place needs."""

from django.db.models import Exists, OuterRef, QuerySet

from mentors.models import Mentor, MentorStage
from mentors.selectors import mentors_searched
from seminars.models import Event, Invitation

PICKER_LIMIT = 20  # a search shows at most this many mentors to tick


def mentors_to_invite(*, event: Event, search: str) -> QuerySet:
    """Mentors a search finds who may be invited to `event` and are not yet: the choices of the
    invitation form, a few at a time rather than every mentor."""
    invited = Invitation.objects.filter(event=event, mentor=OuterRef("pk"))
    mentors = Mentor.objects.confirmed().exclude(stage=MentorStage.LEFT).exclude(Exists(invited))
    return mentors_searched(mentors, search.strip()).order_by("last_name", "first_name", "pk")[
        :PICKER_LIMIT
    ]
