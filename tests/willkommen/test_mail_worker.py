"""The mail worker against local mail servers: each mail once, and no request waits for mail."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.urls import reverse

from seminars.services import invitations_send
from tests.factories import MentorFactory, an_event
from tests.willkommen.smtp_sink import silent_smtp_server, smtp_settings, smtp_sink
from willkommen.core.mail import mails_send_due
from willkommen.core.models import QueuedMail

ROOT = Path(__file__).resolve().parents[2]


def this_database_url() -> str:
    """The test database as a DATABASE_URL, for processes started by a test."""
    db = connection.settings_dict
    host = f"{db['HOST']}:{db['PORT']}" if db["PORT"] else db["HOST"]
    socket_dir = db["OPTIONS"].get("host")
    query = f"?host={quote(socket_dir)}" if socket_dir else ""
    return f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{host}/{db['NAME']}{query}"


def start_worker(smtp_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "willkommen.settings",
        "DEBUG": "true",
        "DATABASE_URL": this_database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_queued_mail", "--loop"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_until(condition, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_mail_worker_processes_deliver_each_mail_exactly_once():
    QueuedMail.objects.bulk_create(
        QueuedMail(to=f"mentor{number}@example.org", subject=f"Mail {number}", body="Hallo")
        for number in range(60)
    )
    # Each delivery takes a moment, so that both workers are busy at the same time.
    with smtp_sink(delay=0.05) as sink:
        workers = [start_worker(sink.port), start_worker(sink.port)]
        try:
            wait_until(lambda: not QueuedMail.objects.filter(sent_at=None).exists(), seconds=60)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=30)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    assert all("Mail worker stopped" in output for output in outputs), outputs
    deliveries = Counter(message["Subject"] for message in sink.messages)
    assert deliveries == {f"Mail {number}": 1 for number in range(60)}
    assert sink.most_sessions_at_once == 2  # the two workers really did work side by side
    assert set(QueuedMail.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db(transaction=True)
def test_mail_server_that_never_answers_does_not_slow_requests(client, advisor, settings, capsys):
    settings.MAIL_SEND_ON_COMMIT = False  # as in production
    mentors = MentorFactory.create_batch(5)
    event = an_event(capacity=10)
    with silent_smtp_server() as port:
        smtp_settings(settings, port, timeout=5)  # sending inline would take 5 s a mail

        started = time.monotonic()
        response = client.post(reverse("password_reset"), {"email": advisor.email})
        reset_seconds = time.monotonic() - started

        started = time.monotonic()
        with transaction.atomic():
            invitations_send(event=event, mentors=mentors)
        invite_seconds = time.monotonic() - started

        assert response.status_code == 302
        assert QueuedMail.objects.filter(sent_at=None).count() == 6
        with capsys.disabled():
            print(f"\npassword reset {reset_seconds:.3f} s, 5 invitations {invite_seconds:.3f} s")
        assert reset_seconds < 1
        assert invite_seconds < 1

        # The worker waits EMAIL_TIMEOUT for the silent server, then keeps the mail for later.
        settings.EMAIL_TIMEOUT = 1
        first = QueuedMail.objects.order_by("pk").first()
        assert mails_send_due(only=[first.pk]) == (0, 1)
    first.refresh_from_db()
    assert first.sent_at is None
    assert "timed out" in first.last_error
