"""`manage.py seed_demo` tells 18 months of a programme: every state, every queue, every page
with content, report figures for two years, and not one mail for a demo person."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from mentors.models import (
    ChecklistItem,
    LeftReason,
    Mentor,
    MentorActivity,
    MentorEvent,
    MentorStatus,
)
from newcomers.models import (
    DeclineReason,
    EndReason,
    Referral,
    ReferralActivity,
    ReferralStatus,
    SupportContact,
    Tandem,
)
from newcomers.selectors import possible_duplicates
from seminars.models import Event, Invitation, InvitationStatus
from tests.summaries import mentors_off_their_checklist, tandems_off_their_contacts
from willkommen.core.models import QueuedMail, User
from willkommen.core.queues import days_since
from willkommen.overview.dashboard import DASHBOARD_QUEUES
from willkommen.overview.management.commands.seed_demo import DEMO_DOMAIN
from willkommen.overview.reports import Period, report

OUR_APPS = ["willkommen", "mentors", "newcomers", "seminars", "overview"]


def picture() -> dict:
    """Rows per model, and per status where a model has one: what a second run must repeat."""
    counts = {}
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            counts[model._meta.label] = model._default_manager.count()
    counts["mentor status"] = Counter(Mentor.objects.values_list("status", flat=True))
    for model in (Referral, Tandem, Invitation):
        counts[f"{model.__name__} status"] = Counter(model.objects.values_list("status", flat=True))
    return counts


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the whole module (it takes seconds), rolled back at its end. Mails queued
    in it go the way they would after a commit, so that we see whether any is sent."""
    with django_db_blocker.unblock(), transaction.atomic():
        sent_before = len(mail.outbox)
        started = timezone.now()
        with TestCase.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", password="demo-passwort", stdout=StringIO())
        yield {"picture": picture(), "sent": mail.outbox[sent_before:], "started": started}
        transaction.set_rollback(True)


@pytest.fixture
def coordinator_of_the_demo(demo, db, client):  # db: ordered with the module's other tests
    client.force_login(User.objects.get(email="koordination@example.org"))
    return client


def test_seed_demo_mails_no_demo_person(demo, db):
    assert demo["sent"] == []
    # The one mail kept, for the list of undelivered mail, was given up: no worker tries it.
    kept = QueuedMail.objects.filter(to__endswith="@" + DEMO_DOMAIN)
    assert [mail.given_up for mail in kept] == [True]
    far_ahead = timezone.now() + timedelta(days=400)
    assert not QueuedMail.objects.due(now=far_ahead).filter(to__contains="example.org").exists()


def test_seed_demo_has_people_in_every_state(demo, db):
    mentors = Mentor.objects.filter(email__endswith="@" + DEMO_DOMAIN)
    assert set(mentors.values_list("status", flat=True)) == set(MentorStatus.values)
    assert set(mentors.exclude(left_reason="").values_list("left_reason", flat=True)) == set(
        LeftReason.values
    )
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    declined = Referral.objects.exclude(decline_reason="")
    assert set(declined.values_list("decline_reason", flat=True)) == set(DeclineReason.values)
    assert set(Tandem.objects.values_list("status", flat=True)) == {
        "proposed", "declined", "accepted", "active", "ended"
    }  # fmt: skip
    assert set(Tandem.objects.exclude(end_reason="").values_list("end_reason", flat=True)) == set(
        EndReason.values
    )
    assert set(Invitation.objects.values_list("status", flat=True)) == set(InvitationStatus.values)


def test_seed_demo_open_referrals_wait_3_to_90_days(demo, db):
    today = timezone.localdate()
    waiting = [days_since(referral.created_at, today) for referral in Referral.objects.open()]
    assert (min(waiting), max(waiting)) == (3, 90)


def test_seed_demo_has_certificates_expired_and_about_to_expire(demo, db):
    today = timezone.localdate()
    renew_by = Mentor.objects.filter(checklist__item=ChecklistItem.POLICE_CERTIFICATE).values_list(
        "checklist__valid_until", flat=True
    )
    assert any(day < today for day in renew_by)
    assert any(today <= day <= today + timedelta(days=30) for day in renew_by)


def test_seed_demo_has_possible_duplicates(demo, db):
    newest = Referral.objects.filter(status=ReferralStatus.RECEIVED).order_by("-created_at")
    assert sum(possible_duplicates(referral).exists() for referral in newest) >= 2


def test_seed_demo_has_past_and_upcoming_events_with_a_waiting_list(demo, db):
    now = timezone.now()
    assert Event.objects.filter(starts_at__lt=now).count() >= 10
    assert Event.objects.filter(starts_at__gt=now, cancelled_at=None).count() >= 3
    assert Invitation.objects.filter(attended=True).exists()
    assert Invitation.objects.filter(event__starts_at__gt=now, status="waiting").exists()


def test_seed_demo_has_a_mentor_past_the_hours_threshold(demo, db):
    from willkommen.overview.engagement import mentor_engagement

    today = timezone.localdate()
    active = Mentor.objects.filter(tandems_active__gt=0)
    assert any(mentor_engagement(mentor, today)["reached"] for mentor in active)


def test_seed_demo_fills_every_dashboard_card(demo, coordinator_of_the_demo):
    response = coordinator_of_the_demo.get(reverse("dashboard"))
    counts = {card["name"]: card["count"] for card in response.context["queues"]}
    assert counts == {queue.name: counts.get(queue.name) for queue in DASHBOARD_QUEUES}
    assert 0 not in counts.values()


@pytest.mark.parametrize(
    "url",
    [
        reverse("mentors:list"),
        reverse("newcomers:referral_list"),
        reverse("newcomers:tandem_list"),
        reverse("newcomers:tandem_list") + "?ansicht=overdue",
        reverse("seminars:list"),
        reverse("mail_failed"),
    ],
)
def test_seed_demo_lists_have_content(demo, coordinator_of_the_demo, url):
    response = coordinator_of_the_demo.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) > 0


def test_seed_demo_pages_of_one_person_have_content(demo, coordinator_of_the_demo):
    active = Mentor.objects.filter(status=MentorStatus.ACTIVE, email__endswith=DEMO_DOMAIN)[0]
    tandem = Tandem.objects.filter(mentor=active, status="active").get()
    for url, shown in [
        (active.get_absolute_url(), tandem.referral.first_name),
        (reverse("mentors:history", args=[active.pk]), "seed_demo"),
        (tandem.get_absolute_url(), tandem.contacts.first().get_channel_display()),
        (tandem.referral.get_absolute_url(), tandem.referral.last_name),
    ]:
        response = coordinator_of_the_demo.get(url)
        assert response.status_code == 200, url
        assert shown in response.content.decode(), url


def test_seed_demo_report_has_figures_for_this_year_and_the_year_before(demo, db):
    today = timezone.localdate()
    for start, end in [(today - timedelta(days=364), today),
                       (today - timedelta(days=540), today - timedelta(days=365))]:  # fmt: skip
        figures = {table.key: dict(table.rows) for table in report(Period(start, end))}
        for key in ("mentors", "referrals", "tandems", "seminars"):
            numbers = [value for value in figures[key].values() if isinstance(value, int)]
            assert sum(numbers) > 0, (key, start)
        assert sum(figures["ended"].values()) > 0


def test_seed_demo_history_happened_in_the_story_not_today(demo, db):
    for mentor in Mentor.objects.filter(email__endswith=DEMO_DOMAIN):
        applied = MentorEvent.objects.get(pgh_obj=mentor, pgh_label="insert")
        assert applied.pgh_created_at == applied.created_at == mentor.created_at
    assert not MentorEvent.objects.filter(pgh_created_at__gte=demo["started"]).exists()


def test_seed_demo_story_keeps_time_in_order(demo, db):
    tandems = Tandem.objects.all()
    out_of_order = {
        "confirmed before applying": Mentor.objects.filter(email_confirmed_at__lt=F("created_at")),
        "timeline before applying": MentorActivity.objects.filter(
            created_at__lt=F("mentor__created_at")
        ),
        "timeline before referral": ReferralActivity.objects.filter(
            created_at__lt=F("referral__created_at")
        ),
        "proposed before referral": tandems.filter(proposed_at__lt=F("referral__created_at")),
        "answered before proposal": tandems.filter(answered_at__lt=F("proposed_at")),
        "met before answer": tandems.filter(first_meeting_at__lt=F("answered_at")),
        "ended before start": tandems.filter(ended_on__lt=F("started_on")),
        "contact before start": SupportContact.objects.filter(
            contacted_on__lt=F("tandem__started_on")
        ),
        "invited before the event was made": Invitation.objects.filter(
            created_at__lt=F("event__created_at")
        ),
        "answered after the event began": Invitation.objects.filter(
            answered_at__gt=F("event__starts_at")
        ),
    }
    assert {what: rows.count() for what, rows in out_of_order.items() if rows.exists()} == {}


def test_seed_demo_keeps_the_stored_summaries_equal_to_the_facts(demo, db):
    assert mentors_off_their_checklist() == []
    assert tandems_off_their_contacts() == []


def test_seed_demo_second_run_gives_the_same_picture(demo, db):
    call_command("seed_demo", password="demo-passwort", stdout=StringIO())
    assert picture() == demo["picture"]


def test_seed_demo_without_mentors_and_referrals_has_only_the_logins_and_events(db):
    call_command("seed_demo", mentors=0, referrals=0, stdout=StringIO())
    assert (Mentor.objects.count(), Referral.objects.count(), User.objects.count()) == (0, 0, 3)
    assert Event.objects.exists()
    assert not QueuedMail.objects.exists()
