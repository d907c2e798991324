"""Retention: what is due and what is not, rule by rule; the dry run changes nothing; and on
generated data every report shows the same figures before and after the retention run."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessLog
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone, translation

from mentors.models import Mentor, MentorActivity, MentorEvent
from mentors.services import mentors_purge_unconfirmed
from newcomers.models import Referral, ReferralActivity
from tests.factories import MentorFactory, ReferralFactory, UserFactory, proposed_tandem
from tests.overview.privacy_people import an_ended_tandem
from tests.overview.test_report_properties import DISTRICTS, Generator, moved
from willkommen.core.models import QueuedMail
from willkommen.overview.models import AccessLogEntry, ErasureRecord
from willkommen.overview.privacy.erasure import person_anonymise
from willkommen.overview.privacy.retention import months_before, retention_apply, retention_due
from willkommen.overview.reports import report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def due(key):
    return next(row for row in retention_due() if row.rule.key == key)


def a_mentor_who_left(days, *, with_tandem=False):
    mentor = MentorFactory()
    Mentor._base_manager.filter(pk=mentor.pk).update(stage="left", left_reason="no-time")
    activity = MentorActivity.objects.create(
        mentor=mentor, kind="status", from_status="ready", to_status="left"
    )
    moved(activity, created_at=days_ago(days))
    if with_tandem:
        an_ended_tandem(
            ReferralFactory(status="ended"),
            mentor,
            UserFactory(),
            ended_on=timezone.localdate() - timedelta(days=days + 1),
        )
    return mentor


def a_referral_decided(status, days):
    referral = ReferralFactory(
        status=status, decline_reason="other" if status == "declined" else ""
    )
    activity = ReferralActivity.objects.create(
        referral=referral,
        kind="status",
        from_status="received",
        to_status=status,
        created_by=referral.advisor,
    )
    moved(activity, created_at=days_ago(days))
    return referral


def test_months_before_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    moment = timezone.now().replace(year=2026, month=3, day=31)
    assert months_before(moment, 1).date().isoformat() == "2026-02-28"
    assert months_before(moment, 14).date().isoformat() == "2025-01-31"


def test_applicants_who_left_are_due_after_six_months_not_before():
    old, recent = a_mentor_who_left(190), a_mentor_who_left(170)
    assert due("applicants").numbers == [old.pk]
    assert recent.pk not in due("mentors").numbers


def test_mentors_who_left_after_a_tandem_are_due_after_two_years(settings):
    old, recent = a_mentor_who_left(740, with_tandem=True), a_mentor_who_left(700, with_tandem=True)
    assert due("mentors").numbers == [old.pk]
    assert due("applicants").numbers == []
    settings.RETENTION_MENTOR_MONTHS = 12
    assert due("mentors").numbers == [old.pk, recent.pk]


def test_a_mentor_in_an_open_tandem_is_never_due():
    tandem = proposed_tandem()
    Mentor._base_manager.filter(pk=tandem.mentor.pk).update(stage="left", updated_at=days_ago(999))
    assert due("applicants").numbers == []


def test_mentors_who_have_not_left_are_never_due():
    mentor = MentorFactory(status="ready")
    Mentor._base_manager.filter(pk=mentor.pk).update(updated_at=days_ago(5000))
    assert due("applicants").numbers == due("mentors").numbers == []


def test_declined_and_withdrawn_referrals_are_due_after_six_months():
    declined, withdrawn = a_referral_decided("declined", 190), a_referral_decided("withdrawn", 190)
    a_referral_decided("declined", 150)
    waiting = a_referral_decided("waiting", 900)
    assert due("referrals-closed").numbers == [declined.pk, withdrawn.pk]
    assert waiting.pk not in due("referrals-ended").numbers


def test_referrals_whose_accompaniment_ended_are_due_two_years_after_the_end():
    coordinator = UserFactory()
    old, recent = ReferralFactory(status="ended"), ReferralFactory(status="ended")
    an_ended_tandem(
        old, MentorFactory(), coordinator, ended_on=timezone.localdate() - timedelta(days=740)
    )
    an_ended_tandem(
        recent, MentorFactory(), coordinator, ended_on=timezone.localdate() - timedelta(days=700)
    )
    assert due("referrals-ended").numbers == [old.pk]


def test_an_ended_tandem_is_due_even_while_its_referral_waits_again():
    referral = ReferralFactory(status="waiting")
    tandem = an_ended_tandem(
        referral,
        MentorFactory(),
        UserFactory(),
        ended_on=timezone.localdate() - timedelta(days=740),
    )
    assert due("tandems").numbers == [tandem.pk]
    retention_apply()
    tandem.refresh_from_db()
    assert tandem.end_note == "" and tandem.end_reason == "goals-reached"
    assert Referral.objects.get(pk=referral.pk).first_name == referral.first_name
    assert due("tandems").numbers == []


def test_sent_and_given_up_mails_go_after_thirty_days_unsent_ones_stay():
    old_sent = QueuedMail.objects.create(
        to="a@example.org", subject="s", body="b", sent_at=days_ago(31)
    )
    old_given_up = QueuedMail.objects.create(
        to="a@example.org", subject="s", body="b", attempts=QueuedMail.MAX_ATTEMPTS
    )
    old_waiting = QueuedMail.objects.create(to="a@example.org", subject="s", body="b")
    recent = QueuedMail.objects.create(
        to="a@example.org", subject="s", body="b", sent_at=timezone.now()
    )
    for mail in (old_sent, old_given_up, old_waiting):
        moved(mail, created_at=days_ago(31))
    assert due("mails").count == 2
    retention_apply()
    assert set(QueuedMail.objects.all()) == {old_waiting, recent}


def test_history_of_anonymised_records_goes_a_year_after_the_anonymisation(coordinator):
    old, recent = MentorFactory(), MentorFactory()
    for mentor in (old, recent):
        person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)
    ErasureRecord.objects.filter(object_id=old.pk).update(anonymised_at=days_ago(370))
    retention_apply()
    assert not MentorEvent.objects.filter(pgh_obj_id=old.pk).exists()
    assert MentorEvent.objects.filter(pgh_obj_id=recent.pk).exists()
    assert ErasureRecord.objects.get(object_id=old.pk).history_removed_at is not None
    assert due("history").count == 0


def test_access_log_and_sign_in_log_go_after_their_periods(coordinator):
    old = AccessLogEntry.objects.create(
        user=coordinator, action="view", kind="mentor", object_id=1, path="/", at=days_ago(370)
    )
    recent = AccessLogEntry.objects.create(
        user=coordinator, action="view", kind="mentor", object_id=1, path="/"
    )
    signed_in = AccessLog.objects.create(
        user_agent="x",
        ip_address="10.0.0.1",
        username="a@example.org",
        http_accept="*",
        path_info="/konto/anmelden/",
    )
    AccessLog.objects.filter(pk=signed_in.pk).update(attempt_time=days_ago(91))
    retention_apply()
    assert list(AccessLogEntry.objects.all()) == [recent]
    assert not AccessLog.objects.filter(pk=signed_in.pk).exists()
    assert old.pk not in AccessLogEntry.objects.values_list("pk", flat=True)


def test_access_log_entries_cannot_be_changed(coordinator):
    entry = AccessLogEntry.objects.create(
        user=coordinator, action="view", kind="mentor", object_id=1, path="/"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=entry.pk).update(object_id=2)


def test_retention_anonymises_what_is_due_and_records_it():
    mentor = a_mentor_who_left(190)
    referral = a_referral_decided("declined", 190)
    retention_apply()
    assert Mentor.objects.get(pk=mentor.pk).first_name == "anonymisiert"
    assert Referral.objects.get(pk=referral.pk).first_name == "anonymisiert"
    records = ErasureRecord.objects.filter(reason="retention", by=None)
    assert set(records.values_list("kind", "object_id")) == {
        ("mentor", mentor.pk),
        ("referral", referral.pk),
    }
    assert due("applicants").count == due("referrals-closed").count == 0


def test_dry_run_lists_what_is_due_and_changes_nothing():
    mentor = a_mentor_who_left(190)
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert f"Applicants who left without a tandem: 1 due (numbers {mentor.pk})" in out.getvalue()
    assert Mentor.objects.get(pk=mentor.pk).first_name == mentor.first_name
    assert not ErasureRecord.objects.exists()


def test_apply_retention_command_reports_what_it_did():
    a_mentor_who_left(190)
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Applicants who left without a tandem: 1 done" in out.getvalue()


# --- the reports do not change -------------------------------------------------------------


class WithLeavers(Generator):
    """The report's generated data, plus mentors who left (some after a tandem) and mails."""

    def build(self):
        super().build()
        # only confirmed mentors are ever proposed (the generator does not care)
        Mentor._base_manager.filter(email_confirmed_at=None, tandems__isnull=False).update(
            email_confirmed_at=F("created_at") + timedelta(hours=1)
        )
        # Mentors leave once they hold no place in a proposal or tandem.
        free = list(
            Mentor._base_manager.filter(places_taken=0)
            .exclude(tandems__status__in=["proposed", "accepted", "active"])
            .order_by("pk")
        )
        for mentor in self.rng.sample(free, min(len(free), self.rng.randint(1, 4))):
            Mentor._base_manager.filter(pk=mentor.pk).update(
                stage="left", left_reason=self.rng.choice(["no-time", "moved"])
            )
        # and two who certainly left: an applicant, and a mentor after a tandem that ended
        for with_tandem in (False, True):
            self.mentor()
            mentor = self.mentors[-1]
            moved(
                mentor,
                stage="left",
                left_reason="moved",
                places_taken=0,
                tandems_active=0,
                email_confirmed_at=mentor.created_at + timedelta(hours=1),
            )
            if with_tandem:
                referral = ReferralFactory(status="ended", district=self.rng.choice(DISTRICTS))
                moved(referral, created_at=mentor.created_at)
                ended = timezone.localdate(mentor.created_at) + timedelta(days=200)
                tandem = an_ended_tandem(referral, mentor, self.coordinator, ended_on=ended)
                moved(tandem, proposed_at=mentor.created_at)
                self.tandems.append((mentor.created_at, tandem))
        for mentor in self.mentors:
            QueuedMail.objects.create(
                to=mentor.email, subject="s", body=mentor.first_name, sent_at=mentor.created_at
            )
        return self


def all_figures(periods):
    with translation.override("en"):
        return [
            [
                (table.key, [(str(label), value) for label, value in table.rows])
                for table in report(period)
            ]
            for period in periods
        ]


@pytest.mark.parametrize("seed", range(8))
def test_every_report_shows_the_same_figures_after_the_retention_run(seed):
    data = WithLeavers(seed).build()
    # Unconfirmed applications of these years were deleted days after they came in, as every
    # night's run does; the figures are those of the data as they really stand.
    mentors_purge_unconfirmed()
    periods = list(data.periods())
    before = all_figures(periods)

    # Twenty years on, everything that can be due is due.
    done = dict(
        (rule.key, count)
        for rule, count in retention_apply(now=timezone.now() + timedelta(days=7300))
    )

    assert all_figures(periods) == before
    # not a vacuous pass: people and tandems were anonymised, mails and history deleted
    assert done["applicants"] >= 1 and done["mentors"] >= 1 and done["referrals-ended"] >= 1
    assert done["mails"] >= 1 and done["history"] >= 3
    assert not Mentor.objects.filter(stage="left").exclude(first_name="anonymisiert").exists()
