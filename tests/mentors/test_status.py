"""The mentor's status is derived in one place: `derive_status` for one mentor and its SQL twin
`status_expression` for querysets. These tests hold the two equal and pin the rules."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from mentors.models import (
    ChecklistEntry,
    ChecklistItem,
    Mentor,
    MentorStage,
    MentorStatus,
    Preference,
    derive_status,
)
from tests.factories import MentorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(3))
def test_the_annotation_and_the_python_twin_agree_on_generated_mentors(seed):
    pick = random.Random(seed)
    today = timezone.localdate()
    recorder = UserFactory()
    for _ in range(60):
        capacity = pick.randint(1, 3)
        places = pick.randint(0, capacity)
        mentor = MentorFactory(
            stage=pick.choice(MentorStage.values),
            capacity=capacity,
            places_taken=places,
            tandems_active=pick.randint(0, places),
            preferences=pick.sample(Preference.values, pick.randint(0, 2)),
        )
        for item in pick.sample(list(ChecklistItem), pick.randint(0, len(ChecklistItem))):
            ChecklistEntry.objects.create(
                mentor=mentor,
                item=item,
                done_on=today - timedelta(days=pick.randint(0, 900)),
                valid_until=today + timedelta(days=pick.randint(-3, 3))
                if item == ChecklistItem.POLICE_CERTIFICATE
                else None,
                recorded_by=recorder,
            )
    annotated = {mentor.pk: mentor.status for mentor in Mentor.objects.all()}
    for mentor in Mentor._base_manager.prefetch_related("checklist"):
        twin = derive_status(
            stage=mentor.stage,
            tandems_active=mentor.tandems_active,
            accompanies_families=mentor.accompanies_families,
            checklist=mentor.checklist.all(),
            today=today,
        )
        assert annotated[mentor.pk] == twin, mentor.pk
    assert len(set(annotated.values())) >= 5  # the data reached most statuses


def test_an_expired_police_certificate_ends_readiness_without_anyone_acting():
    mentor = MentorFactory(status="ready", preferences=[Preference.FAMILIES_WITH_CHILDREN])
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.READY
    ChecklistEntry.objects.filter(item=ChecklistItem.POLICE_CERTIFICATE).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.SCREENING
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING
    assert not Mentor.objects.matchable().exists()


def test_wishing_to_accompany_families_is_what_requires_the_certificate():
    mentor = MentorFactory(status="ready")
    assert not mentor.accompanies_families
    assert mentor.status == MentorStatus.READY
    Mentor.objects.filter(pk=mentor.pk).update(preferences=[Preference.FAMILIES_WITH_CHILDREN])
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.SCREENING  # no certificate
