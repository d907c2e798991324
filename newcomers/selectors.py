"""Reads of referrals that more than one page needs."""

from datetime import timedelta

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mentors.models import Mentor
from mentors.selectors import mentors_searched
from newcomers.models import (
    OPEN_STATUSES,
    Referral,
    ReferralStatus,
    Tandem,
    TandemStatus,
)
from willkommen.core.search import full_name, german_order, upper_text

DUPLICATE_SIMILARITY = 0.5  # trigram similarity of full names; 1.0 is identical
RECENT = timedelta(days=365)


def possible_duplicates(referral: Referral) -> QuerySet:
    """Open or recent referrals for what may be the same person: a similar full name.

    `trigram_similar` (pg_trgm's %, similarity 0.3 or more) lets the trigram index
    (Referral.Meta.indexes) find the candidates; the similarity then decides."""
    name = upper_text(full_name())
    return (
        Referral.objects.exclude(pk=referral.pk)
        .filter(Q(status__in=OPEN_STATUSES) | Q(created_at__gte=timezone.now() - RECENT))
        .annotate(search_name=name)
        .filter(search_name__trigram_similar=f"{referral.first_name} {referral.last_name}".upper())
        .annotate(similarity=TrigramSimilarity(name, f"{referral.first_name} {referral.last_name}"))
        .filter(similarity__gte=DUPLICATE_SIMILARITY)
        .order_by("-similarity", "pk")
    )


def referrals_for_queue(*, filters: dict, queue: QuerySet | None = None) -> QuerySet:
    """The coordinators' intake list: the open referrals, or one work queue's (then in the
    queue's order); new referrals first, then by waiting time."""
    referrals = queue if queue is not None else Referral.objects.all()
    if status := filters.get("status"):
        referrals = referrals.filter(status=status)
    elif queue is None:
        referrals = referrals.open()
    referrals = referrals.select_related("advisor").prefetch_related("support_areas")
    if query := (filters.get("q") or "").strip():  # the trigram index answers it
        referrals = referrals.annotate(search_name=full_name()).filter(search_name__icontains=query)
    if filters.get("district"):
        referrals = referrals.filter(district=filters["district"])
    if filters.get("language"):
        referrals = referrals.filter(languages__contains=[filters["language"]])
    if filters.get("support_area"):  # EXISTS rather than a join: each referral once
        referrals = referrals.filter(
            Exists(
                Referral.support_areas.through.objects.filter(
                    referral=OuterRef("pk"), supportarea=filters["support_area"]
                )
            )
        )
    if filters.get("advisor"):
        referrals = referrals.filter(advisor=filters["advisor"])
    if filters.get("urgency"):
        referrals = referrals.filter(urgency=filters["urgency"])
    if queue is not None:
        return referrals
    new_first = Case(When(status=ReferralStatus.RECEIVED, then=0), default=1)
    return referrals.order_by(new_first, "created_at", "pk")


def tandems_overdue(*, today=None) -> QuerySet:
    """Active tandems whose next support contact is overdue, the longest overdue first."""
    today = today or timezone.localdate()
    return Tandem.objects.filter(next_contact_due__lt=today).order_by("next_contact_due", "pk")


# --- The tandem list -------------------------------------------------------------------------

# The list's views (?ansicht=…): the statuses each shows; "overdue" is tandems_overdue().
TANDEM_VIEWS = {
    "active": gettext_lazy("Active"),
    "overdue": gettext_lazy("Support contact overdue"),
    "starting": gettext_lazy("Proposed or first meeting ahead"),
    "ended": gettext_lazy("Ended"),
    "all": gettext_lazy("All"),
}
VIEW_STATUSES = {
    "active": [TandemStatus.ACTIVE],
    "starting": [TandemStatus.PROPOSED, TandemStatus.ACCEPTED],
    "ended": [TandemStatus.ENDED, TandemStatus.DECLINED],
}
# Each sort ends with the primary key, so that tandems with the same date or mentor keep their
# place from page to page. "newest" within a status is read from tandem_status_proposed.
TANDEM_SORTS = {
    "newest": ["-proposed_at", "-pk"],
    "started": [F("started_on").desc(nulls_last=True), "-pk"],
    "due": [F("next_contact_due").asc(nulls_last=True), "pk"],
    "mentor": [german_order("mentor__last_name"), german_order("mentor__first_name"), "pk"],
}


def tandem_view(filters: dict) -> str:
    """The view the list shows: the one chosen; else all tandems for a search (someone looks
    for a person, whatever became of the tandem), the active ones otherwise."""
    if filters.get("ansicht") in TANDEM_VIEWS:
        return filters["ansicht"]
    return "all" if (filters.get("q") or "").strip() else "active"


def tandem_default_sort(view: str) -> str:
    """The order of a view without a chosen sort: the longest overdue first in the overdue
    view, the newest proposal first elsewhere."""
    return "due" if view == "overdue" else "newest"


def tandems_for_list(*, filters: dict, queue: QuerySet | None = None) -> QuerySet:
    """The coordinators' tandem list: one view's tandems (tandem_view), or one work queue's
    (then in the queue's order unless a sort is chosen); searched, filtered and sorted as
    `filters` (TandemFilterForm.filters) say, with what a row shows joined in."""
    view = tandem_view(filters)
    if queue is not None:
        tandems = queue
    elif view == "overdue":
        tandems = tandems_overdue()
    elif view in VIEW_STATUSES:
        tandems = Tandem.objects.filter(status__in=VIEW_STATUSES[view])
    else:
        tandems = Tandem.objects.all()
    if query := (filters.get("q") or "").strip():
        tandems = tandems_searched(tandems, query)
    if filters.get("district"):
        tandems = tandems.filter(referral__district=filters["district"])
    if filters.get("overdue"):
        tandems = tandems.filter(next_contact_due__lt=timezone.localdate())
    sort = filters.get("sort") or (None if queue is not None else tandem_default_sort(view))
    if sort:
        tandems = tandems.order_by(*TANDEM_SORTS.get(sort, TANDEM_SORTS["newest"]))
    return tandems.select_related("mentor", "referral__advisor")


def referrals_searched(referrals: QuerySet, query: str) -> QuerySet:
    """Referrals whose newcomer's name contains `query` (any case), as the intake list searches
    (by the name's trigram index); the e-mail address too for a query that can be part of one
    ("@" or "."), the phone for a query with a digit. Neither has an index, and a name looks
    like neither: so a name is still answered by the index alone."""
    found = Q(search_name__icontains=query)
    if "@" in query or "." in query:
        found |= Q(email__icontains=query)
    if any(character.isdigit() for character in query):
        found |= Q(phone__icontains=query)
    return referrals.annotate(search_name=full_name()).filter(found)


def tandems_searched(tandems: QuerySet, query: str) -> QuerySet:
    """Tandems whose mentor (by name, e-mail address or phone: mentors_searched) or household
    (referrals_searched) `query` finds; each side by its trigram indexes."""
    mentors = mentors_searched(Mentor.objects.all(), query).values("pk")
    households = referrals_searched(Referral.objects.all(), query).values("pk")
    return tandems.filter(Q(mentor__in=mentors) | Q(referral__in=households))
