from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


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
