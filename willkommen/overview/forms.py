"""The report's period form."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from willkommen.overview.reports import Period


class PeriodForm(forms.Form):
    """A report's period: a year, a quarter of it, or any dates."""

    year = forms.IntegerField(label=_("Year"), min_value=2015, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), required=False, coerce=int, empty_value=None,
        choices=[("", _("whole year")), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
    )  # fmt: skip
    start = forms.DateField(
        label=_("or from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if bool(start) != bool(end):
            raise forms.ValidationError(_("Please give both dates, or a year."))
        if start and end and end < start:
            self.add_error("end", _("The end must not be before the start."))
        return cleaned

    def period(self):
        """The chosen period; the current year when nothing (valid) was chosen."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        year = data.get("year") or today.year
        quarter = data.get("quarter")
        if quarter:
            first_month = 3 * (quarter - 1) + 1
            start = datetime.date(year, first_month, 1)
            end = (datetime.date(year + (first_month + 3 > 12), (first_month + 2) % 12 + 1, 1)
                   - datetime.timedelta(days=1))  # fmt: skip
            return Period(start, end)
        return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
