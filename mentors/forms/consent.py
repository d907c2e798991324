from django import forms
from django.utils.translation import gettext_lazy as _


class ConsentWithdrawForm(forms.Form):
    """A mentor withdraws their consent by the link in a mail."""

    confirm = forms.BooleanField(
        label=_("I withdraw my consent and no longer wish to take part in the programme."),
        error_messages={"required": _("Please tick the box to withdraw your consent.")},
    )
