from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from willkommen.core.models import Organisation
from willkommen.core.roles import Role
from willkommen.core.two_factor import normalise_code


class LoginForm(AuthenticationForm):
    """Django's login form with our wording: addresses are not case-sensitive here."""

    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "The email address or the password is not correct. Please check both and try again."
        ),
        "inactive": _("This account has been deactivated. Please contact the coordinators."),
    }


class PasswordResetForm(forms.Form):
    """The address to send a set-your-password link to. The view hands it to
    `password_reset_request`, which decides whether anything is sent."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class SecondFactorForm(forms.Form):
    """The second step of logging in: a code of the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_(
            "The 6-digit code your authenticator app shows now. Without your phone, enter one of "
            "your recovery codes instead."
        ),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        return normalise_code(self.cleaned_data["code"])


class SecondFactorEnrolForm(forms.Form):
    """Setting up the authenticator app: the first code it shows proves it has the secret."""

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        help_text=_("The 6 digits your authenticator app shows for this account."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError(_("Please enter the 6 digits your app shows."))
        return code


class ConfirmForm(forms.Form):
    """A step that asks "are you sure?": nothing to fill in, the button is the answer."""


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email address"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("all"))] + Role.choices
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all")), ("active", _("active")), ("inactive", _("deactivated"))],
    )

    def filters(self) -> dict:
        """The valid filters; an invalid value is dropped (and shown as an error)."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


class InviteForm(forms.Form):
    """A new account: the person gets a link to set their password by email."""

    email = forms.EmailField(label=_("Email address"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Koordination: every coordinators' page and these account pages, with two-factor "
            "authentication. Welcome Center: refers people and sees only their own referrals."
        ),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(active=True),
        required=False,
        empty_label=_("Please choose"),
        help_text=_("For advisors: the Welcome Center or the partner organisation they refer for."),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if data.get("role") != Role.ADVISOR:
            data["organisation"] = None
        elif not data.get("organisation") and "organisation" not in self.errors:
            self.add_error(
                "organisation", _("Please choose the organisation the advisor refers for.")
            )
        return data


class OrganisationForm(forms.Form):
    """An organisation's name; the service checks that it is free."""

    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        help_text=_("As advisors and coordinators know it, e.g. “Caritas Stuttgart”."),
    )


class SupportAreaForm(forms.Form):
    """A support area's names and place in the lists; the service checks that the names are free."""

    name = forms.CharField(
        label=_("Name (German)"),
        max_length=100,
        help_text=_("Shown in German on every page and in the public form."),
    )
    name_en = forms.CharField(
        label=_("Name (English)"),
        max_length=100,
        help_text=_("Shown to those who use the pages in English."),
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=999,
        help_text=_("Where the area appears in lists and forms: smaller numbers come first."),
    )


def as_checkboxes(field: forms.Field) -> forms.MultipleChoiceField:
    """A model ArrayField of choices as a group of checkboxes (its default is a text input)."""
    return forms.MultipleChoiceField(
        label=field.label,
        help_text=field.help_text,
        required=False,
        choices=[choice for choice in field.base_field.choices if choice[0]],
        widget=forms.CheckboxSelectMultiple,
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at the field it names, or at the top.

    The one way every view maps a service's objection onto the form the user sent.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)
