"""Seminars and reflection meetings: coordinators plan and invite; mentors answer by link."""

import copy
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from seminars.calendar import event_ics, invitation_ics
from seminars.forms import (
    AnswerRecordForm,
    AttendanceForm,
    CalendarFeedForm,
    CancelForm,
    EventEditForm,
    EventFilterForm,
    EventForm,
    InvitationAnswerForm,
    InviteForm,
    ReflectionInviteForm,
)
from seminars.models import CalendarFeed, Event, Invitation, InvitationStatus
from seminars.queues import (
    UPCOMING,
    WITHOUT_SEMINAR_DATE,
    mentors_without_reflection,
    upcoming_reflection_meetings,
)
from seminars.services import (
    MENTOR_GROUPS,
    attendance_record,
    calendar_feed_renew,
    calendar_feed_revoke,
    event_cancel,
    event_create,
    event_update,
    invitation_answer,
    invitation_for_answer,
    invitations_send,
)
from willkommen.core.forms import add_service_errors
from willkommen.core.roles import coordinator_required, is_coordinator
from willkommen.core.search import german_order

# Empty lines at the end of a sign-in sheet, for people who come without having registered.
WALK_IN_LINES = 8


@coordinator_required
def seminar_list(request):
    form = EventFilterForm(request.GET)
    form.is_valid()
    now = timezone.now()
    events = Event.objects.with_occupancy()
    if request.GET.get("queue") == UPCOMING.name:  # the dashboard's card: exactly its set
        events = UPCOMING.items()
    elif form.cleaned_data.get("when") == "past":
        events = events.filter(starts_at__lt=now).order_by("-starts_at", "-pk")
    else:
        events = events.filter(starts_at__gte=now).order_by("starts_at", "pk")
    if form.cleaned_data.get("type"):
        events = events.filter(type=form.cleaned_data["type"])
    page = Paginator(events, 25).get_page(request.GET.get("page"))
    without_page = request.GET.copy()
    without_page.pop("page", None)
    return render(
        request,
        "seminars/event_list.html",
        {"form": form, "page": page, "query_without_page": without_page.urlencode()},
    )


@coordinator_required
def seminar_create(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            events = event_create(
                data=form.event_data(), repeat_monthly=form.cleaned_data["repeat_monthly"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            created = len(events)
            messages.success(
                request,
                ngettext("%(count)s date created.", "%(count)s dates created.", created)
                % {"count": created},
            )
            return redirect(events[0])
    return render(request, "seminars/event_form.html", {"form": form})


@coordinator_required
def seminar_edit(request, pk):
    event = get_object_or_404(Event.objects.with_occupancy(), pk=pk)
    if not event.open_for_answers:
        messages.error(request, _("A cancelled or past event can no longer be changed."))
        return redirect(event)
    # The form works on a copy: the page's title and back link keep the saved data.
    form = EventEditForm(request.POST or None, instance=copy.copy(event))
    if request.method == "POST" and form.is_valid():
        try:
            change = event_update(event=event, data=form.event_data(), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _edit_message(change))
            return redirect(event)
    return render(request, "seminars/event_edit.html", {"event": event, "form": form})


def _edit_message(change) -> str:
    saved = _("The changes have been saved.")
    if not change.informed:
        return saved
    informed = ngettext(
        "%(count)s person was informed by e-mail.",
        "%(count)s people were informed by e-mail.",
        change.informed,
    ) % {"count": change.informed}
    if not change.moved_up:
        return f"{saved} {informed}"
    moved_up = ngettext(
        "%(count)s person moved up from the waiting list.",
        "%(count)s people moved up from the waiting list.",
        change.moved_up,
    ) % {"count": change.moved_up}
    return f"{saved} {informed} {moved_up}"


def _event_forms(event: Event, data=None, step: str | None = None, search: str = "") -> dict:
    """The forms the event page offers in the event's current state (bound only for `step`);
    `search` finds mentors to pick for the invitation."""

    def bound(name):
        return data if step == name else None

    if event.attendance_open:
        return {"attendance": AttendanceForm(bound("attendance"), event=event)}
    if not event.open_for_answers:  # cancelled
        return {}
    return {
        "invite": InviteForm(bound("invite"), event=event, search=search),
        "answer": AnswerRecordForm(bound("answer"), event=event),
        "cancel": CancelForm(bound("cancel")),
    }


def _event_step(request, event: Event, step: str, form) -> str:
    """Run the service behind one step of the event page with a valid form; the message."""
    data = form.cleaned_data
    if step == "invite":
        group = data["group"]
        mentors = data["picked"] if group == "picked" else MENTOR_GROUPS[group]()
        count = invitations_send(event=event, mentors=mentors)
        return ngettext("%(count)s invitation sent.", "%(count)s invitations sent.", count) % {
            "count": count
        }
    if step == "answer":
        answered = invitation_answer(invitation=data["invitation"], accept=data["accept"])
        return _("Recorded: %(mentor)s – %(status)s.") % {
            "mentor": answered.mentor,
            "status": answered.get_status_display(),
        }
    if step == "attendance":
        attended = {invitation.pk for invitation in data["attended"]}
        attendance_record(event=event, attended_ids=attended, by=request.user)
        return _("Attendance saved.")
    event_cancel(event=event)
    return _("The event has been cancelled; everyone registered has been told.")


@coordinator_required
def seminar_detail(request, pk):
    event = get_object_or_404(Event.objects.with_occupancy(), pk=pk)
    step = request.POST.get("step", "") if request.method == "POST" else None
    # A plain GET search narrows the mentors to pick (the form posts back to the same URL).
    search = request.GET.get("q", "").strip()
    forms = _event_forms(event, request.POST, step, search)
    if step is not None:
        if step not in forms:  # e.g. the page was open while the event began or was cancelled
            messages.error(request, _("This is no longer possible for this event."))
            return redirect(event)
        form = forms[step]
        if form.is_valid():
            try:
                message = _event_step(request, event, step, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(event)
    if "cancel" in forms and (step == "cancel" or request.GET.get("step") == "cancel"):
        # Cancelling has a page of its own that says whom it affects before anything happens.
        return render(
            request,
            "seminars/event_cancel_confirm.html",
            {"event": event, "form": forms["cancel"], "affected": _cancel_affects(event)},
        )
    return render(
        request,
        "seminars/event_detail.html",
        {
            "event": event,
            "forms": forms,
            "failed": forms[step] if step else None,
            "rows": _participant_rows(event, forms),
            "invite_search": search,
            "can_edit": event.open_for_answers,
            "sign_in_sheet_url": (
                None if event.cancelled_at else reverse("seminars:sign_in_sheet", args=[event.pk])
            ),
            "last_column": (
                _("Attended") if "attendance" in forms
                else _("Record an answer") if "answer" in forms
                else None
            ),
        },
    )  # fmt: skip


def _cancel_affects(event: Event) -> str:
    """Who gets a cancellation by e-mail (seminars.services.event_cancel), in words."""
    if not event.registered and not event.waiting:
        return _("Nobody is registered or on the waiting list: nobody gets an e-mail.")
    total = event.registered + event.waiting
    return ngettext(
        "%(count)s person (registered: %(registered)s, waiting: %(waiting)s) will get a "
        "cancellation by e-mail, with the calendar entry marked as cancelled.",
        "%(count)s people (registered: %(registered)s, waiting: %(waiting)s) will get a "
        "cancellation by e-mail, with the calendar entry marked as cancelled.",
        total,
    ) % {"count": total, "registered": event.registered, "waiting": event.waiting}


def _participant_rows(event: Event, forms: dict) -> list[dict]:
    """One row per invited mentor, saying what the page offers for them."""
    attendance = forms.get("attendance")
    boxes = {box.data["value"].value: box for box in attendance["attended"]} if attendance else {}
    return [
        {
            "invitation": invitation,
            "status": invitation.get_status_display(),
            "attendance": boxes.get(invitation.pk),
            "can_answer": "answer" in forms,
        }
        for invitation in event.invitations.select_related("mentor")
    ]


@coordinator_required
def seminar_ics(request, pk):
    return _ics_response(get_object_or_404(Event, pk=pk))


def _ics_response(event):
    response = HttpResponse(event_ics([event]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termin-{event.pk}.ics"'
    return response


@never_cache
def seminar_answer(request, token):
    """A mentor's own answer page: the event, their answer, nothing about anyone else."""
    try:
        invitation = invitation_for_answer(token=token)
    except ValidationError as error:
        return render(request, "seminars/answer.html", {"error": error.messages[0]}, status=404)
    form = InvitationAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_answer(invitation=invitation, accept=form.cleaned_data["accept"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("seminars:answer", token)
    event = invitation.event
    return render(
        request,
        "seminars/answer.html",
        {"invitation": invitation, "event": event, "token": token, "form": form,
         "open": event.open_for_answers, "answer": _answer_state(invitation)},
    )  # fmt: skip


def _answer_state(invitation: Invitation) -> dict:
    """What the mentor's answer page says about their answer and which buttons it offers
    (labels, or None): the state in words, the change of mind, the calendar entry."""
    event = invitation.event
    status = invitation.status
    starts = timezone.localtime(event.starts_at)
    when = {"title": event.title, "date": date_format(starts, "l, d.m.Y"),
            "time": date_format(starts, "H:i")}  # fmt: skip
    state = {"message": "", "detail": "", "tone": "info", "accept": None, "decline": None,
             "calendar": False}  # fmt: skip
    if status == InvitationStatus.REGISTERED:
        state.update(
            message=_("You are registered for %(title)s on %(date)s at %(time)s.") % when,
            tone="success", decline=_("I cannot come after all"), calendar=True,
        )  # fmt: skip
    elif status == InvitationStatus.WAITING:
        state.update(
            message=_("You are on the waiting list (place %(place)s).")
            % {"place": invitation.waiting_place()},
            detail=_("If a place becomes free, you move up automatically and we will tell you "
                     "by e-mail. Until then the calendar entry is marked as tentative."),
            decline=_("Take me off the waiting list"), calendar=True,
        )  # fmt: skip
    elif status == InvitationStatus.DECLINED:
        state.update(message=_("You have declined."), tone="secondary",
                     accept=_("I can come after all"))  # fmt: skip
    else:
        state.update(message=_("Please let us know whether you can come."),
                     accept=_("I will come"), decline=_("I cannot come"))  # fmt: skip
    if event.cancelled_at:
        state.update(message="", accept=None, decline=None, calendar=False)
    elif not event.open_for_answers:
        state.update(accept=None, decline=None)
        if status == InvitationStatus.INVITED:
            state.update(message="")
    return state


def seminar_answer_ics(request, token):
    try:
        invitation = invitation_for_answer(token=token)
    except ValidationError:
        return render(request, "seminars/answer.html", {"error": _("This link is not valid.")},
                      status=404)  # fmt: skip
    response = HttpResponse(invitation_ics(invitation), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termin-{invitation.event_id}.ics"'
    return response


@coordinator_required
def queue_mentors(request):
    """The mentors of the seminars' dashboard queue: in screening, without a seminar date."""
    mentors = WITHOUT_SEMINAR_DATE.items()
    page = Paginator(mentors, 50).get_page(request.GET.get("page"))
    rows = [{"mentor": mentor, "note": WITHOUT_SEMINAR_DATE.note(mentor, timezone.localdate())}
            for mentor in page.object_list]  # fmt: skip
    return render(
        request,
        "seminars/queue_mentors.html",
        {"page": page, "rows": rows, "title": WITHOUT_SEMINAR_DATE.title},
    )


@coordinator_required
def reflection_missing(request):
    """Mentors with an active tandem who have not attended a reflection meeting for six months,
    with the last one they attended; the coordinator invites some or all of them to an upcoming
    reflection meeting (seminars.services.invitations_send)."""
    mentors = mentors_without_reflection()
    events = upcoming_reflection_meetings()
    page = Paginator(mentors, 50).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    form = ReflectionInviteForm(request.POST or None, mentors=mentors, events=events, shown=shown)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.chosen())
        event = form.cleaned_data["event"]
        try:
            count = invitations_send(event=event, mentors=chosen)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _invited_message(event, count, len(chosen) - count))
            return redirect("seminars:reflection_missing")
    boxes = {box.data["value"]: box for box in form["mentors"]}
    rows = [{"mentor": mentor, "box": boxes[mentor.pk]} for mentor in shown]
    return render(
        request,
        "seminars/reflection_missing.html",
        {"page": page, "rows": rows, "form": form, "count": page.paginator.count,
         "can_invite": bool(rows) and bool(form.fields["event"].widget.choices)},
    )  # fmt: skip


def _invited_message(event: Event, invited: int, skipped: int) -> str:
    sent = ngettext(
        "%(count)s mentor has been invited to %(event)s.",
        "%(count)s mentors have been invited to %(event)s.",
        invited,
    ) % {"count": invited, "event": event}
    if not skipped:
        return sent
    already = ngettext(
        "%(count)s had been invited already.", "%(count)s had been invited already.", skipped
    ) % {"count": skipped}
    return f"{sent} {already}"


@coordinator_required
def sign_in_sheet(request, pk):
    """A page to print before the event: the people registered, by last name, each with room
    for a signature, and empty lines for those who come unannounced."""
    event = get_object_or_404(Event, pk=pk)
    registered = (
        event.invitations.filter(status=InvitationStatus.REGISTERED)
        .select_related("mentor")
        .order_by(german_order("mentor__last_name"), german_order("mentor__first_name"), "pk")
    )
    mentors = [invitation.mentor for invitation in registered]
    return render(
        request,
        "seminars/sign_in_sheet.html",
        {"event": event, "mentors": mentors,
         "walk_in_lines": range(len(mentors) + 1, len(mentors) + WALK_IN_LINES + 1)},
    )  # fmt: skip


@coordinator_required
def calendar_feed(request):
    """Create, replace or revoke the coordinator's private calendar feed."""
    form = CalendarFeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == "revoke":
            calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar feed has been switched off."))
        else:
            had_feed = CalendarFeed.objects.filter(user=request.user).exists()
            calendar_feed_renew(user=request.user)
            messages.success(
                request,
                _("A new feed address has been created; the old one no longer works.")
                if had_feed
                else _("Your feed address has been created. Subscribe to it in your calendar."),
            )
        return redirect("seminars:calendar_feed")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("seminars:feed", args=[feed.token])) if feed else ""
    return render(request, "seminars/calendar_feed.html", {"feed": feed, "url": url, "form": form})


def feed_ics(request, token):
    """All upcoming events as iCal, for the coordinator whose secret token this is."""
    feed = get_object_or_404(CalendarFeed.objects.filter(user__is_active=True), token=token)
    if not is_coordinator(feed.user):
        raise Http404
    events = Event.objects.filter(starts_at__gte=timezone.now() - timedelta(days=30))
    response = HttpResponse(event_ics(events), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
