from datetime import timedelta

import pytest
from django.utils import timezone

from mentors.models import Mentor
from newcomers.matching import (
    NEIGHBOURING_DISTRICT,
    OTHER_DISTRICT,
    SAME_DISTRICT,
    SHARED_LANGUAGE,
    SHARED_LANGUAGE_LITTLE_GERMAN,
    SUPPORT_AREA,
    referrals_suited,
    suggestions,
)
from tests.factories import MentorFactory, ReferralFactory, certificate_seen
from willkommen.core.districts import NEIGHBOURS

NOW = timezone.now()


def ready(**fields):
    fields = {"status": "ready", "languages": [("de", "native")], "support_areas": [],
              "weekdays": [], "times_of_day": [], **fields}  # fmt: skip
    return MentorFactory(**fields)


def scores(referral):
    return {mentor.last_name: mentor.score for mentor in suggestions(referral, now=NOW)}


@pytest.fixture
def referral(db):
    return ReferralFactory(
        languages=["ar"], german_level="B1", district="west", children_ages=[],
        support_areas=[], weekdays=[], times_of_day=[],
    )  # fmt: skip


def test_only_ready_or_active_mentors_with_free_places_are_suggested(referral):
    ready(last_name="Bereit")
    ready(last_name="Aktiv", status="active", capacity=2)
    ready(last_name="Voll", status="active", capacity=1)
    for status in ("new", "contacted", "screening", "paused", "left"):
        ready(last_name=status, status=status)
    ready(last_name="Unbestaetigt", email_confirmed_at=None)
    assert set(scores(referral)) == {"Bereit", "Aktiv"}


def test_children_need_a_mentor_with_a_valid_police_certificate(referral, coordinator):
    referral.children_ages = [5]
    referral.save()
    ready(last_name="OhneKinder")
    with_certificate = ready(last_name="Zeugnis", preferences=["families"])
    expired = ready(last_name="Abgelaufen", preferences=["families"])
    today = timezone.localdate()
    for mentor, valid_until in ((with_certificate, today + timedelta(days=30)),
                                (expired, today - timedelta(days=1))):  # fmt: skip
        certificate_seen(mentor, done_on=today - timedelta(days=400), valid_until=valid_until)
    assert set(scores(referral)) == {"Zeugnis"}


def test_a_shared_language_weighs_double_while_german_is_little(referral):
    ready(last_name="Arabisch", languages=[("de", "native"), ("ar", "C1")], district="umgebung",
          postal_code="71063")  # fmt: skip
    ready(last_name="NurA2", languages=[("ar", "A2")], district="umgebung", postal_code="71063")
    assert scores(referral) == {"Arabisch": SHARED_LANGUAGE, "NurA2": 0}
    referral.german_level = "none"
    assert scores(referral)["Arabisch"] == SHARED_LANGUAGE_LITTLE_GERMAN


def test_distance_by_district(referral):
    neighbour = sorted(NEIGHBOURS["west"])[0]
    ready(last_name="Gleich", district="west")
    ready(last_name="Nachbar", district=neighbour)
    ready(last_name="Weit", district="plieningen")
    ready(last_name="Umland", district="umgebung", postal_code="71063")
    assert scores(referral) == {
        "Gleich": SAME_DISTRICT, "Nachbar": NEIGHBOURING_DISTRICT, "Weit": OTHER_DISTRICT,
        "Umland": 0,
    }  # fmt: skip


def test_support_areas_availability_and_wishes(referral):
    referral.children_ages = []
    referral.weekdays = ["tue"]
    referral.times_of_day = ["evening"]
    referral.save()
    referral.support_areas.set(
        referral.support_areas.model.objects.filter(slug__in=["german", "jobs"])
    )
    ready(
        last_name="Passt", district="umgebung", postal_code="71063",
        support_areas=["german", "jobs", "housing"], weekdays=["tue"], times_of_day=["evening"],
    )  # fmt: skip
    assert scores(referral)["Passt"] == 2 * SUPPORT_AREA + 10 + 5


def test_the_score_is_the_sum_of_the_explained_factors_and_reproducible(referral):
    referral.children_ages = [4]
    referral.weekdays = ["mon"]
    referral.save()
    for number in range(12):
        mentor = ready(
            last_name=f"M{number}", district=["west", "mitte", "botnang", "umgebung"][number % 4],
            postal_code="71063",
            languages=[("ar", ["B1", "A1", "native"][number % 3])],
            support_areas=[["german"], ["jobs", "german"], []][number % 3],
            weekdays=[["mon"], ["fri"]][number % 2],
            preferences=[["families"], ["families", "adults"], ["families", "seniors"]][number % 3],
        )  # fmt: skip
        # screened longer ago the higher the number: the waiting points differ
        screened = timezone.localdate(NOW) - timedelta(weeks=number * 3)
        mentor.checklist.update(done_on=screened)
    first = suggestions(referral, limit=12, now=NOW)
    assert len(first) == 12
    for mentor in first:
        assert mentor.score == sum(factor.points for factor in mentor.factors), mentor.last_name
    assert [m.pk for m in suggestions(referral, limit=12, now=NOW)] == [m.pk for m in first]
    assert [m.score for m in first] == sorted((m.score for m in first), reverse=True)


@pytest.mark.parametrize("count", [1, 40])
def test_query_count_does_not_grow_with_the_mentors(referral, django_assert_num_queries, count):
    for _ in range(count):
        ready(languages=[("ar", "C1")])
    with django_assert_num_queries(4):  # areas of the referral, mentors, languages, areas
        assert len(suggestions(referral, now=NOW)) == min(count, 10)


def test_from_the_mentors_side_suitable_waiting_referrals_rank_the_same_way(referral):
    mentor = ready(languages=[("ar", "C1")], district="west")
    mentor = Mentor.objects.prefetch_related("languages", "support_areas", "checklist").get(
        pk=mentor.pk
    )
    far = ReferralFactory(status="waiting", languages=["uk"], district="plieningen",
                          children_ages=[], support_areas=[])  # fmt: skip
    ReferralFactory(status="waiting", children_ages=[3])  # needs a police certificate
    ReferralFactory(status="received", children_ages=[])  # not yet on the waiting list
    referral.status = "waiting"
    referral.save()
    suited = referrals_suited(mentor, now=NOW)
    assert suited == [referral, far]
    assert suited[0].score == {m.pk: m.score for m in suggestions(referral, now=NOW)}[mentor.pk]
