from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from mentors.models import Mentor, MentorStage
from seminars.models import Event, EventType, InvitationStatus
from seminars.selectors import mentors_to_invite
from seminars.services import event_dates_check

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    online_link = forms.URLField(label=_("online link"), required=False, assume_scheme="https")
    capacity = forms.IntegerField(
        label=_("places"),
        min_value=1,
        max_value=500,
        error_messages={"min_value": _("An event needs at least one place.")},
    )
    repeat_monthly = forms.IntegerField(
        label=_("Repeat monthly (number of further dates)"),
        min_value=0,
        max_value=12,
        initial=0,
        help_text=_(
            "e.g. 5 for a reflection meeting on the same weekday of the same week for "
            "five more months; each date stays editable on its own."
        ),  # fmt: skip
    )

    class Meta:
        model = Event
        fields = ["title", "type", "starts_at", "ends_at", "place", "online_link", "capacity",
                  "facilitator", "audience", "description"]  # fmt: skip
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME,
                   "description": forms.Textarea(attrs={"rows": 3})}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"]

    def clean(self):
        cleaned = super().clean()
        try:
            event_dates_check(starts_at=cleaned.get("starts_at"), ends_at=cleaned.get("ends_at"))
        except ValidationError as error:
            self.add_error(None, error)
        if not cleaned.get("place") and not cleaned.get("online_link"):
            self.add_error("place", _("Please enter a place or an online link."))
        return cleaned

    def event_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "repeat_monthly"}


class InviteForm(forms.Form):
    """Whom to invite: a group, or mentors picked one by one. The page lists as choices only the
    few mentors a search found (`search`), never all of them; any mentor may be sent."""

    group = forms.ChoiceField(
        label=_("Whom to invite"),
        choices=[
            ("untrained", _("mentors in screening without an introductory seminar")),
            ("active", _("all active mentors (ready or with a tandem)")),
            ("with-tandem", _("mentors with an active tandem")),
            ("picked", _("only the mentors chosen below")),
        ],
    )
    picked = forms.ModelMultipleChoiceField(
        label=_("Chosen mentors"),
        queryset=Mentor.objects.confirmed().exclude(stage=MentorStage.LEFT),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=[("de", _("German")), ("en", _("English"))]
    )

    def __init__(self, *args, event: Event, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        picked = self.fields["picked"]
        found = mentors_to_invite(event=event, search=search) if search else []
        chosen = picked.queryset.filter(pk__in=self._chosen_ids()) if self.is_bound else []
        shown = {mentor.pk: mentor for mentor in [*chosen, *found]}  # what was ticked stays
        picked.widget.choices = [(pk, f"{mentor} ({mentor.email})") for pk, mentor in shown.items()]
        if not search:
            picked.help_text = _("Search above to choose mentors one by one.")
            return
        self.initial.setdefault("group", "picked")
        if not found:
            # help texts are shown as HTML: the search is the visitor's own text
            picked.help_text = _("No mentor who is not yet invited matches “%(search)s”.") % {
                "search": escape(search)
            }

    def _chosen_ids(self) -> list[str]:
        values = self.data.getlist(self.add_prefix("picked"))
        return [value for value in values if value.isdigit()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("group") == "picked" and not cleaned.get("picked"):
            self.add_error("picked", _("Please choose at least one mentor."))
        return cleaned


class EventFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"), required=False,
        choices=[("upcoming", _("upcoming")), ("past", _("past"))],
    )  # fmt: skip
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("all"))] + EventType.choices
    )


# --- The event page and the mentor's answer page: one small form per action -------------------


class InvitationAnswerForm(forms.Form):
    """A mentor's answer, by their own link or recorded by a coordinator."""

    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("comes")), ("no", _("does not come"))],
        coerce=lambda value: value == "yes",
        error_messages={
            "required": _("Please choose an answer."),
            "invalid_choice": _("Please choose an answer."),
        },
    )


class AnswerRecordForm(InvitationAnswerForm):
    """A coordinator records the answer a mentor gave by phone or in person."""

    invitation = forms.ModelChoiceField(
        label=_("Mentor"),
        queryset=None,
        error_messages={
            "required": _("This invitation is not part of this event. Please reload the page."),
            "invalid_choice": _(
                "This invitation is not part of this event. Please reload the page."
            ),
        },
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invitation"].queryset = event.invitations.select_related("mentor")


class AttendanceForm(forms.Form):
    """Who of those registered came; the boxes are shown in the rows of the participants."""

    attended = forms.ModelMultipleChoiceField(
        label=_("Attended"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "invalid_choice": _("Only registered mentors can be ticked. Please reload the page."),
            "invalid_pk_value": _("Only registered mentors can be ticked. Please reload the page."),
        },
    )

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        registered = event.invitations.filter(status=InvitationStatus.REGISTERED)
        self.fields["attended"].queryset = registered
        self.fields["attended"].initial = registered.filter(attended=True)


class CancelForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, cancel it and tell everyone registered or waiting"),
        error_messages={"required": _("Please tick the box to confirm the cancellation.")},
    )


class CalendarFeedForm(forms.Form):
    action = forms.ChoiceField(
        label=_("My calendar feed"),
        choices=[("renew", "renew"), ("revoke", "revoke")],
        error_messages={"required": _("Unknown action."), "invalid_choice": _("Unknown action.")},
    )
