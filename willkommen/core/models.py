from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    """Users are known by their e-mail address, compared without regard to case."""

    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def active_advisors(self):
        """Advisors who can take on referrals now: the role, an account not deactivated."""
        from willkommen.core.roles import Role

        return self.filter(is_active=True, groups__name=Role.ADVISOR.value)


class Organisation(models.Model):
    """An organisation whose advisors refer newcomers: the Welcome Center Stuttgart (reference
    data, see willkommen.core.reference_data) and its partners.

    Coordinators add, rename and deactivate organisations (willkommen.core.services). A
    deactivated organisation keeps its advisors and their referrals but is offered for no new
    account. The slug is made once from the name and never changes.
    """

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=150)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ignoring_case"),
        ]

    def __str__(self):
        return self.name


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    # What happens to a second factor is recorded by the services, with who did it.
    pghistory.ManualEvent("second_factor.enrolled"),
    pghistory.ManualEvent("second_factor.reset"),
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """A person who logs in: a coordinator, a Welcome Center advisor or IT (superuser).

    What someone may do comes from their role (a group, see `willkommen.core.roles`).
    """

    username = None
    email = models.EmailField(_("email address"))
    # Advisors only: the organisation they refer for (the Welcome Center or a partner).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    # Every mail to the person is in this language, whoever's action sends it.
    language = models.CharField(
        _("language for e-mails"), max_length=5, choices=settings.LANGUAGES, default="de"
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]
        permissions = [
            ("coordinate", _("Can use the coordinators' pages")),
            ("refer", _("Can refer newcomers to the programme")),
            ("manage_accounts", _("Can manage accounts and reset their second factor")),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


# Who holds which role is as sensitive as the data itself: record every change of membership.
pghistory.track(
    pghistory.InsertEvent("role.granted"),
    pghistory.DeleteEvent("role.revoked"),
    model_name="UserRoleEvent",
    app_label="willkommen",
)(User.groups.through)


class SupportAreaQuerySet(models.QuerySet):
    def offered(self, *, keep=None):
        """The areas a form offers to choose from: the active ones, plus `keep` (the areas the
        record being edited has already), so that saving a record never drops a retired area
        from it. `keep` is a queryset of areas (run as a subquery) or None."""
        offered = models.Q(active=True)
        if keep is not None:
            offered |= models.Q(pk__in=keep.values("pk"))
        return self.filter(offered)


class SupportArea(models.Model):
    """What a mentor offers and a newcomer needs. A table, so coordinators can add areas.

    Coordinators add, rename, reorder and retire areas (willkommen.core.services). A retired
    area (`active` false) stays on the records that have it but is offered for no new choice.
    The slug is made once from the German name and never changes.
    """

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name (German)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = SupportAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("support area")
        verbose_name_plural = _("support areas")
        ordering = ["position", "name"]
        # The services say which name is taken; these messages are for the admin.
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="supportarea_name_unique_ignoring_case",
                violation_error_message=_("There is already a support area with this name."),
            ),
            models.UniqueConstraint(
                Lower("name_en"),
                name="supportarea_name_en_unique_ignoring_case",
                violation_error_message=_("There is already a support area with this name."),
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "de").startswith("en") else self.name


class QueuedMailQuerySet(models.QuerySet):
    def due(self, *, now=None):
        """Mails a worker should try now."""
        now = now or timezone.now()
        return self.filter(
            sent_at=None, attempts__lt=QueuedMail.MAX_ATTEMPTS, next_attempt_at__lte=now
        )

    def undelivered(self, *, now=None):
        """Mails coordinators should know about: given up, failing, or waiting so long that no
        worker seems to run. The failed-mail page and its dashboard count use this set."""
        now = now or timezone.now()
        return self.filter(sent_at=None).filter(
            models.Q(attempts__gt=0) | models.Q(created_at__lt=now - QueuedMail.WAITING_TOO_LONG)
        )


class QueuedMail(models.Model):
    """An e-mail waiting to be sent. Services queue mail in their transaction, so a rolled-back
    change sends nothing and a failing mail server loses nothing; the mail worker
    (`send_queued_mail --loop`, see willkommen/core/mail.py) delivers it."""

    # Retries: the pause doubles from FIRST_PAUSE up to LONGEST_PAUSE; after MAX_ATTEMPTS
    # (about 20 hours of trying) the mail is given up and stays listed for the coordinators.
    MAX_ATTEMPTS = 12
    FIRST_PAUSE = timedelta(minutes=1)
    LONGEST_PAUSE = timedelta(hours=6)
    # A worker looks every few seconds; a mail never tried after this long means none runs.
    WAITING_TOO_LONG = timedelta(minutes=10)

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    # one text attachment at most, e.g. an event's calendar entry (.ics)
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment = models.TextField(blank=True)
    # for mail people may stop (messages): sent as List-Unsubscribe, one click (RFC 8058)
    unsubscribe_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # kept by the worker alone (willkommen.core.mail), so that due() is one index scan
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    objects = QueuedMailQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at=None),
                name="queuedmail_unsent_due",
            )
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"

    @property
    def given_up(self) -> bool:
        return self.sent_at is None and self.attempts >= self.MAX_ATTEMPTS


class RateLimit(models.Model):
    """How often one key (a client, an address) was counted in one scope in its current window.

    Kept by willkommen.core.clients.rate_limit_exceeded alone, in the database so that every
    process on every host shares one count. The key is stored only as a keyed hash.
    """

    scope = models.CharField(max_length=50)
    digest = models.CharField(max_length=64)
    count = models.PositiveIntegerField()
    # the window opens at the first count and closes here; later the row is deleted
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "digest"], name="rate_limit_once_per_key")
        ]

    def __str__(self):
        return f"{self.scope} {self.digest[:8]}… × {self.count}"


# --- Data protection (kernel part; the rest lives in willkommen/overview/privacy) -----------


class ConsentWithdrawal(models.Model):
    """A person withdrew their consent: when, how, and who recorded it. Mentors withdraw by the
    link in their mails (mentors.services), coordinators record a newcomer's or a mentor's
    withdrawal. Kept after the person's data are anonymised, as proof; it holds nothing about
    the person but the number of their record."""

    class Subject(models.TextChoices):
        MENTOR = "mentor", _("mentor")
        REFERRAL = "referral", _("newcomer (referral)")

    class Via(models.TextChoices):
        LINK = "link", _("by the link in an email")
        COORDINATOR = "coordinator", _("recorded by a coordinator")

    subject = models.CharField(max_length=10, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField()
    withdrawn_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=12, choices=Via.choices)
    recorded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["withdrawn_at", "pk"]
        indexes = [models.Index(fields=["subject", "object_id"], name="consentwithdrawal_person")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subject__in=["mentor", "referral"]),
                name="consentwithdrawal_subject_valid",
            ),
            # a coordinator's entry names the coordinator; a link has nobody to name
            models.CheckConstraint(
                condition=models.Q(via="link", recorded_by=None)
                | models.Q(via="coordinator", recorded_by__isnull=False),
                name="consentwithdrawal_recorded_by_coordinator",
            ),
        ]

    def __str__(self):
        return f"{self.get_subject_display()} {self.object_id}: {self.withdrawn_at:%Y-%m-%d}"
