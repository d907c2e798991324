"""Referrals: the advisors' area (their own referrals only) and the coordinators' intake."""

import copy
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mentors.models import Mentor
from newcomers.forms import (
    AgreementForm,
    AnswerForm,
    ContactForm,
    EndForm,
    FirstMeetingForm,
    FollowUpDoneForm,
    FollowUpForm,
    HandOverForm,
    MentorAnswerForm,
    MentorSearchForm,
    NoteForm,
    ProposeForm,
    QueueFilterForm,
    ReferralCorrectForm,
    ReferralForm,
    StepConfirmForm,
    TandemFilterForm,
    TriageForm,
    WithdrawForm,
)
from newcomers.matching import (
    FOUND_LIMIT,
    declined_by,
    hindrances_in_words,
    hindrances_of,
    languages_nobody_speaks,
    mentors_found,
    referrals_suited,
    suggestions,
)
from newcomers.models import (
    OPEN_TANDEM_STATUSES,
    EndReason,
    FollowUp,
    Referral,
    ReferralActivity,
    ReferralStatus,
    SupportContact,
    Tandem,
    TandemStatus,
)
from newcomers.queues import FOLLOW_UP_QUEUES, REFERRAL_QUEUES, TANDEM_QUEUES
from newcomers.selectors import (
    TANDEM_VIEWS,
    possible_duplicates,
    referrals_for_queue,
    tandem_view,
    tandems_for_list,
)
from newcomers.services import (
    HAND_OVER_STATUSES,
    TRIAGE,
    advisor_deactivate,
    follow_up_create,
    follow_up_done,
    referral_answer,
    referral_correct,
    referral_note_add,
    referral_status_after_end,
    referral_submit,
    referral_triage,
    referral_update,
    referral_withdraw,
    referrals_hand_over,
    referrals_to_hand_over,
    support_contact_record,
    support_contact_update,
    tandem_agreement_update,
    tandem_answer,
    tandem_end,
    tandem_end_check,
    tandem_for_answer,
    tandem_note_add,
    tandem_plan_first_meeting,
    tandem_propose,
    tandem_start,
)
from willkommen.core import accounts
from willkommen.core.exports import csv_response
from willkommen.core.forms import add_service_errors
from willkommen.core.queues import queue_named
from willkommen.core.roles import account_manager_required, advisor_required, coordinator_required

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
            "can_edit": referral.advisor_may_edit,
            "can_withdraw": referral.status in TRIAGE,
        },
    )


@advisor_required
def referral_edit(request, pk):
    referral = _own(request, pk)
    if not referral.advisor_may_edit:
        messages.warning(
            request,
            _(
                "The coordinators have taken this referral on: it can no longer be changed "
                "here. Please tell them what needs correcting."
            ),
        )
        return redirect("newcomers:my_referral", referral.pk)
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
        Referral.objects.select_related("advisor__organisation").prefetch_related("support_areas"),
        pk=pk,
    )
    open_tandem = (
        referral.tandems.filter(status__in=OPEN_TANDEM_STATUSES).select_related("mentor").first()
    )
    context = {
        "referral": referral,
        "duplicates": list(possible_duplicates(referral)[:5]),
        "timeline": referral.activities.select_related("created_by"),
        "decisions": TRIAGE.get(ReferralStatus(referral.status), []),
        "open_tandem": open_tandem,
        "triage_form": TriageForm(),
        "suggestions": [],
        "hand_over_form": HandOverForm(current_advisor=referral.advisor)
        if referral.status in HAND_OVER_STATUSES
        else None,
        # records: corrections, notes and follow-ups
        "can_correct": referral.coordinators_may_correct,
        "note_form": NoteForm(),
        "follow_ups": referral.follow_ups.open().select_related("created_by"),
        "follow_up_form": FollowUpForm(),
        "follow_up_add_url": reverse("newcomers:follow_up_add_referral", args=[referral.pk]),
    }
    if referral.status == ReferralStatus.WAITING and open_tandem is None:
        # Beyond the suggestions: anyone, found by name, with why they may not take it.
        needed_areas = list(referral.support_areas.all())
        search_form = MentorSearchForm(request.GET if "q" in request.GET else None)
        found, more_found = [], False
        searched = search_form.is_bound and search_form.is_valid()
        if searched:
            found, more_found = mentors_found(
                referral, search_form.cleaned_data["q"], needed_areas=needed_areas
            )
        context["suggestions"] = suggestions(referral, needed_areas=needed_areas)
        context.update(
            can_propose=True,
            declined=declined_by(referral),
            languages_nobody_speaks=languages_nobody_speaks(referral, context["suggestions"]),
            search_form=search_form,
            searched=searched,
            found=found,
            more_found=more_found,
            found_limit=FOUND_LIMIT,
        )
    return render(request, "newcomers/referral_detail.html", context)


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
    if not form.is_valid():
        for message in form.errors["mentor"]:
            messages.error(request, message)
        return redirect(referral)
    tandem = _proposed(request, referral=referral, mentor=form.cleaned_data["mentor"])
    return redirect(tandem or referral)


def _proposed(request, *, referral, mentor):
    """Propose through the service; the answer (and why a refusal) as a message."""
    try:
        tandem = tandem_propose(referral=referral, mentor=mentor, by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        if reasons := hindrances_of(mentor, referral):
            messages.error(request, hindrances_in_words(reasons))
        return None
    messages.success(
        request,
        _("%(mentor)s has been asked by e-mail about %(referral)s.")
        % {"mentor": mentor, "referral": referral},
    )
    return tandem


# --- Handing referrals on to another advisor -------------------------------------------------


def _posted(request):
    """The form's data on every POST, even an empty one: an empty answer is answered too."""
    return request.POST if request.method == "POST" else None


@coordinator_required
def referral_hand_over_view(request, pk):
    """Hand one referral on to another advisor (the form is on the referral's page too)."""
    referral = get_object_or_404(Referral.objects.select_related("advisor__organisation"), pk=pk)
    if referral.status not in HAND_OVER_STATUSES:
        messages.error(
            request,
            _("Only open referrals can be handed on, not declined, withdrawn or ended ones."),
        )
        return redirect(referral)
    form = HandOverForm(_posted(request), current_advisor=referral.advisor)
    if request.method == "POST" and form.is_valid():
        to_advisor = form.cleaned_data["to_advisor"]
        try:
            referrals_hand_over(referrals=[referral], to_advisor=to_advisor, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(advisor)s follows the referral from now on and has been told by email.")
                % {"advisor": to_advisor},
            )
            return redirect(referral)
    return render(request, "newcomers/handover_referral.html", {"referral": referral, "form": form})


def _advisor_account(pk):
    """An account the account pages may show (willkommen.core.accounts), with its organisation."""
    return get_object_or_404(accounts.manageable_accounts().select_related("organisation"), pk=pk)


@account_manager_required
def account_referrals_hand_over(request, pk):
    """All open referrals of one advisor to a colleague, e.g. before a long absence. Joined
    into the "accounts" namespace by the project URLconf: the account page links here."""
    account = _advisor_account(pk)
    form = HandOverForm(_posted(request), current_advisor=account)
    if request.method == "POST" and form.is_valid():
        to_advisor = form.cleaned_data["to_advisor"]
        try:
            count = referrals_hand_over(
                referrals=referrals_to_hand_over(account), to_advisor=to_advisor, by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "One referral has been handed on to %(advisor)s, who has been told by email.",
                    "%(count)s referrals have been handed on to %(advisor)s, who has been told "
                    "by email.",
                    count,
                )
                % {"count": count, "advisor": to_advisor},
            )
            return redirect("accounts:detail", pk=account.pk)
    context = {
        "account": account,
        "form": form,
        "open_count": referrals_to_hand_over(account).count(),
        "deactivate": False,
    }
    return render(request, "newcomers/handover_account.html", context)


@account_manager_required
def account_deactivate_handing_over(request, pk):
    """Deactivating an account: while it has open referrals, first choose who takes them on;
    then both happen at once. Without open referrals, the kernel's page. Joined into the
    "accounts" namespace by the project URLconf in place of willkommen.core.accounts'."""
    account = _advisor_account(pk)
    open_count = referrals_to_hand_over(account).count()
    if not open_count:
        return accounts.account_deactivate(request, pk)
    form = HandOverForm(_posted(request), current_advisor=account)
    if request.method == "POST" and form.is_valid():
        to_advisor = form.cleaned_data["to_advisor"]
        try:
            count = advisor_deactivate(advisor=account, to_advisor=to_advisor, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The account of %(name)s has been deactivated; their open referral now goes "
                    "to %(advisor)s, who has been told by email.",
                    "The account of %(name)s has been deactivated; their %(count)s open "
                    "referrals now go to %(advisor)s, who has been told by email.",
                    count,
                )
                % {"name": account, "count": count, "advisor": to_advisor},
            )
            return redirect("accounts:detail", pk=account.pk)
    context = {"account": account, "form": form, "open_count": open_count, "deactivate": True}
    return render(request, "newcomers/handover_account.html", context)


# --- Tandems ---------------------------------------------------------------------------------


def _tandems_listed(form) -> tuple[QuerySet, dict, object]:
    """The tandems the list (and its export) shows, the filters, and the work queue if any."""
    filters = form.filters()
    queue = queue_named(TANDEM_QUEUES, filters.get("queue") or "")
    tandems = tandems_for_list(filters=filters, queue=queue.items() if queue else None)
    return tandems, filters, queue


@coordinator_required
def tandem_list(request):
    form = TandemFilterForm(request.GET)
    tandems, filters, queue = _tandems_listed(form)
    page = Paginator(tandems, 25).get_page(request.GET.get("page"))
    current = "" if queue else tandem_view(filters)
    # The views keep the search and the filters; a work queue is left for the view.
    others = request.GET.copy()
    for name in ("page", "ansicht", "queue"):
        others.pop(name, None)
    views = []
    for key, label in TANDEM_VIEWS.items():
        others["ansicht"] = key
        views.append({"key": key, "label": label, "query": others.urlencode()})
    without_page = request.GET.copy()
    without_page.pop("page", None)
    return render(
        request,
        "newcomers/tandem_list.html",
        {
            "form": form,
            "page": page,
            "views": views,
            "current": current,
            "chosen_view": filters.get("ansicht", ""),
            "queue": queue,
            "title": queue.title if queue else TANDEM_VIEWS[current],
            "filtered": bool(filters.keys() - {"sort", "ansicht"}),
            "filters_open": bool(filters.keys() - {"sort", "ansicht", "q"} or form.errors),
            "query_without_page": without_page.urlencode(),
        },
    )


def _day(value) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


TANDEM_CSV_COLUMNS = [
    "Patin/Pate Vorname", "Patin/Pate Nachname", "Neuzugewanderte Vorname",
    "Neuzugewanderte Nachname", "Stadtbezirk", "Status", "vorgeschlagen am", "begonnen am",
    "beendet am", "Grund des Endes", "Begleitungskontakte", "letzter Kontakt",
    "nächster Kontakt fällig", "Beratung",
]  # fmt: skip


@coordinator_required
def tandem_export(request):
    """The filtered tandem list as CSV for Excel: UTF-8 with BOM, semicolons."""
    tandems, _filters, _queue = _tandems_listed(TandemFilterForm(request.GET))
    rows = (
        [
            tandem.mentor.first_name,
            tandem.mentor.last_name,
            tandem.referral.first_name,
            tandem.referral.last_name,
            tandem.referral.get_district_display(),
            tandem.get_status_display(),
            _day(timezone.localtime(tandem.proposed_at)),
            _day(tandem.started_on),
            _day(tandem.ended_on),
            tandem.get_end_reason_display(),
            tandem.contact_count,
            _day(tandem.last_contact_on),
            _day(tandem.next_contact_due),
            str(tandem.referral.advisor),
        ]
        for tandem in tandems
    )
    return csv_response(f"tandems-{timezone.localdate():%Y-%m-%d}.csv", TANDEM_CSV_COLUMNS, rows)


def _tandem_forms(tandem, data=None, step=None):
    """The forms of the steps the tandem page offers in its current state (bound only for
    `step`); a step that cannot be taken now has none."""

    def bound(name):
        return data if step == name else None

    forms = {}
    if tandem.status == TandemStatus.PROPOSED:
        forms["answer"] = MentorAnswerForm(bound("answer"))
    if tandem.status == TandemStatus.ACCEPTED:
        forms["meeting"] = FirstMeetingForm(
            bound("meeting"),
            initial={"at": tandem.first_meeting_at, "place": tandem.first_meeting_place,
                     "attendees": tandem.first_meeting_attendees},
        )  # fmt: skip
        if tandem.first_meeting_at and tandem.first_meeting_at <= timezone.now():
            forms["start"] = AgreementForm(
                bound("start"),
                instance=tandem,
                initial={"agreement_areas": list(tandem.referral.support_areas.all())},
            )
    if tandem.status == TandemStatus.ACTIVE:
        forms["contact"] = ContactForm(
            bound("contact"), initial={"contacted_on": timezone.localdate()}
        )
        # A copy: a refused correction must not show in the agreement beside it.
        forms["agreement"] = AgreementForm(bound("agreement"), instance=copy.copy(tandem))
    if tandem.status in OPEN_TANDEM_STATUSES:
        forms["end"] = EndForm(bound("end"))  # no date given: the end is a decision, not a default
    return forms


def _next_step(tandem, forms) -> str | None:
    """The step the page offers as its one primary button: the usual next one. None while
    nothing is due (the first meeting is planned and still ahead)."""
    if "answer" in forms:
        return "answer"
    if "start" in forms:
        return "start"
    if "meeting" in forms and tandem.first_meeting_at is None:
        return "meeting"
    if "contact" in forms:
        return "contact"
    return None


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _confirmation(tandem, step, form) -> dict | None:
    """What the confirming page of a step with grave consequences says before it acts; None
    for a step that acts at once. A ValidationError if the service would refuse the step."""
    data, mentor, referral = form.cleaned_data, tandem.mentor, tandem.referral
    if step == "end":
        tandem_end_check(tandem=tandem, ended_on=data["ended_on"], reason=data["reason"])
        after = referral_status_after_end(tandem=tandem, reason=data["reason"])
        if after == ReferralStatus.WAITING:
            referral_goes = _(
                "The referral of %(newcomer)s goes back to the waiting list for a new match."
            )
        else:
            referral_goes = _("The referral of %(newcomer)s is closed: the accompaniment ends.")
        return {
            "title": _("End the tandem?"),
            "facts": [
                (_("End date"), date_format(data["ended_on"], "d.m.Y")),
                (_("Reason"), EndReason(data["reason"]).label),
                (_("closing conversation held"), _yes_no(data["closing_conversation"])),
                (_("Note"), data["note"] or "—"),
            ],
            "consequences": [
                _("The place of %(mentor)s becomes free.") % {"mentor": mentor},
                referral_goes % {"newcomer": referral},
                _("%(advisor)s (Welcome Center) is told by e-mail.")
                % {"advisor": referral.advisor},
                _("This cannot be undone."),
            ],
            "confirm_label": _("Yes, end the tandem"),
        }
    if step == "answer" and not data["accept"]:
        return {
            "title": _("Record the mentor's refusal?"),
            "facts": [(_("Reason"), data["reason"] or "—")],
            "consequences": [
                _("The proposal is recorded as declined by %(mentor)s.") % {"mentor": mentor},
                _("The place of %(mentor)s becomes free.") % {"mentor": mentor},
                _("The referral of %(newcomer)s stays on the waiting list for the next proposal.")
                % {"newcomer": referral},
                _("This cannot be undone."),
            ],
            "confirm_label": _("Yes, record the refusal"),
        }
    return None


def _agreement_of(data: dict) -> dict:
    """An AgreementForm's data as tandem_start and tandem_agreement_update take it."""
    agreement = {key: value for key, value in data.items() if key != "agreement_areas"}
    return {"agreement": agreement, "areas": data["agreement_areas"]}


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
        tandem_start(tandem=tandem, by=by, **_agreement_of(data))
        return _("The tandem is active. Good luck!")
    if step == "agreement":
        tandem_agreement_update(tandem=tandem, by=by, **_agreement_of(data))
        return _("The agreement has been saved.")
    if step == "contact":
        support_contact_record(tandem=tandem, by=by, **data)
        return _("The support contact has been recorded.")
    tandem_end(tandem=tandem, by=by, **data)
    return _("The tandem has ended; the mentor's place is free again.")


@coordinator_required
def tandem_detail(request, pk):
    tandem = get_object_or_404(Tandem.objects.select_related("mentor", "referral__advisor"), pk=pk)
    step = request.POST.get("step") if request.method == "POST" else None
    forms = _tandem_forms(tandem, request.POST, step)
    if step is not None and step not in forms:
        messages.error(request, _("This step is not possible in the tandem's current state."))
        return redirect(tandem)
    if step is not None and (form := forms[step]).is_valid():
        try:
            confirmation = _confirmation(tandem, step, form)
            if confirmation and not StepConfirmForm(request.POST).is_confirmed():
                return render(
                    request,
                    "newcomers/tandem_step_confirm.html",
                    {"tandem": tandem, "form": form, "step": step, **confirmation},
                )
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
            "next_step": _next_step(tandem, forms),
            "contacts": tandem.contacts.select_related("recorded_by"),
            "today": timezone.localdate(),
            # records: corrections, notes and follow-ups
            "contacts_editable": tandem.takes_support_contacts,
            "notes": tandem.notes.select_related("created_by"),
            "note_form": NoteForm(),
            "follow_ups": tandem.follow_ups.open().select_related("created_by"),
            "follow_up_form": FollowUpForm(),
            "follow_up_add_url": reverse("newcomers:follow_up_add_tandem", args=[tandem.pk]),
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


@require_POST
@coordinator_required
def mentor_propose_view(request, pk, referral_pk):
    """Propose this mentor for one of their suited referrals, then back to that list."""
    mentor = get_object_or_404(Mentor.objects.confirmed(), pk=pk)
    referral = get_object_or_404(Referral, pk=referral_pk)
    _proposed(request, referral=referral, mentor=mentor)
    return redirect("newcomers:mentor_suited_referrals", mentor.pk)


# --- Records: corrections, notes, follow-ups -------------------------------------------------


def _small_form(request, form, action, success: str) -> None:
    """A small form on a record's page: validate it, run one service with its data, and say
    how it went as a message on the page the caller redirects to (nothing saved on error)."""
    if form.is_valid():
        try:
            action(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@coordinator_required
def referral_correct_view(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    name = str(referral)  # the form changes the instance it checks
    if not referral.coordinators_may_correct:
        messages.error(
            request,
            _("A referral with the status “%(status)s” can no longer be corrected.")
            % {"status": referral.get_status_display()},
        )
        return redirect(referral)
    form = ReferralCorrectForm(request.POST or None, instance=referral)
    if request.method == "POST" and form.is_valid():
        try:
            changed = referral_correct(
                referral=referral,
                data=form.data_for_service(),
                support_areas=form.cleaned_data["support_areas"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The changes have been saved.") if changed else _("Nothing was changed."),
            )
            return redirect(referral)
    return render(
        request,
        "newcomers/referral_correct.html",
        {"form": form, "referral": referral, "name": name},
    )


@require_POST
@coordinator_required
def referral_note(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    _small_form(
        request,
        NoteForm(request.POST),
        lambda text: referral_note_add(referral=referral, text=text, by=request.user),
        _("The note has been added to the timeline."),
    )
    return redirect(referral)


@require_POST
@coordinator_required
def tandem_note(request, pk):
    tandem = get_object_or_404(Tandem, pk=pk)
    _small_form(
        request,
        NoteForm(request.POST),
        lambda text: tandem_note_add(tandem=tandem, text=text, by=request.user),
        _("The note has been added."),
    )
    return redirect(tandem)


@coordinator_required
def support_contact_edit(request, pk, contact_pk):
    contact = get_object_or_404(
        SupportContact.objects.select_related("tandem__mentor", "tandem__referral"),
        pk=contact_pk,
        tandem_id=pk,
    )
    tandem = contact.tandem
    if not tandem.takes_support_contacts:
        messages.error(request, _("Support contacts are corrected while the tandem is active."))
        return redirect(tandem)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            support_contact_update(contact=contact, by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The support contact has been corrected."))
            return redirect(tandem)
    return render(request, "newcomers/support_contact_edit.html", {"form": form, "tandem": tandem})


def _follow_up_add(request, subject, **about):
    _small_form(
        request,
        FollowUpForm(request.POST),
        lambda due_on, text: follow_up_create(due_on=due_on, text=text, by=request.user, **about),
        _("The follow-up has been added."),
    )
    return redirect(subject)


@require_POST
@coordinator_required
def follow_up_add_referral(request, pk):
    referral = get_object_or_404(Referral, pk=pk)
    return _follow_up_add(request, referral, referral=referral)


@require_POST
@coordinator_required
def follow_up_add_tandem(request, pk):
    tandem = get_object_or_404(Tandem, pk=pk)
    return _follow_up_add(request, tandem, tandem=tandem)


@require_POST
@coordinator_required
def follow_up_add_mentor(request, pk):
    """For the mentor's page (willkommen.overview), which shows the mentor's follow-ups."""
    mentor = get_object_or_404(Mentor.objects.confirmed(), pk=pk)
    return _follow_up_add(request, mentor, mentor=mentor)


@require_POST
@coordinator_required
def follow_up_done_view(request, pk):
    follow_up = get_object_or_404(FollowUp.objects.with_subject(), pk=pk)
    form = FollowUpDoneForm(request.POST)
    _small_form(
        request,
        form,
        lambda back: follow_up_done(follow_up=follow_up, by=request.user),
        _("The follow-up is done."),
    )
    if form.is_valid() and form.cleaned_data["back"] == "list":
        return redirect("newcomers:follow_up_list")
    return redirect(follow_up)


@coordinator_required
def follow_up_list(request):
    """The open follow-ups, the earliest due first; or one work queue's (`?queue=`)."""
    queue = queue_named(FOLLOW_UP_QUEUES, request.GET.get("queue", ""))
    follow_ups = queue.items() if queue else FollowUp.objects.open().order_by("due_on", "pk")
    page = Paginator(follow_ups.with_subject(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "newcomers/follow_up_list.html",
        {
            "page": page,
            "queue": queue,
            "query_without_page": urlencode({"queue": queue.name}) if queue else "",
        },
    )
