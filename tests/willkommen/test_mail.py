import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from willkommen.core.mail import mail_queue
from willkommen.core.models import QueuedMail

UNREACHABLE_SMTP = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,  # discard port: nothing listens, the connection is refused
    "EMAIL_TIMEOUT": 2,
}


def queue_a_mail():
    return mail_queue(
        to="someone@example.org",
        template="willkommen/emails/account_created",
        context={"user": None, "link": "http://example.org/x"},
    )


@pytest.mark.django_db(transaction=True)
def test_mail_goes_out_only_after_commit():
    with transaction.atomic():
        queue_a_mail()
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert QueuedMail.objects.get().sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_sends_no_mail():
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_a_mail()
        raise RuntimeError("the change failed")
    assert mail.outbox == []
    assert not QueuedMail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_keeps_the_mail_for_a_retry(settings):
    for name, value in UNREACHABLE_SMTP.items():
        setattr(settings, name, value)
    with transaction.atomic():
        queue_a_mail()  # the change commits although the mail server is down
    queued = QueuedMail.objects.get()
    assert queued.sent_at is None
    assert queued.attempts == 1
    assert "refused" in queued.last_error.lower()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_queued_mail")
    queued.refresh_from_db()
    assert queued.sent_at is not None
    assert mail.outbox[0].to == ["someone@example.org"]
