"""The pages of mentors' engagement (willkommen/overview/engagement.py): the mentors' answers by
link (no account; in the mentor's language), and the coordinators' certificate, list of hours
and check-in queue."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mentors.models import Mentor
from willkommen.core.forms import add_service_errors
from willkommen.core.queues import queue_named
from willkommen.core.roles import coordinator_required
from willkommen.overview.engagement import (
    ENGAGEMENT_QUEUES,
    answer_until,
    attended_in_month,
    certificate,
    certificate_for_link,
    certificate_request,
    certificate_request_token,
    check_in_answer,
    check_in_done,
    check_in_for_answer,
    check_ins_to_call,
    hours_answer,
    hours_for_answer,
    hours_open,
    mentor_for_certificate_request,
    needs_call,
    threshold,
    threshold_period,
)
from willkommen.overview.engagement_forms import (
    CertificatePeriodForm,
    CheckInForm,
    EmptyForm,
    HoursForm,
    ReachedFilterForm,
)
from willkommen.overview.hours import mentors_with_hours, round_hours, seconds_to_hours
from willkommen.overview.models import CheckIn

LIST_PAGE_SIZE = 50


def _in_mentors_language(request, mentor: Mentor) -> None:
    """A mentor's link page speaks the mentor's language, unless the visitor chose one with
    the language switch."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        translation.activate(mentor.language)
        request.LANGUAGE_CODE = mentor.language


def _link_refused(request, error: ValidationError):
    """A link that was tampered with, or has expired: a clear page, nothing else."""
    return render(
        request,
        "overview/engagement_link_invalid.html",
        {"error": error.messages[0], "expired": error.code == "expired"},
        status=400,
    )


# --- The mentors' pages (by link) -------------------------------------------------------------


@never_cache
def hours_page(request, token):
    """The monthly question "how many hours did you give, and for what?": one answer per
    month, changeable until the month after it ends."""
    try:
        report = hours_for_answer(token=token)
    except ValidationError as error:
        return _link_refused(request, error)
    mentor = report.mentor
    _in_mentors_language(request, mentor)
    is_open = hours_open(report)
    data = request.POST if request.method == "POST" else None
    form = HoursForm(data, report=report) if is_open else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            hours_answer(report=report, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you! Your hours have been saved."))
            return redirect("engagement_hours", token)
    seminars = [
        {"invitation": invitation, "hours": seconds_to_hours(invitation.seconds)}
        for invitation in attended_in_month(mentor, report.month)
    ]
    return render(
        request,
        "overview/engagement_hours.html",
        {
            "report": report,
            "mentor": mentor,
            "form": form,
            "open": is_open,
            "until": answer_until(report.month),
            "seminars": seminars,
            "request_token": certificate_request_token(mentor),
        },
    )


@never_cache
def check_in_page(request, token):
    """Three questions on a tandem; one answer."""
    try:
        check_in = check_in_for_answer(token=token)
    except ValidationError as error:
        return _link_refused(request, error)
    tandem = check_in.tandem
    _in_mentors_language(request, tandem.mentor)
    data = request.POST if request.method == "POST" else None
    form = CheckInForm(data) if check_in.answered_at is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            check_in_answer(check_in=check_in, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Thank you for your answer!"))
            return redirect("engagement_check_in", token)
    return render(
        request,
        "overview/engagement_check_in.html",
        {
            "check_in": check_in,
            "first_name": tandem.referral.first_name,
            "started_on": tandem.started_on,
            "form": form,
            "asks_for_call": check_in.answered_at is not None and needs_call(check_in),
        },
    )


@never_cache
def certificate_request_page(request, token):
    """A mentor asks for the certificate of volunteering; the link to it comes by mail."""
    try:
        mentor = mentor_for_certificate_request(token=token)
    except ValidationError as error:
        return _link_refused(request, error)
    _in_mentors_language(request, mentor)
    form = EmptyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if certificate_request(mentor=mentor):
            messages.success(
                request, _("Thank you! We have sent you an e-mail with the link to it.")
            )
        else:
            messages.info(
                request,
                _("We sent you the link less than a day ago: please look in your inbox."),
            )
        return redirect("engagement_certificate_request", token)
    return render(request, "overview/engagement_certificate_request.html", {"form": form})


@never_cache
def certificate_link_page(request, token):
    """The certificate as mailed to the mentor: the twelve months up to the day of issue."""
    try:
        mentor, issued_on = certificate_for_link(token=token)
    except ValidationError as error:
        return _link_refused(request, error)
    _in_mentors_language(request, mentor)
    content = certificate(mentor, threshold_period(issued_on), issued_on=issued_on)
    return render(request, "overview/engagement_certificate.html", {"certificate": content})


# --- The coordinators' pages ----------------------------------------------------------------


@coordinator_required
def certificate_page(request, pk):
    """The certificate of a mentor, for printing; the last twelve months unless chosen."""
    mentor = get_object_or_404(Mentor.objects.confirmed(), pk=pk)
    today = timezone.localdate()
    default = threshold_period(today)
    form = CertificatePeriodForm.for_period(request.GET, default)
    content = certificate(mentor, form.period(default), issued_on=today)
    return render(
        request,
        "overview/engagement_certificate.html",
        {"certificate": content, "form": form, "for_coordinator": True},
    )


@coordinator_required
def hours_list(request):
    """Mentors' hours in the last twelve months, the most first, and who reaches the
    threshold (ENGAGEMENT_HOURS_THRESHOLD)."""
    period = threshold_period(timezone.localdate())
    form = ReachedFilterForm(request.GET)
    mentors = mentors_with_hours(period)
    only_reached = form.only_reached()
    if only_reached:
        mentors = mentors.filter(total_hours__gte=threshold())
    page = Paginator(mentors, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "mentor": mentor,
            "reported": round_hours(mentor.reported_hours),
            "seminars": seconds_to_hours(mentor.seminar_seconds),
            "total": round_hours(mentor.total_hours),
            "reached": mentor.total_hours >= threshold(),
            "last_requested_at": mentor.last_requested_at,
        }
        for mentor in page.object_list
    ]
    return render(
        request,
        "overview/engagement_hours_list.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "period": period,
            "threshold": threshold(),
            "query_without_page": urlencode({"reached": "on"}) if only_reached else "",
        },
    )


@coordinator_required
def check_in_list(request):
    """Check-in answers that ask the coordination to get in touch (the dashboard's queue)."""
    queue = queue_named(ENGAGEMENT_QUEUES, request.GET.get("queue", ""))
    items = queue.items() if queue else check_ins_to_call()
    page = Paginator(items, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "overview/engagement_check_ins.html",
        {
            "page": page,
            "title": ENGAGEMENT_QUEUES[0].title,
            "query_without_page": urlencode({"queue": queue.name}) if queue else "",
        },
    )


@require_POST
@coordinator_required
def check_in_done_view(request, pk):
    check_in = get_object_or_404(CheckIn, pk=pk)
    form = EmptyForm(request.POST)
    if form.is_valid():
        try:
            check_in_done(check_in=check_in, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("The check-in is done."))
    return redirect(f"{ENGAGEMENT_QUEUES[0].list_url()}")
