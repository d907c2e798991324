"""Every change to events and invitations goes through these functions.

Each runs in one transaction and queues mail (sent after commit). Places are counted under a
row lock on the event, so answers arriving at the same moment never overfill it.
"""

import copy
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

import pghistory
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentors.models import ChecklistItem, Mentor, MentorStatus
from mentors.services import mentor_check_item
from seminars.calendar import invitation_ics
from seminars.models import (
    WAITING_ORDER,
    CalendarFeed,
    Event,
    EventType,
    Invitation,
    InvitationStatus,
)
from willkommen.core.dates import PLANNING_HORIZON, check_date_window
from willkommen.core.mail import mail_queue

ANSWER_SALT = "seminars.answer"


def answer_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=ANSWER_SALT)


def answer_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("seminars:answer", args=[answer_token(invitation)])


def invitation_for_answer(*, token: str) -> Invitation:
    """The invitation behind a mentor's link (valid until the event); ValidationError if not."""
    try:
        payload = signing.loads(token, salt=ANSWER_SALT)
    except signing.BadSignature as error:
        raise ValidationError(_("This link is not valid.")) from error
    invitation = (
        Invitation.objects.select_related("event", "mentor")
        .filter(pk=payload["invitation"])
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This link is not valid."))
    return invitation


def _mail(invitation: Invitation, template: str, **context) -> None:
    mail_queue(
        to=invitation.mentor.email,
        template=f"seminars/emails/{template}",
        context={
            "invitation": invitation,
            "event": invitation.event,
            "link": answer_url(invitation),
            **context,
        },
        language=invitation.mentor.language,  # the mentor's own, whoever sends it and when
        # TENTATIVE while waiting for a place, CONFIRMED once it is theirs (same UID)
        attachment=("termin.ics", invitation_ics(invitation)),
    )


@transaction.atomic
def event_create(*, data: dict, repeat_monthly: int = 0) -> list[Event]:
    """Create an event, or a series: the same weekday of the same week of each following month
    (e.g. every second Tuesday), `repeat_monthly` more times. Each stays editable on its own.

    Every date of the series must start in the future, end after it starts and lie within
    the planning horizon; otherwise ValidationError by field and nothing is saved.
    """
    first = Event(**data)
    # Before full_clean, whose message for the ends-after-start constraint is a technical one.
    event_dates_check(starts_at=first.starts_at, ends_at=first.ends_at)
    first.full_clean()
    events = [first]
    for month in range(1, repeat_monthly + 1):
        starts = _same_weekday_of_month(first.starts_at, month)
        events.append(Event(**{**data, "starts_at": starts,
                               "ends_at": starts + (first.ends_at - first.starts_at)}))  # fmt: skip
    last, latest = timezone.localdate(events[-1].ends_at), _latest_day()
    if last > latest:
        message = ngettext(
            "With %(count)s further date the series would end on %(date)s, but dates can be "
            "planned only until %(latest)s. Please choose fewer dates.",
            "With %(count)s further dates the series would end on %(date)s, but dates can be "
            "planned only until %(latest)s. Please choose fewer dates.",
            repeat_monthly,
        ) % {"count": repeat_monthly, "date": f"{last:%d.%m.%Y}", "latest": f"{latest:%d.%m.%Y}"}
        raise ValidationError({"repeat_monthly": message})
    return Event.objects.bulk_create(events)


def event_dates_check(*, starts_at, ends_at) -> None:
    """ValidationError by field unless the event starts in the future, ends after it starts,
    and both lie within the planning horizon. The form asks it too, so that these messages
    come together with the form's own."""
    if starts_at is None or ends_at is None:
        return  # full_clean names the missing field
    errors = {}
    if starts_at <= timezone.now():
        errors["starts_at"] = [_("The event must start in the future.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    for field, moment in (("starts_at", starts_at), ("ends_at", ends_at)):
        if field not in errors:
            try:
                check_date_window(field, timezone.localdate(moment), latest=_latest_day())
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


# What a coordinator may change on an event. Its type stays: the invitations went to the
# mentors that kind of event is for (a different kind is a new event).
EDITABLE_FIELDS = frozenset({"title", "starts_at", "ends_at", "place", "online_link", "capacity",
                             "facilitator", "audience", "description"})  # fmt: skip
# A change of these mails everyone registered or waiting a new calendar entry.
MAILED_FIELDS = ("starts_at", "ends_at", "place", "online_link")


@dataclass(frozen=True)
class EventChange:
    event: Event
    informed: int  # people mailed: new time or place, or a place from the waiting list
    moved_up: int  # of them, moved up from the waiting list by more places


@transaction.atomic
def event_update(*, event: Event, data: dict, by) -> EventChange:
    """Save a coordinator's edit of an upcoming event (`data`: some of EDITABLE_FIELDS).

    Refused with ValidationError, and nothing saved, for a cancelled event or one that has
    begun, for new dates that event_dates_check refuses, without a place or an online link,
    and for fewer places than people registered.

    Side effects: the change is in the event's history (pghistory, with `by`). A new time or
    place raises the calendar SEQUENCE and mails everyone registered or waiting the new details
    with the updated calendar entry (same UID). Free places (more places than before) go to the
    first people waiting, each told by mail as when a place frees.
    """
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.cancelled_at:
        raise ValidationError(_("This event has been cancelled; it can no longer be changed."))
    if event.has_begun:
        raise ValidationError(_("The event has begun; it can no longer be changed."))
    before = copy.copy(event)
    for field, value in data.items():
        setattr(event, field, value)
    registered = event.invitations.filter(status=InvitationStatus.REGISTERED).count()
    _event_edit_check(event, before, registered=registered)
    mailed = any(getattr(event, field) != getattr(before, field) for field in MAILED_FIELDS)
    if mailed:
        event.sequence += 1
    with pghistory.context(user=by.pk):
        event.save()
    moved_up = []
    for _place in range(event.capacity - registered):
        invitation = _promote_first_waiting(event)
        if invitation is None:
            break
        moved_up.append(invitation.pk)
    informed = set(moved_up)
    if mailed:
        for invitation in event.invitations.filter(
            status__in=[InvitationStatus.REGISTERED, InvitationStatus.WAITING]
        ).select_related("mentor"):
            _mail(invitation, "changed", previous=before,
                  registered=invitation.status == InvitationStatus.REGISTERED)  # fmt: skip
            informed.add(invitation.pk)
    return EventChange(event=event, informed=len(informed), moved_up=len(moved_up))


def _event_edit_check(event: Event, before: Event, *, registered: int) -> None:
    """Every objection to the edited `event` at once, by field (ValidationError)."""
    errors = {}
    if (event.starts_at, event.ends_at) != (before.starts_at, before.ends_at):
        # Unchanged dates pass as they are: they were checked when the event was planned.
        try:
            event_dates_check(starts_at=event.starts_at, ends_at=event.ends_at)
        except ValidationError as error:
            errors.update(error.message_dict)
    if not event.place and not event.online_link:
        errors["place"] = [_("Please enter a place or an online link.")]
    if event.capacity is not None and event.capacity < registered:
        errors["capacity"] = [
            ngettext(
                "%(count)s person is already registered, so the event needs at least "
                "%(count)s place. If someone is not coming, record their answer first.",
                "%(count)s people are already registered, so the event needs at least "
                "%(count)s places. If someone is not coming, record their answer first.",
                registered,
            )
            % {"count": registered}
        ]
    if errors:
        raise ValidationError(errors)
    event.full_clean()


def _latest_day():
    return timezone.localdate() + PLANNING_HORIZON


def _same_weekday_of_month(start, months_later: int):
    """The same weekday in the same week of the month (1st, 2nd, ...) `months_later` on."""
    local = timezone.localtime(start)
    week = (local.day - 1) // 7
    year, month = divmod(local.month - 1 + months_later, 12)
    first_day = date(local.year + year, month + 1, 1)
    offset = (local.weekday() - first_day.weekday()) % 7
    day = first_day + timedelta(days=offset + 7 * week)
    if day.month != first_day.month:  # a fifth weekday that this month lacks: take the last
        day -= timedelta(days=7)
    return timezone.make_aware(
        local.replace(year=day.year, month=day.month, day=day.day, tzinfo=None)
    )


MENTOR_GROUPS = {
    # ready apart from the seminar: screening done or nearly, no introductory seminar yet
    "untrained": lambda: (
        Mentor.objects.confirmed()
        .filter(status__in=[MentorStatus.SCREENING, MentorStatus.READY])
        .exclude(checklist__item=ChecklistItem.SEMINAR)
    ),
    "active": lambda: Mentor.objects.confirmed().filter(
        status__in=[MentorStatus.READY, MentorStatus.ACTIVE]
    ),
    "with-tandem": lambda: Mentor.objects.confirmed().filter(status=MentorStatus.ACTIVE),
}


@transaction.atomic
def invitations_send(*, event: Event, mentors) -> int:
    """Invite mentors (once each) with a personal mail, answer link and calendar entry, each
    in the mentor's own language.

    Calls for one event wait for each other on the event's row lock, so a button pressed ten
    times at once invites and mails each mentor once (the unique constraint backs this up).
    """
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.open_for_answers:
        raise ValidationError(_("Invitations go out only for upcoming events."))
    already = set(event.invitations.values_list("mentor_id", flat=True))
    invitations = Invitation.objects.bulk_create(
        Invitation(event=event, mentor=mentor, language=mentor.language)
        for mentor in mentors
        if mentor.pk not in already
    )
    for invitation in invitations:
        _mail(invitation, "invitation")
    return len(invitations)


@transaction.atomic
def invitation_answer(*, invitation: Invitation, accept: bool) -> Invitation:
    """A mentor's answer (by link, or recorded by a coordinator); it can change until the event.

    An acceptance takes a free place or joins the waiting list; a registered person who
    declines makes room for the first one waiting, who is told by mail.
    """
    event = Event.objects.select_for_update().get(pk=invitation.event_id)
    if event.cancelled_at:
        raise ValidationError(_("This event has been cancelled."))
    if event.has_begun:
        raise ValidationError(_("The event has begun; answers can no longer be changed."))
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    was_registered = invitation.status == InvitationStatus.REGISTERED
    invitation.answered_at = timezone.now()
    if accept:
        if invitation.status in (InvitationStatus.REGISTERED, InvitationStatus.WAITING):
            return invitation
        taken = event.invitations.filter(status=InvitationStatus.REGISTERED).count()
        if taken < event.capacity:
            invitation.status = InvitationStatus.REGISTERED
            invitation.save()
            _mail(invitation, "registered")
        else:
            invitation.status = InvitationStatus.WAITING
            invitation.waiting_since = timezone.now()
            invitation.save()
            _mail(invitation, "waiting")
        return invitation
    invitation.status = InvitationStatus.DECLINED
    invitation.save()
    if was_registered:
        _promote_first_waiting(event)
    return invitation


def _promote_first_waiting(event: Event) -> Invitation | None:
    """Give a free place to the first one waiting, who is told by mail; who that was, if any.

    `event` is the caller's row-locked copy. The mail's calendar entry replaces the TENTATIVE
    one they had while waiting, so the event's SEQUENCE rises (on `event` too)."""
    first = (
        event.invitations.select_for_update()
        .filter(status=InvitationStatus.WAITING)
        .order_by(*WAITING_ORDER)
        .first()
    )
    if first is not None:
        first.status = InvitationStatus.REGISTERED
        first.save()
        event.sequence += 1
        event.save(update_fields=["sequence", "updated_at"])
        first.event = event
        _mail(first, "moved_up")
    return first


@transaction.atomic
def attendance_record(*, event: Event, attended_ids: set[int], by) -> None:
    """Tick who came. Attending an introductory seminar completes that checklist item.

    Refused (ValidationError) unless Event.attendance_open: from the event's day on."""
    if event.cancelled_at:
        raise ValidationError(_("This event has been cancelled."))
    if not event.attendance_open:
        raise ValidationError(_("Attendance is recorded once the event has begun."))
    registered = event.invitations.filter(status=InvitationStatus.REGISTERED).select_related(
        "mentor"
    )
    for invitation in registered:
        invitation.attended = invitation.pk in attended_ids
        invitation.save(update_fields=["attended"])
        if invitation.attended and event.type == EventType.INTRO:
            mentor_check_item(
                mentor=invitation.mentor,
                item=ChecklistItem.SEMINAR,
                done_on=timezone.localdate(event.starts_at),
                by=by,
            )


@transaction.atomic
def event_cancel(*, event: Event) -> None:
    """Cancel an event and tell everyone registered or waiting, with the calendar entry marked
    cancelled (a higher SEQUENCE, so calendar apps take it over the earlier one)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.cancelled_at:
        return
    event.cancelled_at = timezone.now()
    event.sequence += 1
    event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
    for invitation in event.invitations.filter(
        status__in=[InvitationStatus.REGISTERED, InvitationStatus.WAITING]
    ).select_related("mentor", "event"):
        _mail(invitation, "cancelled")


def reminders_send(*, now=None) -> int:
    """Remind registered participants of events within SEMINAR_REMINDER_DAYS, once each."""
    now = now or timezone.now()
    due = Invitation.objects.filter(
        status=InvitationStatus.REGISTERED,
        reminded_at=None,
        event__cancelled_at=None,
        event__starts_at__gt=now,
        event__starts_at__lte=now + timedelta(days=settings.SEMINAR_REMINDER_DAYS),
    ).select_related("event", "mentor")
    sent = 0
    for invitation in due:
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=invitation.pk, reminded_at=None).update(
                reminded_at=now
            )
            if claimed:  # another run may have taken it meanwhile
                _mail(invitation, "reminder")
                sent += 1
    return sent


def calendar_feed_renew(*, user) -> CalendarFeed:
    """Give `user` a new secret feed URL; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


def calendar_feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()
