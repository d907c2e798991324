"""The coordinators' page of one mentor: data, status, screening checklist, timeline, history."""

import copy

from django.contrib import messages
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import yesno
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from pghistory.models import Events

from mentors.forms.detail import (
    COORDINATOR_LABELS,
    ChecklistForm,
    MentorForm,
    MentorLanguageFormSet,
    NoteForm,
    TransitionForm,
    WithdrawForm,
)
from mentors.forms.interest import LANGUAGES_PREFIX
from mentors.models import (
    ChecklistEntry,
    ChecklistEntryEvent,
    ChecklistItem,
    Mentor,
    MentorEvent,
)
from mentors.services import (
    mentor_add_note,
    mentor_check_item,
    mentor_transition,
    mentor_uncheck_item,
    mentor_update,
)
from willkommen.core.models import User
from willkommen.core.roles import coordinator_required

TIMELINE_LENGTH = 50
HISTORY_PAGE_SIZE = 50


def _mentor(pk):
    return get_object_or_404(Mentor.objects.confirmed(), pk=pk)


@coordinator_required
def mentor_edit(request, pk):
    mentor = _mentor(pk)
    # The form works on a copy: the page's title and links keep the saved name.
    if request.method == "POST":
        form = MentorForm(request.POST, instance=copy.copy(mentor))
        languages = MentorLanguageFormSet(request.POST, prefix=LANGUAGES_PREFIX)
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
        form = MentorForm(instance=copy.copy(mentor))
        languages = MentorLanguageFormSet(
            prefix=LANGUAGES_PREFIX,
            initial=[
                {"language": row.language, "level": row.level}
                for row in mentor.languages.order_by("pk")
            ],
        )
    return render(
        request,
        "mentors/mentor_form.html",
        {"mentor": mentor, "form": form, "languages": languages},
    )


# --- History of changes ----------------------------------------------------------------------

MENTOR_FIELDS = {field.attname: field for field in Mentor._meta.concrete_fields}
CHECKLIST_FIELDS = {
    name: ChecklistEntry._meta.get_field(name) for name in ("done_on", "valid_until")
}


def _field_label(field) -> str:
    return capfirst(COORDINATOR_LABELS.get(field.name, field.verbose_name))


def _shown(field, value, users) -> str:
    """A stored value as people read it: labels for codes, local dates, names for users."""
    if value in (None, "", []):
        return "—"
    if isinstance(field, ArrayField):
        choices = dict(field.base_field.flatchoices)
        return ", ".join(str(choices.get(item, item)) for item in value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return yesno(value)
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value)
        return date_format(timezone.localtime(moment), "d.m.Y H:i") if moment else value
    if isinstance(field, models.DateField):
        day = parse_date(value)
        return date_format(day, "d.m.Y") if day else value
    if isinstance(field, models.ForeignKey) and field.related_model is User:
        return str(users.get(value, value))
    return str(value)


def _fields_changed(event, fields, users) -> list[dict]:
    return [
        {
            "label": _field_label(fields[name]),
            "old": _shown(fields[name], old, users),
            "new": _shown(fields[name], new, users),
        }
        for name, (old, new) in sorted((event.pgh_diff or {}).items())
        if name in fields
    ]


def _describe(event, users) -> dict:
    """One event of the mentor or of a checklist step, as a heading and the changed fields."""
    context = event.pgh_context or {}
    change = {
        "when": event.pgh_created_at,
        # "command": the name of a management command that made the change
        "by": users.get(context.get("user")) or context.get("command", ""),
        "title": "",
        "fields": [],
    }
    if event.pgh_model == MentorEvent._meta.label:
        if event.pgh_label == "insert":
            change["title"] = _("Application received")
        else:
            change["fields"] = _fields_changed(event, MENTOR_FIELDS, users)
        return change
    item = ChecklistItem(event.pgh_data["item"]).label
    if event.pgh_label == "insert":
        change["title"] = _("Checklist: “%(item)s” recorded") % {"item": item}
        change["fields"] = [
            {"label": _field_label(field), "old": "—", "new": _shown(field, value, users)}
            for name, field in CHECKLIST_FIELDS.items()
            if (value := event.pgh_data.get(name)) is not None
        ]
    elif event.pgh_label == "delete":
        change["title"] = _("Checklist: “%(item)s” withdrawn") % {"item": item}
    else:
        change["title"] = _("Checklist: “%(item)s” corrected") % {"item": item}
        change["fields"] = _fields_changed(event, CHECKLIST_FIELDS, users)
    return change


@coordinator_required
def mentor_history(request, pk):
    """Every change of the mentor's data and checklist: what changed from what to what, when,
    by whom. (Languages and support areas are not tracked by pghistory.)"""
    mentor = _mentor(pk)
    events = (
        Events.objects.references(mentor)
        .across(MentorEvent, ChecklistEntryEvent)
        .order_by("-pgh_created_at", "-pgh_id")
    )
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # Every person the page names, in one query: who acted, and who recorded a checklist step.
    user_ids = {(row.pgh_context or {}).get("user") for row in rows}
    for row in rows:
        user_ids.update((row.pgh_diff or {}).get("recorded_by_id") or [])
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids - {None})}
    return render(
        request,
        "mentors/mentor_history.html",
        {"mentor": mentor, "page": page, "changes": [_describe(row, users) for row in rows]},
    )


# --- The small forms of the mentor page --------------------------------------------------------


def _problems(form, errors: dict) -> list[str]:
    """Errors as messages for the top of the mentor page, each named by its field."""
    problems = []
    for name, field_errors in errors.items():
        field = form.fields.get(name)
        for error in field_errors:
            problems.append(f"{field.label}: {error}" if field and field.label else str(error))
    return problems


def _submit(request, mentor, form, action, success):
    """Validate a small form of the mentor page, run its service, and say how it went.
    Whatever goes wrong comes back as a message on the mentor page; nothing is saved."""
    if not form.is_valid():
        problems = _problems(form, form.errors)
    else:
        try:
            action(mentor=mentor, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            problems = _problems(form, errors)
        else:
            mentor.refresh_from_db()
            messages.success(request, success(mentor))
            return redirect(mentor)
    for problem in problems:
        messages.error(request, problem)
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
