"""Coordinators' forms on the mentor page: the data, the languages, and the page's small forms."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentors.forms.interest import BaseLanguageFormSet, LanguageForm
from mentors.models import ActivityKind, ChecklistItem, LeftReason, Mentor, MentorStatus
from willkommen.core.forms import as_checkboxes
from willkommen.core.models import SupportArea
from willkommen.core.vocabularies import District

# The model's labels speak to the applicant ("whom you would like to accompany"); the
# coordinators read about the mentor. The history of changes uses the same words.
COORDINATOR_LABELS = {
    "district": _("Lives in"),
    "support_areas": _("Offers"),
    "preferences": _("Would like to accompany"),
    "motivation": _("Motivation"),
    "heard_about": _("Heard of us through"),
    "places_taken": _("Places taken"),
    "tandems_active": _("Active tandems"),
    "stage": _("Stage"),
    "language": _("Language of the emails"),
}


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
            "first_name", "last_name", "email", "phone", "language", "district", "postal_code",
            "support_areas", "weekdays", "times_of_day", "hours_per_month", "preferences",
            "preferences_note", "motivation", "capacity",
        ]  # fmt: skip
        labels = COORDINATOR_LABELS  # those of fields not in the form are ignored
        widgets = {
            "support_areas": forms.CheckboxSelectMultiple,
            "motivation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_areas"].queryset = SupportArea.objects.offered(
            keep=self.instance.support_areas.all() if self.instance.pk else None
        )
        self.fields["support_areas"].label_from_instance = lambda area: area.label
        for name in ("weekdays", "times_of_day", "preferences"):
            self.fields[name] = as_checkboxes(self.fields[name])
        self.fields["preferences"].help_text = _(
            "Families with children: then the extended police certificate must have been seen."
        )
        self.fields["language"].help_text = _(
            "Every email to the mentor is in this language, whoever sends it."
        )

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        taken = Mentor.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("Another mentor already has this email address."), code="taken"
            )
        return email

    def clean_postal_code(self):
        postal_code = self.cleaned_data["postal_code"].strip()
        if postal_code and not (
            len(postal_code) == 5 and postal_code.isascii() and postal_code.isdigit()
        ):
            raise forms.ValidationError(_("A postal code has five digits, for example 73728."))
        return postal_code

    def clean(self):
        cleaned = super().clean()
        outside = cleaned.get("district") == District.SURROUNDING_AREA
        if outside and not cleaned.get("postal_code") and "postal_code" not in self.errors:
            self.add_error("postal_code", _("Please enter the postal code outside Stuttgart."))
        return cleaned

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "support_areas"}


class BaseMentorLanguageFormSet(BaseLanguageFormSet):
    """The mentor's languages, one row each; a row is removed by ticking its box (or by
    emptying it). At least one language stays."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            # Names its row, so that a screen reader knows which language goes.
            form.fields["DELETE"].label = format_html(
                '{}<span class="visually-hidden"> {}</span>',
                gettext("Remove"),
                gettext("(language %(number)s)") % {"number": (index or 0) + 1},
            )

    def _kept(self):
        return [form for form in self.forms if not self._should_delete_form(form)]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self._kept():
            language = form.cleaned_data.get("language")
            if not language:
                continue
            if language in seen:
                form.add_error("language", _("This language is listed twice."))
            seen.add(language)
        if not seen:
            raise forms.ValidationError(_("Please keep at least one language."), code="no_language")

    def chosen(self) -> list[tuple[str, str]]:
        """The kept, filled-in rows as (language code, level)."""
        return [
            (form.cleaned_data["language"], form.cleaned_data["level"])
            for form in self._kept()
            if form.cleaned_data.get("language")
        ]


MentorLanguageFormSet = forms.formset_factory(
    LanguageForm,
    formset=BaseMentorLanguageFormSet,
    extra=2,
    max_num=10,
    absolute_max=10,  # more rows than this are refused, not built (a crafted form sends 1000)
    validate_max=True,
    can_delete=True,
    can_delete_extra=False,
)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Next step"), choices=MentorStatus.choices)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000)
    left_reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—")] + LeftReason.choices, required=False
    )


class ChecklistForm(forms.Form):
    item = forms.ChoiceField(label=_("Step"), choices=ChecklistItem.choices)
    done_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Renew by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class WithdrawForm(forms.Form):
    item = forms.ChoiceField(label=_("Step"), choices=ChecklistItem.choices)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(ActivityKind.NOTE.value, ActivityKind.NOTE.label),
                 (ActivityKind.CONTACT.value, ActivityKind.CONTACT.label)],
    )  # fmt: skip
    text = forms.CharField(
        label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
