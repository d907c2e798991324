"""Suggested mentors for a referral: hard conditions filter, weighted factors rank.

Every weight lives here, with why. The database computes the score for all candidates (so a
suggestion list stays fast with thousands of mentors); `explain` computes the same factors in
Python for the few mentors shown, in words. A test holds both to the same numbers.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from mentors.models import Mentor, MentorLanguage
from newcomers.models import OPEN_TANDEM_STATUSES, Referral, ReferralStatus, Tandem
from willkommen.core.districts import NEIGHBOURS
from willkommen.core.vocabularies import District, Language, LanguageLevel

# A shared language is what newcomers miss most; it matters twice as much while their German
# is below B1. Only a mentor's own B1 or better counts as speaking it.
SHARED_LANGUAGE = 30
SHARED_LANGUAGE_LITTLE_GERMAN = 60
SPEAKING_LEVELS = [LanguageLevel.B1, LanguageLevel.B2, LanguageLevel.C1, LanguageLevel.C2,
                   LanguageLevel.NATIVE]  # fmt: skip
LITTLE_GERMAN = [LanguageLevel.NONE, LanguageLevel.A1, LanguageLevel.A2]
# Each needed support area the mentor offers.
SUPPORT_AREA = 10
# Meeting is easier the closer they live; the surrounding area is furthest.
SAME_DISTRICT = 20
NEIGHBOURING_DISTRICT = 10
OTHER_DISTRICT = 3
# Overlapping days, and times of day, make regular meetings possible.
SHARED_DAYS = 10
SHARED_TIMES = 5
# A mentor who asked for families fits a household with children; one who asked for single
# adults does not.
WANTS_FAMILIES = 10
WANTS_ADULTS_ONLY = -10
# Fairness: one point for every two weeks a mentor has been ready without a tandem, at most 10.
WAITING_POINTS_MAX = 10
WAITING_WEEKS_PER_POINT = 2


@dataclass(frozen=True)
class Factor:
    points: int
    reason: str

    @property
    def signed_points(self) -> str:
        return f"{self.points:+d}"


def candidates(referral: Referral, *, today=None) -> QuerySet:
    """Mentors who may accompany this referral at all (the hard conditions)."""
    mentors = Mentor.objects.matchable()
    if referral.children_ages:
        mentors = mentors.for_children(today or timezone.localdate())
    return mentors


def with_free_since(mentors: QuerySet) -> QuerySet:
    """`free_since`: since when a mentor without an active tandem has been free — the day
    their screening was complete or their last tandem ended, whichever is later; None while
    they accompany someone (waiting points are for those without a tandem)."""
    last_end = Subquery(
        Tandem.objects.filter(mentor=OuterRef("pk"), ended_on__isnull=False)
        .order_by("-ended_on")
        .values("ended_on")[:1]
    )
    # PostgreSQL's GREATEST ignores NULLs: without an ended tandem, the day screening was done.
    return mentors.with_screened_on().annotate(
        free_since=Case(
            When(tandems_active=0, then=Greatest("screened_on", last_end)),
            default=None,
            output_field=DateField(),
        )
    )


def _waiting_points(free_since, today) -> tuple[int, int]:
    """(points, weeks) for a mentor free since `free_since`."""
    if free_since is None:
        return 0, 0
    weeks = max((today - free_since).days, 0) // 7
    return min(WAITING_POINTS_MAX, weeks // WAITING_WEEKS_PER_POINT), weeks


def suggestions(referral: Referral, *, limit: int = 10, now: datetime | None = None) -> list:
    """The best candidates, each with `score` and `factors` (points and reasons)."""
    now = now or timezone.now()
    needed_areas = list(referral.support_areas.all())
    today = timezone.localdate(now)
    ranked = list(
        _scored(with_free_since(candidates(referral, today=today)), referral, needed_areas, today)
        .order_by("-score", F("free_since").asc(nulls_last=True), "pk")
        .prefetch_related("languages", "support_areas")[:limit]
    )
    for mentor in ranked:
        mentor.factors = explain(mentor, referral, now=now, needed_areas=needed_areas)
    return ranked


def _scored(mentors: QuerySet, referral: Referral, needed_areas, today: date) -> QuerySet:
    area_ids = [area.pk for area in needed_areas]
    shares_language = Exists(
        MentorLanguage.objects.filter(
            mentor=OuterRef("pk"), language__in=referral.languages, level__in=SPEAKING_LEVELS
        )
    )
    offered_areas = Coalesce(
        Subquery(
            Mentor.support_areas.through.objects.filter(
                mentor_id=OuterRef("pk"), supportarea_id__in=area_ids
            )
            .values("mentor_id")
            .annotate(count=Count("*"))
            .values("count"),
            output_field=IntegerField(),
        ),
        0,
    )
    neighbours = NEIGHBOURS.get(referral.district, set())
    district = Case(
        When(district=referral.district, then=Value(SAME_DISTRICT)),
        When(district__in=neighbours, then=Value(NEIGHBOURING_DISTRICT)),
        When(district=District.SURROUNDING_AREA, then=Value(0)),
        default=Value(OTHER_DISTRICT if referral.district != District.SURROUNDING_AREA else 0),
    )  # fmt: skip
    days = Case(
        When(weekdays__overlap=referral.weekdays, then=Value(SHARED_DAYS)), default=Value(0)
    )
    times = Case(
        When(times_of_day__overlap=referral.times_of_day, then=Value(SHARED_TIMES)),
        default=Value(0),
    )
    wishes = (
        Case(
            When(preferences__contains=["families"], then=Value(WANTS_FAMILIES)),
            When(preferences__contains=["adults"], then=Value(WANTS_ADULTS_ONLY)),
            default=Value(0),
        )
        if referral.children_ages
        else Value(0)
    )
    # The same arithmetic as _waiting_points: whole weeks, then points, capped.
    waiting = Coalesce(
        Func(
            Value(today),
            F("free_since"),
            template=(
                f"LEAST({WAITING_POINTS_MAX}, "
                f"GREATEST(%(expressions)s, 0) / 7 / {WAITING_WEEKS_PER_POINT})"
            ),
            arg_joiner=" - ",
            output_field=IntegerField(),
        ),
        0,
    )
    language_points = (
        SHARED_LANGUAGE_LITTLE_GERMAN if referral.german_level in LITTLE_GERMAN else SHARED_LANGUAGE
    )
    return mentors.annotate(
        score=Case(
            When(shares_language, then=Value(language_points)),
            default=Value(0),
            output_field=IntegerField(),
        )
        + offered_areas * SUPPORT_AREA
        + district
        + days
        + times
        + wishes
        + waiting
    )


def explain(
    mentor: Mentor, referral: Referral, *, now: datetime, needed_areas=None
) -> list[Factor]:
    """The factors behind a mentor's score, in words; their points add up to the score."""
    if needed_areas is None:
        needed_areas = list(referral.support_areas.all())
    factors = []
    shared = sorted(
        {row.language for row in mentor.languages.all() if row.level in SPEAKING_LEVELS}
        & set(referral.languages)
    )
    if shared:
        names = ", ".join(str(Language(code).label) for code in shared)
        if referral.german_level in LITTLE_GERMAN:
            factors.append(
                Factor(
                    SHARED_LANGUAGE_LITTLE_GERMAN,
                    _("speaks %(languages)s, and the newcomer speaks little German yet")
                    % {"languages": names},
                )
            )
        else:
            factors.append(
                Factor(SHARED_LANGUAGE, _("speaks %(languages)s") % {"languages": names})
            )
    needed = {area.pk for area in needed_areas}
    offered = [area for area in mentor.support_areas.all() if area.pk in needed]
    if offered:
        factors.append(
            Factor(
                SUPPORT_AREA * len(offered),
                _("offers %(areas)s") % {"areas": ", ".join(area.label for area in offered)},
            )
        )
    if mentor.district == referral.district and mentor.district != District.SURROUNDING_AREA:
        factors.append(Factor(SAME_DISTRICT, _("lives in the same district")))
    elif mentor.district == referral.district:
        factors.append(Factor(SAME_DISTRICT, _("also lives outside Stuttgart")))
    elif mentor.district in NEIGHBOURS.get(referral.district, set()):
        factors.append(Factor(NEIGHBOURING_DISTRICT, _("lives in a neighbouring district")))
    elif District.SURROUNDING_AREA not in (mentor.district, referral.district):
        factors.append(Factor(OTHER_DISTRICT, _("lives in Stuttgart")))
    if set(mentor.weekdays) & set(referral.weekdays):
        factors.append(Factor(SHARED_DAYS, _("has time on the same days")))
    if set(mentor.times_of_day) & set(referral.times_of_day):
        factors.append(Factor(SHARED_TIMES, _("has time at the same times of day")))
    if referral.children_ages and "families" in mentor.preferences:
        factors.append(Factor(WANTS_FAMILIES, _("would like to accompany a family")))
    elif referral.children_ages and "adults" in mentor.preferences:
        factors.append(Factor(WANTS_ADULTS_ONLY, _("would rather accompany single adults")))
    points, weeks = _waiting_points(mentor.free_since, timezone.localdate(now))
    if points:
        factors.append(Factor(points, _("has been ready for %(weeks)s weeks without a tandem")
                              % {"weeks": weeks}))  # fmt: skip
    return factors


def referrals_suited(mentor: Mentor, *, limit: int = 10, now: datetime | None = None) -> list:
    """From the mentor's side: waiting referrals without a proposal that this mentor could
    accompany, best first, each with `score` and `factors` - the same weights as above, scored
    by the database so that only the best few are read."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    mentor = (
        with_free_since(Mentor.objects.matchable().filter(pk=mentor.pk))
        .prefetch_related("languages", "support_areas")
        .first()
    )
    if mentor is None:
        return []
    referrals = Referral.objects.filter(status=ReferralStatus.WAITING).exclude(
        tandems__status__in=OPEN_TANDEM_STATUSES
    )
    if not Mentor.objects.for_children(today).filter(pk=mentor.pk).exists():
        referrals = referrals.filter(children_ages=[])
    ranked = list(
        _referrals_scored(referrals, mentor, today)
        .order_by("-score", "created_at", "pk")
        .prefetch_related("support_areas")[:limit]
    )
    for referral in ranked:
        referral.factors = explain(
            mentor, referral, now=now, needed_areas=list(referral.support_areas.all())
        )
    return ranked


def _referrals_scored(referrals: QuerySet, mentor: Mentor, today: date) -> QuerySet:
    """`_scored` turned around: one mentor, every referral; `explain` in SQL."""
    spoken = sorted(
        {row.language for row in mentor.languages.all() if row.level in SPEAKING_LEVELS}
    )
    language = Case(
        When(languages__overlap=spoken, german_level__in=LITTLE_GERMAN,
             then=Value(SHARED_LANGUAGE_LITTLE_GERMAN)),
        When(languages__overlap=spoken, then=Value(SHARED_LANGUAGE)),
        default=Value(0),
    )  # fmt: skip
    needed_and_offered = Coalesce(
        Subquery(
            Referral.support_areas.through.objects.filter(
                referral_id=OuterRef("pk"),
                supportarea_id__in=[area.pk for area in mentor.support_areas.all()],
            )
            .values("referral_id")
            .annotate(count=Count("*"))
            .values("count"),
            output_field=IntegerField(),
        ),
        0,
    )
    district = Case(
        When(district=mentor.district, then=Value(SAME_DISTRICT)),
        When(district__in=NEIGHBOURS.get(mentor.district, set()),
             then=Value(NEIGHBOURING_DISTRICT)),
        When(district=District.SURROUNDING_AREA, then=Value(0)),
        default=Value(OTHER_DISTRICT if mentor.district != District.SURROUNDING_AREA else 0),
    )  # fmt: skip
    days = Case(When(weekdays__overlap=mentor.weekdays, then=Value(SHARED_DAYS)), default=Value(0))
    times = Case(
        When(times_of_day__overlap=mentor.times_of_day, then=Value(SHARED_TIMES)),
        default=Value(0),
    )
    wish = (WANTS_FAMILIES if "families" in mentor.preferences
            else WANTS_ADULTS_ONLY if "adults" in mentor.preferences else 0)  # fmt: skip
    wishes = Case(When(~Q(children_ages=[]), then=Value(wish)), default=Value(0))
    waiting, _weeks = _waiting_points(mentor.free_since, today)
    return referrals.annotate(
        score=ExpressionWrapper(
            language + needed_and_offered * SUPPORT_AREA + district + days + times + wishes
            + Value(waiting),
            output_field=IntegerField(),
        )
    )  # fmt: skip
