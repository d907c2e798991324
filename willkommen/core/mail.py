"""Outgoing e-mail: queued with the change that causes it, delivered by the mail worker.

A request only writes the mail into the database, in the transaction of its change: a change
that rolls back sends nothing, and a slow or dead mail server never makes a page wait. The
worker (`manage.py send_queued_mail --loop`) delivers the mails; any number of workers on any
number of hosts can run, because each claims one row at a time with
`SELECT … FOR UPDATE SKIP LOCKED` and keeps that lock until the mail is sent and marked sent
(one transaction). A second worker skips the locked row, and a worker that dies mid-send
releases its lock with its connection, so the mail is tried again. Exactly once holds as long
as the database answers; a crash between the mail server's "accepted" and our commit sends
that one mail again, which no SMTP client can rule out.

A failing mail is tried again after a pause that doubles each time; after
`QueuedMail.MAX_ATTEMPTS` it is given up. Both, and mails that no worker picked up, are listed
for the coordinators (`QueuedMail.objects.undelivered()`), never dropped silently.

Why our own small worker and not django-tasks with its database backend: the mail row already
is the queue and holds everything the coordinators need to see (attempts, last error, given
up); a task table would duplicate that state, django-tasks has no retries with backoff of its
own, and it is pre-1.0 ("breaking changes at any time") while Django 5.2 has no task framework
yet. The claim below is the same SKIP LOCKED query its worker uses, in a dozen lines.
"""

import logging
import threading

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import DatabaseError, close_old_connections, transaction
from django.template import Context, engines
from django.utils import timezone, translation

from willkommen.core.models import QueuedMail

logger = logging.getLogger(__name__)
# How often an idle worker looks for due mail: a password-reset link arrives within seconds.
POLL_SECONDS = 5
SUBJECT_LENGTH = QueuedMail._meta.get_field("subject").max_length


def mail_language(code: str | None) -> str:
    """One of our languages for `code` (a browser's "en-GB", say); German when we have none."""
    languages = dict(settings.LANGUAGES)
    short = (code or "").split("-")[0].lower()
    return short if short in languages else settings.LANGUAGE_CODE.split("-")[0]


def mail_queue(
    *,
    to: str,
    template: str,
    context: dict,
    language: str | None = None,
    attachment: tuple[str, str] | None = None,
    unsubscribe_url: str = "",
) -> QueuedMail:
    """Render `template`_subject.txt and `template`.txt and queue the mail for the worker.

    `attachment` is (file name, text), e.g. ("seminar.ics", calendar). `unsubscribe_url`, for
    mail the recipient may stop, goes out as the List-Unsubscribe header (one click)."""
    subject, body = mail_render(template=template, context=context, language=language)
    name, content = attachment or ("", "")
    mail = QueuedMail.objects.create(
        to=to,
        subject=subject,
        body=body,
        attachment_name=name,
        attachment=content,
        unsubscribe_url=unsubscribe_url,
    )
    if settings.MAIL_SEND_ON_COMMIT:
        # Tests read mail.outbox right after the change: deliver this mail the worker's way.
        transaction.on_commit(lambda: mails_send_due(only=[mail.pk]))
    return mail


def mail_render(*, template: str, context: dict, language: str | None = None) -> tuple[str, str]:
    """The subject and body `mail_queue` would send, e.g. for a preview; queues nothing."""
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = mail_subject(_render_text(f"{template}_subject.txt", context))
        body = _render_text(f"{template}.txt", context)
    return subject, body


def mail_subject(text: str) -> str:
    """A subject is one line of plain text that fits its column, cut with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= SUBJECT_LENGTH:
        return line
    return line[: SUBJECT_LENGTH - 1].rstrip() + "…"


def _render_text(name: str, context: dict) -> str:
    """Mails are plain text: render without HTML escaping, so "A & B" stays "A & B"."""
    template = engines["django"].engine.get_template(name)
    return template.render(Context(context, autoescape=False))


def mail_send_next(*, only: list[int] | None = None) -> bool | None:
    """Claim one due mail (of `only`, if given) and try to deliver it.

    Returns whether it went out, or None when no mail is due. Side effects: the mail is marked
    sent, or its attempt, error and next try are recorded."""
    with transaction.atomic():
        due = QueuedMail.objects.due()
        if only is not None:
            due = due.filter(pk__in=only)
        mail = due.select_for_update(skip_locked=True).order_by("next_attempt_at", "pk").first()
        if mail is None:
            return None
        return _deliver(mail)


def mails_send_due(*, only: list[int] | None = None) -> tuple[int, int]:
    """Try every due mail once. Returns (sent, failed)."""
    sent = failed = 0
    while (outcome := mail_send_next(only=only)) is not None:
        if outcome:
            sent += 1
        else:
            failed += 1
    return sent, failed


def mail_worker_run(*, stop: threading.Event) -> None:
    """Deliver due mail until `stop` is set; finishes the mail in hand first."""
    while not stop.is_set():
        close_old_connections()  # a restarted database must not leave us a dead connection
        try:
            while not stop.is_set() and mail_send_next() is not None:
                pass
        except DatabaseError as error:
            logger.warning("Mail worker: the database did not answer (%s); trying again", error)
        stop.wait(POLL_SECONDS)


def _deliver(mail: QueuedMail) -> bool:
    mail.attempts += 1
    headers = {}
    if mail.unsubscribe_url:  # RFC 2369 and RFC 8058: mail programs offer a one-click button
        headers = {
            "List-Unsubscribe": f"<{mail.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    message = EmailMessage(mail.subject, mail.body, to=[mail.to], headers=headers)
    if mail.attachment_name:
        message.attach(mail.attachment_name, mail.attachment, "text/calendar")
    try:
        message.send()
    except Exception as error:  # any failure of the mail server: keep the mail for a retry
        mail.last_error = (str(error) or type(error).__name__)[:1000]
        pause = min(QueuedMail.FIRST_PAUSE * 2 ** (mail.attempts - 1), QueuedMail.LONGEST_PAUSE)
        mail.next_attempt_at = timezone.now() + pause
        mail.save(update_fields=["attempts", "last_error", "next_attempt_at"])
        log = logger.error if mail.given_up else logger.warning
        log("Sending mail %s failed (attempt %s): %s", mail.pk, mail.attempts, mail.last_error)
        return False
    mail.sent_at = timezone.now()
    mail.save(update_fields=["attempts", "sent_at"])
    return True
