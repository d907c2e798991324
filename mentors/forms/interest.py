"""The public interest form for prospective mentors, and its spam checks.

Plain forms rather than a ModelForm on purpose: a ModelForm would check the unique e-mail
constraint and so tell a stranger that an address is already known.
"""

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import RegexValidator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentors.models import HeardAbout, Preference
from willkommen.core.models import SupportArea
from willkommen.core.vocabularies import District, Language, LanguageLevel, TimeOfDay, Weekday

STARTED_SALT = "mentors.interest-form-started"
HONEYPOT = "website"  # a name that bots like to fill in

# Rough ranges are easier to answer than an exact number; one typical number is stored.
HOURS_PER_MONTH = [
    ("", _("Please choose")),
    (2, _("up to 2 hours")),
    (4, _("about 4 hours (1 hour a week)")),
    (8, _("about 8 hours (2 hours a week)")),
    (12, _("about 12 hours (3 hours a week)")),
    (16, _("16 hours or more")),
]

# The fields that mentor_apply stores on the Mentor itself.
APPLICATION_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "district",
    "postal_code",
    "weekdays",
    "times_of_day",
    "hours_per_month",
    "preferences",
    "preferences_note",
    "motivation",
    "heard_about",
]


def form_started_token(started_at: float | None = None) -> str:
    """The signed moment the form was shown, so a submission can be timed."""
    return signing.dumps(
        int(started_at if started_at is not None else time.time()), salt=STARTED_SALT
    )


class SupportAreaField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.label


class InterestForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Please enter your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        error_messages={"required": _("Please enter your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send you a link to confirm your address."),
        error_messages={
            "required": _("Please enter your email address."),
            "invalid": _("Please enter an email address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        help_text=_("If you would rather be called than written to."),
        validators=[
            RegexValidator(
                r"^\+?[0-9 ()/-]{5,}$",
                _("Please enter a phone number with digits only, for example 0711 123456."),
            )
        ],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    district = forms.ChoiceField(
        label=_("City district"),
        choices=[("", _("Please choose"))] + District.choices,
        help_text=_("If you live outside Stuttgart, choose “Surrounding area”."),
        error_messages={"required": _("Please choose where you live.")},
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=5,
        required=False,
        help_text=_("Needed only if you live outside Stuttgart: five digits, for example 73728."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    support_areas = SupportAreaField(
        label=_("What would you like to offer?"),
        queryset=SupportArea.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose at least one."),
        error_messages={"required": _("Please choose at least one thing you would like to offer.")},
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On which days do you usually have time?"),
        choices=Weekday.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if it varies."),
    )
    times_of_day = forms.MultipleChoiceField(
        label=_("At what times of day?"),
        choices=TimeOfDay.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if it varies."),
    )
    hours_per_month = forms.TypedChoiceField(
        label=_("Roughly how many hours a month?"),
        choices=HOURS_PER_MONTH,
        coerce=int,
        error_messages={"required": _("Please choose roughly how much time you have.")},
    )
    preferences = forms.MultipleChoiceField(
        label=_("Whom would you like to accompany?"),
        choices=Preference.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty if you are open to anyone."),
    )
    preferences_note = forms.CharField(
        label=_("Other wishes (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example a part of town or a language you would like to use."),
    )
    motivation = forms.CharField(
        label=_("Why would you like to become a mentor?"),
        max_length=2000,
        help_text=_("A few sentences are enough (at most 2000 characters)."),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please write a few words about your motivation.")},
    )
    heard_about = forms.ChoiceField(
        label=_("How did you hear about the programme? (optional)"),
        choices=[("", _("No answer"))] + HeardAbout.choices,
        required=False,
    )
    consent = forms.BooleanField(
        error_messages={"required": _("Please agree to the processing of your details.")},
    )
    # Spam checks: people never see the honeypot; `started` times the filling in.
    website = forms.CharField(
        label=_("If you are a person, leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, in the visitor's language, with a link that a lazy label cannot hold.
        privacy_link = format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a> ({})',
            reverse("privacy"),
            gettext("privacy notice"),
            gettext("opens in a new window"),
        )
        self.fields["consent"].label = format_html(
            gettext(
                "I agree that my details are used for the WillkommensPaten programme as "
                "described in the {privacy_notice}."
            ),
            privacy_notice=privacy_link,
        )
        if not self.is_bound:
            self.fields["started"].initial = form_started_token()

    def spam_reason(self) -> str | None:
        """Why this otherwise valid submission is not taken, or None when it looks like a person's:
        "honeypot", "tampered" (no timing token, or a forged one), "expired" (the page was shown
        more than MENTOR_MAX_FILL_SECONDS ago, or its token is being replayed), "too-fast" (sent
        within MENTOR_MIN_FILL_SECONDS).

        Ask only after validation: a form with mistakes always comes back with them.
        """
        if self.data.get(HONEYPOT, "").strip():
            return "honeypot"
        try:
            started_at = signing.loads(self.data.get("started", ""), salt=STARTED_SALT)
        except signing.BadSignature:
            return "tampered"
        if not isinstance(started_at, int):
            return "tampered"
        seconds = time.time() - started_at
        if seconds > settings.MENTOR_MAX_FILL_SECONDS:
            return "expired"
        if seconds < settings.MENTOR_MIN_FILL_SECONDS:
            return "too-fast"
        return None

    def renew_started(self) -> None:
        """A fresh timing token for a page that goes back to be sent again. It was filled in
        already, so the minimum fill time must not turn the second sending away."""
        self.data = self.data.copy()
        self.data["started"] = form_started_token(time.time() - settings.MENTOR_MIN_FILL_SECONDS)

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

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
        # A malformed postal code already has its own message.
        if outside and not cleaned.get("postal_code") and "postal_code" not in self.errors:
            self.add_error(
                "postal_code", _("Please enter your postal code, as you live outside Stuttgart.")
            )
        return cleaned

    def application_data(self) -> dict:
        """The cleaned values that are stored on the mentor."""
        return {name: self.cleaned_data[name] for name in APPLICATION_FIELDS}


class LanguageForm(forms.Form):
    """One row: a language and how well the person speaks it. A blank row is ignored."""

    language = forms.ChoiceField(
        choices=[("", _("Please choose"))] + Language.choices, required=False
    )
    level = forms.ChoiceField(
        choices=[("", _("Please choose"))] + LanguageLevel.choices, required=False
    )

    def __init__(self, *args, number: int, **kwargs):
        super().__init__(*args, **kwargs)
        # Each label names its row, so a screen reader (and the error summary) knows which
        # level belongs to which language; sighted people see the pairing in the row.
        self.fields["language"].label = gettext("Language %(number)s") % {"number": number}
        self.fields["level"].label = format_html(
            '{}<span class="visually-hidden"> {}</span>',
            gettext("Level"),
            gettext("(language %(number)s)") % {"number": number},
        )

    def clean(self):
        cleaned = super().clean()
        language, level = cleaned.get("language"), cleaned.get("level")
        if language and not level:
            self.add_error("level", _("Please choose how well you speak this language."))
        if level and not language:
            self.add_error("language", _("Please choose the language for this level."))
        return cleaned


class BaseLanguageFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": _("Please list at most %(num)d languages.")}

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "number": (index or 0) + 1}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            language = form.cleaned_data.get("language")
            if not language:
                continue
            if language in seen:
                form.add_error("language", _("You have chosen this language twice."))
            seen.add(language)
        if not seen:
            raise forms.ValidationError(
                _("Please tell us at least one language you speak."), code="no_language"
            )

    def chosen(self) -> list[tuple[str, str]]:
        """The filled-in rows as (language code, level)."""
        return [
            (form.cleaned_data["language"], form.cleaned_data["level"])
            for form in self.forms
            if form.cleaned_data.get("language")
        ]


LanguageFormSet = forms.formset_factory(
    LanguageForm,
    formset=BaseLanguageFormSet,
    extra=3,
    max_num=10,
    validate_max=True,
    # Django's default (max_num + 1000) let one POST with languages-TOTAL_FORMS=1000 build,
    # check and show a thousand rows: seconds of work and megabytes of answer per request.
    absolute_max=10,
)
LANGUAGES_PREFIX = "languages"


def language_formset(data=None) -> BaseLanguageFormSet:
    """The languages rows; German is filled in first, as most mentors speak it."""
    if data is not None:
        return LanguageFormSet(data, prefix=LANGUAGES_PREFIX)
    return LanguageFormSet(prefix=LANGUAGES_PREFIX, initial=[{"language": Language.GERMAN}])
