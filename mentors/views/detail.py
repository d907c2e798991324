"""The coordinators' page of one mentor: data, status, screening checklist, timeline, history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pghistory.models import Events

from mentors.forms.detail import ChecklistForm, MentorForm, NoteForm, TransitionForm, WithdrawForm
from mentors.forms.interest import LANGUAGES_PREFIX, LanguageFormSet
from mentors.models import (
    ChecklistEntry,
    ChecklistItem,
    Mentor,
    MentorActivity,
    MentorEvent,
    MentorLanguage,
    MentorStatus,
)
from mentors.services import (
    allowed_transitions,
    checklist_complete,
    mentor_add_note,
    mentor_check_item,
    mentor_transition,
    mentor_uncheck_item,
    mentor_update,
)
from willkommen.models import User
from willkommen.roles import coordinator_required

TIMELINE_LENGTH = 50


def _mentor(pk):
    return get_object_or_404(Mentor.objects.confirmed(), pk=pk)


@coordinator_required
def mentor_detail(request, pk):
    mentor = get_object_or_404(
        Mentor.objects.confirmed().prefetch_related(
            Prefetch("languages", queryset=MentorLanguage.objects.order_by("pk")),
            "support_areas",
            Prefetch("checklist", queryset=ChecklistEntry.objects.select_related("recorded_by")),
            # tandems and seminars live in the apps built on this one: named, not imported
            "tandems__referral",
            "invitations__event",
        ),
        pk=pk,
    )
    entries = {entry.item: entry for entry in mentor.checklist.all()}
    checklist = [
        {
            "item": item,
            "entry": entries.get(item.value),
            "required": item != ChecklistItem.POLICE_CERTIFICATE or mentor.works_with_children,
        }
        for item in ChecklistItem
    ]
    timeline = list(
        MentorActivity.objects.filter(mentor=mentor).select_related("created_by")[
            : TIMELINE_LENGTH + 1
        ]
    )
    return render(
        request,
        "mentors/mentor_detail.html",
        {
            "mentor": mentor,
            "checklist": checklist,
            "steps_required": sum(row["required"] for row in checklist),
            "steps_done": sum(row["required"] and row["entry"] is not None for row in checklist),
            "complete": checklist_complete(mentor, entries.values()),
            "transitions": [
                (status, status == MentorStatus.READY and mentor.status == MentorStatus.PAUSED)
                for status in allowed_transitions(mentor)
            ],
            "left_reason_choices": TransitionForm.base_fields["left_reason"].choices,
            "timeline": timeline[:TIMELINE_LENGTH],
            "timeline_cut": len(timeline) > TIMELINE_LENGTH,
            "today": timezone.localdate(),
            "note_form": NoteForm(),
        },
    )


@coordinator_required
def mentor_edit(request, pk):
    mentor = _mentor(pk)
    initial_languages = [
        {"language": row.language, "level": row.level} for row in mentor.languages.all()
    ]
    if request.method == "POST":
        form = MentorForm(request.POST, instance=mentor)
        languages = LanguageFormSet(request.POST, prefix=LANGUAGES_PREFIX)
        if all([form.is_valid(), languages.is_valid()]):
            try:
                mentor_update(
                    mentor=mentor,
                    data=form.data_for_service(),
                    languages=languages.chosen(),
                    support_areas=form.cleaned_data["support_areas"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The changes have been saved."))
                return redirect(mentor)
    else:
        form = MentorForm(instance=mentor)
        languages = LanguageFormSet(prefix=LANGUAGES_PREFIX, initial=initial_languages)
    return render(
        request,
        "mentors/mentor_form.html",
        {"mentor": mentor, "form": form, "languages": languages},
    )


@coordinator_required
def mentor_history(request, pk):
    """Every change of the mentor's data: what changed from what to what, when, by whom."""
    mentor = _mentor(pk)
    events = (
        Events.objects.tracks(mentor).across(MentorEvent).order_by("-pgh_created_at", "-pgh_id")
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    user_ids = {(row.pgh_context or {}).get("user") for row in rows} - {None}
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)}
    labels = {field.attname: field.verbose_name for field in Mentor._meta.concrete_fields}
    changes = [
        {
            "when": row.pgh_created_at,
            "created": row.pgh_label == "insert",
            "by": users.get((row.pgh_context or {}).get("user"))
            or (row.pgh_context or {}).get("command", ""),
            "fields": [
                {"label": labels.get(name, name), "old": old, "new": new}
                for name, (old, new) in sorted((row.pgh_diff or {}).items())
                if name in labels and name != "updated_at"
            ],
        }
        for row in rows
    ]
    return render(
        request, "mentors/mentor_history.html", {"mentor": mentor, "page": page, "changes": changes}
    )


def _back_to(mentor, request, error=None):
    if error is not None:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    return redirect(mentor)


def _form_errors(form):
    return ValidationError([error for errors in form.errors.values() for error in errors])


def _submit(request, mentor, form, action, success):
    """Validate a small form of the mentor page, run its service, and say how it went."""
    if not form.is_valid():
        return _back_to(mentor, request, _form_errors(form))
    try:
        action(mentor=mentor, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        return _back_to(mentor, request, error)
    mentor.refresh_from_db()
    messages.success(request, success(mentor))
    return redirect(mentor)


@require_POST
@coordinator_required
def mentor_status(request, pk):
    return _submit(
        request,
        _mentor(pk),
        TransitionForm(request.POST),
        mentor_transition,
        lambda mentor: (
            _("The status is now “%(status)s”.") % {"status": mentor.get_status_display()}
        ),
    )


@require_POST
@coordinator_required
def mentor_checklist(request, pk):
    return _submit(
        request,
        _mentor(pk),
        ChecklistForm(request.POST),
        mentor_check_item,
        lambda mentor: _("The checklist has been updated."),
    )


@require_POST
@coordinator_required
def mentor_checklist_withdraw(request, pk, item):
    return _submit(
        request,
        _mentor(pk),
        WithdrawForm({"item": item}),
        mentor_uncheck_item,
        lambda mentor: _("The checklist has been updated."),
    )


@require_POST
@coordinator_required
def mentor_note(request, pk):
    return _submit(
        request,
        _mentor(pk),
        NoteForm(request.POST),
        mentor_add_note,
        lambda mentor: _("The entry has been added to the timeline."),
    )
