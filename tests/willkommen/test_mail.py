from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from seminars.models import Event
from seminars.services import invitations_send
from tests.factories import MentorFactory, an_event
from willkommen.core.mail import mail_queue, mails_send_due
from willkommen.core.models import QueuedMail

UNREACHABLE_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,  # discard port: nothing listens, the connection is refused
    "EMAIL_TIMEOUT": 2,
}
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def queue_a_mail():
    return mail_queue(
        to="someone@example.org",
        template="willkommen/emails/account_created",
        context={"user": None, "link": "http://example.org/x"},
    )


def mail_server_down(settings):
    for name, value in UNREACHABLE_SMTP.items():
        setattr(settings, name, value)


def a_failed_mail(settings, *, attempts_before=0):
    """A queued mail whose next attempt fails now (the mail server refuses connections)."""
    settings.MAIL_SEND_ON_COMMIT = False
    queued = queue_a_mail()
    QueuedMail.objects.filter(pk=queued.pk).update(attempts=attempts_before)
    mail_server_down(settings)
    assert mails_send_due() == (0, 1)
    queued.refresh_from_db()
    return queued


@pytest.mark.django_db(transaction=True)
def test_mail_queued_in_a_change_waits_for_the_worker(settings):
    settings.MAIL_SEND_ON_COMMIT = False  # as in production
    with transaction.atomic():
        queue_a_mail()
    assert mail.outbox == []  # the request is done without touching the mail server

    assert mails_send_due() == (1, 0)  # the worker's pass
    assert len(mail.outbox) == 1
    assert QueuedMail.objects.get().sent_at is not None
    assert mails_send_due() == (0, 0)  # and only once


@pytest.mark.django_db(transaction=True)
def test_mail_in_tests_goes_out_only_after_commit(settings):
    settings.MAIL_SEND_ON_COMMIT = True
    with transaction.atomic():
        queue_a_mail()
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert QueuedMail.objects.get().sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_mail_of_a_rolled_back_change_is_never_sent(settings):
    settings.MAIL_SEND_ON_COMMIT = True
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_a_mail()
        raise RuntimeError("the change failed")
    assert mail.outbox == []
    assert not QueuedMail.objects.exists()


def test_mail_with_a_failing_mail_server_is_kept_for_a_retry(db, settings):
    queued = a_failed_mail(settings)
    assert queued.sent_at is None
    assert queued.attempts == 1
    assert "refused" in queued.last_error.lower()
    assert mails_send_due() == (0, 0)  # not before its pause is over

    settings.EMAIL_BACKEND = LOCMEM
    QueuedMail.objects.filter(pk=queued.pk).update(next_attempt_at=timezone.now())  # later
    call_command("send_queued_mail")
    queued.refresh_from_db()
    assert queued.sent_at is not None
    assert queued.attempts == 2
    assert mail.outbox[0].to == ["someone@example.org"]


@pytest.mark.parametrize(
    ("attempts_before", "pause"),
    [(0, timedelta(minutes=1)), (1, timedelta(minutes=2)), (9, timedelta(hours=6))],
)
def test_mail_retry_pause_doubles_up_to_six_hours(db, settings, attempts_before, pause):
    before = timezone.now()
    queued = a_failed_mail(settings, attempts_before=attempts_before)
    assert before + pause <= queued.next_attempt_at <= timezone.now() + pause


def test_mail_that_keeps_failing_is_given_up_and_listed(db, settings):
    queued = a_failed_mail(settings, attempts_before=QueuedMail.MAX_ATTEMPTS - 1)
    assert queued.given_up
    assert not QueuedMail.objects.due(now=timezone.now() + timedelta(days=30)).exists()
    assert list(QueuedMail.objects.undelivered()) == [queued]


def test_mail_no_worker_picked_up_is_listed_as_undelivered(db, settings):
    settings.MAIL_SEND_ON_COMMIT = False
    waiting = queue_a_mail()
    assert not QueuedMail.objects.undelivered().exists()  # a worker has time for it
    later = timezone.now() + QueuedMail.WAITING_TOO_LONG + timedelta(seconds=1)
    assert list(QueuedMail.objects.undelivered(now=later)) == [waiting]


def test_mail_subject_is_plain_one_line_text_cut_to_fit(db):
    title = ('Café & "Kultur" <Treff>\nfür alle ' * 20)[:300]  # longer than the form allows
    starts = timezone.now() + timedelta(days=7)
    event = Event(title=title, type="intro", starts_at=starts, ends_at=starts, place="Rathaus")
    queued = mail_queue(
        to="someone@example.org",
        template="seminars/emails/invitation",
        context={"event": event, "invitation": None, "link": "http://example.org/x"},
    )
    assert queued.subject.startswith('Einladung: Café & "Kultur" <Treff> für alle Café')
    assert len(queued.subject) == 255
    assert queued.subject.endswith("…")
    assert "\n" not in queued.subject and "&amp;" not in queued.subject
    assert '& "Kultur" <Treff>' in queued.body  # the body is plain text as well


def test_mail_subject_of_an_invitation_to_an_event_of_special_characters_fits(db):
    event = an_event(title='&<>"' * 50)  # 200 characters, 1000 once HTML-escaped
    assert invitations_send(event=event, mentors=[MentorFactory()]) == 1
    subject = QueuedMail.objects.get().subject
    assert subject == "Einladung: " + event.title
