from django import forms
from django.utils.translation import gettext_lazy as _

from willkommen.overview.models import AccessAction, ErasureReason, RecordKind


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email address or number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )


class ErasureForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are the data erased?"),
        choices=[("", _("Please choose"))]
        + [choice for choice in ErasureReason.choices if choice[0] != ErasureReason.RETENTION],
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked who made the request. I understand that the names, contact data and "
            "free texts of this person are overwritten now and cannot be restored."
        ),
        error_messages={"required": _("Please confirm that the data may be erased now.")},
    )


class WithdrawalForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("The person has withdrawn their consent."),
        error_messages={"required": _("Please confirm the withdrawal.")},
    )


class AccessLogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of record"), choices=[("", _("all"))] + RecordKind.choices, required=False
    )
    number = forms.IntegerField(label=_("Number of the record"), min_value=1, required=False)
    action = forms.ChoiceField(
        label=_("What"), choices=[("", _("all"))] + AccessAction.choices, required=False
    )
