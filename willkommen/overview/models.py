"""What data protection itself must remember: which records were anonymised, and who opened or
exported whose data. Neither table holds anything about a person but the number of a record.
See willkommen/overview/privacy/ and docs/datenschutz.md."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RecordKind(models.TextChoices):
    """The kinds of record whose personal data can be anonymised or are logged when opened."""

    MENTOR = "mentor", _("mentor")
    REFERRAL = "referral", _("newcomer (referral)")
    TANDEM = "tandem", _("tandem")


class ErasureReason(models.TextChoices):
    RETENTION = "retention", _("retention period over")
    REQUEST = "request", _("the person asked for erasure (Art. 17 GDPR)")
    CONSENT_WITHDRAWN = "consent-withdrawn", _("the person withdrew their consent")
    OBJECTION = "objection", _("the person objected (Art. 21 GDPR)")
    NOT_NEEDED = "not-needed", _("the data are no longer needed")


class ErasureRecord(models.Model):
    """That a record was anonymised: when, by whom (nobody: the daily retention run), which kind
    of record and why; never what it held. The record's number lets the retention run find its
    history rows later; the row it points to holds no personal data any more."""

    kind = models.CharField(_("kind of record"), max_length=10, choices=RecordKind.choices)
    object_id = models.PositiveBigIntegerField(_("number of the record"))
    anonymised_at = models.DateTimeField(_("anonymised at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=20, choices=ErasureReason.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    # when the change history (pghistory) of the anonymised record was removed as well
    history_removed_at = models.DateTimeField(_("history removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure records")
        ordering = ["-anonymised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="erasure_once_per_record"),
            models.CheckConstraint(
                condition=models.Q(kind__in=RecordKind.values), name="erasure_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(reason__in=ErasureReason.values), name="erasure_reason_valid"
            ),
            # the retention run acts alone; every other erasure names the coordinator
            models.CheckConstraint(
                condition=models.Q(reason=ErasureReason.RETENTION, by=None)
                | (~models.Q(reason=ErasureReason.RETENTION) & models.Q(by__isnull=False)),
                name="erasure_by_coordinator_unless_retention",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.object_id}: {self.anonymised_at:%Y-%m-%d}"


class AccessAction(models.TextChoices):
    VIEW = "view", _("opened")
    EXPORT = "export", _("exported")
    LIST_EXPORT = "list-export", _("exported the list")


class AccessLogEntry(models.Model):
    """Someone opened or exported a person's page (or exported a whole list). Written by
    willkommen.overview.privacy.access_log; never changed (a database trigger refuses any
    UPDATE), deleted only by the retention run after RETENTION_ACCESS_LOG_MONTHS."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    action = models.CharField(_("what"), max_length=12, choices=AccessAction.choices)
    kind = models.CharField(_("kind of record"), max_length=10, choices=RecordKind.choices)
    object_id = models.PositiveBigIntegerField(_("number of the record"), null=True, blank=True)
    path = models.CharField(_("address of the page"), max_length=300)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["kind", "object_id", "-at"], name="accesslog_record")]
        triggers = [
            pgtrigger.Protect(name="access_log_not_editable", operation=pgtrigger.Update),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.kind} {self.object_id}"
