"""seed_scale (make bench): bulk data whose facts agree with each other, as the services keep
them. Built once at 5 % (500 mentors, 1,000 referrals)."""

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from mentors.models import ChecklistEntry, ChecklistItem, Mentor, MentorStatus
from newcomers.models import OPEN_TANDEM_STATUSES, Referral, SupportContact, Tandem, TandemStatus
from seminars.models import Event, EventType, Invitation, InvitationStatus
from tests.summaries import mentors_off_their_checklist, tandems_off_their_contacts
from willkommen.core.models import User
from willkommen.overview.management.commands.seed_scale import DOMAIN, SIZES

SCALE = 0.05


@pytest.fixture(scope="module")
def scaled(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_scale", scale=SCALE)
        yield
        # outside the tests' transactions: remove what the module built
        for model in (SupportContact, Tandem, Invitation, Event, Referral, Mentor):
            model.objects.all().delete()
        User.objects.filter(email__endswith=f"@{DOMAIN}").delete()


pytestmark = pytest.mark.usefixtures("scaled")


@pytest.mark.django_db
def test_seed_scale_builds_the_sizes_asked_for():
    assert Mentor.objects.count() == SIZES["mentors"] * SCALE
    assert Referral.objects.count() == SIZES["referrals"] * SCALE
    assert Event.objects.count() == SIZES["events"] * SCALE
    assert Tandem.objects.count() == pytest.approx(SIZES["tandems"] * SCALE, rel=0.1)
    assert SupportContact.objects.count() == pytest.approx(SIZES["contacts"] * SCALE, rel=0.15)
    assert Invitation.objects.count() == pytest.approx(SIZES["invitations"] * SCALE, rel=0.15)


@pytest.mark.django_db
def test_seed_scale_keeps_the_stored_summaries_equal_to_the_facts():
    assert mentors_off_their_checklist() == []
    assert tandems_off_their_contacts() == []


def test_seed_scale_has_every_status():
    assert set(Mentor.objects.values_list("status", flat=True)) == set(MentorStatus.values)
    assert set(Tandem.objects.values_list("status", flat=True)) == set(TandemStatus.values)


@pytest.mark.django_db
def test_seed_scale_place_counters_agree_with_the_tandems():
    mentors = Mentor.objects.annotate(
        open=Count("tandems", filter=Q(tandems__status__in=OPEN_TANDEM_STATUSES)),
        active=Count("tandems", filter=Q(tandems__status=TandemStatus.ACTIVE)),
    )
    assert [(m.pk, m.places_taken, m.tandems_active) for m in mentors] == [
        (m.pk, m.open, m.active) for m in mentors
    ]


@pytest.mark.django_db
def test_seed_scale_open_tandems_have_mentors_who_may_take_them():
    for tandem in Tandem.objects.filter(status__in=OPEN_TANDEM_STATUSES).select_related(
        "mentor", "referral"
    ):
        assert tandem.mentor.status in (MentorStatus.READY, MentorStatus.ACTIVE), tandem
        if tandem.referral.children_ages:
            assert (
                Mentor.objects.for_children(tandem.proposed_at.date())
                .filter(pk=tandem.mentor_id)
                .exists()
            ), tandem


@pytest.mark.django_db
def test_seed_scale_seminar_step_is_an_attended_introductory_seminar():
    for entry in ChecklistEntry.objects.filter(item=ChecklistItem.SEMINAR):
        assert Invitation.objects.filter(
            mentor=entry.mentor_id, attended=True, event__type=EventType.INTRO,
            event__starts_at__date=entry.done_on,
        ).exists(), entry  # fmt: skip


@pytest.mark.django_db
def test_seed_scale_registers_no_more_than_an_event_has_places():
    registered = Count("invitations", filter=Q(invitations__status=InvitationStatus.REGISTERED))
    for event in Event.objects.annotate(registered=registered):
        assert event.registered <= event.capacity, event


@pytest.mark.django_db
def test_seed_scale_run_again_creates_nothing():
    before = Mentor.objects.count()
    call_command("seed_scale", scale=SCALE)
    assert Mentor.objects.count() == before
