"""Anonymising one person's data: on request (Art. 17 GDPR) or when their retention is over.

The values written come from the registry; the app services change the apps' rows; what stays
is an ErasureRecord (when, who, which kind of record, why — never what it held).
"""

import pghistory
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentors.models import Mentor
from mentors.services import mentor_anonymise
from newcomers.models import OPEN_TANDEM_STATUSES, FollowUp, Referral, Tandem
from newcomers.services import mentor_follow_ups_anonymise, referral_anonymise, tandem_anonymise
from willkommen.overview.engagement import engagement_anonymise
from willkommen.overview.models import ErasureReason, ErasureRecord, RecordKind
from willkommen.overview.privacy.registry import (
    Subject,
    anonymisation,
    anonymised_values,
    entry_for,
)

PERSON_MODELS = {RecordKind.MENTOR: Mentor, RecordKind.REFERRAL: Referral}
SUBJECTS = {RecordKind.MENTOR: Subject.MENTOR, RecordKind.REFERRAL: Subject.NEWCOMER}


def erasure_record(kind: str, object_id: int) -> ErasureRecord | None:
    return ErasureRecord.objects.filter(kind=kind, object_id=object_id).first()


def open_tandems(kind: str, person) -> list[Tandem]:
    field = "mentor" if kind == RecordKind.MENTOR else "referral"
    return list(Tandem.objects.filter(**{field: person}, status__in=OPEN_TANDEM_STATUSES))


def erasure_refusal(kind: str, person) -> str | None:
    """Why this person's data cannot be anonymised now, or None."""
    record = erasure_record(kind, person.pk)
    if record is not None:
        return _("The data of this person were anonymised on %(date)s.") % {
            "date": formats.date_format(timezone.localtime(record.anonymised_at), "DATE_FORMAT")
        }
    tandems = open_tandems(kind, person)
    if tandems:
        return _(
            "This person is in an open proposal or tandem (%(tandems)s). Its data are needed "
            "while it lasts: please end it first, then erase the data."
        ) % {"tandems": ", ".join(tandem.get_status_display() for tandem in tandems)}
    return None


def _admin_log_anonymise(model, object_ids) -> None:
    """The Django admin's log names the records IT changed: replace those names too."""
    values = anonymised_values(entry_for(LogEntry))
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in object_ids],
    ).update(**values)


@transaction.atomic
def person_anonymise(*, kind: str, person, reason: str, by=None) -> ErasureRecord:
    """Anonymise a mentor or a referral's newcomer now, with everything about them that the
    registry names; record that it happened. ValidationError (with the reason to show) when it
    cannot be done now: already anonymised, or in an open proposal or tandem."""
    refusal = erasure_refusal(kind, person)
    if refusal:
        raise ValidationError(refusal)
    values = anonymisation(SUBJECTS[kind])
    with pghistory.context(privacy="anonymised", reason=reason):
        if kind == RecordKind.MENTOR:
            mentor_anonymise(mentor=person, values=values, by=by)
            # Follow-ups about the mentor live in newcomers, which the mentors app cannot see.
            mentor_follow_ups_anonymise(
                mentor_id=person.pk, values=anonymised_values(entry_for(FollowUp))
            )
            engagement_anonymise(mentor_id=person.pk)
            tandem_ids = []
        else:
            tandem_ids = referral_anonymise(referral=person, values=values, by=by)
            engagement_anonymise(tandem_ids=tandem_ids)
    _admin_log_anonymise(PERSON_MODELS[kind], [person.pk])
    _admin_log_anonymise(Tandem, tandem_ids)
    already = set(
        ErasureRecord.objects.filter(kind=RecordKind.TANDEM, object_id__in=tandem_ids).values_list(
            "object_id", flat=True
        )
    )
    ErasureRecord.objects.bulk_create(
        ErasureRecord(kind=RecordKind.TANDEM, object_id=pk, reason=reason, by=by)
        for pk in tandem_ids
        if pk not in already
    )
    return ErasureRecord.objects.create(kind=kind, object_id=person.pk, reason=reason, by=by)


@transaction.atomic
def tandem_retention_anonymise(*, tandem: Tandem) -> ErasureRecord:
    """Empty the free texts of a tandem that ended long enough ago (the retention run)."""
    with pghistory.context(privacy="anonymised", reason=ErasureReason.RETENTION):
        tandem_anonymise(tandem=tandem, values=anonymisation(Subject.NEWCOMER))
        engagement_anonymise(tandem_ids=[tandem.pk])
    _admin_log_anonymise(Tandem, [tandem.pk])
    return ErasureRecord.objects.create(
        kind=RecordKind.TANDEM, object_id=tandem.pk, reason=ErasureReason.RETENTION
    )
