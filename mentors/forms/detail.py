"""Coordinators' forms on the mentor page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from mentors.models import ActivityKind, ChecklistItem, LeftReason, Mentor, MentorStatus
from willkommen.forms import as_checkboxes
from willkommen.vocabularies import District


class MentorForm(forms.ModelForm):
    capacity = forms.IntegerField(
        label=_("tandems at the same time"),
        min_value=1,
        max_value=5,
        error_messages={
            "min_value": _("At least 1."),
            "max_value": _("At most 5 tandems at the same time."),
        },
    )

    class Meta:
        model = Mentor
        fields = [
            "first_name", "last_name", "email", "phone", "district", "postal_code",
            "support_areas", "weekdays", "times_of_day", "hours_per_month", "preferences",
            "preferences_note", "motivation", "capacity", "works_with_children",
        ]  # fmt: skip
        widgets = {
            "support_areas": forms.CheckboxSelectMultiple,
            "motivation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_areas"].label_from_instance = lambda area: area.label
        for name in ("weekdays", "times_of_day", "preferences"):
            self.fields[name] = as_checkboxes(self.fields[name])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("district") == District.SURROUNDING_AREA and not cleaned.get("postal_code"):
            self.add_error("postal_code", _("Please enter the postal code outside Stuttgart."))
        return cleaned

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "support_areas"}


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=MentorStatus.choices)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000)
    left_reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—")] + LeftReason.choices, required=False
    )


class ChecklistForm(forms.Form):
    item = forms.ChoiceField(choices=ChecklistItem.choices)
    done_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Renew by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class WithdrawForm(forms.Form):
    item = forms.ChoiceField(choices=ChecklistItem.choices)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(ActivityKind.NOTE.value, ActivityKind.NOTE.label),
                 (ActivityKind.CONTACT.value, ActivityKind.CONTACT.label)],
    )  # fmt: skip
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
