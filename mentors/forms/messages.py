"""Coordinators' forms for writing to mentors, and the mentors' form to unsubscribe."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mentors.messages import MESSAGE_TEMPLATES, SUBJECT_LENGTH, TEXT_LENGTH
from mentors.models import Mentor

# How many mentors one selection may name in its address (a page of the list holds 25).
SELECTION_LIMIT = 200


class MentorSelectionForm(forms.Form):
    """Mentors ticked one by one (`?mentor=1&mentor=2`): confirmed ones only."""

    mentor = forms.ModelMultipleChoiceField(
        queryset=Mentor.objects.confirmed(),
        error_messages={
            "required": _("Please tick at least one mentor."),
            "invalid_choice": _("One of the mentors ticked is not in the list any more."),
            "invalid_pk_value": _("One of the mentors ticked is not in the list any more."),
        },
    )

    def clean_mentor(self):
        mentors = self.cleaned_data["mentor"]
        if len(mentors) > SELECTION_LIMIT:
            raise forms.ValidationError(
                _("Please tick at most %(count)s mentors.") % {"count": SELECTION_LIMIT}
            )
        return mentors


class MessageForm(forms.Form):
    """One of the usual messages, or one of one's own; previewed before it is sent."""

    PREVIEW, SEND, EDIT = "preview", "send", "edit"

    template = forms.ChoiceField(
        label=_("Message"),
        choices=[(template.key, template.title) for template in MESSAGE_TEMPLATES.values()],
        widget=forms.RadioSelect,
        initial="own",
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=SUBJECT_LENGTH,
        help_text=_("Only for a message of your own."),
    )
    text = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Only for a message of your own. It is sent as you write it (greeting included), "
            "in this one language. The usual messages go to each mentor in German or English, "
            "as the mentor chose."
        ),
    )
    # How many mentors the preview said the message reaches: sending to a different number
    # (the selection changed meanwhile) shows the preview again.
    expected = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[(PREVIEW, _("Preview")), (SEND, _("Send")), (EDIT, _("Change"))],
        error_messages={"required": _("Please use one of the buttons.")},
    )


class UnsubscribeForm(forms.Form):
    """The button on the page of the unsubscribe link: nothing to fill in. A link opened by a
    mail scanner (GET) unsubscribes nobody."""
