"""Every change to a mentor goes through these functions.

Each runs in one transaction, validates, saves, writes the mentor's timeline and queues mail
(sent after commit, see willkommen.core.mail). Field-level history is recorded by pghistory.
"""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentors.messages import (
    SUBJECT_LENGTH,
    TEXT_LENGTH,
    MessageTemplate,
    message_recipients,
    message_template,
    message_text,
)
from mentors.models import (
    ActivityKind,
    ChecklistEntry,
    ChecklistItem,
    LeftReason,
    Mentor,
    MentorActivity,
    MentorEvent,
    MentorLanguage,
    MentorStage,
    MentorStatus,
    checklist_summary,
)
from willkommen.core.clients import rate_limit_exceeded
from willkommen.core.dates import PROGRAMME_START, check_date_window
from willkommen.core.mail import mail_language, mail_queue, mail_render

CONFIRMATION_SALT = "mentors.confirm-email"
# A police certificate is renewed every few years; a longer validity is a typing error.
CERTIFICATE_LONGEST_VALIDITY = timedelta(days=5 * 366)
# The steps a coordinator may take from each (derived) status, and the stage each one decides.
# SCREENING records the introductory conversation (a checklist fact); READY from PAUSED means
# "resume": the status returns to what the checklist and tandems say.
MANUAL_TRANSITIONS = {
    MentorStatus.NEW: [MentorStatus.CONTACTED, MentorStatus.LEFT],
    MentorStatus.CONTACTED: [MentorStatus.SCREENING, MentorStatus.LEFT],
    MentorStatus.SCREENING: [MentorStatus.PAUSED, MentorStatus.LEFT],
    MentorStatus.READY: [MentorStatus.PAUSED, MentorStatus.LEFT],
    MentorStatus.ACTIVE: [MentorStatus.PAUSED, MentorStatus.LEFT],
    MentorStatus.PAUSED: [MentorStatus.READY, MentorStatus.LEFT],
    MentorStatus.LEFT: [MentorStatus.CONTACTED],
}
STAGE_DECIDED = {
    MentorStatus.CONTACTED: MentorStage.CONTACTED,
    MentorStatus.SCREENING: MentorStage.CONTACTED,
    MentorStatus.READY: MentorStage.CONTACTED,
    MentorStatus.PAUSED: MentorStage.PAUSED,
    MentorStatus.LEFT: MentorStage.LEFT,
}


# --- Applying -------------------------------------------------------------------------------


def _digest(pending: dict) -> str:
    serialized = json.dumps(pending, sort_keys=True, cls=DjangoJSONEncoder)
    return salted_hmac(CONFIRMATION_SALT, serialized).hexdigest()[:16]


def address_check(email: str) -> str:
    """Binds the link to the address (a changed address voids it) without carrying it."""
    return salted_hmac(CONFIRMATION_SALT, email.strip().lower()).hexdigest()[:16]


def confirmation_token(mentor: Mentor) -> str:
    """The signed link's value; it names the pending resubmission it confirms, if any."""
    payload = {"mentor": mentor.pk, "address": address_check(mentor.email)}
    if mentor.pending_application:
        payload["pending"] = _digest(mentor.pending_application)
    return signing.dumps(payload, salt=CONFIRMATION_SALT)


def confirmation_url(mentor: Mentor) -> str:
    return settings.SITE_URL + reverse("mentors:confirm", args=[confirmation_token(mentor)])


def _mail_allowed(mentor: Mentor, kind: str) -> bool:
    """At most MENTOR_MAILS_PER_ADDRESS_PER_DAY mails a day answer the public form for one
    address, however often someone sends it."""
    since = timezone.now() - timedelta(days=1)
    sent = MentorActivity.objects.filter(mentor=mentor, kind=kind, created_at__gte=since).count()
    return sent <= settings.MENTOR_MAILS_PER_ADDRESS_PER_DAY


@transaction.atomic
def mentor_apply(
    *, data: dict, languages: list[tuple[str, str]], support_areas, language: str
) -> Mentor:
    """Take an application from the public form (already validated).

    A new address creates an unconfirmed mentor and queues the confirmation link. A known
    unconfirmed address keeps its data: the new submission waits as `pending_application`
    and takes effect only through the fresh link sent to that address. A known confirmed
    address keeps its record; the submission goes into the timeline for the coordinators and
    the person gets a short note. At most a few mails a day go to one address. The caller
    shows the same page in every case.
    """
    email = data["email"].strip().lower()
    # One application per address at a time: a second one for the same new address waits
    # here, then finds the first (without the lock, both would insert and one would fail).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"mentor-apply:{email}"])
    existing = Mentor.objects.select_for_update(of=("self",)).filter(email__iexact=email).first()
    if existing is not None and existing.email_confirmed_at is not None:
        summary = "\n".join(f"{key}: {value}" for key, value in data.items() if value)
        MentorActivity.objects.create(
            mentor=existing, kind=ActivityKind.APPLIED_AGAIN, text=summary
        )
        if _mail_allowed(existing, ActivityKind.APPLIED_AGAIN):
            mail_queue(
                to=existing.email,
                template="mentors/emails/applied_again",
                context={"mentor": existing},
                language=existing.language,
            )
        return existing
    if existing is not None:
        existing.pending_application = {
            "data": {**data, "email": email},
            "languages": [list(row) for row in languages],
            "support_areas": sorted(area.pk for area in support_areas),
        }
        existing.save(update_fields=["pending_application", "updated_at"])
        mentor = existing
    else:
        mentor = Mentor(**{**data, "email": email}, language=mail_language(language))
        mentor.consent_at = timezone.now()
        mentor.consent_version = settings.PRIVACY_NOTICE_VERSION
        mentor.full_clean(exclude=["support_areas"])
        mentor.save()
        mentor.support_areas.set(support_areas)
        _languages_set(mentor, languages)
    MentorActivity.objects.create(mentor=mentor, kind=ActivityKind.APPLIED)
    if _mail_allowed(mentor, ActivityKind.APPLIED):
        mail_queue(
            to=mentor.email,
            template="mentors/emails/confirm",
            context={
                "link": confirmation_url(mentor),
                "days": settings.MENTOR_CONFIRMATION_DAYS,
            },
            language=mentor.language,
        )
    return mentor


class ConfirmationInvalid(Exception):
    pass


class ConfirmationExpired(Exception):
    pass


def _confirmation_payload(token: str) -> dict:
    """Raises ConfirmationExpired, or ConfirmationInvalid (tampered)."""
    max_age = timedelta(days=settings.MENTOR_CONFIRMATION_DAYS)
    try:
        payload = signing.loads(token, salt=CONFIRMATION_SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise ConfirmationExpired from error
    except signing.BadSignature as error:
        raise ConfirmationInvalid from error
    return payload


def mentor_for_confirmation(*, token: str, lock: bool = False) -> Mentor:
    """The application behind a confirmation link; reads only.

    Raises ConfirmationExpired, or ConfirmationInvalid (tampered, or the application is gone).
    """
    payload = _confirmation_payload(token)
    mentors = Mentor.objects.select_for_update(of=("self",)) if lock else Mentor.objects.all()
    mentor = mentors.filter(pk=payload["mentor"]).first()
    address = payload.get("address", "")
    if mentor is None or not constant_time_compare(address, address_check(mentor.email)):
        raise ConfirmationInvalid
    return mentor


def _apply_pending(mentor: Mentor) -> None:
    pending = mentor.pending_application
    for field, value in pending["data"].items():
        setattr(mentor, field, value)
    mentor.full_clean(exclude=["support_areas"])
    mentor.support_areas.set(pending["support_areas"])
    _languages_set(mentor, [tuple(row) for row in pending["languages"]])


@transaction.atomic
def mentor_confirm_email(*, token: str) -> Mentor:
    """Confirm the address behind a link from the confirmation mail; idempotent.

    Raises like mentor_for_confirmation. The first confirmation puts the application in the
    coordinators' queue and queues a thank-you mail in the mentor's language (whatever the
    browser that opens the link).
    """
    mentor = mentor_for_confirmation(token=token, lock=True)
    pending = _confirmation_payload(token).get("pending")
    if mentor.email_confirmed_at is None:
        if mentor.pending_application and pending == _digest(mentor.pending_application):
            _apply_pending(mentor)  # the newest submission, confirmed by its own link
        mentor.pending_application = None
        mentor.email_confirmed_at = timezone.now()
        mentor.save()
        MentorActivity.objects.create(mentor=mentor, kind=ActivityKind.CONFIRMED)
        mail_queue(
            to=mentor.email,
            template="mentors/emails/thank_you",
            context={"mentor": mentor},
            language=mentor.language,
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


class InterestThrottled(Exception):
    """Too many applications from one client, or for one address, within the window."""


@transaction.atomic
def mentor_apply_throttled(
    *,
    client: str | None,
    data: dict,
    languages: list[tuple[str, str]],
    support_areas,
    language: str,
) -> Mentor:
    """`mentor_apply` for a visitor of the public form: at most MENTOR_THROTTLE_ATTEMPTS
    applications within MENTOR_THROTTLE_SECONDS from one client (see
    willkommen.core.clients.client_address) and for one address; raises InterestThrottled beyond.

    Only applications that are taken count: a refused one (InterestThrottled, a ValidationError)
    takes its counts back with the rest of the transaction. Applications from one client or for
    one address wait here for each other, so however many arrive at once, no more than the limit
    get through. Side effects: those of mentor_apply.
    """
    email = data["email"].strip().lower()
    limit, seconds = settings.MENTOR_THROTTLE_ATTEMPTS, settings.MENTOR_THROTTLE_SECONDS
    # Always the client first, then the address: two applications never wait crosswise.
    for scope, key in [("interest-client", client or ""), ("interest-address", email)]:
        if rate_limit_exceeded(scope, key, limit=limit, seconds=seconds):
            raise InterestThrottled
    return mentor_apply(
        data=data, languages=languages, support_areas=support_areas, language=language
    )


# One statement, so that concurrent rejections on a new day neither fail nor get lost.
_REJECT_SQL = """
    INSERT INTO mentors_rejectedsubmission AS rejected (day, reason, count) VALUES (%s, %s, 1)
    ON CONFLICT (day, reason) DO UPDATE SET count = rejected.count + 1
"""


def submission_reject(*, reason: str, day: date | None = None) -> None:
    """Count a rejected submission (honeypot, too fast, expired, throttled); store nothing of it."""
    with connection.cursor() as cursor:
        cursor.execute(_REJECT_SQL, [day or timezone.localdate(), reason])


# --- Coordinators' work ----------------------------------------------------------------------


def allowed_transitions(mentor: Mentor) -> list[MentorStatus]:
    return MANUAL_TRANSITIONS[MentorStatus(mentor.status)]


def _locked(mentor_id: int) -> Mentor:
    """The mentor's row, locked for this transaction, with its status derived afresh."""
    return Mentor.objects.select_for_update(of=("self",)).get(pk=mentor_id)


def _checklist_summary_store(mentor: Mentor) -> None:
    """Keep the mentor's checklist summary (mentors.models.checklist_summary) equal to the
    checklist; every service that changes the checklist calls it."""
    summary = checklist_summary(ChecklistEntry.objects.filter(mentor_id=mentor.pk))
    Mentor.objects.filter(pk=mentor.pk).update(**summary)


def _record_status_change(mentor_id: int, before: MentorStatus, *, by, note: str = "") -> None:
    """A timeline entry when a decision or a fact moved the mentor to another status."""
    after = MentorStatus(Mentor.objects.get(pk=mentor_id).status)
    if after != before or note:
        MentorActivity.objects.create(
            mentor_id=mentor_id,
            kind=ActivityKind.STATUS,
            from_status=before,
            to_status=after,
            text=note,
            created_by=by,
        )


@transaction.atomic
def mentor_transition(
    *, mentor: Mentor, to_status: str, by, note: str = "", left_reason: str = ""
) -> Mentor:
    """A coordinator's decision along MANUAL_TRANSITIONS; raises ValidationError otherwise.

    Stores the decided stage (and the reason for leaving); "introductory conversation held"
    records that checklist step, dated today. Leaving needs a reason and no open proposal or
    tandem. Writes the timeline.
    """
    mentor = _locked(mentor.pk)
    before = MentorStatus(mentor.status)
    if to_status not in allowed_transitions(mentor):
        raise ValidationError(
            _("A mentor with the status “%(status)s” cannot be moved to “%(target)s”.")
            % {"status": before.label, "target": MentorStatus(to_status).label}
        )
    if to_status == MentorStatus.LEFT:
        if not left_reason:
            raise ValidationError({"left_reason": _("Please choose why the mentor leaves.")})
        if left_reason not in LeftReason.values:
            raise ValidationError({"left_reason": _("Please choose a reason from the list.")})
        if mentor.places_taken:
            raise ValidationError(_("Please end the mentor's tandems and open proposals first."))
    mentor.left_reason = left_reason if to_status == MentorStatus.LEFT else ""
    mentor.stage = STAGE_DECIDED[MentorStatus(to_status)]
    mentor.save(update_fields=["stage", "left_reason", "updated_at"])
    if to_status == MentorStatus.SCREENING:
        ChecklistEntry.objects.get_or_create(
            mentor=mentor,
            item=ChecklistItem.CONVERSATION,
            defaults={"done_on": timezone.localdate(), "recorded_by": by},
        )
        _checklist_summary_store(mentor)
    _record_status_change(mentor.pk, before, by=by, note=note)
    return Mentor.objects.get(pk=mentor.pk)


@transaction.atomic
def mentor_check_item(
    *, mentor: Mentor, item: str, done_on: date, by, valid_until: date | None = None
) -> ChecklistEntry:
    """Record a screening step (or correct its dates); the status follows the checklist."""
    if item not in ChecklistItem.values:
        raise ValidationError({"item": _("Unknown step.")})
    check_date_window("done_on", done_on, earliest=PROGRAMME_START, latest=timezone.localdate())
    if item == ChecklistItem.POLICE_CERTIFICATE:
        if valid_until is None:
            raise ValidationError({"valid_until": _("Please enter when it must be renewed.")})
        if valid_until <= done_on:
            raise ValidationError(
                {"valid_until": _("The renewal date must be after the date it was seen.")}
            )
        check_date_window("valid_until", valid_until, latest=done_on + CERTIFICATE_LONGEST_VALIDITY)
    else:
        valid_until = None
    mentor = _locked(mentor.pk)
    before = MentorStatus(mentor.status)
    entry, _created = ChecklistEntry.objects.update_or_create(
        mentor=mentor,
        item=item,
        defaults={"done_on": done_on, "valid_until": valid_until, "recorded_by": by},
    )
    _checklist_summary_store(mentor)
    MentorActivity.objects.create(
        mentor=mentor,
        kind=ActivityKind.CHECKLIST,
        text=f"{ChecklistItem(item).label}: {done_on:%d.%m.%Y}",
        created_by=by,
    )
    _record_status_change(mentor.pk, before, by=by)
    return entry


@transaction.atomic
def mentor_uncheck_item(*, mentor: Mentor, item: str, by) -> None:
    """Withdraw a screening step recorded by mistake; the status follows the checklist."""
    mentor = _locked(mentor.pk)
    before = MentorStatus(mentor.status)
    deleted, _details = ChecklistEntry.objects.filter(mentor=mentor, item=item).delete()
    if deleted:
        _checklist_summary_store(mentor)
        MentorActivity.objects.create(
            mentor=mentor,
            kind=ActivityKind.CHECKLIST,
            text=_("withdrawn: %(item)s") % {"item": ChecklistItem(item).label},
            created_by=by,
        )
        _record_status_change(mentor.pk, before, by=by)


@transaction.atomic
def mentor_update(
    *, mentor: Mentor, data: dict, languages: list[tuple[str, str]], support_areas, by
) -> Mentor:
    """Save a coordinator's edit of the mentor's data (history by pghistory). A capacity below
    the places taken is refused; a changed wish for families may change the status (the
    police certificate), which the timeline records."""
    mentor = _locked(mentor.pk)
    before = MentorStatus(mentor.status)
    for field, value in data.items():
        setattr(mentor, field, value)
    if mentor.capacity < mentor.places_taken:
        raise ValidationError(
            {
                "capacity": ngettext(
                    "The mentor's proposals and tandems take %(count)s place; end one "
                    "before lowering this.",
                    "The mentor's proposals and tandems take %(count)s places; end one "
                    "before lowering this.",
                    mentor.places_taken,
                )
                % {"count": mentor.places_taken}
            }
        )
    mentor.full_clean(exclude=["support_areas"])
    mentor.save()
    mentor.support_areas.set(support_areas)
    _languages_set(mentor, languages)
    _record_status_change(mentor.pk, before, by=by)
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
    (places_taken <= capacity) refuses what would still overbook.
    """
    mentor = _locked(mentor_id)
    if mentor.places_taken >= mentor.capacity:
        raise ValidationError(_("This mentor has no free place any more."))
    mentor.places_taken += 1
    mentor.save(update_fields=["places_taken", "updated_at"])
    return mentor


def mentor_tandem_started(*, mentor_id: int, by) -> None:
    """A proposed tandem of this mentor has started: the mentor is active."""
    mentor = _locked(mentor_id)
    before = MentorStatus(mentor.status)
    mentor.tandems_active += 1
    mentor.save(update_fields=["tandems_active", "updated_at"])
    _record_status_change(mentor_id, before, by=by)


def mentor_free_place(*, mentor_id: int, by, was_active: bool) -> None:
    """A proposal was declined or a tandem ended: the place is free again; if it was the
    mentor's last active tandem, the status follows the checklist once more."""
    mentor = _locked(mentor_id)
    before = MentorStatus(mentor.status)
    mentor.places_taken -= 1
    mentor.tandems_active -= was_active
    mentor.save(update_fields=["places_taken", "tandems_active", "updated_at"])
    _record_status_change(mentor_id, before, by=by)


@transaction.atomic
def mentors_mark_contacted(*, mentors: QuerySet, by) -> int:
    """Record for each new mentor among `mentors` that a coordinator got in touch: the step
    "contacted" of mentor_transition, with its timeline entry. Mentors past "new" stay as they
    are. Returns how many were marked."""
    new = Mentor.objects.select_for_update(of=("self",)).filter(
        pk__in=mentors.order_by().values("pk"), status=MentorStatus.NEW
    )
    marked = 0
    for mentor in new.order_by("pk"):
        mentor_transition(mentor=mentor, to_status=MentorStatus.CONTACTED, by=by)
        marked += 1
    return marked


# --- Messages --------------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "mentors.unsubscribe"
MESSAGE_MAIL = "mentors/emails/message"


@dataclass(frozen=True)
class MessagesSent:
    sent: int
    left_out: int  # left the programme, unsubscribed, or consent withdrawn


def unsubscribe_token(mentor: Mentor) -> str:
    """The value of the mentor's unsubscribe link: the record's number, signed; nothing else.
    Without a timestamp, so it never expires."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(mentor.pk))


def unsubscribe_url(mentor: Mentor) -> str:
    return settings.SITE_URL + reverse("mentors:unsubscribe", args=[unsubscribe_token(mentor)])


def mentor_for_unsubscribe(*, token: str) -> Mentor:
    """The mentor behind an unsubscribe link; ValidationError when it is no good."""
    try:
        mentor_id = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    mentor = Mentor.objects.filter(pk=int(mentor_id)).first() if mentor_id.isdigit() else None
    if mentor is None:
        raise ValidationError(_("This link is not valid."))
    return mentor


@transaction.atomic
def mentor_unsubscribe(*, mentor: Mentor) -> Mentor:
    """The mentor unsubscribes from messages by the link in one; a second time changes nothing.

    Side effects: `unsubscribed_at`, and an entry in the mentor's timeline. Messages are no
    longer sent to the mentor (mentors.messages.message_recipients); the mail the programme
    needs (proposals, the seminars they answered and changes of those) still is.
    """
    mentor = _locked(mentor.pk)
    if mentor.unsubscribed_at is None:
        mentor.unsubscribed_at = timezone.now()
        mentor.save(update_fields=["unsubscribed_at", "updated_at"])
        MentorActivity.objects.create(mentor=mentor, kind=ActivityKind.UNSUBSCRIBED)
    return mentor


def _message_check(*, template: str, subject: str, text: str) -> MessageTemplate:
    chosen = message_template(template)
    if chosen is None:
        raise ValidationError({"template": _("Please choose a message from the list.")})
    errors = {}
    if chosen.own_text:
        if not subject.strip():
            errors["subject"] = _("Please write a subject.")
        if not text.strip():
            errors["text"] = _("Please write the message.")
    elif subject.strip() or text.strip():
        errors["template"] = _(
            "This message has its own text in German and English. To write your own, choose "
            "“A message of your own”."
        )
    if len(subject.strip()) > SUBJECT_LENGTH:
        errors["subject"] = _("At most %(count)s characters.") % {"count": SUBJECT_LENGTH}
    if len(text.strip()) > TEXT_LENGTH:
        errors["text"] = _("At most %(count)s characters.") % {"count": TEXT_LENGTH}
    if errors:
        raise ValidationError(errors)
    return chosen


def _message_context(mentor: Mentor, chosen: MessageTemplate, *, subject: str, text: str):
    mail_subject, mail_text = message_text(
        chosen, language=mentor.language, subject=subject, text=text
    )
    context = {
        "mentor": mentor,
        "subject": mail_subject,
        "text": mail_text,
        "own_text": chosen.own_text,
        "unsubscribe_link": unsubscribe_url(mentor),
    }
    return mail_subject, context


def message_preview(
    *, mentor: Mentor, template: str, subject: str = "", text: str = ""
) -> tuple[str, str]:
    """The subject and body `mentors_message` would send `mentor`; sends nothing. Raises like
    mentors_message for what it refuses in the message itself."""
    chosen = _message_check(template=template, subject=subject, text=text)
    _subject, context = _message_context(mentor, chosen, subject=subject, text=text)
    return mail_render(template=MESSAGE_MAIL, context=context, language=mentor.language)


@transaction.atomic
def mentors_message(
    *, mentors: QuerySet, template: str, by, subject: str = "", text: str = ""
) -> MessagesSent:
    """Write to `mentors`: one of the usual messages (mentors.messages.MESSAGE_TEMPLATES), each
    in the mentor's language, or a message of one's own (`subject`, `text`) as written.

    Goes to those who may receive messages (mentors.messages.message_recipients): mentors who
    left, unsubscribed or withdrew their consent are left out and counted. Side effects: one
    queued mail per mentor, with the unsubscribe link, all in this transaction (the mail worker
    delivers them); an entry "message" with the subject in each one's timeline. Refused
    (ValidationError, nothing sent) for an unknown template, an own message without subject or
    text, a template given a text of its own, or when none of `mentors` may receive a message.
    """
    chosen = _message_check(template=template, subject=subject, text=text)
    chosen_ids = mentors.order_by().values("pk")
    recipients = list(message_recipients(mentors).order_by("pk"))
    if not recipients:
        raise ValidationError(
            _(
                "None of these mentors can receive messages: they have left the programme, "
                "unsubscribed or withdrawn their consent."
            )
        )
    activities = []
    for mentor in recipients:
        mail_subject, context = _message_context(mentor, chosen, subject=subject, text=text)
        mail_queue(
            to=mentor.email,
            template=MESSAGE_MAIL,
            context=context,
            language=mentor.language,
            unsubscribe_url=context["unsubscribe_link"],
        )
        activities.append(
            MentorActivity(
                mentor=mentor, kind=ActivityKind.MESSAGE, text=mail_subject, created_by=by
            )
        )
    MentorActivity.objects.bulk_create(activities)
    total = Mentor.objects.filter(pk__in=chosen_ids).count()
    return MessagesSent(sent=len(recipients), left_out=total - len(recipients))


# === Data protection =======================================================================
# Called by willkommen.overview.privacy (erasure, retention, consent); see docs/datenschutz.md.
# One section at the end of the module; what it needs beyond the module's imports it imports
# inside the functions.

WITHDRAWAL_SALT = "mentors.withdraw-consent"


def _personal_rows(mentor_id: int) -> dict:
    """Every table with rows of this mentor that anonymisation may change, and those rows."""
    from mentors.models import ChecklistEntryEvent

    return {
        Mentor: Mentor._base_manager.filter(pk=mentor_id),
        MentorEvent: MentorEvent.objects.filter(pgh_obj_id=mentor_id),
        MentorActivity: MentorActivity.objects.filter(mentor_id=mentor_id),
        MentorLanguage: MentorLanguage.objects.filter(mentor_id=mentor_id),
        ChecklistEntry: ChecklistEntry.objects.filter(mentor_id=mentor_id),
        ChecklistEntryEvent: ChecklistEntryEvent.objects.filter(mentor_id=mentor_id),
    }


@transaction.atomic
def mentor_anonymise(*, mentor: Mentor, values: dict, by=None) -> None:
    """Overwrite the mentor's personal data with `values` ({model: {field: value}}, as the
    registry in willkommen.overview.privacy decides) in the record, its change history and its
    timeline; delete every mail queued or sent to the mentor's address.

    A mentor who has not left is set to "left" first (reason "other"), so that nobody proposes
    the anonymised record. Refused (ValidationError) while the mentor holds a place in a
    proposal or tandem. A ValueError for values of a table this function does not know: a new
    registry entry is never ignored in silence. Side effect: one history row (the new state).
    """
    from willkommen.core.models import QueuedMail

    mentor = _locked(mentor.pk)
    if mentor.places_taken:
        raise ValidationError(
            _("The mentor is in an open proposal or tandem. Please end it first.")
        )
    rows = _personal_rows(mentor.pk)
    if unknown := set(values) - set(rows):
        raise ValueError(f"mentor_anonymise does not know these tables: {unknown}")
    if mentor.stage != MentorStage.LEFT:
        mentor_transition(
            mentor=mentor, to_status=MentorStatus.LEFT, by=by, left_reason=LeftReason.OTHER
        )
    QueuedMail.objects.filter(to__iexact=mentor.email).delete()
    for model, model_values in values.items():
        rows[model].update(**model_values)


def mentor_history_remove(*, mentor_id: int) -> int:
    """Delete the change history of an anonymised mentor (its retention is over). Returns how
    many history rows went."""
    from mentors.models import ChecklistEntryEvent

    removed, _details = MentorEvent.objects.filter(pgh_obj_id=mentor_id).delete()
    more, _details = ChecklistEntryEvent.objects.filter(mentor_id=mentor_id).delete()
    return removed + more


def withdrawal_token(mentor: Mentor) -> str:
    """The value of the mentor's withdrawal link: the record's number, signed; nothing else.
    Without a timestamp, so every mail carries the same link and it never expires."""
    return signing.Signer(salt=WITHDRAWAL_SALT).sign(str(mentor.pk))


def withdrawal_url(mentor: Mentor) -> str:
    """The link in every mail to a mentor by which they withdraw their consent."""
    return settings.SITE_URL + reverse("mentors:withdraw_consent", args=[withdrawal_token(mentor)])


def mentor_for_withdrawal(*, token: str) -> Mentor:
    """The mentor behind a withdrawal link; ValidationError when it is no good. The link never
    expires: it is in every mail, and withdrawing must stay possible."""
    try:
        mentor_id = signing.Signer(salt=WITHDRAWAL_SALT).unsign(token)
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    mentor = Mentor.objects.filter(pk=int(mentor_id)).first() if mentor_id.isdigit() else None
    if mentor is None:
        raise ValidationError(_("This link is not valid."))
    return mentor


@transaction.atomic
def mentor_consent_withdraw(*, mentor: Mentor, by=None):
    """The mentor withdraws their consent: by the link in a mail (`by` None) or as recorded by
    a coordinator (`by`). Recorded once; a second withdrawal returns the first.

    Ends the participation: mails not yet sent to the mentor are deleted, and a mentor without
    a proposal or tandem is set to "left" (reason "other"); one with a proposal or tandem
    stays until a coordinator ends it (the data protection page says so). The retention run
    anonymises the mentor after the period for people who left. Returns the ConsentWithdrawal.
    """
    from willkommen.core.models import ConsentWithdrawal, QueuedMail

    mentor = _locked(mentor.pk)
    subject = ConsentWithdrawal.Subject.MENTOR
    earlier = ConsentWithdrawal.objects.filter(subject=subject, object_id=mentor.pk).first()
    if earlier is not None:
        return earlier
    withdrawal = ConsentWithdrawal.objects.create(
        subject=subject,
        object_id=mentor.pk,
        via=ConsentWithdrawal.Via.COORDINATOR if by else ConsentWithdrawal.Via.LINK,
        recorded_by=by,
    )
    QueuedMail.objects.filter(to__iexact=mentor.email, sent_at=None).delete()
    if mentor.stage != MentorStage.LEFT and not mentor.places_taken:
        mentor_transition(
            mentor=mentor,
            to_status=MentorStatus.LEFT,
            by=by,
            note=_("Consent withdrawn."),
            left_reason=LeftReason.OTHER,
        )
    return withdrawal
