"""What data protection itself must remember: which records were anonymised, and who opened or
exported whose data. Neither table holds anything about a person but the number of a record.
See willkommen/overview/privacy/ and docs/datenschutz.md."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
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


# --- Engagement: what mentors answer by e-mail link (willkommen/overview/engagement.py) -------
# Each row is made when its mail is queued, in the same transaction, and a unique constraint
# allows one row per occasion: the row is the claim that makes the timer send each mail once.

# More hours a month than this is a typing error (a month has about 720).
HOURS_PER_MONTH_MAX = 300


class HoursReport(models.Model):
    """A mentor's answer to the monthly question "how many hours did you give, and for what?".
    Made when the question is mailed; `hours` stays empty until the mentor answers. Seminars
    and reflection meetings attended are counted from the seminars app, never entered here."""

    mentor = models.ForeignKey(
        "mentors.Mentor",
        on_delete=models.CASCADE,
        related_name="hours_reports",
        verbose_name=_("mentor"),
    )
    month = models.DateField(_("month"))  # its first day
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, null=True, blank=True)
    areas = models.ManyToManyField(
        "willkommen.SupportArea",
        blank=True,
        related_name="hours_reports",
        verbose_name=_("for what"),
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    sent_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hours report")
        verbose_name_plural = _("hours reports")
        ordering = ["-month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "month"], name="hours_report_once_a_month"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="hours_report_month_first_day"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True)
                | models.Q(hours__gte=0, hours__lte=HOURS_PER_MONTH_MAX),
                name="hours_report_hours_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True, answered_at__isnull=True)
                | models.Q(hours__isnull=False, answered_at__isnull=False),
                name="hours_report_answered_with_hours",
            ),
        ]
        indexes = [models.Index(fields=["month"], name="hours_report_month")]

    def __str__(self):
        return f"{self.mentor_id} {self.month:%Y-%m}: {self.hours}"


class CheckInKind(models.TextChoices):
    REGULAR = "regular", _("during the tandem")
    CLOSING = "closing", _("at the end of the tandem")


class CheckIn(models.Model):
    """Three questions to the mentor of a tandem by e-mail link: 30 days after the start, then
    every 60 days, and at the end. An answer during the tandem is also recorded as a support
    contact (`contact`); "please call me" or a low rating puts it on the coordinators' queue
    until they mark it done or record a contact with the tandem after it."""

    tandem = models.ForeignKey(
        "newcomers.Tandem",
        on_delete=models.CASCADE,
        related_name="check_ins",
        verbose_name=_("tandem"),
    )
    due_on = models.DateField(_("due on"))
    kind = models.CharField(_("kind"), max_length=10, choices=CheckInKind.choices)
    sent_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("how it goes (1 = badly, 5 = very well)"), null=True, blank=True
    )
    note = models.TextField(_("what the coordination should know"), max_length=2000, blank=True)
    call_me = models.BooleanField(_("please call me"), default=False)
    contact = models.OneToOneField(
        "newcomers.SupportContact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="check_in",
        verbose_name=_("support contact"),
    )
    handled_at = models.DateTimeField(_("done at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-due_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tandem", "due_on", "kind"], name="check_in_once_per_occasion"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CheckInKind.values), name="check_in_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="check_in_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | models.Q(rating__isnull=False),
                name="check_in_answered_with_rating",
            ),
        ]
        indexes = [
            # The queue "please get in touch": answers asking for a call, oldest first.
            models.Index(
                fields=["answered_at", "id"],
                condition=models.Q(handled_at__isnull=True, answered_at__isnull=False),
                name="check_in_open_answers",
            ),
        ]

    def __str__(self):
        return str(self.tandem)

    def get_absolute_url(self):
        return reverse("newcomers:tandem_detail", args=[self.tandem_id])


class RenewalReminder(models.Model):
    """That a mentor was reminded to renew the extended police certificate valid until
    `valid_until`: once per certificate (a renewed one has a new date)."""

    mentor = models.ForeignKey(
        "mentors.Mentor",
        on_delete=models.CASCADE,
        related_name="renewal_reminders",
        verbose_name=_("mentor"),
    )
    valid_until = models.DateField(_("police certificate valid until"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("renewal reminder")
        verbose_name_plural = _("renewal reminders")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "valid_until"], name="renewal_reminder_once_per_certificate"
            ),
        ]

    def __str__(self):
        return f"{self.mentor_id} {self.valid_until}"


class CertificateRequest(models.Model):
    """A mentor asked for a certificate of volunteering by the link in the hours mail; the link
    to it went to the mentor's address. The coordinators see the requests on the list of hours
    and in the mentor's timeline."""

    mentor = models.ForeignKey(
        "mentors.Mentor",
        on_delete=models.CASCADE,
        related_name="certificate_requests",
        verbose_name=_("mentor"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        verbose_name = _("request for a certificate of volunteering")
        verbose_name_plural = _("requests for a certificate of volunteering")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["mentor", "-requested_at"], name="certificate_request_mentor")
        ]

    def __str__(self):
        return f"{self.mentor_id} {self.requested_at:%Y-%m-%d}"
