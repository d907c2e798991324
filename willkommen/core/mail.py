"""Outgoing e-mail: queued in the database with the change that causes it, sent after commit.

A mail server that is down never loses a message or rolls back the change: the message stays
queued and `manage.py send_queued_mail` (run every few minutes by a timer) sends it later.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from willkommen.core.models import QueuedMail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 20


def mail_queue(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    attachment: tuple[str, str] | None = None,
) -> QueuedMail:
    """Render `template`_subject.txt and `template`.txt and queue the mail; send after commit.

    `attachment` is (file name, text), e.g. ("seminar.ics", calendar)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}.txt", context)
    name, content = attachment or ("", "")
    mail = QueuedMail.objects.create(
        to=to, subject=subject, body=body, attachment_name=name, attachment=content
    )
    transaction.on_commit(lambda: mail_send(mail=mail))
    return mail


def mail_send(*, mail: QueuedMail) -> bool:
    """Try to send one queued mail; record the outcome. Returns whether it went out."""
    mail.attempts += 1
    message = EmailMessage(mail.subject, mail.body, to=[mail.to])
    if mail.attachment_name:
        message.attach(mail.attachment_name, mail.attachment, "text/calendar")
    try:
        message.send()
    except Exception as error:  # any failure of the mail server: keep it queued
        logger.warning("Sending mail %s failed (attempt %s): %s", mail.pk, mail.attempts, error)
        mail.last_error = str(error)[:1000]
        mail.save(update_fields=["attempts", "last_error"])
        return False
    mail.sent_at = timezone.now()
    mail.save(update_fields=["attempts", "sent_at"])
    return True


def mails_send_queued() -> tuple[int, int]:
    """Send every queued mail that has not failed too often. Returns (sent, failed)."""
    sent = failed = 0
    pending = QueuedMail.objects.filter(sent_at=None, attempts__lt=MAX_ATTEMPTS).order_by("pk")
    for mail in pending.iterator():
        if mail_send(mail=mail):
            sent += 1
        else:
            failed += 1
    return sent, failed
