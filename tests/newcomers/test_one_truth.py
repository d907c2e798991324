"""States follow the facts, counters are recounted, and every date a person enters is checked
in the services (issue "one truth")."""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from mentors.models import Mentor, MentorStatus
from mentors.services import mentor_update
from newcomers.models import OPEN_TANDEM_STATUSES, Tandem, TandemStatus, next_contact_due
from newcomers.services import (
    support_contact_record,
    tandem_answer,
    tandem_end,
    tandem_plan_first_meeting,
    tandem_propose,
    tandem_start,
)
from tests.factories import MentorFactory, ReferralFactory
from tests.newcomers.test_tandems import waiting_referral
from tests.summaries import tandems_off_their_contacts

TODAY = timezone.localdate


def meet_and_start(tandem, coordinator):
    """An accepted tandem meets (an hour ago) and starts."""
    tandem_plan_first_meeting(tandem=tandem, by=coordinator, place="Welcome Center",
                              at=timezone.now() - timedelta(minutes=1), attendees=[])  # fmt: skip
    return tandem_start(tandem=tandem, by=coordinator, areas=[], agreement={})


def status_of(mentor) -> MentorStatus:
    return Mentor.objects.get(pk=mentor.pk).status


def test_editing_a_mentor_with_a_pending_proposal_keeps_them_ready(coordinator):
    mentor = MentorFactory(status="ready")
    tandem = tandem_propose(referral=waiting_referral(), mentor=mentor, by=coordinator)
    mentor_update(
        mentor=mentor,
        data={"phone": "0711 999999"},
        languages=[("de", "native")],
        support_areas=mentor.support_areas.all(),
        by=coordinator,
    )
    assert status_of(mentor) == MentorStatus.READY
    tandem_answer(tandem=tandem, accept=False, reason="keine Zeit")
    assert status_of(mentor) == MentorStatus.READY
    assert Mentor.objects.get(pk=mentor.pk).places_taken == 0


def test_a_mentor_is_active_only_while_a_tandem_is_active(coordinator):
    mentor = MentorFactory(status="ready")
    tandem = tandem_propose(referral=waiting_referral(), mentor=mentor, by=coordinator)
    tandem_answer(tandem=tandem, accept=True, by=coordinator)
    assert status_of(mentor) == MentorStatus.READY  # accepted, not started: a place, no tandem
    tandem = meet_and_start(tandem, coordinator)
    assert status_of(mentor) == MentorStatus.ACTIVE
    tandem_end(tandem=tandem, by=coordinator, ended_on=TODAY(), reason="goals-reached",
               closing_conversation=True)  # fmt: skip
    assert status_of(mentor) == MentorStatus.READY


def recount_places():
    """The counters as the tandems say: places held by open tandems, active tandems."""
    return {
        row["pk"]: (row["places"], row["active"])
        for row in Mentor.objects.annotate(
            places=Count("tandems", filter=Q(tandems__status__in=OPEN_TANDEM_STATUSES)),
            active=Count("tandems", filter=Q(tandems__status="active")),
        ).values("pk", "places", "active")
    }  # fmt: skip


@pytest.mark.parametrize("seed", range(2))
def test_the_place_counters_equal_a_recount_after_any_workflow(coordinator, seed):
    pick = random.Random(seed)
    mentors = [MentorFactory(status="ready", capacity=pick.randint(1, 3)) for _ in range(4)]
    for _ in range(40):
        action = pick.choice(["propose", "answer", "start", "contact", "end"])
        open_tandems = list(Tandem.objects.filter(status__in=OPEN_TANDEM_STATUSES))
        proposed = [t for t in open_tandems if t.status == TandemStatus.PROPOSED]
        accepted = [t for t in open_tandems if t.status == TandemStatus.ACCEPTED]
        active = [t for t in open_tandems if t.status == TandemStatus.ACTIVE]
        try:
            if action == "propose":
                tandem_propose(referral=waiting_referral(), mentor=pick.choice(mentors),
                               by=coordinator)  # fmt: skip
            elif action == "answer" and proposed:
                tandem_answer(tandem=pick.choice(proposed), accept=pick.random() < 0.7,
                              by=coordinator)  # fmt: skip
            elif action == "start" and accepted:
                meet_and_start(pick.choice(accepted), coordinator)
            elif action == "contact" and active:
                support_contact_record(tandem=pick.choice(active), by=coordinator,
                                       contacted_on=TODAY(), with_whom="mentor", channel="phone",
                                       rating=pick.randint(1, 5))  # fmt: skip
            elif action == "end" and open_tandems:
                tandem_end(tandem=pick.choice(open_tandems), by=coordinator, ended_on=TODAY(),
                           reason=pick.choice(["goals-reached", "did-not-fit"]),
                           closing_conversation=False)  # fmt: skip
        except ValidationError:
            pass  # a full mentor: refused, as it should be
    stored = {m.pk: (m.places_taken, m.tandems_active) for m in Mentor.objects.all()}
    assert stored == recount_places()
    assert Tandem.objects.count() > 5
    assert tandems_off_their_contacts() == []


@pytest.mark.parametrize(
    ("contacts", "due_after_start"),
    [([], 14), ([3], 30), ([3, 20], 20 + 30), ([3, 20, 55], 55 + 30)],
)
def test_the_next_contact_is_due_by_the_schedule(contacts, due_after_start):
    start = date(2026, 3, 2)
    days = [start + timedelta(days=n) for n in contacts]
    due = next_contact_due(
        status=TandemStatus.ACTIVE,
        started_on=start,  # fmt: skip
        contact_count=len(days),
        last_contact_on=max(days, default=None),
    )
    assert due == start + timedelta(days=due_after_start)
    assert next_contact_due(status=TandemStatus.ENDED, started_on=start, contact_count=len(days),
                            last_contact_on=max(days, default=None)) is None  # fmt: skip


def an_accepted_tandem(coordinator):
    tandem = tandem_propose(referral=waiting_referral(), mentor=MentorFactory(status="ready"),
                            by=coordinator)  # fmt: skip
    return tandem_answer(tandem=tandem, accept=True, by=coordinator)


def local(day: date, hour=10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.mark.parametrize(
    "day",
    [
        date(1, 1, 1),  # stored once, then every page showing the tandem answered 500
        TODAY() - timedelta(days=1),  # before the referral existed
        TODAY() + timedelta(days=400),  # more than a year ahead
    ],
)
def test_a_first_meeting_outside_its_window_is_refused(coordinator, day):
    tandem = an_accepted_tandem(coordinator)
    with pytest.raises(ValidationError) as error:
        tandem_plan_first_meeting(tandem=tandem, by=coordinator, at=local(day), place="Rathaus",
                                  attendees=[])  # fmt: skip
    assert "at" in error.value.message_dict
    assert Tandem.objects.get(pk=tandem.pk).first_meeting_at is None


def test_a_tandem_cannot_end_before_it_started(coordinator):
    tandem = meet_and_start(an_accepted_tandem(coordinator), coordinator)
    Tandem.objects.filter(pk=tandem.pk).update(started_on=TODAY() - timedelta(days=3))
    for day in (TODAY() - timedelta(days=4), date(1, 1, 1), TODAY() + timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            tandem_end(tandem=tandem, by=coordinator, ended_on=day, reason="goals-reached",
                       closing_conversation=False)  # fmt: skip
        assert "ended_on" in error.value.message_dict
    assert Tandem.objects.get(pk=tandem.pk).status == TandemStatus.ACTIVE


def test_the_database_refuses_an_end_before_the_start(coordinator):
    from django.db import IntegrityError, transaction

    tandem = meet_and_start(an_accepted_tandem(coordinator), coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tandem.objects.filter(pk=tandem.pk).update(ended_on=tandem.started_on - timedelta(days=1))


def test_a_support_contact_before_the_start_is_refused(coordinator):
    tandem = meet_and_start(an_accepted_tandem(coordinator), coordinator)
    with pytest.raises(ValidationError) as error:
        support_contact_record(
            tandem=tandem, by=coordinator, contacted_on=tandem.started_on - timedelta(days=1),
            with_whom="mentor", channel="phone", rating=4,
        )  # fmt: skip
    assert "contacted_on" in error.value.message_dict


def test_an_arrival_in_year_one_is_refused(advisor):
    from newcomers.services import referral_submit

    referral = ReferralFactory.build(advisor=advisor, arrived_on=date(1, 1, 1))
    data = {field: getattr(referral, field) for field in (
        "first_name", "last_name", "languages", "german_level", "arrived_on", "district",
        "adults", "children_ages", "to_accompany", "description", "consent_on",
    )}  # fmt: skip
    with pytest.raises(ValidationError) as error:
        referral_submit(advisor=advisor, data=data, support_areas=[1])
    assert "arrived_on" in error.value.message_dict
