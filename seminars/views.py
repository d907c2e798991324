"""Seminars and reflection meetings: coordinators plan and invite; mentors answer by link."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from mentors.models import Mentor, MentorStatus
from seminars.calendar import event_ics
from seminars.forms import (
    AnswerRecordForm,
    AttendanceForm,
    CalendarFeedForm,
    CancelForm,
    EventFilterForm,
    EventForm,
    InvitationAnswerForm,
    InviteForm,
)
from seminars.models import CalendarFeed, Event, EventType, Invitation
from seminars.queues import UPCOMING, WITHOUT_SEMINAR_DATE
from seminars.services import (
    MENTOR_GROUPS,
    attendance_record,
    calendar_feed_renew,
    calendar_feed_revoke,
    event_cancel,
    event_create,
    invitation_answer,
    invitation_for_answer,
    invitations_send,
)
from willkommen.core.forms import add_service_errors
from willkommen.core.roles import coordinator_required, is_coordinator


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
            messages.success(request, _("%(count)s date(s) created.") % {"count": len(events)})
            return redirect(events[0])
    return render(request, "seminars/event_form.html", {"form": form})


def _event_forms(event: Event, data=None, step: str | None = None, search: str = "") -> dict:
    """The forms the event page offers in the event's current state (bound only for `step`);
    `search` finds mentors to pick for the invitation."""

    def bound(name):
        return data if step == name else None

    if event.cancelled_at:
        return {}
    if event.has_begun:
        return {"attendance": AttendanceForm(bound("attendance"), event=event)}
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
        count = invitations_send(event=event, mentors=mentors, language=data["language"])
        return _("%(count)s invitation(s) sent.") % {"count": count}
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
    return render(
        request,
        "seminars/event_detail.html",
        {
            "event": event,
            "forms": forms,
            "failed": forms[step] if step else None,
            "rows": _participant_rows(event, forms),
            "invite_search": search,
            "last_column": (
                _("Attended") if "attendance" in forms
                else _("Record an answer") if "answer" in forms
                else None
            ),
        },
    )  # fmt: skip


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
         "open": event.open_for_answers},
    )  # fmt: skip


def seminar_answer_ics(request, token):
    try:
        invitation = invitation_for_answer(token=token)
    except ValidationError:
        return render(request, "seminars/answer.html", {"error": _("This link is not valid.")},
                      status=404)  # fmt: skip
    return _ics_response(invitation.event)


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
    """Mentors with an active tandem who have not attended a reflection meeting for six months."""
    since = timezone.now() - timedelta(days=183)
    recent = Invitation.objects.filter(
        mentor=OuterRef("pk"), attended=True, event__type=EventType.REFLECTION,
        event__starts_at__gte=since,
    )  # fmt: skip
    mentors = (
        Mentor.objects.confirmed()
        .filter(status=MentorStatus.ACTIVE)
        .exclude(Exists(recent))
        .order_by("last_name", "first_name")
    )
    page = Paginator(mentors, 50).get_page(request.GET.get("page"))
    return render(request, "seminars/reflection_missing.html", {"page": page})


@coordinator_required
def calendar_feed(request):
    """Create, replace or revoke the coordinator's private calendar feed."""
    form = CalendarFeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == "revoke":
            calendar_feed_revoke(user=request.user)
            messages.success(request, _("The calendar feed has been switched off."))
        else:
            calendar_feed_renew(user=request.user)
            messages.success(
                request, _("A new feed address has been created; the old one no longer works.")
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
