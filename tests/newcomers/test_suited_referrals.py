"""A mentor's suited referrals: scored by the database, explained in Python, the same numbers."""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from newcomers.matching import referrals_suited, suggestions
from tests.factories import MentorFactory, ReferralFactory, certificate_seen

NOW = timezone.now()


@pytest.fixture
def mentor(db):
    mentor = MentorFactory(
        status="ready", district="west", languages=[("de", "native"), ("ar", "C1"), ("tr", "A2")],
        support_areas=["german", "jobs"], weekdays=["mon", "thu"], times_of_day=["evening"],
        preferences=["families"],
    )  # fmt: skip
    # ready for seven weeks: three waiting points
    mentor.checklist.update(done_on=timezone.localdate(NOW) - timedelta(weeks=7))
    return mentor


def varied_referrals(count):
    """Waiting referrals that differ in every factor the score has."""
    kinds = itertools.product(
        [["ar"], ["tr"], ["uk"]], ["none", "B2"], ["west", "mitte", "vaihingen", "umgebung"],
        [[], [6]], [["german", "jobs"], ["housing"]], [["mon"], ["fri"]],
    )  # fmt: skip
    for _number, (languages, german, district, children, areas, days) in zip(
        range(count), kinds, strict=False
    ):
        ReferralFactory(
            status="waiting", languages=languages, german_level=german, district=district,
            postal_code="71063" if district == "umgebung" else "", children_ages=children,
            support_areas=areas, weekdays=days, times_of_day=["evening"],
        )  # fmt: skip


def test_suited_scores_in_the_database_equal_the_explained_factors(mentor):
    varied_referrals(60)
    suited = referrals_suited(mentor, limit=60, now=NOW)
    assert len(suited) == 60
    for referral in suited:
        assert referral.score == sum(factor.points for factor in referral.factors), referral
    assert [r.score for r in suited] == sorted((r.score for r in suited), reverse=True)


def test_suited_scores_equal_the_suggestions_scores(mentor):
    varied_referrals(12)
    for referral in referrals_suited(mentor, limit=12, now=NOW):
        theirs = {m.pk: m.score for m in suggestions(referral, limit=50, now=NOW)}
        assert referral.score == theirs[mentor.pk], referral


def test_suited_leaves_out_households_with_children_without_a_valid_certificate(mentor):
    today = timezone.localdate()
    certificate_seen(
        mentor, done_on=today - timedelta(days=400), valid_until=today - timedelta(days=1)
    )
    mentor.preferences = []  # no certificate needed: still ready, but not for families
    mentor.save()
    adults = ReferralFactory(status="waiting", children_ages=[])
    ReferralFactory(status="waiting", children_ages=[3])
    assert referrals_suited(mentor, now=NOW) == [adults]


@pytest.mark.parametrize("count", [1, 30])
def test_suited_page_query_count_does_not_grow(
    coordinator_client, mentor, django_assert_num_queries, count
):
    varied_referrals(count)
    url = reverse("newcomers:mentor_suited_referrals", args=[mentor.pk])
    coordinator_client.get(url)
    with django_assert_num_queries(15):
        assert len(coordinator_client.get(url).context["referrals"]) == min(count, 10)
