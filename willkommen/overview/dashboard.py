"""The coordinators' start page: every work queue of every app, as cards."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from mentors.queues import MENTOR_QUEUES
from newcomers.queues import FOLLOW_UP_QUEUES, REFERRAL_QUEUES, TANDEM_QUEUES
from seminars.queues import SEMINAR_QUEUES
from willkommen.core.models import QueuedMail
from willkommen.core.queues import WorkQueue, waiting_days
from willkommen.core.roles import coordinator_required
from willkommen.overview.engagement import ENGAGEMENT_QUEUES

UNDELIVERED_MAIL = WorkQueue(
    name="undelivered-mail",
    title=gettext_lazy("Emails that did not reach their recipients"),
    items=lambda: QueuedMail.objects.undelivered().order_by("created_at", "pk"),
    list_url_name="mail_failed",
    note=lambda mail, today: waiting_days(mail.created_at, today),
    item_url=lambda mail: reverse("mail_failed"),
    hide_when_empty=True,
)
# In the order the programme's work flows: recruitment, intake, matching, seminars.
DASHBOARD_QUEUES = [
    UNDELIVERED_MAIL,
    *FOLLOW_UP_QUEUES,
    *MENTOR_QUEUES,
    *REFERRAL_QUEUES,
    *TANDEM_QUEUES,
    *ENGAGEMENT_QUEUES,
    *SEMINAR_QUEUES,
]


@coordinator_required
def dashboard(request):
    cards = [queue.card() for queue in DASHBOARD_QUEUES]
    cards = [card for card, queue in zip(cards, DASHBOARD_QUEUES, strict=True)
             if card["count"] or not queue.hide_when_empty]  # fmt: skip
    return render(request, "willkommen/dashboard.html", {"queues": cards})
