"""Reads of mentors that more than one page needs."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from mentors.models import BY_NAME, Mentor, MentorLanguage, MentorStatus
from mentors.queues import MENTOR_QUEUES
from willkommen.core.queues import queue_named
from willkommen.core.search import full_name

# Each sort ends with the primary key: mentors with the same name keep their place from page to
# page. An index for each (Mentor.Meta.indexes) lets a page be read without sorting them all.
SORTS = {
    "name": [*BY_NAME, "pk"],
    "newest": ["-created_at", "-pk"],
    "district": ["district", *BY_NAME, "pk"],
    "status": ["status", *BY_NAME, "pk"],
}


def mentors_for_list(*, filters: dict) -> QuerySet:
    """Confirmed mentors matching the list filters, with what a row shows prefetched."""
    mentors = _filtered(filters)
    if filters.get("status"):
        mentors = mentors.filter(status=filters["status"])
    if filters.get("sort") or not filters.get("queue"):  # a queue keeps its own order
        mentors = mentors.order_by(*SORTS.get(filters.get("sort") or "name", SORTS["name"]))
    return mentors.prefetch_related(
        Prefetch("languages", queryset=MentorLanguage.objects.order_by("pk")), "support_areas"
    )


def mentor_counts_by_status(*, filters: dict) -> dict[str, int]:
    """How many mentors each status has, under every filter but the status itself."""
    rows = _filtered(filters).order_by().values("status").annotate(count=Count("pk"))
    counts = {row["status"]: row["count"] for row in rows}
    return {status: counts.get(status, 0) for status in MentorStatus.values}


def _filtered(filters: dict) -> QuerySet:
    queue = queue_named(MENTOR_QUEUES, filters.get("queue") or "")
    mentors = queue.items() if queue else Mentor.objects.confirmed()
    if query := (filters.get("q") or "").strip():
        mentors = mentors_searched(mentors, query)
    if filters.get("district"):
        mentors = mentors.filter(district=filters["district"])
    # EXISTS rather than a join: a mentor is listed (and counted) once, however many rows match.
    if filters.get("language"):
        mentors = mentors.filter(
            Exists(
                MentorLanguage.objects.filter(mentor=OuterRef("pk"), language=filters["language"])
            )
        )
    if filters.get("support_area"):
        mentors = mentors.filter(
            Exists(
                Mentor.support_areas.through.objects.filter(
                    mentor=OuterRef("pk"), supportarea=filters["support_area"]
                )
            )
        )
    if filters.get("weekdays"):
        mentors = mentors.filter(weekdays__overlap=filters["weekdays"])
    if filters.get("times_of_day"):
        mentors = mentors.filter(times_of_day__overlap=filters["times_of_day"])
    if filters.get("ready"):
        mentors = mentors.filter(status=MentorStatus.READY)
    if filters.get("free_capacity"):
        mentors = mentors.matchable()
    return mentors


def mentors_searched(mentors: QuerySet, query: str) -> QuerySet:
    """Mentors whose name, e-mail address or phone number contains `query` (any case). Each
    condition has its trigram index (Mentor.Meta.indexes), so a search reads few rows."""
    return mentors.annotate(search_name=full_name()).filter(
        Q(search_name__icontains=query) | Q(email__icontains=query) | Q(phone__icontains=query)
    )
