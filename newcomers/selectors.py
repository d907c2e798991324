"""Reads of referrals that more than one page needs."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Case, Count, DateField, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from newcomers.models import (
    OPEN_STATUSES,
    Referral,
    ReferralStatus,
    Tandem,
    TandemStatus,
)

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


def referrals_for_queue(*, filters: dict, queue: QuerySet | None = None) -> QuerySet:
    """The coordinators' intake list: the open referrals, or one work queue's (then in the
    queue's order); new referrals first, then by waiting time."""
    referrals = queue if queue is not None else Referral.objects.all()
    if status := filters.get("status"):
        referrals = referrals.filter(status=status)
    elif queue is None:
        referrals = referrals.open()
    referrals = referrals.select_related("advisor").prefetch_related("support_areas")
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
    if queue is not None:
        return referrals
    new_first = Case(When(status=ReferralStatus.RECEIVED, then=0), default=1)
    return referrals.order_by(new_first, "created_at", "pk")


def tandems_with_schedule() -> QuerySet:
    """Tandems with their support contacts counted and the next contact's due date.

    Good practice (MENTOR's Elements): at least SUPPORT_CONTACTS_FIRST_MONTH contacts in the
    first month (the first within two weeks), then one every SUPPORT_CONTACT_INTERVAL_DAYS.
    """
    interval = timedelta(days=settings.SUPPORT_CONTACT_INTERVAL_DAYS)
    due = Case(
        When(~Q(status=TandemStatus.ACTIVE), then=None),  # only active tandems are due
        When(contact_count=0, then=F("started_on") + timedelta(days=14)),
        When(
            contact_count__lt=settings.SUPPORT_CONTACTS_FIRST_MONTH,
            then=F("started_on") + timedelta(days=30),
        ),
        default=F("last_contact") + interval,
        output_field=DateField(),
    )
    return Tandem.objects.annotate(
        contact_count=Count("contacts"), last_contact=Max("contacts__contacted_on")
    ).annotate(next_contact_due=Cast(due, DateField()))  # date + interval is a timestamp


def tandems_overdue(*, today=None) -> QuerySet:
    """Active tandems whose next support contact is overdue, the longest overdue first."""
    today = today or timezone.localdate()
    return (
        tandems_with_schedule()
        .filter(status=TandemStatus.ACTIVE, next_contact_due__lt=today)
        .order_by("next_contact_due")
    )
