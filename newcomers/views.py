"""Referrals: the advisors' area (their own referrals only) and the coordinators' intake."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from newcomers.forms import AnswerForm, QueueFilterForm, ReferralForm, TriageForm
from newcomers.matching import suggestions
from newcomers.models import Referral, ReferralActivity, ReferralStatus
from newcomers.selectors import possible_duplicates, referrals_for_queue
from newcomers.services import (
    TRIAGE,
    referral_answer,
    referral_submit,
    referral_triage,
    referral_update,
    referral_withdraw,
)
from willkommen.roles import advisor_required, coordinator_required
from willkommen.views import section_placeholder

tandem_list = coordinator_required(section_placeholder(gettext_lazy("Tandems")))


def _add_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


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
            )
        except ValidationError as error:
            _add_errors(form, error)
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
            _add_errors(form, error)
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
    try:
        if not request.POST.get("confirm"):
            raise ValidationError(_("Please tick the box to confirm the withdrawal."))
        referral_withdraw(referral=referral, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The referral has been withdrawn."))
    return redirect("newcomers:my_referral", referral.pk)


# --- Coordinators ----------------------------------------------------------------------------


@coordinator_required
def referral_list(request):
    form = QueueFilterForm(request.GET)
    referrals = referrals_for_queue(filters=form.filters())
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
    referrals = referrals_for_queue(filters=QueueFilterForm(request.GET).filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"vermittlungen-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        ["Vorname", "Nachname", "Status", "Stadtbezirk", "Sprachen", "Deutsch",
         "Unterstützung", "Dringlichkeit", "Beratung", "eingegangen", "Wartetage"]
    )  # fmt: skip
    for referral in referrals:
        writer.writerow(
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
        )
    return response


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
