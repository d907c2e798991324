"""Consents: the text of every version people agreed to, and each person's consents.

The texts are files in consent_texts/<kind>/<version>/, kept in the repository and never
changed (a test compares the current privacy notice with the archived text of the current
version). What a person agreed to, and when, is stored with the person (Mentor.consent_at and
consent_version, Referral.consent_on and consent_form_version); withdrawals are
ConsentWithdrawal rows.
"""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newcomers.services import CONSENT_FORM_VERSION
from willkommen.core.models import ConsentWithdrawal
from willkommen.overview.models import RecordKind

ARCHIVE = Path(__file__).resolve().parent / "consent_texts"


class ConsentText(models.TextChoices):
    PRIVACY_NOTICE = "privacy-notice", gettext_lazy("privacy notice (mentors' applications)")
    REFERRAL_CONSENT = "referral-consent", gettext_lazy("consent of newcomers (Welcome Center)")


def current_version(kind: str) -> str:
    if kind == ConsentText.PRIVACY_NOTICE:
        return settings.PRIVACY_NOTICE_VERSION
    return CONSENT_FORM_VERSION


def consent_versions(kind: str) -> list[str]:
    folder = ARCHIVE / kind
    return (
        sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []
    )


def consent_text_files(kind: str, version: str) -> dict[str, Path]:
    """{language: file} of one archived version; empty if there is none."""
    if kind not in ConsentText.values or version not in consent_versions(kind):
        return {}
    return {path.stem: path for path in sorted((ARCHIVE / kind / version).iterdir())}


@dataclass
class ConsentRow:
    what: str  # given or withdrawn
    at: datetime | date
    text: str  # which text, in which version
    kind: str  # ConsentText, for the link to the archived text ("" for a withdrawal)
    version: str
    how: str

    @property
    def url(self) -> str:
        """The archived text of this version, if the archive has it."""
        if not self.kind or not consent_text_files(self.kind, self.version):
            return ""
        return reverse("privacy:consent_text", args=[self.kind, self.version])


def person_consents(kind: str, person) -> list[ConsentRow]:
    """The consents of a mentor or a referral's newcomer, given and withdrawn, in time order."""
    if kind == RecordKind.MENTOR:
        text, version = ConsentText.PRIVACY_NOTICE, person.consent_version
        rows = [
            ConsentRow(
                _("consent given"),
                person.consent_at,
                text.label,
                text,
                version,
                _("in the application form on the website"),
            )
        ]
        subject = ConsentWithdrawal.Subject.MENTOR
    else:
        text, version = ConsentText.REFERRAL_CONSENT, person.consent_form_version
        how = _("to the Welcome Center advisor")
        if person.consent_form_kept:
            how += ", " + _("signed form kept at the Welcome Center")
        rows = [ConsentRow(_("consent given"), person.consent_on, text.label, text, version, how)]
        subject = ConsentWithdrawal.Subject.REFERRAL
    for withdrawal in ConsentWithdrawal.objects.filter(
        subject=subject, object_id=person.pk
    ).select_related("recorded_by"):
        how = withdrawal.get_via_display()
        if withdrawal.recorded_by:
            how += f" ({withdrawal.recorded_by})"
        rows.append(ConsentRow(_("consent withdrawn"), withdrawal.withdrawn_at, "", "", "", how))
    return rows


def consent_withdrawn(kind: str, person) -> bool:
    subject = (
        ConsentWithdrawal.Subject.MENTOR
        if kind == RecordKind.MENTOR
        else ConsentWithdrawal.Subject.REFERRAL
    )
    return ConsentWithdrawal.objects.filter(subject=subject, object_id=person.pk).exists()
