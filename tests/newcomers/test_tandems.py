import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from mentors.models import Mentor, MentorStatus
from newcomers.models import Referral, ReferralStatus, Tandem, TandemStatus
from newcomers.services import (
    support_contact_record,
    tandem_answer,
    tandem_end,
    tandem_plan_first_meeting,
    tandem_propose,
    tandem_start,
)
from tests.factories import MentorFactory, ReferralFactory


def waiting_referral(**fields):
    return ReferralFactory(status="waiting", children_ages=[], **fields)


def ready_mentor(**fields):
    """A mentor whose screening checklist is complete."""
    return MentorFactory(status="ready", **fields)


def started(tandem, coordinator):
    tandem_answer(tandem=tandem, accept=True, by=coordinator)
    tandem_plan_first_meeting(
        tandem=tandem, by=coordinator, at=timezone.now() - timedelta(minutes=1),
        place="Welcome Center", attendees=["coordinator"],
    )  # fmt: skip
    return tandem_start(
        tandem=tandem, by=coordinator, areas=[],
        agreement={"agreement_contents": "Ämter, Deutsch", "expected_duration": "6 Monate",
                   "meeting_places": "Stadtbibliothek", "frequency": "wöchentlich"},
    )  # fmt: skip


def test_the_whole_life_of_a_tandem(coordinator, django_capture_on_commit_callbacks):
    referral = waiting_referral()
    mentor = ready_mentor()
    with django_capture_on_commit_callbacks(execute=True):
        tandem = tandem_propose(referral=referral, mentor=mentor, by=coordinator)
    proposal = mail.outbox[-1]
    assert proposal.to == [mentor.email]
    assert referral.first_name in proposal.body and referral.last_name not in proposal.body
    mentor.refresh_from_db()
    assert mentor.places_taken == 1

    tandem = started(tandem, coordinator)
    referral.refresh_from_db()
    mentor.refresh_from_db()
    assert tandem.status == TandemStatus.ACTIVE
    assert referral.status == ReferralStatus.MATCHED
    assert Referral.objects.for_advisor(referral.advisor).get().first_meeting_at is not None
    assert mentor.status == MentorStatus.ACTIVE

    tandem_end(tandem=tandem, by=coordinator, ended_on=timezone.localdate(),
               reason="goals-reached", closing_conversation=True)  # fmt: skip
    referral.refresh_from_db()
    mentor.refresh_from_db()
    assert referral.status == ReferralStatus.ENDED
    assert (mentor.places_taken, mentor.status) == (0, MentorStatus.READY)


def test_a_declined_proposal_frees_the_place(coordinator):
    referral = waiting_referral()
    mentor = ready_mentor()
    tandem = tandem_propose(referral=referral, mentor=mentor, by=coordinator)
    tandem_answer(tandem=tandem, accept=False, reason="keine Zeit")
    mentor.refresh_from_db()
    referral.refresh_from_db()
    assert mentor.places_taken == 0 and referral.status == ReferralStatus.WAITING
    other = ready_mentor()
    assert tandem_propose(referral=referral, mentor=other, by=coordinator).pk


def test_did_not_fit_sends_the_referral_back_to_the_waiting_list(coordinator):
    referral = waiting_referral()
    tandem = started(tandem_propose(referral=referral, mentor=ready_mentor(), by=coordinator),
                     coordinator)  # fmt: skip
    tandem_end(tandem=tandem, by=coordinator, ended_on=timezone.localdate(),
               reason="did-not-fit", closing_conversation=False)  # fmt: skip
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING
    referral = Referral.objects.with_first_meeting().get(pk=referral.pk)
    assert referral.first_meeting_at is None  # the next tandem's first meeting is not planned


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda r, m: setattr(r, "status", "received") or r.save(), "Warteliste"),
        (lambda r, m: Mentor.objects.filter(pk=m.pk).update(stage="paused"), "gerade nicht"),
        (lambda r, m: Mentor.objects.filter(pk=m.pk).update(places_taken=1), "gerade nicht"),
    ],
)
def test_proposals_that_cannot_be_are_refused(coordinator, setup, message):
    referral, mentor = waiting_referral(), ready_mentor()
    setup(referral, mentor)
    with pytest.raises(ValidationError, match=message):
        tandem_propose(referral=referral, mentor=mentor, by=coordinator)
    assert not Tandem.objects.exists()


def test_steps_out_of_order_are_refused(coordinator):
    tandem = tandem_propose(referral=waiting_referral(), mentor=ready_mentor(), by=coordinator)
    with pytest.raises(ValidationError):
        tandem_start(tandem=tandem, by=coordinator, agreement={}, areas=[])
    with pytest.raises(ValidationError):
        support_contact_record(tandem=tandem, by=coordinator, contacted_on=timezone.localdate(),
                               with_whom="mentor", channel="phone", rating=4)  # fmt: skip
    tandem_answer(tandem=tandem, accept=True, by=coordinator)
    with pytest.raises(ValidationError):
        tandem_answer(tandem=tandem, accept=False, by=coordinator)
    with pytest.raises(ValidationError):
        tandem_end(tandem=tandem, by=coordinator, ended_on=timezone.localdate(), reason="",
                   closing_conversation=False)  # fmt: skip
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.ACCEPTED


def race(function, arguments):
    """Run `function` once per argument, all threads released at the same moment."""
    barrier = threading.Barrier(len(arguments))
    outcomes = []

    def run(argument):
        try:
            barrier.wait()
            outcomes.append(function(argument))
        except ValidationError as error:
            outcomes.append(error)
        except Exception as error:  # an IntegrityError is a refusal too
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_racing_coordinators_cannot_overbook_a_mentor(coordinator):
    mentor = ready_mentor(capacity=2)
    referrals = [waiting_referral() for _ in range(6)]
    race(lambda referral: tandem_propose(referral=referral, mentor=mentor, by=coordinator),
         referrals)  # fmt: skip
    mentor.refresh_from_db()
    assert Tandem.objects.filter(mentor=mentor).count() == 2
    assert mentor.places_taken == 2


@pytest.mark.django_db(transaction=True)
def test_racing_coordinators_cannot_give_a_referral_two_tandems(coordinator):
    referral = waiting_referral()
    mentors = [ready_mentor() for _ in range(6)]
    race(lambda mentor: tandem_propose(referral=referral, mentor=mentor, by=coordinator), mentors)
    assert Tandem.objects.filter(referral=referral).count() == 1
    assert sum(m.places_taken for m in Mentor.objects.all()) == 1
