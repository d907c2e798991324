import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from willkommen.core.vocabularies import District, Language, LanguageLevel, TimeOfDay, Weekday


class MentorStatus(models.TextChoices):
    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
    SCREENING = "screening", _("introductory conversation held")
    READY = "ready", _("ready for matching")
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
    LEFT = "left", _("left")


class Preference(models.TextChoices):
    FAMILIES_WITH_CHILDREN = "families", _("families with children")
    SINGLE_ADULTS = "adults", _("single adults")
    WOMEN_ONLY = "women", _("women only")
    YOUNG_PEOPLE = "young", _("young people")
    SENIORS = "seniors", _("older people")


class HeardAbout(models.TextChoices):
    FRIENDS = "friends", _("friends or family")
    PRESS = "press", _("newspaper, radio or TV")
    SOCIAL_MEDIA = "social", _("social media")
    WEBSITE = "website", _("the city's website")
    EVENT = "event", _("an event or information stand")
    ORGANISATION = "organisation", _("an association, church or employer")
    OTHER = "other", _("other")


class LeftReason(models.TextChoices):
    NO_TIME = "no-time", _("no time any more")
    MOVED = "moved", _("moved away")
    HEALTH = "health", _("health or family reasons")
    NOT_SUITABLE = "not-suitable", _("not suitable for the programme")
    NO_REPLY = "no-reply", _("did not reply")
    OTHER = "other", _("other")


class MentorQuerySet(models.QuerySet):
    def confirmed(self):
        return self.exclude(email_confirmed_at=None)

    def with_free_capacity(self):
        return (
            self.filter(status__in=[MentorStatus.READY, MentorStatus.ACTIVE])
            .annotate(free_places=models.F("capacity") - models.F("active_tandems"))
            .filter(free_places__gt=0)
        )


@pghistory.track(exclude=["updated_at"])
class Mentor(models.Model):
    """A volunteer (WillkommensPatin / WillkommensPate), from the first application on."""

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    district = models.CharField(_("where you live"), max_length=20, choices=District.choices)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    support_areas = models.ManyToManyField(
        "willkommen.SupportArea", verbose_name=_("what you would like to offer"), blank=True
    )
    weekdays = ArrayField(
        models.CharField(max_length=3, choices=Weekday.choices),
        default=list,
        blank=True,
        verbose_name=_("days"),
    )
    times_of_day = ArrayField(
        models.CharField(max_length=10, choices=TimeOfDay.choices),
        default=list,
        blank=True,
        verbose_name=_("times of day"),
    )
    hours_per_month = models.PositiveSmallIntegerField(_("hours per month, roughly"))
    preferences = ArrayField(
        models.CharField(max_length=10, choices=Preference.choices),
        default=list,
        blank=True,
        verbose_name=_("whom you would like to accompany"),
    )
    preferences_note = models.CharField(_("other wishes"), max_length=300, blank=True)
    motivation = models.TextField(_("a few words on your motivation"), max_length=2000)
    heard_about = models.CharField(
        _("how you heard of the programme"), max_length=20, choices=HeardAbout.choices, blank=True
    )
    consent_at = models.DateTimeField(_("consent given at"))
    consent_version = models.CharField(_("version of the privacy notice"), max_length=20)
    email_confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=MentorStatus.choices, default=MentorStatus.NEW
    )
    capacity = models.PositiveSmallIntegerField(_("tandems at the same time"), default=1)
    # When the mentor last became ready for matching: long waits weigh in the suggestions.
    ready_since = models.DateTimeField(_("ready since"), null=True, blank=True, editable=False)
    # Kept up to date by the tandem services; a column, so that lists filter on it cheaply.
    active_tandems = models.PositiveSmallIntegerField(default=0, editable=False)
    works_with_children = models.BooleanField(
        _("will accompany families with children"),
        default=False,
        help_text=_("Then the extended police certificate must have been seen."),
    )
    left_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=LeftReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MentorQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="mentor_email_unique_ignoring_case",
                violation_error_message=_("Another mentor already has this email address."),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=MentorStatus.values), name="mentor_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=5), name="mentor_capacity_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(active_tandems__lte=models.F("capacity")),
                name="mentor_tandems_within_capacity",
            ),
            models.CheckConstraint(
                condition=~models.Q(district=District.SURROUNDING_AREA) | ~models.Q(postal_code=""),
                name="mentor_postal_code_outside_stuttgart",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "last_name"], name="mentor_status_name"),
            models.Index(fields=["district"], name="mentor_district"),
            models.Index(fields=["-created_at"], name="mentor_created"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self):
        return reverse("mentors:detail", args=[self.pk])

    @property
    def full_name(self):
        return str(self)

    @property
    def free_places(self):
        return max(self.capacity - self.active_tandems, 0)

    @property
    def weekday_labels(self):
        return [Weekday(value).label for value in self.weekdays]

    @property
    def time_of_day_labels(self):
        return [TimeOfDay(value).label for value in self.times_of_day]

    @property
    def preference_labels(self):
        return [Preference(value).label for value in self.preferences]


class MentorLanguage(models.Model):
    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=3, choices=Language.choices)
    level = models.CharField(_("level"), max_length=6, choices=LanguageLevel.choices)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["mentor", "language"], name="mentor_language_once"),
        ]
        indexes = [models.Index(fields=["language"], name="mentorlanguage_language")]

    def __str__(self):
        return f"{self.get_language_display()} ({self.get_level_display()})"


class ChecklistItem(models.TextChoices):
    """The screening steps before a first tandem, in the order they usually happen."""

    CONVERSATION = "conversation", _("introductory conversation")
    AGREEMENT = "agreement", _("volunteer agreement signed")
    CONFIDENTIALITY = "confidentiality", _("confidentiality pledge signed")
    POLICE_CERTIFICATE = "police-certificate", _("extended police certificate seen")
    SEMINAR = "seminar", _("introductory seminar attended")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ChecklistEntry(models.Model):
    """One screening step done: when, and who recorded it. The police certificate itself is
    never stored, only the date it was seen and when it must be renewed."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="checklist")
    item = models.CharField(max_length=20, choices=ChecklistItem.choices)
    done_on = models.DateField(_("date"))
    valid_until = models.DateField(_("renew by"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mentor", "item"], name="checklist_item_once"),
        ]

    def __str__(self):
        return f"{self.get_item_display()}: {self.done_on}"


class ActivityKind(models.TextChoices):
    APPLIED = "applied", _("application")
    CONFIRMED = "confirmed", _("email confirmed")
    APPLIED_AGAIN = "applied-again", _("applied again")
    STATUS = "status", _("status changed")
    CHECKLIST = "checklist", _("checklist")
    NOTE = "note", _("note")
    CONTACT = "contact", _("contact")


class MentorActivity(models.Model):
    """An entry of the mentor's timeline: who did what, when, with an optional note."""

    mentor = models.ForeignKey(Mentor, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    from_status = models.CharField(max_length=10, choices=MentorStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=MentorStatus.choices, blank=True)
    text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["mentor", "-created_at"], name="activity_mentor_time")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"


class InterestAttempt(models.Model):
    """A submission of the public form, kept briefly per client for the throttle. The client
    address is stored only as a keyed hash."""

    client = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.client[:8]}… {self.created_at:%Y-%m-%d %H:%M}"


class RejectedSubmission(models.Model):
    """Spam and abuse are counted per day and reason, never stored."""

    day = models.DateField()
    reason = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "reason"], name="rejected_once_per_day_reason")
        ]

    def __str__(self):
        return f"{self.day}: {self.reason} × {self.count}"
