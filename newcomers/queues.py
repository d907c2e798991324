"""The referrals' and tandems' work queues (see willkommen.core.queues)."""

from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from newcomers.models import (
    OPEN_TANDEM_STATUSES,
    FollowUp,
    Referral,
    ReferralStatus,
    Tandem,
    TandemStatus,
)
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


def tandems_with_children_uncertified():
    """Tandems in which the mentor meets a household with children (first meeting ahead, or
    active) while the mentor's police certificate is not valid today (expired, or never seen):
    never seen first, then the longest expired."""
    today = timezone.localdate()
    return (
        Tandem.objects.filter(status__in=[TandemStatus.ACCEPTED, TandemStatus.ACTIVE])
        .exclude(referral__children_ages=[])
        .filter(
            Q(mentor__certificate_valid_until=None) | Q(mentor__certificate_valid_until__lt=today)
        )
        .select_related("mentor", "referral")
        .order_by(F("mentor__certificate_valid_until").asc(nulls_first=True), "pk")
    )


def _certificate_state(tandem, today) -> str:
    if tandem.mentor.certificate_valid_until is None:
        return _("no police certificate recorded")
    return _("police certificate expired since %(date)s") % {
        "date": date_format(tandem.mentor.certificate_valid_until, "d.m.Y")
    }


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
    WorkQueue(
        name="children-without-certificate",
        title=gettext_lazy("Tandems with children without a valid police certificate"),
        items=tandems_with_children_uncertified,
        list_url_name="newcomers:tandem_list",
        note=_certificate_state,
    ),
]


def _follow_ups_due():
    return FollowUp.objects.due().with_subject()


def _due_since(follow_up, today) -> str:
    if follow_up.due_on >= today:
        return _("due today")
    return _("due since %(date)s") % {"date": date_format(follow_up.due_on, "d.m.Y")}


FOLLOW_UP_QUEUES = [
    WorkQueue(
        name="follow-ups-due",
        title=gettext_lazy("Follow-ups due"),
        items=_follow_ups_due,
        list_url_name="newcomers:follow_up_list",
        note=_due_since,
    ),
]
