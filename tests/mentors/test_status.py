"""The mentor's status is derived in one place: `derive_status` for one mentor and its SQL twin
`status_expression` for querysets. These tests hold the two equal and pin the rules."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from mentors.models import (
    ChecklistItem,
    Mentor,
    MentorEvent,
    MentorStage,
    MentorStatus,
    Preference,
    derive_status,
)
from mentors.services import mentor_check_item, mentor_uncheck_item
from tests.factories import MentorFactory, UserFactory, certificate_seen
from tests.summaries import mentors_off_their_checklist

ONE_DAY = timedelta(days=1)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", range(3))
def test_the_annotation_and_the_python_twin_agree_on_generated_mentors(seed):
    """Random checklist work through the services: the stored summary stays equal to the
    checklist, and the SQL status equal to the Python one."""
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
        for item in pick.choices(list(ChecklistItem), k=pick.randint(0, 8)):
            if pick.random() < 0.25:
                mentor_uncheck_item(mentor=mentor, item=item, by=recorder)
                continue
            done_on = today - timedelta(days=pick.randint(0, 900))
            mentor_check_item(
                mentor=mentor,
                item=item,
                done_on=done_on,
                valid_until=max(today + timedelta(days=pick.randint(-3, 3)), done_on + ONE_DAY)
                if item == ChecklistItem.POLICE_CERTIFICATE
                else None,
                by=recorder,
            )
    annotated = {mentor.pk: mentor.status for mentor in Mentor.objects.all()}
    assert mentors_off_their_checklist() == []
    for mentor in Mentor._base_manager.all():
        assert annotated[mentor.pk] == derive_status(mentor, today), mentor.pk
    assert len(set(annotated.values())) >= 5  # the data reached most statuses


def test_an_expired_police_certificate_ends_readiness_without_anyone_acting():
    mentor = MentorFactory(status="ready", preferences=[Preference.FAMILIES_WITH_CHILDREN])
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.READY
    today = timezone.localdate()
    # Seen long ago: valid until yesterday, and nobody has done anything since.
    certificate_seen(mentor, done_on=today - timedelta(days=400), valid_until=today - ONE_DAY)
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.SCREENING
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING
    assert not Mentor.objects.matchable().exists()


def test_checklist_changes_leave_no_rows_in_the_mentors_own_history():
    """The summary columns are bookkeeping: the checklist's history tells what happened."""
    mentor = MentorFactory(status="contacted")
    events = MentorEvent.objects.filter(pgh_obj_id=mentor.pk).count()
    mentor_check_item(
        mentor=mentor, item="agreement", done_on=timezone.localdate(), by=UserFactory()
    )
    assert MentorEvent.objects.filter(pgh_obj_id=mentor.pk).count() == events


def test_wishing_to_accompany_families_is_what_requires_the_certificate():
    mentor = MentorFactory(status="ready")
    assert not mentor.accompanies_families
    assert mentor.status == MentorStatus.READY
    Mentor.objects.filter(pk=mentor.pk).update(preferences=[Preference.FAMILIES_WITH_CHILDREN])
    assert Mentor.objects.get(pk=mentor.pk).status == MentorStatus.SCREENING  # no certificate
