"""Reads of referrals that more than one page needs."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from newcomers.models import (
    OPEN_STATUSES,
    Referral,
    ReferralStatus,
    SupportContact,
    Tandem,
    TandemStatus,
)
from willkommen.core.search import full_name, upper_text

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


def tandems_with_schedule() -> QuerySet:
    """Tandems with their support contacts counted and the next contact's due date.

    Good practice (MENTOR's Elements): at least SUPPORT_CONTACTS_FIRST_MONTH contacts in the
    first month (the first within two weeks), then one every SUPPORT_CONTACT_INTERVAL_DAYS.

    Correlated subqueries rather than a join and GROUP BY: for a page of a list, PostgreSQL
    reads the page's tandems first (by index) and counts the contacts of those alone.
    """
    interval = timedelta(days=settings.SUPPORT_CONTACT_INTERVAL_DAYS)
    contacts = SupportContact.objects.filter(tandem=OuterRef("pk")).order_by().values("tandem")
    # One subquery gives the due date of a tandem with contacts, so that sorting every active
    # tandem by it reads each tandem's contacts once.
    due_after_contacts = contacts.annotate(n=Count("*"), last=Max("contacted_on")).annotate(
        due=Case(
            When(n__lt=settings.SUPPORT_CONTACTS_FIRST_MONTH,
                 then=F("tandem__started_on") + timedelta(days=30)),
            default=F("last") + interval,
        )
    )  # fmt: skip
    due = Case(
        When(~Q(status=TandemStatus.ACTIVE), then=None),  # only active tandems are due
        default=Coalesce(
            Subquery(due_after_contacts.values("due")), F("started_on") + timedelta(days=14)
        ),
        output_field=DateField(),
    )
    return Tandem.objects.annotate(
        contact_count=Coalesce(
            Subquery(contacts.annotate(n=Count("*")).values("n"), output_field=IntegerField()), 0
        ),
        last_contact=Subquery(contacts.annotate(last=Max("contacted_on")).values("last")),
        next_contact_due=Cast(due, DateField()),  # date + interval is a timestamp
    )


def tandems_overdue(*, today=None) -> QuerySet:
    """Active tandems whose next support contact is overdue, the longest overdue first."""
    today = today or timezone.localdate()
    return (
        tandems_with_schedule()
        .filter(status=TandemStatus.ACTIVE, next_contact_due__lt=today)
        .order_by("next_contact_due", "pk")
    )
