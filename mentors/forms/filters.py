from django import forms
from django.utils.translation import gettext_lazy as _

from mentors.models import MentorStatus
from mentors.queues import MENTOR_QUEUES
from willkommen.core.models import SupportArea
from willkommen.core.vocabularies import District, Language, TimeOfDay, Weekday

ANY = [("", _("all"))]


class MentorFilterForm(forms.Form):
    queue = forms.ChoiceField(
        label=_("Work queue"),
        required=False,
        choices=ANY + [(queue.name, queue.title) for queue in MENTOR_QUEUES],
    )
    q = forms.CharField(label=_("Search"), required=False, help_text=_("name, email or phone"))
    status = forms.ChoiceField(
        label=_("Status"), choices=ANY + MentorStatus.choices, required=False
    )
    district = forms.ChoiceField(
        label=_("District"), choices=ANY + District.choices, required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=ANY + Language.choices, required=False
    )
    support_area = forms.ModelChoiceField(
        label=_("Support area"),
        queryset=SupportArea.objects.all(),
        required=False,
        empty_label=_("all"),
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Available on"), choices=Weekday.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    times_of_day = forms.MultipleChoiceField(
        label=_("Time of day"), choices=TimeOfDay.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    ready = forms.BooleanField(label=_("ready for matching"), required=False)
    free_capacity = forms.BooleanField(label=_("has free capacity"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("name")),
            ("newest", _("newest application")),
            ("district", _("district")),
            ("status", _("status")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_area"].label_from_instance = lambda area: area.label

    def filters(self) -> dict:
        """The valid filters; an invalid value is dropped (and shown as an error)."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}
