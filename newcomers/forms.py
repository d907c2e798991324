import datetime
import uuid

from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.models import Mentor
from newcomers.models import (
    Attendee,
    DeclineReason,
    EndReason,
    Referral,
    ReferralStatus,
    SupportContact,
    Tandem,
    Urgency,
)
from newcomers.queues import REFERRAL_QUEUES, TANDEM_QUEUES
from newcomers.selectors import TANDEM_VIEWS, tandem_default_sort, tandem_view
from willkommen.core.forms import as_checkboxes
from willkommen.core.models import SupportArea, User
from willkommen.core.queues import queue_named
from willkommen.core.vocabularies import District, Language


class MonthField(forms.DateField):
    """A month (<input type="month">, YYYY-MM), stored as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%m.%Y", "%m/%Y"]


class AgesField(forms.CharField):
    """Children's ages as '3, 7, 12' → [3, 7, 12]."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text.strip():
            return []
        try:
            return sorted(int(part) for part in text.replace(";", ",").split(",") if part.strip())
        except ValueError as error:
            raise forms.ValidationError(
                _("Please write the ages as whole numbers separated by commas, e.g. 3, 7.")
            ) from error

    def prepare_value(self, value):
        return ", ".join(str(age) for age in value) if isinstance(value, list) else value


class ReferralForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages the newcomer speaks"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("So that we can find a mentor who speaks one of them."),
        error_messages={"required": _("Please choose at least one language.")},
    )
    arrived_on = MonthField(
        label=_("Arrival in Stuttgart (month)"),
        help_text=_("How long someone has been here tells us what help fits."),
    )
    children_ages = AgesField(
        label=_("Ages of the children (optional)"),
        required=False,
        help_text=_("e.g. 3, 7 — so that we only suggest mentors who want to work with families."),
    )
    support_areas = forms.ModelMultipleChoiceField(
        label=_("Support needed"),
        queryset=SupportArea.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one kind of support.")},
    )
    adults = forms.IntegerField(
        label=_("Adults in the household"),
        min_value=1,
        max_value=20,
        error_messages={"min_value": _("At least one adult lives in the household.")},
    )
    # A new key each time the empty form is shown: the same form sent twice (a double click,
    # a reload) creates one referral, as the service finds the key already used.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    consent = forms.BooleanField(
        label=_(
            "The newcomer agreed that their details are passed to the WillkommensPaten programme."
        ),  # fmt: skip
        error_messages={
            "required": _("Without the newcomer's consent the referral cannot be sent.")
        },
    )

    class Meta:
        model = Referral
        fields = [
            "first_name", "last_name", "phone", "email", "languages", "german_level",
            "country_of_origin", "arrived_on", "district", "postal_code", "adults",
            "children_ages", "to_accompany", "support_areas", "description", "urgency",
            "weekdays", "times_of_day", "interpreter_language", "preferences",
            "notes_for_mentor", "consent_on", "consent_form_kept",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "notes_for_mentor": forms.Textarea(attrs={"rows": 2}),
            "consent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }
        help_texts = {
            "phone": _("Optional: how the mentor can reach the newcomer later."),
            "country_of_origin": _("Optional; it can help with languages and customs."),
            "to_accompany": _("e.g. the mother and the two older children"),
            "interpreter_language": _("Only if the first meeting needs an interpreter."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_areas"].queryset = SupportArea.objects.offered(
            keep=self.instance.support_areas.all() if self.instance.pk else None
        )
        self.fields["support_areas"].label_from_instance = lambda area: area.label
        self.fields["district"].choices = [("", _("Please choose"))] + District.choices
        self.fields["german_level"].choices = [("", _("Please choose"))] + [
            choice for choice in self.fields["german_level"].choices if choice[0]
        ]
        for name in ("weekdays", "times_of_day", "preferences"):
            self.fields[name] = as_checkboxes(self.fields[name])
        if not self.is_bound and self.instance.pk is None:
            self.initial["consent_on"] = timezone.localdate()
            self.initial["submission_key"] = uuid.uuid4()
        if self.instance.pk is not None:
            self.initial["consent"] = True
            del self.fields["submission_key"]  # changes to a referral are idempotent anyway

    def clean_arrived_on(self):
        value = self.cleaned_data["arrived_on"]
        return datetime.date(value.year, value.month, 1)

    def clean_consent_on(self):
        value = self.cleaned_data["consent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The consent cannot be dated in the future."))
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("district") == District.SURROUNDING_AREA and not cleaned.get("postal_code"):
            self.add_error("postal_code", _("Please enter the postal code outside Stuttgart."))
        return cleaned

    def data_for_service(self) -> dict:
        skip = {"support_areas", "consent", "submission_key"}
        return {key: value for key, value in self.cleaned_data.items() if key not in skip}


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 3}))


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        error_messages={"required": _("Please tick the box to confirm the withdrawal.")}
    )


class TriageForm(forms.Form):
    to_status = forms.ChoiceField(choices=ReferralStatus.choices)
    question = forms.CharField(label=_("Question to the advisor"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    decline_reason = forms.ChoiceField(
        label=_("Reason for declining"), choices=[("", "—")] + DeclineReason.choices, required=False
    )


ANY = [("", _("all"))]


class QueueFilterForm(forms.Form):
    queue = forms.ChoiceField(
        label=_("Work queue"),
        required=False,
        choices=ANY + [(queue.name, queue.title) for queue in REFERRAL_QUEUES],
    )
    q = forms.CharField(label=_("Search by name"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("all open"))] + ReferralStatus.choices, required=False
    )
    district = forms.ChoiceField(
        label=_("District"), choices=ANY + District.choices, required=False
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=ANY + Language.choices, required=False
    )
    support_area = forms.ModelChoiceField(
        label=_("Support area"), queryset=SupportArea.objects.all(), required=False,
        empty_label=_("all"),
    )  # fmt: skip
    advisor = forms.ModelChoiceField(
        label=_("Advisor"),
        queryset=User.objects.filter(Exists(Referral.objects.filter(advisor=OuterRef("pk")))),
        required=False, empty_label=_("all"),
    )  # fmt: skip
    urgency = forms.ChoiceField(label=_("Urgency"), choices=ANY + Urgency.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["support_area"].label_from_instance = lambda area: area.label

    def filters(self) -> dict:
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


# --- Tandems ---------------------------------------------------------------------------------


class ProposeForm(forms.Form):
    mentor = forms.ModelChoiceField(
        queryset=Mentor.objects.confirmed(),
        error_messages={"required": _("Please choose a mentor."),
                        "invalid_choice": _("Please choose a mentor.")},
    )  # fmt: skip


class MentorAnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[("yes", _("Yes, I would like to")), ("no", _("No, not this time"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class FirstMeetingForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    attendees = forms.MultipleChoiceField(
        label=_("Also there"), choices=Attendee.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Tandem
        fields = ["agreement_areas", "agreement_contents", "expected_duration", "meeting_places",
                  "frequency"]  # fmt: skip
        widgets = {
            "agreement_areas": forms.CheckboxSelectMultiple,
            "agreement_contents": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreement_areas"].queryset = SupportArea.objects.offered(
            keep=self.instance.agreement_areas.all() if self.instance.pk else None
        )
        self.fields["agreement_areas"].label_from_instance = lambda area: area.label
        self.fields["agreement_contents"].required = True


class ContactForm(forms.ModelForm):
    class Meta:
        model = SupportContact
        fields = [
            "contacted_on",
            "with_whom",
            "channel",
            "rating",
            "early_check",
            "concern",
            "notes",
        ]
        widgets = {
            "contacted_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "rating": forms.RadioSelect(choices=[(n, str(n)) for n in range(1, 6)]),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class EndForm(forms.Form):
    ended_on = forms.DateField(
        label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", "—")] + EndReason.choices)
    closing_conversation = forms.BooleanField(label=_("closing conversation held"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MentorSearchForm(forms.Form):
    """Find any mentor by name, to propose someone beyond the suggestions (GET)."""

    q = forms.CharField(
        label=_("Name, e-mail address or phone number"),
        min_length=2,
        max_length=100,
        error_messages={
            "required": _("Please enter at least two letters of a name."),
            "min_length": _("Please enter at least two letters of a name."),
        },
    )


class TandemFilterForm(forms.Form):
    """The tandem list's search, filters and order (GET). Without a chosen view (`ansicht`) the
    list shows the active tandems, or all of them for a search (newcomers.selectors)."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=100,
        help_text=_("name, e-mail address or phone of the mentor or of the household"),
    )  # fmt: skip
    ansicht = forms.ChoiceField(
        label=_("Show"), required=False, choices=ANY + list(TANDEM_VIEWS.items())
    )
    queue = forms.ChoiceField(
        label=_("Work queue"),
        required=False,
        choices=ANY + [(queue.name, queue.title) for queue in TANDEM_QUEUES],
    )
    district = forms.ChoiceField(
        label=_("District of the household"), choices=ANY + District.choices, required=False
    )
    overdue = forms.BooleanField(label=_("only with an overdue support contact"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("newest proposal")),
            ("started", _("start, the latest first")),
            ("due", _("next support contact due")),
            ("mentor", _("name of the mentor")),
        ],
    )

    def __init__(self, data=None, *args, **kwargs):
        # The order shown is the order listed: a work queue keeps its own unless another is
        # chosen; a view without a chosen sort has its default.
        in_queue = data is not None and queue_named(TANDEM_QUEUES, data.get("queue") or "")
        if data is not None and not in_queue and not data.get("sort"):
            data = data.copy()
            data["sort"] = tandem_default_sort(tandem_view(data))
        super().__init__(data, *args, **kwargs)
        if in_queue:
            self.fields["sort"].choices = [("", _("the work queue's order"))] + list(
                self.fields["sort"].choices
            )

    def filters(self) -> dict:
        """The valid filters; an invalid value is dropped (and shown as an error)."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


class StepConfirmForm(forms.Form):
    """The second, confirming send of a tandem step with grave consequences (ending a tandem,
    recording a mentor's refusal)."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def is_confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["confirmed"]


class HandOverForm(forms.Form):
    """Who takes referrals on: an advisor with an active account, not the one who has them."""

    to_advisor = forms.ModelChoiceField(
        label=_("Hand on to"),
        queryset=User.objects.none(),
        empty_label=_("Please choose"),
        help_text=_("An advisor of the Welcome Center or of a partner organisation."),
        error_messages={
            "required": _("Please choose who takes on the referrals."),
            "invalid_choice": _("Please choose an advisor from the list."),
        },
    )

    def __init__(self, *args, current_advisor, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_advisor"]
        field.queryset = (
            User.objects.active_advisors()
            .exclude(pk=current_advisor.pk)
            .select_related("organisation")
            .order_by("organisation__name", "last_name", "first_name", "pk")
        )
        field.label_from_instance = lambda advisor: (
            f"{advisor} – {advisor.organisation}" if advisor.organisation_id else str(advisor)
        )


# --- Corrections, notes and follow-ups ---------------------------------------------------------


class ReferralCorrectForm(ReferralForm):
    """The referral form for the coordinators' corrections: the consent was given to the
    Welcome Center and is not asked again."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["consent"]


class NoteForm(forms.Form):
    prefix = "note"
    text = forms.CharField(
        label=_("Note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(forms.Form):
    prefix = "follow_up"
    due_on = forms.DateField(
        label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    text = forms.CharField(
        label=_("What is to be done"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpDoneForm(forms.Form):
    """Marking a follow-up done; `back` says which page to return to."""

    back = forms.ChoiceField(choices=[("", "record"), ("list", "list")], required=False)
