"""Every change to a mentor goes through these functions.

Each runs in one transaction, validates, saves, writes the mentor's timeline and queues mail
(sent after commit, see willkommen.core.mail). Field-level history is recorded by pghistory.
"""

import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentors.models import (
    ActivityKind,
    ChecklistEntry,
    ChecklistItem,
    InterestAttempt,
    Mentor,
    MentorActivity,
    MentorEvent,
    MentorLanguage,
    MentorStatus,
    RejectedSubmission,
)
from willkommen.core.mail import mail_queue

CONFIRMATION_SALT = "mentors.confirm-email"
# Who may move where by hand. READY is never chosen: it follows from the checklist, and
# ACTIVE follows from tandems. From PAUSED a mentor returns to what the checklist says.
MANUAL_TRANSITIONS = {
    MentorStatus.NEW: [MentorStatus.CONTACTED, MentorStatus.LEFT],
    MentorStatus.CONTACTED: [MentorStatus.SCREENING, MentorStatus.LEFT],
    MentorStatus.SCREENING: [MentorStatus.PAUSED, MentorStatus.LEFT],
    MentorStatus.READY: [MentorStatus.PAUSED, MentorStatus.LEFT],
    MentorStatus.ACTIVE: [MentorStatus.PAUSED, MentorStatus.LEFT],
    MentorStatus.PAUSED: [MentorStatus.READY, MentorStatus.LEFT],  # READY here means "resume"
    MentorStatus.LEFT: [MentorStatus.CONTACTED],
}


# --- Applying -------------------------------------------------------------------------------


def confirmation_token(mentor: Mentor) -> str:
    return signing.dumps({"mentor": mentor.pk, "email": mentor.email}, salt=CONFIRMATION_SALT)


def confirmation_url(mentor: Mentor) -> str:
    return settings.SITE_URL + reverse("mentors:confirm", args=[confirmation_token(mentor)])


@transaction.atomic
def mentor_apply(
    *, data: dict, languages: list[tuple[str, str]], support_areas, language: str
) -> Mentor:
    """Take an application from the public form (already validated).

    A new address creates an unconfirmed mentor and queues the confirmation link. A known
    unconfirmed address takes the new data and gets a fresh link. A known confirmed address
    keeps its record; the new submission goes into the timeline for the coordinators and the
    person gets a short note. The caller shows the same page in every case.
    """
    existing = Mentor.objects.select_for_update().filter(email__iexact=data["email"]).first()
    now = timezone.now()
    if existing is not None and existing.email_confirmed_at is not None:
        summary = "\n".join(f"{key}: {value}" for key, value in data.items() if value)
        MentorActivity.objects.create(
            mentor=existing, kind=ActivityKind.APPLIED_AGAIN, text=summary
        )
        mail_queue(
            to=existing.email,
            template="mentors/emails/applied_again",
            context={"mentor": existing},
            language=language,
        )
        return existing
    mentor = existing or Mentor()
    for field, value in data.items():
        setattr(mentor, field, value)
    mentor.email = data["email"].strip().lower()
    mentor.consent_at = now
    mentor.consent_version = settings.PRIVACY_NOTICE_VERSION
    mentor.full_clean(exclude=["support_areas"])
    mentor.save()
    mentor.support_areas.set(support_areas)
    _languages_set(mentor, languages)
    MentorActivity.objects.create(mentor=mentor, kind=ActivityKind.APPLIED)
    mail_queue(
        to=mentor.email,
        template="mentors/emails/confirm",
        context={
            "mentor": mentor,
            "link": confirmation_url(mentor),
            "days": settings.MENTOR_CONFIRMATION_DAYS,
        },
        language=language,
    )
    return mentor


class ConfirmationInvalid(Exception):
    pass


class ConfirmationExpired(Exception):
    pass


def mentor_for_confirmation(*, token: str, lock: bool = False) -> Mentor:
    """The application behind a confirmation link; reads only.

    Raises ConfirmationExpired, or ConfirmationInvalid (tampered, or the application is gone).
    """
    max_age = timedelta(days=settings.MENTOR_CONFIRMATION_DAYS)
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ConfirmationExpired from error
    except signing.BadSignature as error:
        raise ConfirmationInvalid from error
    mentors = Mentor.objects.select_for_update() if lock else Mentor.objects.all()
    mentor = mentors.filter(pk=payload["mentor"], email__iexact=payload["email"]).first()
    if mentor is None:
        raise ConfirmationInvalid
    return mentor


@transaction.atomic
def mentor_confirm_email(*, token: str, language: str) -> Mentor:
    """Confirm the address behind a link from the confirmation mail; idempotent.

    Raises like mentor_for_confirmation. The first confirmation puts the application in the
    coordinators' queue and queues a thank-you mail.
    """
    mentor = mentor_for_confirmation(token=token, lock=True)
    if mentor.email_confirmed_at is None:
        mentor.email_confirmed_at = timezone.now()
        mentor.save(update_fields=["email_confirmed_at", "updated_at"])
        MentorActivity.objects.create(mentor=mentor, kind=ActivityKind.CONFIRMED)
        mail_queue(
            to=mentor.email,
            template="mentors/emails/thank_you",
            context={"mentor": mentor},
            language=language,
        )
    return mentor


def mentors_purge_unconfirmed(*, now=None) -> int:
    """Delete applications whose confirmation link has expired. Returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.MENTOR_CONFIRMATION_DAYS)
    expired = Mentor.objects.filter(email_confirmed_at=None, created_at__lt=cutoff)
    ids = list(expired.values_list("pk", flat=True))
    # The history keeps full copies; an application that was never confirmed leaves nothing.
    MentorEvent.objects.filter(pgh_obj_id__in=ids).delete()
    _deleted, details = Mentor.objects.filter(pk__in=ids).delete()
    return details.get("mentors.Mentor", 0)


# --- Spam and abuse -------------------------------------------------------------------------


def client_key(address: str) -> str:
    """A keyed hash of the client's address: enough to throttle, useless to anyone else."""
    return hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def interest_attempt_allowed(*, client: str, now=None) -> bool:
    """Record an attempt from `client`; False when it exceeds the throttle."""
    now = now or timezone.now()
    window = now - timedelta(seconds=settings.MENTOR_THROTTLE_SECONDS)
    InterestAttempt.objects.filter(created_at__lt=window).delete()
    recent = InterestAttempt.objects.filter(client=client).count()
    InterestAttempt.objects.create(client=client)
    return recent < settings.MENTOR_THROTTLE_ATTEMPTS


def submission_reject(*, reason: str, day: date | None = None) -> None:
    """Count a rejected submission (honeypot, too fast, throttled); store nothing of it."""
    row, _created = RejectedSubmission.objects.get_or_create(
        day=day or timezone.localdate(), reason=reason
    )
    RejectedSubmission.objects.filter(pk=row.pk).update(count=F("count") + 1)


# --- Coordinators' work ----------------------------------------------------------------------


def checklist_complete(mentor: Mentor, entries, today: date | None = None) -> bool:
    """Ready for matching: every required step done, a police certificate still valid."""
    today = today or timezone.localdate()
    done = {entry.item: entry for entry in entries}
    required = [item for item in ChecklistItem if item != ChecklistItem.POLICE_CERTIFICATE]
    if mentor.works_with_children:
        certificate = done.get(ChecklistItem.POLICE_CERTIFICATE)
        if certificate is None or (certificate.valid_until and certificate.valid_until < today):
            return False
    return all(item in done for item in required)


def allowed_transitions(mentor: Mentor) -> list[MentorStatus]:
    return MANUAL_TRANSITIONS[MentorStatus(mentor.status)]


def _derived_status(mentor: Mentor) -> MentorStatus:
    """Where the checklist and the tandems put a mentor who is neither paused nor gone."""
    if mentor.active_tandems > 0:
        return MentorStatus.ACTIVE
    entries = list(mentor.checklist.all())
    if checklist_complete(mentor, entries):
        return MentorStatus.READY
    if any(entry.item == ChecklistItem.CONVERSATION for entry in entries):
        return MentorStatus.SCREENING
    return MentorStatus.CONTACTED


def _set_status(mentor: Mentor, status: MentorStatus, *, by, note: str = "") -> None:
    if mentor.status == status:
        return
    MentorActivity.objects.create(
        mentor=mentor,
        kind=ActivityKind.STATUS,
        from_status=mentor.status,
        to_status=status,
        text=note,
        created_by=by,
    )
    mentor.status = status
    if status == MentorStatus.READY:
        mentor.ready_since = timezone.now()
    mentor.save(update_fields=["status", "left_reason", "ready_since", "updated_at"])


def _refresh_status(mentor: Mentor, *, by) -> None:
    """After a checklist or data change: follow the checklist, unless paused, gone or new."""
    if mentor.status in (MentorStatus.CONTACTED, MentorStatus.SCREENING, MentorStatus.READY):
        _set_status(mentor, _derived_status(mentor), by=by)


@transaction.atomic
def mentor_transition(
    *, mentor: Mentor, to_status: str, by, note: str = "", left_reason: str = ""
) -> Mentor:
    """Move a mentor by hand along MANUAL_TRANSITIONS; raises ValidationError otherwise.

    "Introductory conversation held" also ticks that checklist item (dated today); leaving
    needs a reason and no active tandem; resuming from a pause returns to what the checklist
    and tandems say.
    """
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    if to_status not in allowed_transitions(mentor):
        raise ValidationError(
            _("A mentor with the status “%(status)s” cannot be moved to “%(target)s”.")
            % {"status": mentor.get_status_display(), "target": MentorStatus(to_status).label}
        )
    if to_status == MentorStatus.LEFT:
        if not left_reason:
            raise ValidationError(_("Please choose why the mentor leaves the programme."))
        if mentor.active_tandems:
            raise ValidationError(_("Please end the mentor's active tandems first."))
        mentor.left_reason = left_reason
    elif mentor.status == MentorStatus.LEFT:
        mentor.left_reason = ""
    if to_status == MentorStatus.SCREENING:
        ChecklistEntry.objects.get_or_create(
            mentor=mentor,
            item=ChecklistItem.CONVERSATION,
            defaults={"done_on": timezone.localdate(), "recorded_by": by},
        )
    target = _derived_status(mentor) if mentor.status == MentorStatus.PAUSED else to_status
    _set_status(mentor, MentorStatus(target), by=by, note=note)
    _refresh_status(mentor, by=by)
    return mentor


@transaction.atomic
def mentor_check_item(
    *, mentor: Mentor, item: str, done_on: date, by, valid_until: date | None = None
) -> ChecklistEntry:
    """Record a screening step (or correct its dates); the status follows the checklist."""
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("The date cannot be in the future.")})
    if item == ChecklistItem.POLICE_CERTIFICATE:
        if valid_until is None:
            raise ValidationError({"valid_until": _("Please enter when it must be renewed.")})
        if valid_until <= done_on:
            raise ValidationError(
                {"valid_until": _("The renewal date must be after the date it was seen.")}
            )
    else:
        valid_until = None
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    entry, _created = ChecklistEntry.objects.update_or_create(
        mentor=mentor,
        item=item,
        defaults={"done_on": done_on, "valid_until": valid_until, "recorded_by": by},
    )
    MentorActivity.objects.create(
        mentor=mentor,
        kind=ActivityKind.CHECKLIST,
        text=f"{ChecklistItem(item).label}: {done_on:%d.%m.%Y}",
        created_by=by,
    )
    if item == ChecklistItem.CONVERSATION and mentor.status in (
        MentorStatus.NEW,
        MentorStatus.CONTACTED,
    ):
        _set_status(mentor, MentorStatus.SCREENING, by=by)
    _refresh_status(mentor, by=by)
    return entry


@transaction.atomic
def mentor_uncheck_item(*, mentor: Mentor, item: str, by) -> None:
    """Withdraw a screening step recorded by mistake; the status follows the checklist."""
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    deleted, _details = ChecklistEntry.objects.filter(mentor=mentor, item=item).delete()
    if deleted:
        MentorActivity.objects.create(
            mentor=mentor,
            kind=ActivityKind.CHECKLIST,
            text=_("withdrawn: %(item)s") % {"item": ChecklistItem(item).label},
            created_by=by,
        )
        _refresh_status(mentor, by=by)


@transaction.atomic
def mentor_update(
    *, mentor: Mentor, data: dict, languages: list[tuple[str, str]], support_areas, by
) -> Mentor:
    """Save a coordinator's edit of the mentor's data (history by pghistory)."""
    mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
    for field, value in data.items():
        setattr(mentor, field, value)
    mentor.full_clean(exclude=["support_areas"])
    mentor.save()
    mentor.support_areas.set(support_areas)
    _languages_set(mentor, languages)
    _refresh_status(mentor, by=by)
    return mentor


def mentor_add_note(*, mentor: Mentor, kind: str, text: str, by) -> MentorActivity:
    """A note or a contact (phone call, meeting) in the mentor's timeline."""
    if kind not in (ActivityKind.NOTE, ActivityKind.CONTACT):
        raise ValidationError(_("Unknown kind of entry."))
    if not text.strip():
        raise ValidationError({"text": _("Please write what happened.")})
    return MentorActivity.objects.create(mentor=mentor, kind=kind, text=text.strip(), created_by=by)


def _languages_set(mentor: Mentor, languages: list[tuple[str, str]]) -> None:
    mentor.languages.all().delete()
    MentorLanguage.objects.bulk_create(
        MentorLanguage(mentor=mentor, language=code, level=level) for code, level in languages
    )


# --- Tandems (called by the newcomers app's tandem services) -------------------------------


def mentor_take_place(*, mentor_id: int) -> Mentor:
    """Reserve one of the mentor's places for a proposed tandem.

    The row lock serialises coordinators proposing at the same moment; the database's check
    (active_tandems <= capacity) refuses what would still overbook.
    """
    mentor = Mentor.objects.select_for_update().get(pk=mentor_id)
    if mentor.active_tandems >= mentor.capacity:
        raise ValidationError(_("This mentor has no free place any more."))
    mentor.active_tandems += 1
    mentor.save(update_fields=["active_tandems", "updated_at"])
    return mentor


def mentor_free_place(*, mentor_id: int, by, still_accompanying: bool) -> Mentor:
    """A tandem ended or was declined: the place is free again; the status follows."""
    mentor = Mentor.objects.select_for_update().get(pk=mentor_id)
    mentor.active_tandems -= 1
    mentor.save(update_fields=["active_tandems", "updated_at"])
    if mentor.status == MentorStatus.ACTIVE and not still_accompanying:
        entries = list(mentor.checklist.all())
        target = (
            MentorStatus.READY if checklist_complete(mentor, entries) else MentorStatus.SCREENING
        )
        _set_status(mentor, target, by=by, note=_("last tandem ended"))
    return mentor


def mentor_tandem_started(*, mentor_id: int, by) -> None:
    mentor = Mentor.objects.select_for_update().get(pk=mentor_id)
    if mentor.status == MentorStatus.READY:
        _set_status(mentor, MentorStatus.ACTIVE, by=by, note=_("tandem started"))
