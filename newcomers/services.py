"""Every change to a referral goes through these functions.

Each runs in one transaction, validates, saves, writes the referral's timeline and queues
mail to the advisor (a link only, never personal data in the mail).
"""

from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentors.services import mentor_free_place, mentor_take_place, mentor_tandem_started
from newcomers.models import (
    OPEN_TANDEM_STATUSES,
    EndReason,
    FollowUp,
    Referral,
    ReferralActivity,
    ReferralStatus,
    SupportContact,
    Tandem,
    TandemNote,
    TandemStatus,
    next_contact_due,
)
from willkommen.core.calendar import appointment_ics
from willkommen.core.dates import PLANNING_HORIZON, PROGRAMME_START, check_date_window
from willkommen.core.mail import mail_queue
from willkommen.core.models import User
from willkommen.core.services import user_deactivate

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


def _check_support_areas(support_areas) -> None:
    if not support_areas:
        raise ValidationError({"support_areas": _("Please choose at least one kind of support.")})


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
    _check_support_areas(support_areas)
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


def _referral_change(referral: Referral, *, by, data: dict, support_areas) -> list[str]:
    """Check and save changed details of a locked referral, with the checks of a new one;
    note in its timeline which fields changed (their names, not their values). Returns the
    names of the fields that changed; nothing is saved when none did."""
    _check_support_areas(support_areas)
    changed = [name for name, value in data.items() if getattr(referral, name) != value]
    if {area.pk for area in support_areas} != set(
        referral.support_areas.values_list("pk", flat=True)
    ):
        changed.append("support_areas")
    for field, value in data.items():
        setattr(referral, field, value)
    referral.full_clean(exclude=["support_areas", "submission_key"])
    _check_household(referral)
    if not changed:
        return []
    referral.save()
    referral.support_areas.set(support_areas)
    ReferralActivity.objects.create(
        referral=referral,
        kind=ReferralActivity.Kind.UPDATED,
        text=", ".join(str(Referral._meta.get_field(name).verbose_name) for name in changed),
        created_by=by,
    )
    return changed


@transaction.atomic
def referral_update(*, referral: Referral, by, data: dict, support_areas) -> Referral:
    """The advisor corrects or completes the details until the coordinators have taken the
    referral on (Referral.advisor_may_edit). Side effect: an entry in the timeline naming the
    fields that changed (none when nothing did)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.advisor_may_edit:
        raise ValidationError(_("This referral can no longer be changed."))
    _referral_change(referral, by=by, data=data, support_areas=support_areas)
    return referral


@transaction.atomic
def referral_correct(*, referral: Referral, data: dict, support_areas, by) -> list[str]:
    """A coordinator corrects or completes a referral's details (e.g. the phone number the
    advisor sent in an answer), with the checks of the advisor's form, while the referral is
    open or has an open proposal or tandem (Referral.coordinators_may_correct).

    Side effects: an entry in the timeline naming the fields that changed, and a row in the
    change history (a database trigger, with who and from which page). Returns the names of
    the fields that changed; nothing is saved when none did.
    """
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.coordinators_may_correct:
        raise ValidationError(
            _("A referral with the status “%(status)s” can no longer be corrected.")
            % {"status": referral.get_status_display()}
        )
    return _referral_change(referral, by=by, data=data, support_areas=support_areas)


def referral_note_add(*, referral: Referral, text: str, by) -> ReferralActivity:
    """A coordinator's note in the referral's timeline (not shown to the advisor)."""
    if not text.strip():
        raise ValidationError({"text": _("Please write the note.")})
    return ReferralActivity.objects.create(
        referral=referral, kind=ReferralActivity.Kind.NOTE, text=text.strip(), created_by=by
    )


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
    """Mail the advisor, in their language, that their referral has a new status: one mail per
    change of the status they see. The change told of is the newest status entry of the
    referral's timeline (written by `_set_status`); callers call this right after the
    `_set_status` that changed it and nowhere else, and nothing is mailed when that entry is no
    change to the current status. Planning or moving a first meeting changes no status and
    mails no advisor (they see its date on the referral's page)."""
    change = referral.activities.filter(kind=ReferralActivity.Kind.STATUS).first()
    if change is None or change.from_status == change.to_status:
        return
    if change.to_status != referral.status:
        return
    advisor = referral.advisor
    mail_queue(
        to=advisor.email,
        template="newcomers/emails/status_changed",
        context={
            # the label itself, translated when the mail is rendered in the advisor's language
            "status": ReferralStatus(referral.status).label,
            "link": settings.SITE_URL + reverse("newcomers:my_referral", args=[referral.pk]),
        },
        language=advisor.language,
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


# --- Handing referrals on to another advisor -------------------------------------------------

# A referral is handed on while an advisor still follows it: until it is declined, withdrawn or
# its accompaniment has ended.
HAND_OVER_STATUSES = [
    ReferralStatus.RECEIVED,
    ReferralStatus.INFO_NEEDED,
    ReferralStatus.WAITING,
    ReferralStatus.MATCHED,
]


def referrals_to_hand_over(advisor):
    """The referrals of `advisor` that go to a colleague when they hand on (HAND_OVER_STATUSES)."""
    return Referral.objects.filter(advisor=advisor, status__in=HAND_OVER_STATUSES)


def _advisor_in_words(advisor) -> str:
    return f"{advisor} ({advisor.organisation})" if advisor.organisation_id else str(advisor)


@transaction.atomic
def referrals_hand_over(*, referrals, to_advisor, by) -> int:
    """Hand `referrals` on to `to_advisor`, an advisor whose account is active (of the Welcome
    Center or of a partner organisation): from now on they alone see and follow them, and the
    advisor before them no longer does. Returns how many were handed on.

    Side effects: each referral's timeline records "handed over" with from whom to whom, by
    `by`; `to_advisor` gets one e-mail saying how many, with a link (no data of the
    newcomers). Refused (ValidationError, nothing changed) when `to_advisor` is no active
    advisor or follows one of the referrals already, when there is no referral, or when one of
    them is no longer open (declined, withdrawn, ended).
    """
    if not User.objects.active_advisors().filter(pk=to_advisor.pk).exists():
        raise ValidationError(
            {"to_advisor": _("Please choose an advisor whose account is active.")}
        )
    locked = list(
        Referral.objects.select_for_update(of=("self",))
        .filter(pk__in=[referral.pk for referral in referrals])
        .select_related("advisor__organisation")
        .order_by("pk")
    )
    if not locked:
        raise ValidationError(_("There are no open referrals to hand on."))
    if any(referral.status not in HAND_OVER_STATUSES for referral in locked):
        raise ValidationError(
            _("Only open referrals can be handed on, not declined, withdrawn or ended ones.")
        )
    if any(referral.advisor_id == to_advisor.pk for referral in locked):
        raise ValidationError(
            {"to_advisor": _("%(name)s follows this referral already. Please choose someone else.")
             % {"name": to_advisor}}
        )  # fmt: skip
    new = _advisor_in_words(to_advisor)
    ReferralActivity.objects.bulk_create(
        ReferralActivity(
            referral=referral,
            kind=ReferralActivity.Kind.HANDED_OVER,
            text=_("from %(old)s to %(new)s")
            % {"old": _advisor_in_words(referral.advisor), "new": new},
            created_by=by,
        )  # fmt: skip
        for referral in locked
    )
    Referral.objects.filter(pk__in=[referral.pk for referral in locked]).update(
        advisor=to_advisor, updated_at=timezone.now()
    )
    if len(locked) == 1:
        path = reverse("newcomers:my_referral", args=[locked[0].pk])
    else:
        path = reverse("newcomers:my_referrals")
    mail_queue(
        to=to_advisor.email,
        template="newcomers/emails/handover",
        context={"count": len(locked), "link": settings.SITE_URL + path},
        language=to_advisor.language,
    )
    return len(locked)


@transaction.atomic
def advisor_deactivate(*, advisor, to_advisor, by) -> int:
    """Deactivate the account of `advisor` (willkommen.core.services.user_deactivate) and hand
    their open referrals on to `to_advisor` (referrals_hand_over), both or neither. Returns how
    many referrals were handed on.

    Refused (ValidationError, nothing changed) when the advisor has open referrals and
    `to_advisor` is None, or when either step refuses. Without open referrals `to_advisor` is
    not needed; the account is deactivated alone.
    """
    if by.pk == advisor.pk:  # checked before anything is written (user_deactivate checks too)
        raise ValidationError(_("You cannot deactivate your own account."))
    # Locked: two coordinators deactivating the same advisor hand the referrals on once.
    User.objects.select_for_update().get(pk=advisor.pk)
    open_referrals = list(referrals_to_hand_over(advisor))
    handed_on = 0
    if open_referrals:
        if to_advisor is None:
            raise ValidationError(
                {"to_advisor": _("Please choose who takes on the open referrals.")}
            )
        handed_on = referrals_hand_over(referrals=open_referrals, to_advisor=to_advisor, by=by)
    user_deactivate(user=advisor, by=by)
    return handed_on


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
        language=mentor.language,
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


# How long a first meeting stands in the mentor's calendar; the mail names only its start.
FIRST_MEETING_LENGTH = timedelta(hours=1)


@transaction.atomic
def tandem_plan_first_meeting(*, tandem: Tandem, by, at, place: str, attendees) -> Tandem:
    """Date and place of the first meeting, and who else comes; the advisor sees the date on
    the referral's page (no mail: the referral's status does not change).

    Side effects: the mentor gets the date and place by mail, in their language, with a
    calendar entry; a later change of date, place or company mails an update of the same entry
    (same UID, higher SEQUENCE). Saving it unchanged mails nobody.
    """
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
    planned = (tandem.first_meeting_at, tandem.first_meeting_place,
               tandem.first_meeting_attendees)  # fmt: skip
    tandem.first_meeting_at = at
    tandem.first_meeting_place = place.strip()
    tandem.first_meeting_attendees = list(attendees)
    tandem.save()
    replanned = (tandem.first_meeting_at, tandem.first_meeting_place,
                 tandem.first_meeting_attendees)  # fmt: skip
    if replanned != planned:
        _mail_first_meeting(tandem, update=planned[0] is not None)
    return tandem


def _mail_first_meeting(tandem: Tandem, *, update: bool) -> None:
    """The mentor's mail with the first meeting and its calendar entry. The entry's SEQUENCE
    is the number of rows in the tandem's change history, which each change adds to."""
    from newcomers.models import Attendee, TandemEvent

    mentor, referral = tandem.mentor, tandem.referral
    with translation.override(mentor.language):
        calendar = appointment_ics(
            uid=f"tandem-{tandem.pk}-first-meeting@willkommenspaten",
            sequence=TandemEvent.objects.filter(pgh_obj_id=tandem.pk).count(),
            summary=_("WillkommensPaten: first meeting with %(name)s")
            % {"name": referral.first_name},
            starts_at=tandem.first_meeting_at,
            ends_at=tandem.first_meeting_at + FIRST_MEETING_LENGTH,
            location=tandem.first_meeting_place,
            stamp=timezone.now(),
        )
    mail_queue(
        to=mentor.email,
        template="newcomers/emails/first_meeting",
        context={
            "mentor": mentor,
            "referral": referral,
            "tandem": tandem,
            "update": update,
            # labels, translated when the mail is rendered in the mentor's language
            "attendees": [Attendee(value).label for value in tandem.first_meeting_attendees],
        },
        language=mentor.language,
        attachment=("erstes-treffen.ics", calendar),
    )


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
    tandem_schedule_store(tandem)
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
    tandem_end_check(tandem=tandem, ended_on=ended_on, reason=reason)
    was_active = tandem.status == TandemStatus.ACTIVE
    referral_after = referral_status_after_end(tandem=tandem, reason=reason)
    tandem.status = TandemStatus.ENDED
    tandem.ended_on = ended_on
    tandem.end_reason = reason
    tandem.closing_conversation = closing_conversation
    tandem.end_note = note
    tandem.save()
    tandem_schedule_store(tandem)
    mentor_free_place(mentor_id=tandem.mentor_id, by=by, was_active=was_active)
    referral = Referral.objects.select_for_update().get(pk=tandem.referral_id)
    _set_status(referral, referral_after, by=by)
    _tell_advisor(referral)
    return tandem


def tandem_schedule_store(tandem: Tandem) -> None:
    """Keep the tandem's contact summary (count, last, next due) equal to its support contacts
    and status; every service that changes either calls it."""
    summary = SupportContact.objects.filter(tandem=tandem).aggregate(
        contact_count=Count("pk"), last_contact_on=Max("contacted_on")
    )
    summary["next_contact_due"] = next_contact_due(
        status=tandem.status, started_on=tandem.started_on, **summary
    )
    Tandem.objects.filter(pk=tandem.pk).update(**summary)
    for field, value in summary.items():
        setattr(tandem, field, value)


def _check_support_contact(tandem: Tandem, contact: SupportContact) -> None:
    if not tandem.takes_support_contacts:
        raise ValidationError(_("Support contacts are recorded for active tandems."))
    check_date_window(
        "contacted_on",
        contact.contacted_on,
        earliest=tandem.started_on,
        latest=timezone.localdate(),
    )
    contact.full_clean()


@transaction.atomic
def support_contact_record(*, tandem: Tandem, by, **data) -> SupportContact:
    """A coordinator's support contact with an active tandem."""
    tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)  # one summary at a time
    contact = SupportContact(tandem=tandem, recorded_by=by, **data)
    _check_support_contact(tandem, contact)
    contact.save()
    tandem_schedule_store(tandem)
    return contact


# The fields of a support contact a coordinator records, and may correct.
SUPPORT_CONTACT_FIELDS = ["contacted_on", "with_whom", "channel", "rating", "early_check",
                          "concern", "notes"]  # fmt: skip


@transaction.atomic
def support_contact_update(*, contact: SupportContact, by, data: dict) -> SupportContact:
    """A coordinator corrects a support contact of an active tandem, with the checks of a new
    one. Side effects: the tandem's contact summary is recomputed; the change history keeps
    the contact as it was (a database trigger, with who and from which page)."""
    tandem = Tandem.objects.select_for_update().get(pk=contact.tandem_id)
    contact = SupportContact.objects.get(pk=contact.pk)
    if unknown := set(data) - set(SUPPORT_CONTACT_FIELDS):
        raise ValueError(f"support_contact_update does not change {unknown}")
    for field, value in data.items():
        setattr(contact, field, value)
    _check_support_contact(tandem, contact)
    contact.save()
    tandem_schedule_store(tandem)
    return contact


def tandem_note_add(*, tandem: Tandem, text: str, by) -> TandemNote:
    """A coordinator's note on a tandem."""
    note = TandemNote(tandem=tandem, text=text.strip(), created_by=by)
    if not note.text:
        raise ValidationError({"text": _("Please write the note.")})
    note.full_clean()
    note.save()
    return note


# --- Follow-ups (Wiedervorlagen) --------------------------------------------------------------


@transaction.atomic
def follow_up_create(
    *, due_on: date, text: str, by, mentor=None, referral=None, tandem=None
) -> FollowUp:
    """A reminder for the coordinators to look at a mentor, a referral or a tandem (exactly
    one) again on `due_on`: from today up to PLANNING_HORIZON ahead. Side effect: once due,
    it is in the dashboard's queue "follow-ups due" until someone marks it done."""
    if sum(subject is not None for subject in (mentor, referral, tandem)) != 1:
        raise ValueError("A follow-up is about exactly one mentor, referral or tandem.")
    today = timezone.localdate()
    check_date_window("due_on", due_on, earliest=today, latest=today + PLANNING_HORIZON)
    follow_up = FollowUp(
        due_on=due_on,
        text=text.strip(),
        mentor=mentor,
        referral=referral,
        tandem=tandem,
        created_by=by,
    )
    if not follow_up.text:
        raise ValidationError({"text": _("Please write what is to be done.")})
    follow_up.full_clean()
    follow_up.save()
    return follow_up


@transaction.atomic
def follow_up_done(*, follow_up: FollowUp, by) -> FollowUp:
    """Mark a follow-up done (by whom, when); it leaves the queue."""
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        raise ValidationError(_("This follow-up has been done already."))
    follow_up.done_at = timezone.now()
    follow_up.done_by = by
    follow_up.save(update_fields=["done_at", "done_by"])
    return follow_up


# What a tandem's agreement is made of, besides its support areas (tandem_agreement_update).
AGREEMENT_FIELDS = ("agreement_contents", "expected_duration", "meeting_places", "frequency")


@transaction.atomic
def tandem_agreement_update(*, tandem: Tandem, by, agreement: dict, areas) -> Tandem:
    """A coordinator corrects the agreement of an active tandem: what they work on (`areas`),
    the contents, the expected duration, where they meet and how often (`agreement`, keys of
    AGREEMENT_FIELDS). `by` is the acting coordinator; the change history (pghistory) keeps
    the earlier text with who changed it. No mail, no change of status.
    """
    if unknown := set(agreement) - set(AGREEMENT_FIELDS):
        raise ValueError(f"tandem_agreement_update does not know these fields: {unknown}")
    tandem = Tandem.objects.select_for_update().get(pk=tandem.pk)
    if tandem.status != TandemStatus.ACTIVE:
        raise ValidationError(_("The agreement of a tandem can be changed while it is active."))
    for field, value in agreement.items():
        setattr(tandem, field, value.strip())
    if not tandem.agreement_contents:
        raise ValidationError({"agreement_contents": _("Please write what they agreed.")})
    tandem.clean_fields(
        exclude=[f.name for f in Tandem._meta.fields if f.name not in AGREEMENT_FIELDS]
    )
    tandem.save(update_fields=[*agreement, "updated_at"])
    tandem.agreement_areas.set(areas)
    return tandem


def tandem_end_check(*, tandem: Tandem, ended_on, reason: str) -> None:
    """The checks of tandem_end, which calls it; the tandem page calls it too, so that it asks
    for a confirmation only of an end that will then be accepted. An active tandem ends on or
    after its start; a proposal on or after it was made."""
    if tandem.status not in OPEN_TANDEM_STATUSES:
        raise ValidationError(_("This tandem is not open."))
    if not reason:
        raise ValidationError({"reason": _("Please choose why the tandem ends.")})
    if reason not in EndReason.values:
        raise ValidationError({"reason": _("Please choose a reason from the list.")})
    check_date_window(
        "ended_on",
        ended_on,
        earliest=tandem.started_on or timezone.localdate(tandem.proposed_at),
        latest=timezone.localdate(),
    )


def referral_status_after_end(*, tandem: Tandem, reason: str) -> ReferralStatus:
    """Where the referral goes when `tandem` ends for `reason` (tandem_end follows it): back to
    the waiting list when the tandem had not started or did not fit, otherwise the
    accompaniment has ended."""
    if tandem.status != TandemStatus.ACTIVE or reason == EndReason.DID_NOT_FIT:
        return ReferralStatus.WAITING
    return ReferralStatus.ENDED


# === Data protection =======================================================================
# Called by willkommen.overview.privacy (erasure, retention, consent); see docs/datenschutz.md.
# One section at the end of the module; what it needs beyond the module's imports it imports
# inside the functions.


def _tandem_rows(tandem_id: int) -> dict:
    """Every table with rows of this tandem that anonymisation may change, and those rows."""
    from newcomers.models import SupportContactEvent, TandemEvent

    return {
        Tandem: Tandem.objects.filter(pk=tandem_id),
        TandemEvent: TandemEvent.objects.filter(pgh_obj_id=tandem_id),
        SupportContact: SupportContact.objects.filter(tandem_id=tandem_id),
        SupportContactEvent: SupportContactEvent.objects.filter(tandem_id=tandem_id),
        TandemNote: TandemNote.objects.filter(tandem_id=tandem_id),
        FollowUp: FollowUp.objects.filter(tandem_id=tandem_id),
    }


def _referral_rows(referral_id: int) -> dict:
    from newcomers.models import ReferralEvent

    return {
        Referral: Referral.objects.filter(pk=referral_id),
        ReferralEvent: ReferralEvent.objects.filter(pgh_obj_id=referral_id),
        ReferralActivity: ReferralActivity.objects.filter(referral_id=referral_id),
        FollowUp: FollowUp.objects.filter(referral_id=referral_id),
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
    from newcomers.models import ReferralEvent, SupportContactEvent, TandemEvent

    removed, _details = ReferralEvent.objects.filter(pgh_obj_id=referral_id).delete()
    more, _details = TandemEvent.objects.filter(referral_id=referral_id).delete()
    contacts, _details = SupportContactEvent.objects.filter(
        tandem__referral_id=referral_id
    ).delete()
    return removed + more + contacts


def mentor_follow_ups_anonymise(*, mentor_id: int, values: dict) -> int:
    """Empty the follow-ups about a mentor with `values` ({field: value}: the registry's for
    FollowUp), with the mentor's anonymisation; the mentors app does not know follow-ups.
    Returns how many there were."""
    return FollowUp.objects.filter(mentor_id=mentor_id).update(**values)


def tandem_history_remove(*, tandem_id: int) -> int:
    """Delete the change history of an anonymised tandem."""
    from newcomers.models import SupportContactEvent, TandemEvent

    removed, _details = TandemEvent.objects.filter(pgh_obj_id=tandem_id).delete()
    contacts, _details = SupportContactEvent.objects.filter(tandem_id=tandem_id).delete()
    return removed + contacts


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
