"""The two police-certificate queues: certificates due for renewal (mentors) and tandems with
children whose mentor has no valid certificate (newcomers)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from mentors.models import Mentor
from mentors.queues import (
    CERTIFICATE_RENEWAL_NOTICE,
    MENTOR_QUEUES,
    certificate_due,
    mentors_certificate_due,
)
from mentors.services import mentor_transition
from newcomers.models import Tandem
from newcomers.queues import TANDEM_QUEUES
from tests.factories import MentorFactory, active_tandem, certificate_seen
from willkommen.core.queues import queue_named

DUE = queue_named(MENTOR_QUEUES, "certificates-due")
UNCERTIFIED = queue_named(TANDEM_QUEUES, "children-without-certificate")


def a_family_mentor(*, renew_in_days: int, status: str = "ready") -> Mentor:
    """A mentor for families whose certificate, seen two years ago, must be renewed then."""
    today = timezone.localdate()
    mentor = MentorFactory(status=status, preferences=["families"])
    certificate_seen(
        mentor,
        done_on=today - timedelta(days=730),
        valid_until=today + timedelta(days=renew_in_days),
    )
    return mentor


def test_due_within_the_notice_or_expired_and_the_most_urgent_first(db):
    notice = CERTIFICATE_RENEWAL_NOTICE.days
    expired = a_family_mentor(renew_in_days=-10)
    last_day = a_family_mentor(renew_in_days=notice)
    soon = a_family_mentor(renew_in_days=5)
    a_family_mentor(renew_in_days=notice + 1)  # not yet
    MentorFactory(status="ready")  # no families, no certificate
    assert list(DUE.items()) == [expired, soon, last_day]


def test_only_mentors_who_need_the_certificate_are_due(db, coordinator):
    without_families = a_family_mentor(renew_in_days=5)
    Mentor.objects.filter(pk=without_families.pk).update(preferences=["adults"])
    paused = a_family_mentor(renew_in_days=5)
    mentor_transition(mentor=paused, to_status="paused", by=coordinator)
    left = a_family_mentor(renew_in_days=5)
    mentor_transition(mentor=left, to_status="left", left_reason="moved", by=coordinator)
    # paused, but still accompanying a tandem: the certificate still matters
    paused_in_tandem = a_family_mentor(renew_in_days=5, status="active")
    mentor_transition(mentor=paused_in_tandem, to_status="paused", by=coordinator)
    assert list(DUE.items()) == [paused_in_tandem]


def test_the_queue_and_its_twin_for_one_mentor_agree(db, coordinator):
    for days in (-400, -1, 0, 1, 59, 60, 61, 365):
        a_family_mentor(renew_in_days=days)
        a_family_mentor(renew_in_days=days, status="active")
    mentors = list(Mentor.objects.order_by("pk"))
    for mentor in mentors[::3]:
        mentor_transition(mentor=mentor, to_status="paused", by=coordinator)
    for mentor in mentors[1::4]:
        if not mentor.places_taken:
            mentor_transition(mentor=mentor, to_status="left", left_reason="moved", by=coordinator)
    MentorFactory(status="ready", preferences=["families"])  # a certificate valid three years
    MentorFactory(status="screening", preferences=["families"])  # none seen yet
    today = timezone.localdate()
    due = set(mentors_certificate_due(today).values_list("pk", flat=True))
    assert due == {mentor.pk for mentor in Mentor.objects.all() if certificate_due(mentor, today)}
    assert due


def test_the_rows_say_when_it_expires_or_since_when_it_has_expired(db):
    today = timezone.localdate()
    soon = a_family_mentor(renew_in_days=30)
    expired = a_family_mentor(renew_in_days=-3)
    with translation.override("en"):
        assert DUE.note(soon, today) == f"expires on {soon.certificate_valid_until:%d.%m.%Y}"
        assert DUE.note(expired, today) == (
            f"expired since {expired.certificate_valid_until:%d.%m.%Y}"
        )


def a_tandem(*, renew_in_days: int | None, children=(4, 9), **state) -> Tandem:
    tandem = active_tandem(started_days_ago=10)
    tandem.referral.children_ages = list(children)
    tandem.referral.save(update_fields=["children_ages"])
    if renew_in_days is not None:
        today = timezone.localdate()
        certificate_seen(
            tandem.mentor,
            done_on=today - timedelta(days=730),
            valid_until=today + timedelta(days=renew_in_days),
        )
    Tandem.objects.filter(pk=tandem.pk).update(**state)
    tandem.refresh_from_db()
    return tandem


def test_tandems_with_children_whose_mentor_has_no_valid_certificate(db):
    never_seen = a_tandem(renew_in_days=None)
    expired = a_tandem(renew_in_days=-1)
    first_meeting_ahead = a_tandem(renew_in_days=-30, status="accepted")
    a_tandem(renew_in_days=0)  # still valid today
    a_tandem(renew_in_days=None, children=())  # no children in the household
    a_tandem(renew_in_days=None, status="ended", end_reason="goals-reached")
    a_tandem(renew_in_days=None, status="proposed")
    assert list(UNCERTIFIED.items()) == [never_seen, first_meeting_ahead, expired]


def test_the_tandem_rows_say_what_is_wrong_with_the_certificate(db):
    today = timezone.localdate()
    never_seen = a_tandem(renew_in_days=None)
    expired = a_tandem(renew_in_days=-1)
    with translation.override("en"):
        assert UNCERTIFIED.note(never_seen, today) == "no police certificate recorded"
        assert UNCERTIFIED.note(expired, today) == (
            f"police certificate expired since {expired.mentor.certificate_valid_until:%d.%m.%Y}"
        )


@pytest.mark.parametrize("queue", [DUE, UNCERTIFIED], ids=lambda queue: queue.name)
def test_the_dashboard_shows_both_queues_with_their_lists(coordinator_client, queue):
    a_family_mentor(renew_in_days=20)
    a_tandem(renew_in_days=-5)
    cards = {
        card["name"]: card for card in coordinator_client.get("/koordination/").context["queues"]
    }
    card = cards[queue.name]
    assert card["count"] == 1
    listed = coordinator_client.get(card["list_url"]).context["page"].object_list
    assert [item.pk for item in listed] == [card["rows"][0]["item"].pk]
