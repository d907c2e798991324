"""The referrals' and tandems' work queues (see willkommen.core.queues)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from newcomers.models import OPEN_TANDEM_STATUSES, Referral, ReferralStatus, Tandem, TandemStatus
from newcomers.selectors import tandems_overdue
from willkommen.core.queues import WorkQueue, days_since, waiting_days

# "Does it fit?" is asked within the first weeks of a tandem.
EARLY_CHECK_WEEKS = 6


def _referrals(status: ReferralStatus):
    def items():
        return (
            Referral.objects.filter(status=status)
            .exclude(tandems__status__in=OPEN_TANDEM_STATUSES)
            .order_by("created_at", "pk")
        )

    return items


def _proposals():
    return (
        Tandem.objects.filter(status=TandemStatus.PROPOSED)
        .select_related("mentor", "referral")
        .order_by("proposed_at", "pk")
    )


def _early_check():
    today = timezone.localdate()
    return (
        Tandem.objects.filter(
            status=TandemStatus.ACTIVE,
            started_on__gte=today - timedelta(weeks=EARLY_CHECK_WEEKS),
        )
        .exclude(contacts__early_check=True)
        .select_related("mentor", "referral")
        .order_by("started_on", "pk")
    )


def _overdue():
    return tandems_overdue().select_related("mentor", "referral")


def _contact_due(tandem, today) -> str:
    return _("contact due since %(date)s") % {"date": date_format(tandem.next_contact_due, "d.m.Y")}


def _started(tandem, today) -> str:
    days = days_since(tandem.started_on, today)
    return ngettext("started %(days)s day ago", "started %(days)s days ago", days) % {"days": days}


REFERRAL_QUEUES = [
    WorkQueue(
        name="to-triage",
        title=gettext_lazy("Referrals waiting for triage"),
        items=_referrals(ReferralStatus.RECEIVED),
        list_url_name="newcomers:referral_list",
        note=lambda referral, today: waiting_days(referral.created_at, today),
    ),
    WorkQueue(
        name="waiting-for-mentor",
        title=gettext_lazy("Referrals waiting for a mentor"),
        items=_referrals(ReferralStatus.WAITING),
        list_url_name="newcomers:referral_list",
        note=lambda referral, today: waiting_days(referral.created_at, today),
    ),
]

TANDEM_QUEUES = [
    WorkQueue(
        name="proposals",
        title=gettext_lazy("Proposals waiting for the mentor's answer"),
        items=_proposals,
        list_url_name="newcomers:tandem_list",
        note=lambda tandem, today: waiting_days(tandem.proposed_at, today),
    ),
    WorkQueue(
        name="overdue",
        title=gettext_lazy("Tandems with overdue support contacts"),
        items=_overdue,
        list_url_name="newcomers:tandem_list",
        note=_contact_due,
    ),
    WorkQueue(
        name="early-check",
        title=gettext_lazy("Tandems in their early check"),
        items=_early_check,
        list_url_name="newcomers:tandem_list",
        note=_started,
    ),
]
