"""Cancelling an event goes through a page that says whom it affects before anything happens."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from seminars.models import Event
from seminars.services import invitation_answer
from tests.factories import an_event, an_invitation


def an_event_with_answers(*, registered: int, waiting: int, unanswered: int = 0) -> Event:
    event = an_event(capacity=max(registered, 1))
    for _ in range(registered + waiting):
        invitation_answer(invitation=an_invitation(event), accept=True)
    for _ in range(unanswered):
        an_invitation(event)
    return event


def test_the_event_page_only_links_to_the_confirming_page(coordinator_client):
    event = an_event()
    page = coordinator_client.get(event.get_absolute_url()).content.decode()
    assert 'href="?step=cancel"' in page
    assert 'name="confirm"' not in page  # no way to cancel from here in one go


def test_the_confirming_page_says_how_many_people_get_an_e_mail(coordinator_client):
    event = an_event_with_answers(registered=2, waiting=1, unanswered=1)
    response = coordinator_client.get(event.get_absolute_url() + "?step=cancel")
    assert response.status_code == 200
    assert response.templates[0].name == "seminars/event_cancel_confirm.html"
    affected = response.context["affected"]
    assert affected.startswith("3 ") and ": 2," in affected and ": 1)" in affected  # 2 + 1 waiting
    page = response.content.decode()
    assert response.context["affected"] in page
    assert event.get_absolute_url() in page  # the way back
    event.refresh_from_db()
    assert event.cancelled_at is None  # looking changes nothing


def test_with_nobody_registered_the_page_says_that_nobody_gets_an_e_mail(coordinator_client):
    event = an_event_with_answers(registered=0, waiting=0, unanswered=2)
    response = coordinator_client.get(event.get_absolute_url() + "?step=cancel")
    assert "2" not in response.context["affected"]


def test_confirming_cancels_and_tells_the_registered_and_waiting(
    coordinator_client, django_capture_on_commit_callbacks
):
    event = an_event_with_answers(registered=1, waiting=1, unanswered=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            event.get_absolute_url(), {"step": "cancel", "confirm": "on"}
        )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cancelled_at is not None
    assert len(mail.outbox) == 2


def test_a_cancelled_or_begun_event_has_no_confirming_page(coordinator_client):
    cancelled = an_event(cancelled_at=timezone.now())
    begun = an_event(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    for event in (cancelled, begun):
        response = coordinator_client.get(event.get_absolute_url() + "?step=cancel")
        assert response.status_code == 200
        assert response.templates[0].name == "seminars/event_detail.html"
        assert 'href="?step=cancel"' not in response.content.decode()
