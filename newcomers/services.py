"""Every change to a referral goes through these functions.

Each runs in one transaction, validates, saves, writes the referral's timeline and queues
mail to the advisor (a link only, never personal data in the mail).
"""

from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentors.services import mentor_free_place, mentor_take_place, mentor_tandem_started
from newcomers.models import (
    OPEN_TANDEM_STATUSES,
    EndReason,
    Referral,
    ReferralActivity,
    ReferralStatus,
    SupportContact,
    Tandem,
    TandemStatus,
)
from willkommen.core.dates import PLANNING_HORIZON, PROGRAMME_START, check_date_window
from willkommen.core.mail import mail_queue

CONSENT_FORM_VERSION = "2026-11"
# Newcomers arrived within a lifetime; an earlier date is a typing error.
EARLIEST_ARRIVAL = date(1950, 1, 1)
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
    check_date_window("arrived_on", referral.arrived_on, earliest=EARLIEST_ARRIVAL, latest=today)
    check_date_window("consent_on", referral.consent_on, earliest=PROGRAMME_START, latest=today)
    if any(age > 17 for age in referral.children_ages):
        raise ValidationError(
            {"children_ages": _("Children are 0 to 17 years old; list adults as adults.")}
        )


@transaction.atomic
def referral_submit(*, advisor, data: dict, support_areas, submission_key=None) -> Referral:
    """An advisor refers a newcomer (with their consent). Validates; records the timeline.

    The same form sent twice (`submission_key`) makes one referral: the second send, even at
    the same moment, returns the first.
    """
    sent_before = Referral.objects.filter(advisor=advisor, submission_key=submission_key)
    if submission_key is not None and (referral := sent_before.first()):
        return referral
    if not support_areas:
        raise ValidationError({"support_areas": _("Please choose at least one kind of support.")})
    referral = Referral(
        advisor=advisor,
        consent_form_version=CONSENT_FORM_VERSION,
        submission_key=submission_key,
        **data,
    )
    referral.full_clean(exclude=["support_areas", "submission_key"])
    _check_household(referral)
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        if submission_key is not None and (first := sent_before.first()):
            return first
        raise
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


# --- Tandems ---------------------------------------------------------------------------------

ANSWER_SALT = "newcomers.tandem-answer"


def tandem_answer_token(tandem: Tandem) -> str:
    return signing.dumps({"tandem": tandem.pk}, salt=ANSWER_SALT)


def tandem_answer_url(tandem: Tandem) -> str:
    return settings.SITE_URL + reverse(
        "newcomers:tandem_answer", args=[tandem_answer_token(tandem)]
    )


def tandem_for_answer(*, token: str) -> Tandem:
    """The tandem behind a mentor's answer link; raises ValidationError when it is no good."""
    max_age = timedelta(days=settings.TANDEM_ANSWER_DAYS)
    try:
        payload = signing.loads(token, salt=ANSWER_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ValidationError(_("This link has expired. Please call the coordinators.")) from error
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    tandem = (
        Tandem.objects.select_related("referral", "mentor").filter(pk=payload["tandem"]).first()
    )
    if tandem is None:
        raise ValidationError(_("This link is not valid."))
    return tandem


@transaction.atomic
def tandem_propose(*, referral: Referral, mentor, by) -> Tandem:
    """Propose `mentor` for a waiting referral: reserves a place, asks the mentor by e-mail
    (first name, languages, needs and district of the newcomer; no contact data)."""
    from newcomers.matching import candidates

    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != ReferralStatus.WAITING:
        raise ValidationError(_("Only a referral on the waiting list can get a proposal."))
    if referral.tandems.filter(status__in=OPEN_TANDEM_STATUSES).exists():
        raise ValidationError(_("This referral already has an open proposal or tandem."))
    if not candidates(referral).filter(pk=mentor.pk).exists():
        raise ValidationError(_("This mentor cannot accompany this referral right now."))
    mentor = mentor_take_place(mentor_id=mentor.pk)
    tandem = Tandem.objects.create(referral=referral, mentor=mentor, proposed_by=by)
    mail_queue(
        to=mentor.email,
        template="newcomers/emails/proposal",
        context={
            "mentor": mentor,
            "referral": referral,
            "needs": ", ".join(area.label for area in referral.support_areas.all()),
            "languages": ", ".join(referral.language_labels),
            "link": tandem_answer_url(tandem),
        },
    )
    return tandem


@transaction.atomic
def tandem_answer(*, tandem: Tandem, accept: bool, reason: str = "", by=None) -> Tandem:
    """The mentor's answer to a proposal, by link or recorded by a coordinator (`by`).

    Accepting makes the referral "mentor found" (the advisor is told); declining frees the
    mentor's place and the referral waits for the next proposal.
    """
    tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
    if tandem.status != TandemStatus.PROPOSED:
        raise ValidationError(_("This proposal has been answered already."))
    tandem.answered_at = timezone.now()
    referral = Referral.objects.select_for_update().get(pk=tandem.referral_id)
    actor = by or referral.advisor  # the timeline needs a person; the link has none
    if accept:
        tandem.status = TandemStatus.ACCEPTED
        _set_status(referral, ReferralStatus.MATCHED, by=actor)
        _tell_advisor(referral)
    else:
        tandem.status = TandemStatus.DECLINED
        tandem.decline_reason = reason.strip()
        mentor_free_place(mentor_id=tandem.mentor_id, by=by, was_active=False)
    tandem.save()
    return tandem


@transaction.atomic
def tandem_plan_first_meeting(*, tandem: Tandem, by, at, place: str, attendees) -> Tandem:
    """Date and place of the first meeting; the advisor sees the date."""
    tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
    if tandem.status != TandemStatus.ACCEPTED:
        raise ValidationError(_("A first meeting is planned once the mentor has accepted."))
    if not place.strip():
        raise ValidationError({"place": _("Please enter where they meet.")})
    check_date_window(
        "at",
        timezone.localdate(at),
        earliest=timezone.localdate(tandem.referral.created_at),
        latest=timezone.localdate() + PLANNING_HORIZON,
    )
    tandem.first_meeting_at = at
    tandem.first_meeting_place = place.strip()
    tandem.first_meeting_attendees = list(attendees)
    tandem.save()
    _tell_advisor(tandem.referral)
    return tandem


@transaction.atomic
def tandem_start(*, tandem: Tandem, by, agreement: dict, areas) -> Tandem:
    """After the first meeting both want to go on: the tandem is active with its agreement."""
    tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
    if tandem.status != TandemStatus.ACCEPTED or tandem.first_meeting_at is None:
        raise ValidationError(_("A tandem starts after its first meeting."))
    if tandem.first_meeting_at > timezone.now():
        raise ValidationError(_("The first meeting has not taken place yet."))
    for field, value in agreement.items():
        setattr(tandem, field, value)
    tandem.status = TandemStatus.ACTIVE
    tandem.started_on = timezone.localdate()
    tandem.save()
    tandem.agreement_areas.set(areas)
    mentor_tandem_started(mentor_id=tandem.mentor_id, by=by)
    return tandem


@transaction.atomic
def tandem_end(
    *, tandem: Tandem, by, ended_on, reason: str, closing_conversation: bool, note: str = ""
) -> Tandem:
    """Close a tandem (or a proposal that did not work out). The mentor's place is free again.

    An active tandem ends the accompaniment, unless it did not fit: then, as when it ends
    before it started, the referral goes back to the waiting list for a new match.
    """
    tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
    if tandem.status not in OPEN_TANDEM_STATUSES:
        raise ValidationError(_("This tandem is not open."))
    if not reason:
        raise ValidationError({"reason": _("Please choose why the tandem ends.")})
    if reason not in EndReason.values:
        raise ValidationError({"reason": _("Please choose a reason from the list.")})
    # An active tandem ends on or after its start; a proposal on or after it was made.
    check_date_window(
        "ended_on",
        ended_on,
        earliest=tandem.started_on or timezone.localdate(tandem.proposed_at),
        latest=timezone.localdate(),
    )
    was_active = tandem.status == TandemStatus.ACTIVE
    tandem.status = TandemStatus.ENDED
    tandem.ended_on = ended_on
    tandem.end_reason = reason
    tandem.closing_conversation = closing_conversation
    tandem.end_note = note
    tandem.save()
    mentor_free_place(mentor_id=tandem.mentor_id, by=by, was_active=was_active)
    referral = Referral.objects.select_for_update().get(pk=tandem.referral_id)
    rematch = not was_active or reason == EndReason.DID_NOT_FIT
    _set_status(referral, ReferralStatus.WAITING if rematch else ReferralStatus.ENDED, by=by)
    _tell_advisor(referral)
    return tandem


def support_contact_record(*, tandem: Tandem, by, **data) -> SupportContact:
    """A coordinator's support contact with an active tandem."""
    if tandem.status != TandemStatus.ACTIVE:
        raise ValidationError(_("Support contacts are recorded for active tandems."))
    check_date_window(
        "contacted_on",
        data["contacted_on"],
        earliest=tandem.started_on,
        latest=timezone.localdate(),
    )
    contact = SupportContact(tandem=tandem, recorded_by=by, **data)
    contact.full_clean()
    contact.save()
    return contact


# === Data protection =======================================================================
# Called by willkommen.overview.privacy (erasure, retention, consent); see docs/datenschutz.md.
# One section at the end of the module; what it needs beyond the module's imports it imports
# inside the functions.


def _tandem_rows(tandem_id: int) -> dict:
    """Every table with rows of this tandem that anonymisation may change, and those rows."""
    from newcomers.models import TandemEvent

    return {
        Tandem: Tandem.objects.filter(pk=tandem_id),
        TandemEvent: TandemEvent.objects.filter(pgh_obj_id=tandem_id),
        SupportContact: SupportContact.objects.filter(tandem_id=tandem_id),
    }


def _referral_rows(referral_id: int) -> dict:
    from newcomers.models import ReferralEvent

    return {
        Referral: Referral.objects.filter(pk=referral_id),
        ReferralEvent: ReferralEvent.objects.filter(pgh_obj_id=referral_id),
        ReferralActivity: ReferralActivity.objects.filter(referral_id=referral_id),
    }


@transaction.atomic
def tandem_anonymise(*, tandem: Tandem, values: dict) -> None:
    """Empty the free texts of a closed tandem, its change history and its support contacts
    with `values` ({model: {field: value}}, as the registry in willkommen.overview.privacy
    decides); values for the referral's own tables are left to referral_anonymise.

    Refused (ValidationError) while the tandem is open. A ValueError for values of a table
    neither function knows: a new registry entry is never ignored in silence.
    """
    tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
    if tandem.status in OPEN_TANDEM_STATUSES:
        raise ValidationError(_("This tandem is still open. Please end it first."))
    rows = _tandem_rows(tandem.pk)
    if unknown := set(values) - set(rows) - set(_referral_rows(tandem.referral_id)):
        raise ValueError(f"tandem_anonymise does not know these tables: {unknown}")
    for model, model_values in values.items():
        if model in rows:
            rows[model].update(**model_values)


@transaction.atomic
def referral_anonymise(*, referral: Referral, values: dict, by) -> list[int]:
    """Overwrite the newcomer's personal data with `values` ({model: {field: value}}, as the
    registry in willkommen.overview.privacy decides) in the referral, its history, its
    timeline and all its (closed) tandems with their contacts; delete the proposal mails that
    named the newcomer. Returns the numbers of the tandems anonymised with it.

    A referral still open (no mentor yet) is declined first ("consent missing or withdrawn"),
    and the advisor is told. Refused (ValidationError) while the referral has an open proposal
    or tandem. A ValueError for values of a table this function does not know.
    """
    from newcomers.models import OPEN_STATUSES, DeclineReason
    from willkommen.core.models import QueuedMail

    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    tandems = list(referral.tandems.select_related("mentor"))
    if any(tandem.status in OPEN_TANDEM_STATUSES for tandem in tandems):
        raise ValidationError(
            _("The newcomer is in an open proposal or tandem. Please end it first.")
        )
    rows = _referral_rows(referral.pk)
    if unknown := set(values) - set(rows) - set(_tandem_rows(0)):
        raise ValueError(f"referral_anonymise does not know these tables: {unknown}")
    if referral.status in OPEN_STATUSES:
        referral.decline_reason = DeclineReason.NO_CONSENT
        _set_status(referral, ReferralStatus.DECLINED, by=by)
        _tell_advisor(referral)
    if referral.first_name and tandems:
        QueuedMail.objects.filter(
            to__in={tandem.mentor.email for tandem in tandems},
            body__contains=referral.first_name,
        ).delete()
    for tandem in tandems:
        tandem_anonymise(tandem=tandem, values=values)
    for model, model_values in values.items():
        if model in rows:
            rows[model].update(**model_values)
    return [tandem.pk for tandem in tandems]


def referral_history_remove(*, referral_id: int) -> int:
    """Delete the change history of an anonymised referral and of its tandems."""
    from newcomers.models import ReferralEvent, TandemEvent

    removed, _details = ReferralEvent.objects.filter(pgh_obj_id=referral_id).delete()
    more, _details = TandemEvent.objects.filter(referral_id=referral_id).delete()
    return removed + more


def tandem_history_remove(*, tandem_id: int) -> int:
    """Delete the change history of an anonymised tandem."""
    from newcomers.models import TandemEvent

    removed, _details = TandemEvent.objects.filter(pgh_obj_id=tandem_id).delete()
    return removed


@transaction.atomic
def referral_consent_withdraw(*, referral: Referral, by):
    """A coordinator records that the newcomer withdrew their consent; recorded once.

    A referral still open (no mentor yet) is declined ("consent missing or withdrawn") and the
    advisor told. With an open proposal or tandem it stays until a coordinator ends that and
    declines the referral (the data protection page says so). The retention run anonymises it
    after RETENTION_REFERRAL_CLOSED_MONTHS. Returns the ConsentWithdrawal.
    """
    from newcomers.models import OPEN_STATUSES, DeclineReason
    from willkommen.core.models import ConsentWithdrawal

    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    subject = ConsentWithdrawal.Subject.REFERRAL
    earlier = ConsentWithdrawal.objects.filter(subject=subject, object_id=referral.pk).first()
    if earlier is not None:
        return earlier
    withdrawal = ConsentWithdrawal.objects.create(
        subject=subject,
        object_id=referral.pk,
        via=ConsentWithdrawal.Via.COORDINATOR,
        recorded_by=by,
    )
    if referral.status in OPEN_STATUSES:
        referral.decline_reason = DeclineReason.NO_CONSENT
        _set_status(referral, ReferralStatus.DECLINED, by=by, text=_("Consent withdrawn."))
        _tell_advisor(referral)
    return withdrawal
