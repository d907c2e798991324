"""Every change to a referral goes through these functions.

Each runs in one transaction, validates, saves, writes the referral's timeline and queues
mail to the advisor (a link only, never personal data in the mail).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from newcomers.models import Referral, ReferralActivity, ReferralStatus
from willkommen.mail import mail_queue

CONSENT_FORM_VERSION = "2026-11"
# Which coordinator decision may follow which status.
TRIAGE = {
    ReferralStatus.RECEIVED: [
        ReferralStatus.WAITING,
        ReferralStatus.INFO_NEEDED,
        ReferralStatus.DECLINED,
    ],
    ReferralStatus.INFO_NEEDED: [ReferralStatus.WAITING, ReferralStatus.DECLINED],
    ReferralStatus.WAITING: [ReferralStatus.INFO_NEEDED, ReferralStatus.DECLINED],
}


def _check_household(referral: Referral) -> None:
    today = timezone.localdate()
    errors = {}
    if referral.arrived_on > today:
        errors["arrived_on"] = _("The arrival cannot be in the future.")
    if any(age > 17 for age in referral.children_ages):
        errors["children_ages"] = _("Children are 0 to 17 years old; list adults as adults.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def referral_submit(*, advisor, data: dict, support_areas) -> Referral:
    """An advisor refers a newcomer (with their consent). Validates; records the timeline."""
    if not support_areas:
        raise ValidationError({"support_areas": _("Please choose at least one kind of support.")})
    referral = Referral(advisor=advisor, consent_form_version=CONSENT_FORM_VERSION, **data)
    referral.full_clean(exclude=["support_areas"])
    _check_household(referral)
    referral.save()
    referral.support_areas.set(support_areas)
    ReferralActivity.objects.create(
        referral=referral, kind=ReferralActivity.Kind.SUBMITTED, created_by=advisor
    )
    return referral


@transaction.atomic
def referral_update(*, referral: Referral, by, data: dict, support_areas) -> Referral:
    """The advisor corrects or completes the details while the referral is open."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in (ReferralStatus.RECEIVED, ReferralStatus.INFO_NEEDED):
        raise ValidationError(_("This referral can no longer be changed."))
    for field, value in data.items():
        setattr(referral, field, value)
    referral.full_clean(exclude=["support_areas"])
    _check_household(referral)
    referral.save()
    referral.support_areas.set(support_areas)
    ReferralActivity.objects.create(
        referral=referral, kind=ReferralActivity.Kind.UPDATED, created_by=by
    )
    return referral


def _set_status(referral: Referral, status: str, *, by, text: str = "") -> None:
    ReferralActivity.objects.create(
        referral=referral,
        kind=ReferralActivity.Kind.STATUS,
        from_status=referral.status,
        to_status=status,
        text=text,
        created_by=by,
    )
    referral.status = status
    referral.save(update_fields=["status", "decline_reason", "updated_at"])


def _tell_advisor(referral: Referral) -> None:
    mail_queue(
        to=referral.advisor.email,
        template="newcomers/emails/status_changed",
        context={
            "status": referral.get_status_display(),
            "link": settings.SITE_URL + reverse("newcomers:my_referral", args=[referral.pk]),
        },
    )


@transaction.atomic
def referral_triage(
    *, referral: Referral, by, to_status: str, question: str = "", decline_reason: str = ""
) -> Referral:
    """A coordinator accepts a referral onto the waiting list, asks the advisor for more
    information (the question goes into the timeline), or declines it with a reason.
    The advisor is told by e-mail."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if to_status not in TRIAGE.get(ReferralStatus(referral.status), []):
        raise ValidationError(
            _("A referral with the status “%(status)s” cannot be moved to “%(target)s”.")
            % {"status": referral.get_status_display(), "target": ReferralStatus(to_status).label}
        )
    if to_status == ReferralStatus.INFO_NEEDED:
        if not question.strip():
            raise ValidationError({"question": _("Please write what you need to know.")})
        ReferralActivity.objects.create(
            referral=referral,
            kind=ReferralActivity.Kind.QUESTION,
            text=question.strip(),
            created_by=by,
        )
    if to_status == ReferralStatus.DECLINED:
        if not decline_reason:
            raise ValidationError({"decline_reason": _("Please choose a reason.")})
        referral.decline_reason = decline_reason
    _set_status(referral, to_status, by=by)
    _tell_advisor(referral)
    return referral


@transaction.atomic
def referral_answer(*, referral: Referral, by, text: str) -> Referral:
    """The advisor answers the coordinators' question; the referral returns to triage."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.INFO_NEEDED:
        raise ValidationError(_("There is no open question on this referral."))
    if not text.strip():
        raise ValidationError({"text": _("Please write your answer.")})
    ReferralActivity.objects.create(
        referral=referral, kind=ReferralActivity.Kind.ANSWER, text=text.strip(), created_by=by
    )
    _set_status(referral, ReferralStatus.RECEIVED, by=by)
    return referral


@transaction.atomic
def referral_withdraw(*, referral: Referral, by) -> Referral:
    """The advisor withdraws a referral that has no mentor yet."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in (
        ReferralStatus.RECEIVED,
        ReferralStatus.INFO_NEEDED,
        ReferralStatus.WAITING,
    ):
        raise ValidationError(_("This referral can no longer be withdrawn."))
    _set_status(referral, ReferralStatus.WITHDRAWN, by=by)
    return referral
