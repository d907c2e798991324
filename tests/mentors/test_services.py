import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from mentors.models import ActivityKind, ChecklistItem, Mentor, MentorStatus
from mentors.services import (
    ConfirmationExpired,
    ConfirmationInvalid,
    confirmation_token,
    mentor_apply,
    mentor_check_item,
    mentor_confirm_email,
    mentor_transition,
    mentor_uncheck_item,
    mentors_purge_unconfirmed,
)
from tests.factories import MentorFactory
from willkommen.core.models import QueuedMail, SupportArea

TODAY = timezone.localdate


def application(**changes):
    data = {
        "first_name": "Lena",
        "last_name": "Maier",
        "email": "Lena.Maier@example.org",
        "phone": "",
        "district": "west",
        "postal_code": "",
        "weekdays": ["mon"],
        "times_of_day": ["evening"],
        "hours_per_month": 8,
        "preferences": ["families"],
        "preferences_note": "",
        "motivation": "Ich möchte helfen.",
        "heard_about": "friends",
    }
    return {**data, **changes}


def apply(**changes):
    return mentor_apply(
        data=application(**changes),
        languages=[("de", "native"), ("ar", "B1")],
        support_areas=SupportArea.objects.filter(slug="german"),
        language="de",
    )


def test_apply_creates_an_unconfirmed_mentor_and_queues_the_link(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mentor = apply()
    assert mentor.email == "lena.maier@example.org"
    assert mentor.email_confirmed_at is None
    assert mentor.consent_version == "2026-11"
    assert [(lang.language, lang.level) for lang in mentor.languages.all()] == [
        ("de", "native"),
        ("ar", "B1"),
    ]
    assert mail.outbox[0].to == ["lena.maier@example.org"]
    assert confirmation_token(mentor)[:10] in mail.outbox[0].body


def test_apply_twice_unconfirmed_keeps_one_person_and_the_new_data_waits(db):
    first = apply()
    second = apply(email="LENA.MAIER@example.org", district="ost")
    assert first.pk == second.pk
    mentor = Mentor.objects.get()
    assert (mentor.district, mentor.pending_application["data"]["district"]) == ("west", "ost")
    assert QueuedMail.objects.count() == 2  # a fresh link each time


def test_apply_again_after_confirmation_is_flagged_not_duplicated(db):
    mentor = MentorFactory(email="lena.maier@example.org", district="nord")
    apply(district="ost")
    mentor.refresh_from_db()
    assert Mentor.objects.count() == 1
    assert mentor.district == "nord"  # the confirmed record is not overwritten by anyone
    assert mentor.activities.filter(kind=ActivityKind.APPLIED_AGAIN).exists()


def test_confirm_email_is_idempotent_and_thanks_once(db, django_capture_on_commit_callbacks):
    mentor = apply()
    token = confirmation_token(mentor)
    with django_capture_on_commit_callbacks(execute=True):
        mentor_confirm_email(token=token)
        mentor_confirm_email(token=token)
    mentor.refresh_from_db()
    assert mentor.email_confirmed_at is not None
    assert mentor.activities.filter(kind=ActivityKind.CONFIRMED).count() == 1
    assert len(mail.outbox) == 1  # the thank-you; the link mail was never committed here


def test_confirm_email_refuses_tampered_and_expired_links(db, settings):
    mentor = apply()
    with pytest.raises(ConfirmationInvalid):
        mentor_confirm_email(token=confirmation_token(mentor) + "x")
    six_days_ago = int((timezone.now() - timedelta(days=6)).timestamp())
    old = signing.TimestampSigner(salt="mentors.confirm-email")
    old.timestamp = lambda: signing.b62_encode(six_days_ago)
    expired = old.sign_object({"mentor": mentor.pk, "email": mentor.email})
    with pytest.raises(ConfirmationExpired):
        mentor_confirm_email(token=expired)
    assert Mentor.objects.get().email_confirmed_at is None


def test_purge_deletes_only_expired_unconfirmed_applications(db):
    expired = MentorFactory(email_confirmed_at=None)
    Mentor.objects.filter(pk=expired.pk).update(created_at=timezone.now() - timedelta(days=6))
    MentorFactory(email_confirmed_at=None)  # still within its link's validity
    MentorFactory()  # confirmed
    Mentor.objects.filter(email_confirmed_at__isnull=False).update(
        created_at=timezone.now() - timedelta(days=60)
    )
    assert mentors_purge_unconfirmed() == 1
    assert Mentor.objects.count() == 2


def tick_all(mentor, by, *items):
    for item in items:
        mentor_check_item(mentor=mentor, item=item, done_on=TODAY(), by=by)


def test_readiness_follows_the_checklist(mentor, coordinator):
    mentor_transition(mentor=mentor, to_status=MentorStatus.CONTACTED, by=coordinator)
    mentor_transition(mentor=mentor, to_status=MentorStatus.SCREENING, by=coordinator)
    mentor.refresh_from_db()
    assert mentor.checklist.filter(item=ChecklistItem.CONVERSATION).exists()
    tick_all(mentor, coordinator, ChecklistItem.AGREEMENT, ChecklistItem.CONFIDENTIALITY)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING
    tick_all(mentor, coordinator, ChecklistItem.SEMINAR)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.READY
    mentor_uncheck_item(mentor=mentor, item=ChecklistItem.SEMINAR, by=coordinator)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING
    assert mentor.activities.filter(kind=ActivityKind.STATUS, created_by=coordinator).count() == 4


def test_police_certificate_is_required_only_with_children(mentor, coordinator):
    mentor.preferences = ["families"]
    mentor.save()
    tick_all(mentor, coordinator, *[i for i in ChecklistItem if i != "police-certificate"])
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING
    mentor_check_item(
        mentor=mentor,
        item=ChecklistItem.POLICE_CERTIFICATE,
        done_on=TODAY(),
        valid_until=TODAY() + timedelta(days=365 * 5),
        by=coordinator,
    )
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.READY


@pytest.mark.parametrize(
    "changes",
    [
        {"done_on": timezone.localdate() + timedelta(days=1)},
        {"item": ChecklistItem.POLICE_CERTIFICATE},
        {"item": ChecklistItem.POLICE_CERTIFICATE, "valid_until": timezone.localdate()},
    ],
)
def test_bad_checklist_dates_are_refused(mentor, coordinator, changes):
    arguments = {"item": ChecklistItem.AGREEMENT, "done_on": TODAY(), "valid_until": None}
    with pytest.raises(ValidationError):
        mentor_check_item(mentor=mentor, by=coordinator, **{**arguments, **changes})
    assert not mentor.checklist.exists()


def test_invalid_transitions_are_refused(mentor, coordinator):
    with pytest.raises(ValidationError):
        mentor_transition(mentor=mentor, to_status=MentorStatus.READY, by=coordinator)
    with pytest.raises(ValidationError):
        mentor_transition(mentor=mentor, to_status=MentorStatus.LEFT, by=coordinator)  # no reason
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.NEW
    assert not mentor.activities.exists()


def test_pause_and_resume_return_to_what_the_checklist_says(mentor, coordinator):
    tick_all(mentor, coordinator, *[i for i in ChecklistItem if i != "police-certificate"])
    mentor_transition(mentor=mentor, to_status=MentorStatus.PAUSED, by=coordinator)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.PAUSED
    mentor_transition(mentor=mentor, to_status=MentorStatus.READY, by=coordinator)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.READY


def test_leaving_needs_a_reason_and_rejoining_clears_it(mentor, coordinator):
    mentor_transition(mentor=mentor, to_status="left", left_reason="moved", by=coordinator)
    mentor.refresh_from_db()
    assert (mentor.status, mentor.left_reason) == ("left", "moved")
    mentor_transition(mentor=mentor, to_status="contacted", by=coordinator)
    mentor.refresh_from_db()
    assert (mentor.status, mentor.left_reason) == ("contacted", "")


def test_the_database_refuses_more_tandems_than_capacity(mentor):
    with pytest.raises(IntegrityError):
        Mentor.objects.filter(pk=mentor.pk).update(places_taken=2)


@pytest.mark.django_db(transaction=True)
def test_two_applications_with_the_same_new_address_at_once_make_one_mentor():
    from tests.newcomers.test_tandems import race

    outcomes = race(lambda first_name: apply(first_name=first_name), ["Lena", "Lea", "Leni"])
    assert [o for o in outcomes if isinstance(o, Exception)] == []  # no IntegrityError
    assert Mentor.objects.filter(email="lena.maier@example.org").count() == 1


def test_a_second_application_for_an_unconfirmed_address_waits_for_its_own_link(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        mentor = apply(first_name="Lena")
        apply(first_name="Mallory", motivation="Ihr Konto wird gesperrt: https://evil.example")
    first_link, second_link = (confirmation_link(m.body) for m in mail.outbox[-2:])
    mentor.refresh_from_db()
    assert mentor.first_name == "Lena"  # nothing changed by the second submission
    mentor_confirm_email(token=first_link)
    mentor.refresh_from_db()
    assert (mentor.first_name, mentor.pending_application) == ("Lena", None)


def test_the_newest_link_confirms_the_newest_submission(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        mentor = apply(first_name="Lena")
        apply(first_name="Lea", hours_per_month=4)
    mentor_confirm_email(token=confirmation_link(mail.outbox[-1].body))
    mentor.refresh_from_db()
    assert (mentor.first_name, mentor.hours_per_month) == ("Lea", 4)


def test_public_mails_never_echo_what_was_typed_and_are_limited_per_address(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            apply(first_name="Max,\r\n\r\nIhr Konto wird gesperrt https://evil.example/login")
    mails = [m for m in mail.outbox if m.to == ["lena.maier@example.org"]]
    assert len(mails) == settings.MENTOR_MAILS_PER_ADDRESS_PER_DAY
    assert all("evil.example" not in m.body and "Max" not in m.body for m in mails)


def confirmation_link(body: str) -> str:
    return re.search(r"/mitmachen/bestaetigen/([^/\s]+)/", body).group(1)
