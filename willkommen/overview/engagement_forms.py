"""The forms of mentors' engagement: the mentors' answers by link, the coordinators' choices."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from willkommen.core.dates import PROGRAMME_START
from willkommen.core.models import SupportArea
from willkommen.overview.models import HOURS_PER_MONTH_MAX
from willkommen.overview.reports import Period


class HoursField(forms.DecimalField):
    """Hours as people type them on a phone: "2,5" or "2.5", never a thousands separator."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


class HoursForm(forms.Form):
    hours = HoursField(
        label=_("Hours"),
        min_value=0,
        max_value=HOURS_PER_MONTH_MAX,
        max_digits=4,
        decimal_places=1,
        help_text=_("Roughly is fine, e.g. 6 or 7,5."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 5}),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("For what?"),
        queryset=SupportArea.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Anything else you would like to tell us? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, report, **kwargs):
        if report.answered_at is not None:
            kwargs.setdefault(
                "initial",
                {"hours": report.hours, "areas": list(report.areas.all()), "note": report.note},
            )
        super().__init__(*args, **kwargs)
        # Shown as people write it ("7,5" in German); read in either form by HoursField.
        self.fields["hours"].widget.is_localized = True
        self.fields["areas"].queryset = SupportArea.objects.offered(keep=report.areas.all())


RATINGS = [
    (1, _("1 – badly")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – very well")),
]


class CheckInForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How is it going?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Is there anything the coordination should know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    call_me = forms.BooleanField(label=_("Please call me."), required=False)


class CertificatePeriodForm(forms.Form):
    """The period of a certificate of volunteering; the last twelve months by default."""

    start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        today = timezone.localdate()
        if start and start < PROGRAMME_START:
            self.add_error("start", _("The programme began in February 2015."))
        if end and end > today:
            self.add_error("end", _("The date cannot be in the future."))
        if start and end and end < start:
            self.add_error("end", _("The end must not be before the start."))
        return cleaned

    def period(self, default: Period) -> Period:
        if self.is_bound and self.is_valid():
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return default

    @classmethod
    def for_period(cls, data, default: Period) -> "CertificatePeriodForm":
        """Bound to the query string if it names a period, else showing the default."""
        if data.get("start") or data.get("end"):
            return cls(data)
        return cls(initial={"start": default.start, "end": default.end})


class ReachedFilterForm(forms.Form):
    reached = forms.BooleanField(label=_("only mentors who reach the threshold"), required=False)

    def only_reached(self) -> bool:
        return self.is_valid() and self.cleaned_data["reached"]


class EmptyForm(forms.Form):
    """A button that takes no data (the token or number is in the URL)."""
