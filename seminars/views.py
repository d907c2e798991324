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
from seminars.forms import EventFilterForm, EventForm, InviteForm
from seminars.models import CalendarFeed, Event, EventType, Invitation
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
from willkommen.core.roles import coordinator_required, is_coordinator


@coordinator_required
def seminar_list(request):
    form = EventFilterForm(request.GET)
    form.is_valid()
    now = timezone.now()
    events = Event.objects.with_occupancy()
    if form.cleaned_data.get("when") == "past":
        events = events.filter(starts_at__lt=now).order_by("-starts_at")
    else:
        events = events.filter(starts_at__gte=now).order_by("starts_at")
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
            form.add_error(None, error)
        else:
            messages.success(request, _("%(count)s date(s) created.") % {"count": len(events)})
            return redirect(events[0])
    return render(request, "seminars/event_form.html", {"form": form})


def _record(request, event):
    """One step posted from the event page; returns the message to show, or raises."""
    step = request.POST.get("step")
    if step == "invite":
        form = InviteForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        group = form.cleaned_data["group"]
        mentors = form.cleaned_data["picked"] if group == "picked" else MENTOR_GROUPS[group]()
        count = invitations_send(
            event=event, mentors=mentors, language=form.cleaned_data["language"]
        )
        return _("%(count)s invitation(s) sent.") % {"count": count}
    if step == "answer":
        invitation = get_object_or_404(event.invitations, pk=request.POST.get("invitation") or 0)
        answered = invitation_answer(
            invitation=invitation, accept=request.POST.get("accept") == "yes"
        )
        return _("Recorded: %(mentor)s – %(status)s.") % {
            "mentor": invitation.mentor,
            "status": answered.get_status_display(),
        }
    if step == "attendance":
        attended = {int(pk) for pk in request.POST.getlist("attended") if pk.isdigit()}
        attendance_record(event=event, attended_ids=attended, by=request.user)
        return _("Attendance saved.")
    if step == "cancel":
        if not request.POST.get("confirm"):
            raise ValidationError(_("Please tick the box to confirm the cancellation."))
        event_cancel(event=event)
        return _("The event has been cancelled; everyone registered has been told.")
    raise ValidationError(_("Unknown action."))


@coordinator_required
def seminar_detail(request, pk):
    event = get_object_or_404(Event.objects.with_occupancy(), pk=pk)
    if request.method == "POST":
        try:
            messages.success(request, _record(request, event))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(event)
    invitations = event.invitations.select_related("mentor")
    return render(
        request,
        "seminars/event_detail.html",
        {
            "event": event,
            "invitations": invitations,
            "invite_form": InviteForm(),
            "started": event.starts_at <= timezone.now(),
        },
    )


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
    if request.method == "POST":
        try:
            invitation = invitation_answer(
                invitation=invitation, accept=request.POST.get("accept") == "yes"
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("seminars:answer", token)
    return render(
        request,
        "seminars/answer.html",
        {"invitation": invitation, "event": invitation.event, "token": token,
         "open": not invitation.event.cancelled_at and invitation.event.starts_at > timezone.now()},
    )  # fmt: skip


def seminar_answer_ics(request, token):
    try:
        invitation = invitation_for_answer(token=token)
    except ValidationError:
        return render(request, "seminars/answer.html", {"error": _("This link is not valid.")},
                      status=404)  # fmt: skip
    return _ics_response(invitation.event)


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
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
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
    return render(request, "seminars/calendar_feed.html", {"feed": feed, "url": url})


def feed_ics(request, token):
    """All upcoming events as iCal, for the coordinator whose secret token this is."""
    feed = get_object_or_404(CalendarFeed.objects.filter(user__is_active=True), token=token)
    if not is_coordinator(feed.user):
        raise Http404
    events = Event.objects.filter(starts_at__gte=timezone.now() - timedelta(days=30))
    response = HttpResponse(event_ics(events), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
