"""Reads of referrals that more than one page needs."""

from datetime import timedelta

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Concat
from django.utils import timezone

from newcomers.models import OPEN_STATUSES, Referral, ReferralStatus

DUPLICATE_SIMILARITY = 0.5  # trigram similarity of full names; 1.0 is identical
RECENT = timedelta(days=365)


def possible_duplicates(referral: Referral) -> QuerySet:
    """Open or recent referrals for what may be the same person: a similar full name."""
    name = f"{referral.first_name} {referral.last_name}"
    return (
        Referral.objects.exclude(pk=referral.pk)
        .filter(Q(status__in=OPEN_STATUSES) | Q(created_at__gte=timezone.now() - RECENT))
        .annotate(similarity=TrigramSimilarity(Concat("first_name", Value(" "), "last_name"), name))
        .filter(similarity__gte=DUPLICATE_SIMILARITY)
        .order_by("-similarity")
    )


def referrals_for_queue(*, filters: dict) -> QuerySet:
    """The coordinators' intake queue: new referrals first, then by waiting time."""
    referrals = Referral.objects.select_related("advisor").prefetch_related("support_areas")
    status = filters.get("status")
    referrals = referrals.filter(status=status) if status else referrals.open()
    if query := (filters.get("q") or "").strip():
        referrals = referrals.annotate(
            search_name=Concat("first_name", Value(" "), "last_name")
        ).filter(search_name__icontains=query)
    if filters.get("district"):
        referrals = referrals.filter(district=filters["district"])
    if filters.get("language"):
        referrals = referrals.filter(languages__contains=[filters["language"]])
    if filters.get("support_area"):
        referrals = referrals.filter(support_areas=filters["support_area"])
    if filters.get("advisor"):
        referrals = referrals.filter(advisor=filters["advisor"])
    if filters.get("urgency"):
        referrals = referrals.filter(urgency=filters["urgency"])
    new_first = Case(When(status=ReferralStatus.RECEIVED, then=0), default=1)
    return referrals.order_by(new_first, "created_at")


def referral_queue(*, status: str, limit: int = 5) -> dict:
    """A dashboard work queue: the referrals with `status`, the longest waiting first."""
    referrals = Referral.objects.filter(status=status)
    return {"count": referrals.count(), "oldest": list(referrals.order_by("created_at")[:limit])}
