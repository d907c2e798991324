"""Forms of the actions on mentors ticked in the list (willkommen/overview/messages_views.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.forms.messages import SELECTION_LIMIT
from mentors.models import Mentor
from seminars.models import Event


class MentorBulkForm(forms.Form):
    """What to do with the mentors ticked in the list."""

    CONTACTED, INVITE, MESSAGE = "contacted", "invite", "message"

    mentor = forms.ModelMultipleChoiceField(
        queryset=Mentor.objects.confirmed(),
        error_messages={
            "required": _("Please tick at least one mentor."),
            "invalid_choice": _("One of the mentors ticked is not in the list any more."),
            "invalid_pk_value": _("One of the mentors ticked is not in the list any more."),
        },
    )
    action = forms.ChoiceField(
        label=_("With the mentors ticked"),
        choices=[
            (CONTACTED, _("Mark as contacted")),
            (INVITE, _("Invite to an event")),
            (MESSAGE, _("Write a message")),
        ],
        error_messages={"required": _("Please choose what to do.")},
    )

    def clean_mentor(self):
        mentors = self.cleaned_data["mentor"]
        if len(mentors) > SELECTION_LIMIT:
            raise forms.ValidationError(
                _("Please tick at most %(count)s mentors.") % {"count": SELECTION_LIMIT}
            )
        return mentors


class BulkInviteForm(forms.Form):
    """The event the mentors ticked are invited to: one that has not begun."""

    event = forms.ModelChoiceField(
        label=_("Event"),
        queryset=Event.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Please choose an upcoming event from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.fields["event"]
        event.queryset = Event.objects.filter(
            cancelled_at=None, starts_at__gt=timezone.now()
        ).order_by("starts_at", "pk")
        event.label_from_instance = lambda item: f"{item.get_type_display()}: {item}"
