"""People with every registered field filled, for the data protection tests.

Each free text holds a marker of its own (MARK-<table>-<field>), so a test can look for every
one of them: in the exports, and nowhere in the database after an erasure.
"""

from datetime import date, timedelta

from django.utils import timezone

from mentors.models import ChecklistEntry, MentorActivity
from newcomers.models import FollowUp, ReferralActivity, SupportContact, Tandem, TandemNote
from seminars.models import Invitation
from tests.factories import MentorFactory, ReferralFactory, UserFactory, an_event
from willkommen.core.models import ConsentWithdrawal, QueuedMail, SupportArea
from willkommen.overview.models import CertificateRequest, CheckIn, HoursReport, RenewalReminder


def mark(table, field):
    return f"MARK-{table}-{field}".upper()


def a_mentor_with_everything(**fields):
    """A mentor who left after a tandem, with every registered field of every table about
    them filled: record, checklist, timeline, an ended tandem with a support contact, an
    attended seminar, mails, a withdrawal, and the history rows these made."""
    coordinator = UserFactory()
    mentor = MentorFactory(
        first_name=mark("mentor", "first_name"),
        last_name=mark("mentor", "last_name"),
        email="mark-mentor-email@example.org",
        phone="0711 4711 0815",
        district="umgebung",
        postal_code="71034",
        preferences=["families", "adults"],
        preferences_note=mark("mentor", "preferences_note"),
        motivation=mark("mentor", "motivation"),
        heard_about="press",
        hours_per_month=7,
        left_reason="moved",
        **fields,
    )
    type(mentor)._base_manager.filter(pk=mentor.pk).update(
        stage="left",
        pending_application={"data": {"motivation": mark("mentor", "pending")}},
        unsubscribed_at=timezone.now(),
    )
    ChecklistEntry.objects.create(
        mentor=mentor,
        item="police-certificate",
        done_on=date(2026, 1, 5),
        valid_until=date(2029, 1, 5),
        recorded_by=coordinator,
    )
    MentorActivity.objects.create(
        mentor=mentor,
        kind="status",
        from_status="active",
        to_status="left",
        text=mark("activity", "text"),
        created_by=coordinator,
    )
    FollowUp.objects.create(
        mentor=mentor,
        due_on=date(2026, 2, 1),
        text=mark("mentorfollowup", "text"),
        created_by=coordinator,
        done_at=timezone.now(),
        done_by=coordinator,
    )
    referral = ReferralFactory(first_name="Nachbarin", status="ended")
    tandem = an_ended_tandem(referral, mentor, coordinator)
    invitation = Invitation.objects.create(
        event=an_event(),
        mentor=mentor,
        status="registered",
        language="en",
        answered_at=timezone.now(),
        waiting_since=timezone.now(),
        reminded_at=timezone.now(),
        attended=True,
    )
    QueuedMail.objects.create(
        to=mentor.email,
        subject=mark("mail", "subject"),
        body=mark("mail", "body"),
        attachment_name="termin.ics",
        attachment=mark("mail", "attachment"),
        unsubscribe_url="https://example.org/abmelden/MARK-MAIL-UNSUBSCRIBE/",
        sent_at=timezone.now(),
        last_error=mark("mail", "last_error"),
    )
    ConsentWithdrawal.objects.create(
        subject="mentor", object_id=mentor.pk, via="coordinator", recorded_by=coordinator
    )
    with_engagement(mentor, tandem, coordinator)
    return mentor, {"tandem": tandem, "invitation": invitation, "referral": referral}


def an_ended_tandem(referral, mentor, coordinator, *, ended_on=None):
    ended_on = ended_on or timezone.localdate() - timedelta(days=10)
    started_on = ended_on - timedelta(days=100)
    tandem = Tandem.objects.create(
        referral=referral,
        mentor=mentor,
        proposed_by=coordinator,
        status="ended",
        answered_at=timezone.now() - timedelta(days=120),
        decline_reason=mark("tandem", "decline_reason"),
        first_meeting_at=timezone.now() - timedelta(days=110),
        first_meeting_place=mark("tandem", "first_meeting_place"),
        first_meeting_attendees=["coordinator", "interpreter"],
        started_on=started_on,
        agreement_contents=mark("tandem", "agreement_contents"),
        expected_duration=mark("tandem", "expected_duration"),
        meeting_places=mark("tandem", "meeting_places"),
        frequency=mark("tandem", "frequency"),
        ended_on=ended_on,
        end_reason="goals-reached",
        closing_conversation=True,
        end_note=mark("tandem", "end_note"),
    )
    tandem.agreement_areas.set(SupportArea.objects.all()[:2])
    SupportContact.objects.create(
        tandem=tandem,
        contacted_on=started_on + timedelta(days=7),
        with_whom="both",
        channel="phone",
        rating=4,
        early_check=True,
        concern=True,
        notes=mark("contact", "notes"),
        recorded_by=coordinator,
    )
    TandemNote.objects.create(
        tandem=tandem, text=mark("tandemnote", "text"), created_by=coordinator
    )
    FollowUp.objects.create(
        tandem=tandem,
        due_on=ended_on,
        text=mark("followup", "text"),
        created_by=coordinator,
        done_at=timezone.now(),
        done_by=coordinator,
    )
    return tandem


def a_referral_with_everything(**fields):
    """A newcomer whose accompaniment ended, with every registered field of every table
    about them filled: referral, timeline, an ended tandem with a support contact, a
    withdrawal, and the history rows these made."""
    coordinator = UserFactory()
    referral = ReferralFactory(
        first_name=mark("referral", "first_name"),
        last_name=mark("referral", "last_name"),
        phone="0176 999 000",
        email="mark-referral-email@example.org",
        languages=["ar", "en"],
        german_level="A2",
        country_of_origin=mark("referral", "country_of_origin"),
        arrived_on=date(2025, 9, 1),
        postal_code="70176",
        children_ages=[3, 11],
        to_accompany=mark("referral", "to_accompany"),
        description=mark("referral", "description"),
        urgency="urgent",
        weekdays=["mon"],
        times_of_day=["morning"],
        interpreter_language="ar",
        preferences=["woman"],
        notes_for_mentor=mark("referral", "notes_for_mentor"),
        consent_form_kept=True,
        status="ended",
        decline_reason="other",  # from an earlier decision, for the export tests
        **fields,
    )
    ReferralActivity.objects.create(
        referral=referral,
        kind="question",
        from_status="received",
        to_status="info-needed",
        text=mark("referralactivity", "text"),
        created_by=coordinator,
    )
    mentor = MentorFactory()
    tandem = an_ended_tandem(referral, mentor, coordinator)
    ConsentWithdrawal.objects.create(
        subject="referral", object_id=referral.pk, via="coordinator", recorded_by=coordinator
    )
    # a proposal mail to the mentor named the newcomer
    QueuedMail.objects.create(
        to=mentor.email,
        subject="Vorschlag",
        sent_at=timezone.now(),
        body=f"Wir möchten Sie als Patin von {referral.first_name} vorschlagen.",
    )
    with_engagement(mentor, tandem, coordinator)
    return referral, {"tandem": tandem, "mentor": mentor}


def with_engagement(mentor, tandem, coordinator):
    """Every engagement table filled for `mentor` and `tandem`, free texts marked."""
    now = timezone.now()
    report = HoursReport.objects.create(
        mentor=mentor, month=date(2026, 1, 1), hours=5, note="MARK-HOURSREPORT-NOTE",
        answered_at=now,
    )  # fmt: skip
    report.areas.set(SupportArea.objects.all()[:1])
    CheckIn.objects.create(
        tandem=tandem, due_on=tandem.ended_on, kind="closing", answered_at=now, rating=4,
        note="MARK-CHECKIN-NOTE", call_me=True, contact=tandem.contacts.first(),
        handled_at=now, handled_by=coordinator,
    )  # fmt: skip
    RenewalReminder.objects.create(mentor=mentor, valid_until=date(2029, 1, 5))
    CertificateRequest.objects.create(mentor=mentor)
