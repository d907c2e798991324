"""Referrals: the advisors' area (their own referrals only) and the coordinators' intake."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mentors.models import Mentor
from newcomers.forms import (
    AgreementForm,
    AnswerForm,
    ContactForm,
    EndForm,
    FirstMeetingForm,
    MentorAnswerForm,
    ProposeForm,
    QueueFilterForm,
    ReferralForm,
    TriageForm,
    WithdrawForm,
)
from newcomers.matching import referrals_suited, suggestions
from newcomers.models import (
    OPEN_TANDEM_STATUSES,
    Referral,
    ReferralActivity,
    ReferralStatus,
    TandemStatus,
)
from newcomers.queues import REFERRAL_QUEUES, TANDEM_QUEUES
from newcomers.selectors import (
    possible_duplicates,
    referrals_for_queue,
    tandems_overdue,
    tandems_with_schedule,
)
from newcomers.services import (
    TRIAGE,
    referral_answer,
    referral_submit,
    referral_triage,
    referral_update,
    referral_withdraw,
    support_contact_record,
    tandem_answer,
    tandem_end,
    tandem_for_answer,
    tandem_plan_first_meeting,
    tandem_propose,
    tandem_start,
)
from willkommen.core.exports import csv_response
from willkommen.core.forms import add_service_errors
from willkommen.core.queues import queue_named
from willkommen.core.roles import advisor_required, coordinator_required

# --- Advisors --------------------------------------------------------------------------------


def _own(request, pk):
    """An advisor's own referral; anyone else's is a 404, so nobody learns it exists."""
    return get_object_or_404(Referral.objects.for_advisor(request.user), pk=pk)


@advisor_required
def my_referrals(request):
    referrals = Referral.objects.for_advisor(request.user).order_by("-created_at")
    page = Paginator(referrals, 25).get_page(request.GET.get("page"))
    return render(request, "newcomers/my_referrals.html", {"page": page})


@advisor_required
def referral_create(request):
    form = ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_submit(
                advisor=request.user,
                data=form.data_for_service(),
                support_areas=form.cleaned_data["support_areas"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Thank you! The referral for %(name)s has been sent.") % {"name": referral},
            )
            return redirect("newcomers:my_referral", referral.pk)
    return render(request, "newcomers/referral_form.html", {"form": form})


@advisor_required
def my_referral(request, pk):
    referral = _own(request, pk)
    return render(
        request,
        "newcomers/my_referral.html",
        {
            "referral": referral,
            "timeline": referral.activities.filter(
                kind__in=[ReferralActivity.Kind.QUESTION, ReferralActivity.Kind.ANSWER]
            ).select_related("created_by"),
            "answer_form": AnswerForm(),
            "can_edit": referral.status in (ReferralStatus.RECEIVED, ReferralStatus.INFO_NEEDED),
            "can_withdraw": referral.status in TRIAGE,
        },
    )


@advisor_required
def referral_edit(request, pk):
    referral = _own(request, pk)
    form = ReferralForm(request.POST or None, instance=referral)
    if request.method == "POST" and form.is_valid():
        try:
            referral_update(
                referral=referral,
                by=request.user,
                data=form.data_for_service(),
                support_areas=form.cleaned_data["support_areas"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("newcomers:my_referral", referral.pk)
    return render(request, "newcomers/referral_form.html", {"form": form, "referral": referral})


@require_POST
@advisor_required
def referral_answer_view(request, pk):
    referral = _own(request, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please write your answer."))
        referral_answer(referral=referral, by=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Thank you, your answer has been sent."))
    return redirect("newcomers:my_referral", referral.pk)


@require_POST
@advisor_required
def referral_withdraw_view(request, pk):
    referral = _own(request, pk)
    form = WithdrawForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["confirm"])
        referral_withdraw(referral=referral, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The referral has been withdrawn."))
    return redirect("newcomers:my_referral", referral.pk)


# --- Coordinators ----------------------------------------------------------------------------


def _referrals_listed(form) -> QuerySet:
    filters = form.filters()
    queue = queue_named(REFERRAL_QUEUES, filters.get("queue") or "")
    return referrals_for_queue(filters=filters, queue=queue.items() if queue else None)


@coordinator_required
def referral_list(request):
    form = QueueFilterForm(request.GET)
    referrals = _referrals_listed(form)
    page = Paginator(referrals, 25).get_page(request.GET.get("page"))
    without_page = request.GET.copy()
    without_page.pop("page", None)
    return render(
        request,
        "newcomers/referral_list.html",
        {"form": form, "page": page, "query_without_page": without_page.urlencode()},
    )


@coordinator_required
def referral_export(request):
    referrals = _referrals_listed(QueueFilterForm(request.GET))
    header = ["Vorname", "Nachname", "Status", "Stadtbezirk", "Sprachen", "Deutsch",
              "Unterstützung", "Dringlichkeit", "Beratung", "eingegangen", "Wartetage"]  # fmt: skip
    rows = (
        [
            referral.first_name,
            referral.last_name,
            referral.get_status_display(),
            referral.get_district_display(),
            ", ".join(referral.language_labels),
            referral.get_german_level_display(),
            ", ".join(area.label for area in referral.support_areas.all()),
            referral.get_urgency_display(),
            str(referral.advisor),
            f"{timezone.localtime(referral.created_at):%d.%m.%Y}",
            referral.waiting_days,
        ]
        for referral in referrals
    )
    return csv_response(f"vermittlungen-{timezone.localdate():%Y-%m-%d}.csv", header, rows)


@coordinator_required
def referral_detail(request, pk):
    referral = get_object_or_404(
        Referral.objects.select_related("advisor").prefetch_related("support_areas"), pk=pk
    )
    return render(
        request,
        "newcomers/referral_detail.html",
        {
            "referral": referral,
            "duplicates": list(possible_duplicates(referral)[:5]),
            "suggestions": suggestions(referral)
            if referral.status == ReferralStatus.WAITING
            else [],
            "timeline": referral.activities.select_related("created_by"),
            "decisions": TRIAGE.get(ReferralStatus(referral.status), []),
            "open_tandem": referral.tandems.filter(status__in=OPEN_TANDEM_STATUSES)
            .select_related("mentor")
            .first(),
            "triage_form": TriageForm(),
        },
    )


@require_POST
@coordinator_required
def referral_triage_view(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    form = TriageForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Please choose a valid decision."))
        referral_triage(referral=referral, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        referral.refresh_from_db()
        messages.success(
            request,
            _("The referral is now “%(status)s”; the advisor has been told.")
            % {"status": referral.get_status_display()},
        )
    return redirect(referral)


@require_POST
@coordinator_required
def tandem_propose_view(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    form = ProposeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["mentor"])
        mentor = form.cleaned_data["mentor"]
        tandem = tandem_propose(referral=referral, mentor=mentor, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(referral)
    messages.success(request, _("%(mentor)s has been asked by e-mail.") % {"mentor": mentor})
    return redirect(tandem)


# --- Tandems ---------------------------------------------------------------------------------

TANDEM_VIEWS = {
    "active": (gettext_lazy("Active"), {"status": TandemStatus.ACTIVE}),
    "overdue": (gettext_lazy("Support contact overdue"), None),
    "starting": (gettext_lazy("Proposed or first meeting ahead"),
                 {"status__in": [TandemStatus.PROPOSED, TandemStatus.ACCEPTED]}),
    "ended": (gettext_lazy("Ended"), {"status__in": [TandemStatus.ENDED, TandemStatus.DECLINED]}),
}  # fmt: skip


@coordinator_required
def tandem_list(request):
    queue = queue_named(TANDEM_QUEUES, request.GET.get("queue", ""))
    view = request.GET.get("ansicht", "active")
    if view not in TANDEM_VIEWS:
        view = "active"
    if queue is not None:  # a dashboard queue: exactly its set, in its order
        title, tandems, query = queue.title, queue.items(), urlencode({"queue": queue.name})
        view = ""
    else:
        title, lookup = TANDEM_VIEWS[view]
        tandems = tandems_overdue() if lookup is None else tandems_with_schedule().filter(**lookup)
        if lookup is not None:
            tandems = tandems.order_by("-proposed_at", "-pk")
        query = urlencode({"ansicht": view})
    tandems = tandems.select_related("mentor", "referral")
    page = Paginator(tandems, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "newcomers/tandem_list.html",
        {
            "page": page,
            "views": [(key, label) for key, (label, _lookup) in TANDEM_VIEWS.items()],
            "current": view,
            "title": title,
            "query_without_page": query,
        },
    )


def _tandem_forms(tandem, data=None, step=None):
    """The forms the tandem page offers in its current state (bound only for `step`)."""
    forms = {}
    if tandem.status == TandemStatus.PROPOSED:
        forms["answer"] = MentorAnswerForm(data if step == "answer" else None)
    if tandem.status == TandemStatus.ACCEPTED:
        forms["meeting"] = FirstMeetingForm(
            data if step == "meeting" else None,
            initial={"at": tandem.first_meeting_at, "place": tandem.first_meeting_place,
                     "attendees": tandem.first_meeting_attendees},
        )  # fmt: skip
        if tandem.first_meeting_at and tandem.first_meeting_at <= timezone.now():
            forms["start"] = AgreementForm(
                data if step == "start" else None,
                instance=tandem,
                initial={"agreement_areas": list(tandem.referral.support_areas.all())},
            )
    if tandem.status == TandemStatus.ACTIVE:
        forms["contact"] = ContactForm(
            data if step == "contact" else None, initial={"contacted_on": timezone.localdate()}
        )
    if tandem.status in OPEN_TANDEM_STATUSES:
        forms["end"] = EndForm(
            data if step == "end" else None, initial={"ended_on": timezone.localdate()}
        )
    return forms


def _tandem_step(request, tandem, step, form):
    """Run the service behind one step of the tandem page with a valid form."""
    data, by = form.cleaned_data, request.user
    if step == "answer":
        tandem_answer(tandem=tandem, accept=data["accept"], reason=data["reason"], by=by)
        return _("The mentor's answer has been recorded.")
    if step == "meeting":
        tandem_plan_first_meeting(tandem=tandem, by=by, **data)
        return _("The first meeting has been planned; the advisor has been told.")
    if step == "start":
        agreement = {key: value for key, value in data.items() if key != "agreement_areas"}
        tandem_start(tandem=tandem, by=by, agreement=agreement, areas=data["agreement_areas"])
        return _("The tandem is active. Good luck!")
    if step == "contact":
        support_contact_record(tandem=tandem, by=by, **data)
        return _("The support contact has been recorded.")
    tandem_end(tandem=tandem, by=by, **data)
    return _("The tandem has ended; the mentor's place is free again.")


@coordinator_required
def tandem_detail(request, pk):
    tandem = get_object_or_404(
        tandems_with_schedule().select_related("mentor", "referral__advisor"), pk=pk
    )
    step = request.POST.get("step") if request.method == "POST" else None
    forms = _tandem_forms(tandem, request.POST, step)
    if step in forms:
        form = forms[step]
        if form.is_valid():
            try:
                message = _tandem_step(request, tandem, step, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(tandem)
    return render(
        request,
        "newcomers/tandem_detail.html",
        {
            "tandem": tandem,
            "forms": forms,
            "contacts": tandem.contacts.select_related("recorded_by"),
            "today": timezone.localdate(),
        },
    )


@never_cache
def tandem_answer_view(request, token):
    """A mentor answers a proposal from the e-mail's link, without an account."""
    try:
        tandem = tandem_for_answer(token=token)
    except ValidationError as error:
        return render(
            request, "newcomers/tandem_answer.html", {"error": error.messages[0]}, status=404
        )
    form = MentorAnswerForm(request.POST or None)
    if tandem.status == TandemStatus.PROPOSED and request.method == "POST" and form.is_valid():
        try:
            tandem_answer(tandem=tandem, accept=form.cleaned_data["accept"],
                          reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("newcomers:tandem_answer", token)
    return render(
        request,
        "newcomers/tandem_answer.html",
        {"tandem": tandem, "referral": tandem.referral, "form": form},
    )


@coordinator_required
def mentor_suited_referrals(request, pk):
    """The mentor's side of matching: which waiting referrals would suit this mentor."""
    mentor = get_object_or_404(
        Mentor.objects.confirmed().prefetch_related("languages", "support_areas", "checklist"),
        pk=pk,
    )
    return render(
        request,
        "newcomers/mentor_suited_referrals.html",
        {"mentor": mentor, "referrals": referrals_suited(mentor)},
    )
