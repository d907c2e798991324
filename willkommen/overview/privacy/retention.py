"""Retention: what has been kept long enough, and anonymising or deleting it.

`manage.py apply_retention` runs every rule once a day (`--dry-run` only lists what is due).
The periods are settings (RETENTION_*, see willkommen/settings.py and docs/datenschutz.md).
People's records are anonymised, not deleted: names, contact data and free texts go, what
the reports count stays, so that every report shows the same figures before and after.
"""

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.models import ActivityKind, Mentor, MentorActivity, MentorStage, MentorStatus
from mentors.services import mentor_history_remove, mentors_purge_unconfirmed
from newcomers.models import (
    OPEN_TANDEM_STATUSES,
    Referral,
    ReferralActivity,
    ReferralStatus,
    Tandem,
    TandemStatus,
)
from newcomers.services import referral_history_remove, tandem_history_remove
from willkommen.core.models import QueuedMail
from willkommen.overview.models import AccessLogEntry, ErasureReason, ErasureRecord, RecordKind
from willkommen.overview.privacy.erasure import person_anonymise, tandem_retention_anonymise

logger = logging.getLogger(__name__)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if the
    month is shorter)."""
    year, month = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + year, month + 1
    return moment.replace(year=year, month=month, day=min(moment.day, _last_day(year, month)))


def _last_day(year, month):
    return calendar.monthrange(year, month)[1]


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    setting: str  # the period's setting; "" for what has expired by itself
    unit: str  # "days" or "months"
    due: Callable  # (cutoff: datetime) -> QuerySet of what is due
    act: Callable  # (QuerySet of what is due, now) -> how many were done
    records: bool  # whether what is due are people's records, listed by number

    def period(self) -> int | None:
        return getattr(settings, self.setting) if self.setting else None

    def cutoff(self, now: datetime) -> datetime:
        if not self.setting:
            return now
        if self.unit == "months":
            return months_before(now, self.period())
        return now - timedelta(days=self.period())


def _not_anonymised(queryset, kind):
    return queryset.exclude(pk__in=ErasureRecord.objects.filter(kind=kind).values("object_id"))


def _left_mentors(cutoff, *, with_tandem: bool):
    left_at = models.Subquery(
        MentorActivity.objects.filter(
            mentor=models.OuterRef("pk"), kind=ActivityKind.STATUS, to_status=MentorStatus.LEFT
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    started = models.Exists(
        Tandem.objects.filter(mentor=models.OuterRef("pk"), started_on__isnull=False)
    )
    still_open = models.Exists(
        Tandem.objects.filter(mentor=models.OuterRef("pk"), status__in=OPEN_TANDEM_STATUSES)
    )
    mentors = (
        Mentor.objects.filter(stage=MentorStage.LEFT)
        .annotate(left_at=Coalesce(left_at, "updated_at"), started=started, still_open=still_open)
        .filter(left_at__lt=cutoff, started=with_tandem, still_open=False)
    )
    return _not_anonymised(mentors, RecordKind.MENTOR)


def _closed_referrals(cutoff):
    decided_at = models.Subquery(
        ReferralActivity.objects.filter(
            referral=models.OuterRef("pk"),
            kind=ReferralActivity.Kind.STATUS,
            to_status=models.OuterRef("status"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    referrals = (
        Referral.objects.filter(status__in=[ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN])
        .annotate(decided_at=Coalesce(decided_at, "updated_at"))
        .filter(decided_at__lt=cutoff)
    )
    return _not_anonymised(referrals, RecordKind.REFERRAL)


def _ended_referrals(cutoff):
    last_end = models.Subquery(
        Tandem.objects.filter(referral=models.OuterRef("pk"), ended_on__isnull=False)
        .order_by("-ended_on")
        .values("ended_on")[:1]
    )
    referrals = (
        Referral.objects.filter(status=ReferralStatus.ENDED)
        .annotate(ended=Coalesce(last_end, TruncDate("updated_at")))
        .filter(ended__lt=timezone.localdate(cutoff))
        .exclude(tandems__status__in=OPEN_TANDEM_STATUSES)
    )
    return _not_anonymised(referrals, RecordKind.REFERRAL)


def _closed_tandems(cutoff):
    tandems = Tandem.objects.filter(
        models.Q(status=TandemStatus.ENDED, ended_on__lt=timezone.localdate(cutoff))
        | models.Q(status=TandemStatus.DECLINED)
        & models.Q(
            models.Q(answered_at__lt=cutoff) | models.Q(answered_at=None, proposed_at__lt=cutoff)
        )
    )
    return _not_anonymised(tandems, RecordKind.TANDEM)


def _anonymise_each(kind):
    def act(queryset, now):
        done = 0
        for person in queryset.order_by("pk"):
            try:
                person_anonymise(kind=kind, person=person, reason=ErasureReason.RETENTION)
            except ValidationError as error:  # changed since it was found due: next time
                logger.warning("Retention: %s %s not anonymised: %s", kind, person.pk, error)
            else:
                done += 1
        return done

    return act


def _anonymise_tandems(queryset, now):
    for tandem in queryset.order_by("pk"):
        tandem_retention_anonymise(tandem=tandem)
    return len(queryset)


def _purge_unconfirmed(queryset, now):
    return mentors_purge_unconfirmed(now=now)


def _delete(queryset, now):
    deleted, _details = queryset.delete()
    return deleted


def _unconfirmed(cutoff):
    return Mentor.objects.filter(email_confirmed_at=None, created_at__lt=cutoff)


def _old_mails(cutoff):
    given_up = models.Q(sent_at=None, attempts__gte=QueuedMail.MAX_ATTEMPTS)
    return QueuedMail.objects.filter(models.Q(sent_at__isnull=False) | given_up).filter(
        created_at__lt=cutoff
    )


def _history_due(cutoff):
    return ErasureRecord.objects.filter(anonymised_at__lt=cutoff, history_removed_at=None)


HISTORY_REMOVERS = {
    RecordKind.MENTOR: lambda pk: mentor_history_remove(mentor_id=pk),
    RecordKind.REFERRAL: lambda pk: referral_history_remove(referral_id=pk),
    RecordKind.TANDEM: lambda pk: tandem_history_remove(tandem_id=pk),
}


def _remove_history(queryset, now):
    done = 0
    for record in queryset:
        with transaction.atomic():
            HISTORY_REMOVERS[record.kind](record.object_id)
            ErasureRecord.objects.filter(pk=record.pk).update(history_removed_at=now)
        done += 1
    return done


def _login_logs(cutoff):
    return [
        model.objects.filter(attempt_time__lt=cutoff)
        for model in (AccessLog, AccessFailureLog, AccessAttempt)
    ]


class _Several:
    """Several querysets that one rule deletes together (the sign-in logs)."""

    def __init__(self, querysets):
        self.querysets = querysets

    def count(self):
        return sum(queryset.count() for queryset in self.querysets)

    def delete(self):
        return sum(queryset.delete()[0] for queryset in self.querysets), {}


RULES = [
    Rule(
        "unconfirmed",
        _("Unconfirmed applications (deleted)"),
        "MENTOR_CONFIRMATION_DAYS",
        "days",
        _unconfirmed,
        _purge_unconfirmed,
        records=False,
    ),
    Rule(
        "applicants",
        _("Applicants who left without a tandem"),
        "RETENTION_APPLICANT_MONTHS",
        "months",
        lambda cutoff: _left_mentors(cutoff, with_tandem=False),
        _anonymise_each(RecordKind.MENTOR),
        records=True,
    ),
    Rule(
        "mentors",
        _("Mentors who left"),
        "RETENTION_MENTOR_MONTHS",
        "months",
        lambda cutoff: _left_mentors(cutoff, with_tandem=True),
        _anonymise_each(RecordKind.MENTOR),
        records=True,
    ),
    Rule(
        "referrals-closed",
        _("Declined or withdrawn referrals"),
        "RETENTION_REFERRAL_CLOSED_MONTHS",
        "months",
        _closed_referrals,
        _anonymise_each(RecordKind.REFERRAL),
        records=True,
    ),
    Rule(
        "referrals-ended",
        _("Referrals whose accompaniment ended"),
        "RETENTION_TANDEM_MONTHS",
        "months",
        _ended_referrals,
        _anonymise_each(RecordKind.REFERRAL),
        records=True,
    ),
    Rule(
        "tandems",
        _("Ended tandems and declined proposals, with their support contacts"),
        "RETENTION_TANDEM_MONTHS",
        "months",
        _closed_tandems,
        _anonymise_tandems,
        records=True,
    ),
    Rule(
        "mails",
        _("Sent or given-up emails (deleted)"),
        "RETENTION_MAIL_DAYS",
        "days",
        _old_mails,
        _delete,
        records=False,
    ),
    Rule(
        "history",
        _("Change history of anonymised records (deleted)"),
        "RETENTION_HISTORY_MONTHS",
        "months",
        _history_due,
        _remove_history,
        records=False,
    ),
    Rule(
        "access-log",
        _("Access log (deleted)"),
        "RETENTION_ACCESS_LOG_MONTHS",
        "months",
        lambda cutoff: AccessLogEntry.objects.filter(at__lt=cutoff),
        _delete,
        records=False,
    ),
    Rule(
        "login-log",
        _("Sign-in logs (deleted)"),
        "RETENTION_LOGIN_LOG_DAYS",
        "days",
        lambda cutoff: _Several(_login_logs(cutoff)),
        _delete,
        records=False,
    ),
    Rule(
        "sessions",
        _("Expired sessions (deleted)"),
        "",
        "days",
        lambda cutoff: Session.objects.filter(expire_date__lt=cutoff),
        _delete,
        records=False,
    ),
]


@dataclass
class Due:
    rule: Rule
    cutoff: datetime
    count: int
    numbers: list[int]  # the records' numbers, for rules about people's records


def retention_due(*, now: datetime | None = None) -> list[Due]:
    """What each rule would anonymise or delete now."""
    now = now or timezone.now()
    result = []
    for rule in RULES:
        cutoff = rule.cutoff(now)
        due = rule.due(cutoff)
        numbers = sorted(due.values_list("pk", flat=True)) if rule.records else []
        result.append(Due(rule, cutoff, len(numbers) if rule.records else due.count(), numbers))
    return result


def retention_apply(*, now: datetime | None = None) -> list[tuple[Rule, int]]:
    """Anonymise or delete everything that is due; returns how many, rule by rule. Each
    person's record is anonymised in its own transaction: one that changed meanwhile (a new
    tandem, say) is left for the next run and logged."""
    now = now or timezone.now()
    done = []
    for rule in RULES:
        done.append((rule, rule.act(rule.due(rule.cutoff(now)), now)))
    return done
