"""The daily timer `send_engagement_mail`: the monthly hours question to active mentors, the
check-ins, and police certificate renewal reminders; each mail once, in the mentor's language,
even when two runs meet."""

import re
import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from mentors.models import MentorStage
from tests.factories import MentorFactory, active_tandem, certificate_seen
from willkommen.core.models import ConsentWithdrawal, QueuedMail
from willkommen.overview.engagement import (
    engagement_mail_send,
    hours_questions_send,
    renewal_reminders_send,
)
from willkommen.overview.hours import months_later
from willkommen.overview.models import CheckIn, HoursReport, RenewalReminder

pytestmark = pytest.mark.django_db


def last_month(today):
    return months_later(today.replace(day=1), -1)


# --- Hours ----------------------------------------------------------------------------------


def test_active_mentors_are_asked_once_a_month_about_last_month(
    django_capture_on_commit_callbacks,
):
    today = timezone.localdate()
    active = MentorFactory(status="active", language="en", first_name="Ada")
    MentorFactory(status="ready")
    MentorFactory(status="paused")
    withdrawn = MentorFactory(status="active")
    ConsentWithdrawal.objects.create(subject="mentor", object_id=withdrawn.pk, via="link")
    with django_capture_on_commit_callbacks(execute=True):
        assert hours_questions_send(today) == 1
        assert hours_questions_send(today) == 0  # the next day's run
    report = HoursReport.objects.get()
    assert (report.mentor, report.month, report.hours) == (active, last_month(today), None)
    message = mail.outbox[-1]
    assert message.to == [active.email]
    assert "Hello Ada," in message.body  # in the mentor's language
    assert last_month(today).strftime("%B") in message.subject
    link = re.search(r"http://\S+/engagement/stunden/\S+/", message.body).group(0)
    assert link.removeprefix("http://127.0.0.1:8000") == reverse(
        "engagement_hours", args=[link.split("/")[-2]]
    )
    assert "/engagement/nachweis-anfordern/" in message.body


def test_next_month_asks_again():
    today = timezone.localdate()
    MentorFactory(status="active")
    assert hours_questions_send(today) == 1
    assert hours_questions_send(months_later(today.replace(day=1), 1)) == 1
    assert HoursReport.objects.count() == 2


def test_a_german_mentor_is_asked_in_german(django_capture_on_commit_callbacks):
    MentorFactory(status="active", language="de", first_name="Bea")
    with django_capture_on_commit_callbacks(execute=True):
        hours_questions_send(timezone.localdate())
    assert mail.outbox[-1].body.startswith("Hallo Bea,")


# --- Renewal reminders ------------------------------------------------------------------------


def a_mentor_whose_certificate_expires_in(days, **fields):
    today = timezone.localdate()
    mentor = MentorFactory(status="ready", preferences=["families"], **fields)
    certificate_seen(mentor, done_on=today - timedelta(days=900),
                     valid_until=today + timedelta(days=days))  # fmt: skip
    return mentor


def test_a_certificate_due_within_sixty_days_is_reminded_once(
    django_capture_on_commit_callbacks,
):
    today = timezone.localdate()
    due = a_mentor_whose_certificate_expires_in(60, language="en")
    a_mentor_whose_certificate_expires_in(90)
    with django_capture_on_commit_callbacks(execute=True):
        assert renewal_reminders_send(today) == 1
        assert renewal_reminders_send(today + timedelta(days=5)) == 0
    assert RenewalReminder.objects.get().mentor == due
    message = mail.outbox[-1]
    assert message.to == [due.email]
    assert (today + timedelta(days=60)).strftime("%d.%m.%Y") in message.body
    assert "§ 30a BZRG" in message.body


def test_a_renewed_certificate_is_reminded_again_when_it_is_due():
    today = timezone.localdate()
    mentor = a_mentor_whose_certificate_expires_in(30)
    assert renewal_reminders_send(today) == 1
    certificate_seen(mentor, done_on=today, valid_until=today + timedelta(days=40))
    assert renewal_reminders_send(today) == 1
    assert RenewalReminder.objects.filter(mentor=mentor).count() == 2


def test_mentors_who_left_are_not_reminded():
    mentor = a_mentor_whose_certificate_expires_in(10)
    type(mentor).objects.filter(pk=mentor.pk).update(stage=MentorStage.LEFT)
    assert renewal_reminders_send(timezone.localdate()) == 0


# --- The timer ------------------------------------------------------------------------------


def a_programme_with_mail_due():
    for _ in range(4):
        MentorFactory(status="active")
    for _ in range(3):
        active_tandem(started_days_ago=30)
    for days in (10, 20):
        a_mentor_whose_certificate_expires_in(days)


def test_the_command_sends_everything_due_and_says_how_much():
    a_programme_with_mail_due()
    out = StringIO()
    call_command("send_engagement_mail", stdout=out)
    # 4 active mentors (the factory's tandems leave theirs "ready"); 3 check-ins; 2 reminders
    assert out.getvalue().strip() == (
        "4 hours questions, 3 check-ins, 0 closing check-ins, 2 renewal reminders queued"
    )
    out = StringIO()
    call_command("send_engagement_mail", stdout=out)
    assert out.getvalue().startswith("0 hours questions, 0 check-ins")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_mail_once():
    a_programme_with_mail_due()
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(engagement_mail_send())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 2
    assert sum(sent.hours for sent in outcomes) == HoursReport.objects.count() == 4
    assert sum(sent.check_ins for sent in outcomes) == CheckIn.objects.count() == 3
    assert sum(sent.renewal_reminders for sent in outcomes) == RenewalReminder.objects.count() == 2
    assert QueuedMail.objects.count() == 9
    recipients = list(QueuedMail.objects.values_list("to", "subject"))
    assert len(recipients) == len(set(recipients))
