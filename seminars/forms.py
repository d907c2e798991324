from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
        if self.dates_to_check():
            try:
                event_dates_check(
                    starts_at=cleaned.get("starts_at"), ends_at=cleaned.get("ends_at")
                )
            except ValidationError as error:
                self.add_error(None, error)
        if not cleaned.get("place") and not cleaned.get("online_link"):
            self.add_error("place", _("Please enter a place or an online link."))
        return cleaned

    def dates_to_check(self) -> bool:
        return True

    def event_data(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key != "repeat_monthly"}


class EventEditForm(EventForm):
    """An upcoming event's data, prefilled; the type and the series stay as they were."""

    repeat_monthly = None

    class Meta(EventForm.Meta):
        fields = [name for name in EventForm.Meta.fields if name != "type"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved = {name: getattr(self.instance, name) for name in ("starts_at", "ends_at")}
        self.fields["capacity"].help_text = _(
            "At least as many as are registered. More places move people up from the "
            "waiting list, who are told by e-mail."
        )

    def _kept_to_the_minute(self, name):
        # The page shows times to the minute: a time left as shown is the time saved, seconds
        # and all, so that it does not count as a change that mails everyone.
        value, saved = self.cleaned_data.get(name), self._saved[name]
        if value and saved and value == saved.replace(second=0, microsecond=0):
            return saved
        return value

    def clean_starts_at(self):
        return self._kept_to_the_minute("starts_at")

    def clean_ends_at(self):
        return self._kept_to_the_minute("ends_at")

    def dates_to_check(self) -> bool:
        # Unchanged times were checked when the event was planned (as in event_update).
        return any(self.cleaned_data.get(name) != self._saved[name] for name in self._saved)


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


class ReflectionInviteForm(forms.Form):
    """Invite mentors of the reflection-gap list to an upcoming reflection meeting: those
    ticked in the list, or everyone on it. The boxes are shown in the list's rows."""

    mentors = forms.ModelMultipleChoiceField(
        label=_("Mentors"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={
            "invalid_choice": _(
                "Someone ticked is no longer on this list. Please reload the page."
            ),
            "invalid_pk_value": _(
                "Someone ticked is no longer on this list. Please reload the page."
            ),
        },
    )
    whom = forms.ChoiceField(
        label=_("Whom to invite"),
        choices=[
            ("picked", _("only the mentors ticked in the list")),
            ("all", _("everyone on this list, on every page")),
        ],
        initial="picked",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    event = forms.ModelChoiceField(
        label=_("Reflection meeting"),
        queryset=None,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Please choose a reflection meeting."),
            "invalid_choice": _(
                "This reflection meeting no longer takes invitations. Please choose another."
            ),
        },
    )

    def __init__(self, *args, mentors, events, shown, **kwargs):
        """`mentors`: the whole list, whose members may be sent; `shown`: those of the page,
        whose boxes are drawn (never the whole list)."""
        super().__init__(*args, **kwargs)
        self.fields["mentors"].queryset = mentors
        self.fields["mentors"].widget.choices = [(mentor.pk, str(mentor)) for mentor in shown]
        self.fields["event"].queryset = events
        # drawn from one reading of the meetings (the field's own choices read them per use)
        self.fields["event"].widget.choices = [(event.pk, _event_choice(event)) for event in events]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("whom") == "picked" and not cleaned.get("mentors") and not self.errors:
            self.add_error("mentors", _("Please tick at least one mentor, or choose everyone."))
        return cleaned

    def chosen(self):
        """The mentors to invite."""
        if self.cleaned_data["whom"] == "all":
            return self.fields["mentors"].queryset
        return self.cleaned_data["mentors"]


def _event_choice(event: Event) -> str:
    return ngettext(
        "%(date)s: %(title)s (%(registered)s of %(capacity)s place taken)",
        "%(date)s: %(title)s (%(registered)s of %(capacity)s places taken)",
        event.capacity,
    ) % {
        "date": date_format(timezone.localtime(event.starts_at), "D d.m.Y, H:i"),
        "title": event.title,
        "registered": event.registered,
        "capacity": event.capacity,
    }
