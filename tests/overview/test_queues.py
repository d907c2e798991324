"""Every dashboard queue and the list behind its "show all" link show the same set."""

from datetime import timedelta

import pytest
from django.utils import timezone

from newcomers.services import follow_up_create
from tests.factories import (
    MentorFactory,
    ReferralFactory,
    UserFactory,
    active_tandem,
    an_event,
    an_invitation,
    certificate_seen,
    proposed_tandem,
)
from willkommen.core.models import QueuedMail
from willkommen.overview.dashboard import DASHBOARD_QUEUES
from willkommen.overview.engagement import check_in_answer
from willkommen.overview.models import CheckIn


def a_programme_with_work_in_every_queue():
    for status in ("new", "contacted", "screening", "ready", "paused"):
        MentorFactory.create_batch(2, status=status)
    for status in ("received", "waiting", "info-needed"):
        ReferralFactory.create_batch(2, status=status)
    proposed_tandem()  # its referral waits, but not for a mentor: it has a proposal
    for started_days_ago in (3, 60):  # one in its early check, one overdue
        active_tandem(started_days_ago=started_days_ago)
    # Their households have children and their mentors no police certificate; this one's is due.
    today = timezone.localdate()
    due = MentorFactory(status="ready", preferences=["families"])
    certificate_seen(due, done_on=today - timedelta(days=700), valid_until=today + timedelta(30))
    follow_up_create(due_on=today, text="Führungszeugnis angefragt?", by=UserFactory(), mentor=due)
    an_event()
    an_invitation(mentor=MentorFactory(status="screening"))  # invited, not registered
    QueuedMail.objects.create(to="x@example.org", subject="Einladung", body="…", attempts=3)
    # A mentor answered a check-in by link and asks to be called.
    check_in_answer(check_in=CheckIn.objects.create(tandem=active_tandem(started_days_ago=40),
                    due_on=today, kind="regular"), rating=4, call_me=True)  # fmt: skip


@pytest.mark.parametrize("queue", DASHBOARD_QUEUES, ids=lambda queue: queue.name)
def test_a_queue_card_and_its_list_agree(coordinator_client, queue):
    a_programme_with_work_in_every_queue()
    cards = {
        card["name"]: card for card in coordinator_client.get("/koordination/").context["queues"]
    }
    card = cards[queue.name]
    assert card["count"] > 0, "the test data should reach every queue"
    response = coordinator_client.get(card["list_url"])
    assert response.status_code == 200
    assert response.context["page"].paginator.count == card["count"]
    listed = {item.pk for item in response.context["page"].object_list}
    assert {row["item"].pk for row in card["rows"]} <= listed
