from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from willkommen.core.models import QueuedMail

URL = reverse("mail_failed")


def a_mail(subject, *, attempts=0, sent=False, age=timedelta(0), error=""):
    mail = QueuedMail.objects.create(
        to="mentor@example.org", subject=subject, body="Hallo", attempts=attempts,
        sent_at=timezone.now() if sent else None, last_error=error,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )  # fmt: skip
    QueuedMail.objects.filter(pk=mail.pk).update(created_at=timezone.now() - age)
    return mail


def test_mail_failed_page_lists_every_undelivered_mail_with_its_status(coordinator_client):
    a_mail("given up", attempts=QueuedMail.MAX_ATTEMPTS, age=timedelta(days=2), error="refused")
    a_mail("retrying", attempts=3, age=timedelta(hours=1), error="timed out")
    a_mail("never tried", age=timedelta(hours=2))
    a_mail("just queued")
    a_mail("delivered", attempts=1, sent=True, age=timedelta(hours=3))

    response = coordinator_client.get(URL)

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["mail"].subject for row in rows] == ["retrying", "never tried", "given up"]
    given_up, retrying, never_tried = rows[2]["status"], rows[0]["status"], rows[1]["status"]
    assert str(QueuedMail.MAX_ATTEMPTS) in given_up
    assert "3" in retrying and retrying != given_up
    assert never_tried not in (given_up, retrying)
    assert b"timed out" in response.content


def test_mail_failed_page_says_so_when_everything_was_delivered(coordinator_client):
    a_mail("delivered", attempts=1, sent=True)
    response = coordinator_client.get(URL)
    assert response.context["rows"] == []


def test_mail_failed_page_query_count_does_not_grow(coordinator_client):
    def queries_for_the_page():
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(URL).status_code == 200
        return len(queries)

    a_mail("the first", attempts=1)
    queries_for_the_page()  # the first request of a session may write the session
    with_one = queries_for_the_page()
    for number in range(30):
        a_mail(f"mail {number}", attempts=1)
    assert queries_for_the_page() == with_one
