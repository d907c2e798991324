"""Suggested mentors for a referral: hard conditions filter, weighted factors rank.

Every weight lives here, with why. The database computes the score for all candidates (so a
suggestion list stays fast with thousands of mentors); `explain` computes the same factors in
Python for the few mentors shown, in words, what fits and what is missing. A test holds both
to the same numbers. The hard conditions are written the same way twice: `candidates` in SQL,
`hindrances` in words for a mentor found by name; a test holds both to the same mentors.
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
from django.utils.translation import ngettext

from mentors.models import Mentor, MentorLanguage, MentorStatus
from mentors.selectors import mentors_searched
from newcomers.models import OPEN_TANDEM_STATUSES, Referral, ReferralStatus, Tandem, TandemStatus
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


# How many mentors a search by name shows: enough to find one person, few enough to read.
FOUND_LIMIT = 20


@dataclass(frozen=True)
class Factor:
    """One line of an explanation: what fits (`fits`), or what is missing, with its points."""

    points: int
    reason: str
    fits: bool = True

    @property
    def signed_points(self) -> str:
        return f"{self.points:+d}" if self.points else "±0"


def _declined(referral: Referral) -> Exists:
    """The mentor of the outer query declined this referral once: they are not asked again."""
    return Exists(
        Tandem.objects.filter(
            referral=referral, mentor=OuterRef("pk"), status=TandemStatus.DECLINED
        )
    )


def candidates(referral: Referral, *, today=None) -> QuerySet:
    """Mentors who may accompany this referral at all (the hard conditions). Their twin in
    words is `hindrances`."""
    mentors = Mentor.objects.matchable().filter(~_declined(referral))
    if referral.children_ages:
        mentors = mentors.for_children(today or timezone.localdate())
    return mentors


def _with_hindrance_facts(mentors: QuerySet, referral: Referral, today: date) -> QuerySet:
    """What `hindrances` reads: the facts behind each hard condition, and `may_take`, the
    condition itself (`candidates`), so that a button never offers what the service refuses."""
    facts = {
        "may_take": Exists(candidates(referral, today=today).filter(pk=OuterRef("pk"))),
        "declined_before": _declined(referral),
    }
    if referral.children_ages:
        facts["fit_for_children"] = Exists(
            Mentor.objects.for_children(today).filter(pk=OuterRef("pk"))
        )
    return mentors.annotate(**facts)


def hindrances(mentor: Mentor, referral: Referral) -> list[str]:
    """Why `mentor` may not accompany `referral` now, in words; empty if they may. Reads the
    facts of `_with_hindrance_facts`."""
    reasons = []
    if mentor.status not in MentorStatus.matchable():
        reasons.append(
            _("not ready for matching (status: %(status)s)")
            % {"status": mentor.get_status_display()}
        )
    if mentor.free_places == 0:
        reasons.append(
            _("no free place (%(taken)s of %(capacity)s taken)")
            % {"taken": mentor.places_taken, "capacity": mentor.capacity}
        )
    if referral.children_ages and not mentor.fit_for_children:
        if mentor.accompanies_families:
            reasons.append(
                _("the household has children, and the police certificate is missing or expired")
            )
        else:
            reasons.append(_("has not offered to accompany families with children"))
    if mentor.declined_before:
        reasons.append(_("declined this referral before"))
    if not reasons and not mentor.may_take:
        reasons.append(_("cannot accompany this referral right now"))
    return reasons


def hindrances_of(mentor: Mentor, referral: Referral, *, today=None) -> list[str]:
    """`hindrances` for one mentor, read afresh: why a proposal was refused."""
    today = today or timezone.localdate()
    found = _with_hindrance_facts(Mentor.objects.filter(pk=mentor.pk), referral, today).first()
    return hindrances(found, referral) if found is not None else []


def hindrances_in_words(reasons: list[str]) -> str:
    return ngettext("Reason: %(reasons)s.", "Reasons: %(reasons)s.", len(reasons)) % {
        "reasons": "; ".join(reasons)
    }


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


def suggestions(
    referral: Referral, *, limit: int = 10, now: datetime | None = None, needed_areas=None
) -> list:
    """The best candidates, each with `score` and `factors` (points and reasons)."""
    now = now or timezone.now()
    if needed_areas is None:
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


def mentors_found(
    referral: Referral,
    query: str,
    *,
    limit: int = FOUND_LIMIT,
    now: datetime | None = None,
    needed_areas=None,
) -> tuple[list, bool]:
    """Confirmed mentors whose name (e-mail address, phone number) contains `query`, whether
    or not they may take this referral: each with `score` and `factors` as in `suggestions`,
    and `hindrances` (empty for those who may be proposed). Returns (the first `limit` by
    name, whether there are more)."""
    now = now or timezone.now()
    if needed_areas is None:
        needed_areas = list(referral.support_areas.all())
    today = timezone.localdate(now)
    mentors = mentors_searched(Mentor.objects.confirmed(), query)
    mentors = _with_hindrance_facts(with_free_since(mentors), referral, today)
    found = list(
        _scored(mentors, referral, needed_areas, today)
        .order_by("last_name", "first_name", "pk")
        .prefetch_related("languages", "support_areas")[: limit + 1]
    )
    for mentor in found[:limit]:
        mentor.factors = explain(mentor, referral, now=now, needed_areas=needed_areas)
        mentor.hindrances = hindrances(mentor, referral)
    return found[:limit], len(found) > limit


def declined_by(referral: Referral) -> QuerySet:
    """The proposals of this referral that mentors declined, latest first, with the reason."""
    return (
        referral.tandems.filter(status=TandemStatus.DECLINED)
        .select_related("mentor")
        .order_by(F("answered_at").desc(nulls_last=True), "-pk")
    )


def _spoken(mentor: Mentor) -> set[str]:
    """The languages a mentor speaks well enough to count (B1 or better)."""
    return {row.language for row in mentor.languages.all() if row.level in SPEAKING_LEVELS}


def languages_nobody_speaks(referral: Referral, mentors) -> list[str]:
    """The household's languages, in words, if none of `mentors` speaks any of them."""
    if not mentors or any(set(referral.languages) & _spoken(mentor) for mentor in mentors):
        return []
    return referral.language_labels


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
    """The factors behind a mentor's score, in words: what fits, then what is missing. Their
    points add up to the score."""
    if needed_areas is None:
        needed_areas = list(referral.support_areas.all())
    factors = []
    shared = sorted(_spoken(mentor) & set(referral.languages))
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
    elif referral.languages:
        a_little = sorted(
            {row.language for row in mentor.languages.all()} & set(referral.languages)
        )
        if a_little:
            names = ", ".join(str(Language(code).label) for code in a_little)
            reason = _("speaks %(languages)s only a little (below B1)") % {"languages": names}
        else:
            reason = _("speaks none of the household's languages")
        factors.append(Factor(0, reason, fits=False))
    needed = {area.pk for area in needed_areas}
    offered = [area for area in mentor.support_areas.all() if area.pk in needed]
    if offered:
        factors.append(
            Factor(
                SUPPORT_AREA * len(offered),
                _("offers %(areas)s") % {"areas": ", ".join(area.label for area in offered)},
            )
        )
        offered_pks = {area.pk for area in offered}
        if missing := [area for area in needed_areas if area.pk not in offered_pks]:
            factors.append(
                Factor(
                    0,
                    _("does not offer %(areas)s")
                    % {"areas": ", ".join(area.label for area in missing)},
                    fits=False,
                )
            )
    elif needed_areas:
        factors.append(Factor(0, _("no support area in common"), fits=False))
    factors.append(_district_factor(mentor.district, referral.district))
    if set(mentor.weekdays) & set(referral.weekdays):
        factors.append(Factor(SHARED_DAYS, _("has time on the same days")))
    elif referral.weekdays:
        factors.append(Factor(0, _("no day in common"), fits=False))
    if set(mentor.times_of_day) & set(referral.times_of_day):
        factors.append(Factor(SHARED_TIMES, _("has time at the same times of day")))
    elif referral.times_of_day:
        factors.append(Factor(0, _("no time of day in common"), fits=False))
    if referral.children_ages and "families" in mentor.preferences:
        factors.append(Factor(WANTS_FAMILIES, _("would like to accompany a family")))
    elif referral.children_ages and "adults" in mentor.preferences:
        factors.append(
            Factor(WANTS_ADULTS_ONLY, _("would rather accompany single adults"), fits=False)
        )
    points, weeks = _waiting_points(mentor.free_since, timezone.localdate(now))
    if points:
        factors.append(Factor(points, _("has been ready for %(weeks)s weeks without a tandem")
                              % {"weeks": weeks}))  # fmt: skip
    return [f for f in factors if f.fits] + [f for f in factors if not f.fits]


def _district_factor(mentors_district: str, households_district: str) -> Factor:
    """Distance by district, as `_scored` and `_referrals_scored` count it."""
    outside = District.SURROUNDING_AREA
    if mentors_district == households_district:
        if mentors_district == outside:
            return Factor(SAME_DISTRICT, _("also lives outside Stuttgart"))
        return Factor(SAME_DISTRICT, _("lives in the same district"))
    if mentors_district in NEIGHBOURS.get(households_district, set()):
        return Factor(NEIGHBOURING_DISTRICT, _("lives in a neighbouring district"))
    if mentors_district == outside:
        return Factor(0, _("lives outside Stuttgart"), fits=False)
    if households_district == outside:
        return Factor(0, _("the household lives outside Stuttgart"), fits=False)
    return Factor(
        OTHER_DISTRICT,
        _("another district (%(district)s)") % {"district": District(mentors_district).label},
        fits=False,
    )


def referrals_suited(mentor: Mentor, *, limit: int = 10, now: datetime | None = None) -> list:
    """From the mentor's side: waiting referrals without a proposal that this mentor could
    accompany (and has not declined), best first, each with `score` and `factors` - the same
    weights as above, scored by the database so that only the best few are read."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    mentor = (
        with_free_since(Mentor.objects.matchable().filter(pk=mentor.pk))
        .prefetch_related("languages", "support_areas")
        .first()
    )
    if mentor is None:
        return []
    declined = Tandem.objects.filter(
        referral=OuterRef("pk"), mentor=mentor, status=TandemStatus.DECLINED
    )
    referrals = (
        Referral.objects.filter(status=ReferralStatus.WAITING)
        .exclude(tandems__status__in=OPEN_TANDEM_STATUSES)
        .filter(~Exists(declined))  # as `candidates`: who declined is not asked again
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
    spoken = sorted(_spoken(mentor))
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
