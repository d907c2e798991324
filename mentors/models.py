from datetime import date

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from willkommen.core.search import full_name, german_order, trigram_index
from willkommen.core.vocabularies import District, Language, LanguageLevel, TimeOfDay, Weekday


class MentorStatus(models.TextChoices):
    """Where a mentor stands. Only NEW, CONTACTED, PAUSED and LEFT are decided by a person (and
    stored as the mentor's `stage`); the others follow from facts, see `derive_status`."""

    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
    SCREENING = "screening", _("introductory conversation held")
    READY = "ready", _("ready for matching")
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")
    LEFT = "left", _("left")

    @classmethod
    def matchable(cls) -> list["MentorStatus"]:
        """May be proposed for a tandem (given a free place)."""
        return [cls.READY, cls.ACTIVE]

    @classmethod
    def in_screening(cls) -> list["MentorStatus"]:
        """Recruited but not yet ready: the introductory seminar is still ahead of them."""
        return [cls.SCREENING]


class MentorStage(models.TextChoices):
    """What a coordinator decided about a mentor: the stored part of the status."""

    NEW = "new", _("new")
    CONTACTED = "contacted", _("contacted")
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


class ChecklistItem(models.TextChoices):
    """The screening steps before a first tandem, in the order they usually happen."""

    CONVERSATION = "conversation", _("introductory conversation")
    AGREEMENT = "agreement", _("volunteer agreement signed")
    CONFIDENTIALITY = "confidentiality", _("confidentiality pledge signed")
    POLICE_CERTIFICATE = "police-certificate", _("extended police certificate seen")
    SEMINAR = "seminar", _("introductory seminar attended")


# --- The mentor's status, derived in one place ----------------------------------------------

# Every step but the police certificate, which only mentors of families need.
REQUIRED_STEPS = [item for item in ChecklistItem if item != ChecklistItem.POLICE_CERTIFICATE]


def certificate_valid(valid_until: date | None, today: date) -> bool:
    """The one rule for the extended police certificate: seen, and not due for renewal."""
    return valid_until is not None and valid_until >= today


def steps_required(accompanies_families: bool) -> list[ChecklistItem]:
    if accompanies_families:
        return [*REQUIRED_STEPS, ChecklistItem.POLICE_CERTIFICATE]
    return REQUIRED_STEPS


def checklist_summary(checklist) -> dict:
    """What the status needs of the checklist entries. Stored on the mentor by the checklist
    services (mentors/services.py), so that lists derive every mentor's status from columns;
    tests/mentors/test_status.py recomputes it after random checklist work."""
    done = {entry.item: entry for entry in checklist}
    certificate = done.get(ChecklistItem.POLICE_CERTIFICATE)
    return {
        "steps_done": sum(item in done for item in REQUIRED_STEPS),
        "conversation_held": ChecklistItem.CONVERSATION in done,
        "certificate_valid_until": certificate.valid_until if certificate else None,
    }


def screening_complete(mentor: "Mentor", today: date) -> bool:
    """Ready as far as screening goes: every required step done, a certificate still valid."""
    if mentor.accompanies_families and not certificate_valid(mentor.certificate_valid_until, today):
        return False
    return mentor.steps_done == len(REQUIRED_STEPS)


def derive_status(mentor: "Mentor", today: date) -> MentorStatus:
    """The status from what was decided (stage) and the facts. Its twin for querysets is
    `status_expression`; tests/mentors/test_status.py holds both equal."""
    if mentor.stage in (MentorStage.LEFT, MentorStage.PAUSED):
        return MentorStatus(mentor.stage)
    if mentor.tandems_active > 0:
        return MentorStatus.ACTIVE
    if screening_complete(mentor, today):
        return MentorStatus.READY
    if mentor.conversation_held:
        return MentorStatus.SCREENING
    return MentorStatus(mentor.stage)


class LocalToday(models.Func):
    """Today in the programme's time zone, as the database sees it: a queryset built once
    (a form field's choices, say) still derives statuses for the day it runs."""

    template = "(CURRENT_TIMESTAMP AT TIME ZONE %(expressions)s)::date"
    output_field = models.DateField()

    def __init__(self):
        super().__init__(models.Value(settings.TIME_ZONE))


def status_expression(today=None) -> models.Case:
    """`derive_status` in SQL, for lists and filters; today by default."""
    today = today or LocalToday()
    families = models.Q(preferences__contains=[Preference.FAMILIES_WITH_CHILDREN])
    complete = models.Q(steps_done=len(REQUIRED_STEPS)) & (
        ~families | models.Q(certificate_valid_until__gte=today)
    )
    return models.Case(
        models.When(stage=MentorStage.LEFT, then=models.Value(MentorStatus.LEFT.value)),
        models.When(stage=MentorStage.PAUSED, then=models.Value(MentorStatus.PAUSED.value)),
        models.When(tandems_active__gt=0, then=models.Value(MentorStatus.ACTIVE.value)),
        models.When(complete, then=models.Value(MentorStatus.READY.value)),
        models.When(conversation_held=True, then=models.Value(MentorStatus.SCREENING.value)),
        default=models.F("stage"),
        output_field=models.CharField(),
    )


class MentorQuerySet(models.QuerySet):
    def confirmed(self):
        return self.exclude(email_confirmed_at=None)

    def with_free_place(self):
        return self.filter(places_taken__lt=models.F("capacity"))

    def matchable(self):
        """May be proposed now: confirmed, ready or active, with a free place."""
        return self.confirmed().filter(status__in=MentorStatus.matchable()).with_free_place()

    def for_children(self, today: date):
        """May accompany a household with children: wishes to, and the certificate is valid."""
        return self.filter(
            certificate_valid_until__gte=today,
            preferences__contains=[Preference.FAMILIES_WITH_CHILDREN],
        )

    def with_screened_on(self):
        """`screened_on`: the day the last checklist step was recorded as done."""
        return self.annotate(
            screened_on=models.Subquery(
                ChecklistEntry.objects.filter(mentor=models.OuterRef("pk"))
                .order_by("-done_on")
                .values("done_on")[:1]
            )
        )


class MentorManager(models.Manager.from_queryset(MentorQuerySet)):
    """Every queryset of mentors carries the derived `status`, so that lists, filters and
    counts all read it the same way."""

    def get_queryset(self):
        return super().get_queryset().annotate(status=status_expression())


# The checklist summary is left out: the checklist's own history says what happened.
# How mentors are sorted by name everywhere; the sort indexes below end in the primary key, so
# that mentors of equal names keep their page.
BY_NAME = [german_order("last_name"), german_order("first_name")]


@pghistory.track(
    exclude=[
        "updated_at",
        "pending_application",
        "steps_done",
        "conversation_held",
        "certificate_valid_until",
    ]
)
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
    # Every mail to the mentor is in this language, whoever sends it (taken from the application).
    language = models.CharField(
        _("language for e-mails"), max_length=5, choices=settings.LANGUAGES, default="de"
    )
    # Set by the mentor through the unsubscribe link in a message (mentors.services
    # mentor_unsubscribe): no more messages from the coordinators; the mail the programme needs
    # (proposals, seminars they answered, changes of those) still goes out.
    unsubscribed_at = models.DateTimeField(
        _("unsubscribed from messages at"), null=True, blank=True, editable=False
    )
    # A later submission for this still unconfirmed address: it takes effect only through the
    # confirmation link sent to that address, so nobody else can overwrite an application.
    pending_application = models.JSONField(null=True, blank=True, editable=False)

    # What coordinators decided; the status shown everywhere is derived (see derive_status).
    stage = models.CharField(
        _("stage"), max_length=10, choices=MentorStage.choices, default=MentorStage.NEW
    )
    capacity = models.PositiveSmallIntegerField(_("tandems at the same time"), default=1)
    # Stored for the database's sake, kept by the place services in mentors/services.py only
    # (a test recounts them from the tandems): proposals, accepted and active tandems each take
    # a place, and a constraint forbids more than `capacity`; the active ones make "active".
    places_taken = models.PositiveSmallIntegerField(_("places taken"), default=0, editable=False)
    tandems_active = models.PositiveSmallIntegerField(
        _("active tandems"), default=0, editable=False
    )
    # The checklist in brief (checklist_summary), kept by the checklist services only.
    steps_done = models.PositiveSmallIntegerField(_("steps done"), default=0, editable=False)
    conversation_held = models.BooleanField(
        _("introductory conversation held"), default=False, editable=False
    )
    certificate_valid_until = models.DateField(
        _("police certificate valid until"), null=True, blank=True, editable=False
    )
    left_reason = models.CharField(
        _("reason for leaving"), max_length=20, choices=LeftReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MentorManager()

    class Meta:
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")
        ordering = [*BY_NAME, "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="mentor_email_unique_ignoring_case",
                violation_error_message=_("Another mentor already has this email address."),
            ),
            models.CheckConstraint(
                condition=models.Q(stage__in=MentorStage.values), name="mentor_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1, capacity__lte=5), name="mentor_capacity_1_to_5"
            ),
            models.CheckConstraint(
                condition=models.Q(places_taken__lte=models.F("capacity")),
                name="mentor_places_within_capacity",
            ),
            models.CheckConstraint(
                condition=models.Q(tandems_active__lte=models.F("places_taken")),
                name="mentor_active_tandems_hold_places",
            ),
            models.CheckConstraint(
                condition=~models.Q(district=District.SURROUNDING_AREA) | ~models.Q(postal_code=""),
                name="mentor_postal_code_outside_stuttgart",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "last_name"], name="mentor_stage_name"),
            # The list's sorts (mentors.selectors.SORTS), each ending in the primary key so
            # that mentors with equal names keep their page.
            models.Index(*BY_NAME, models.F("id"), name="mentor_name_order"),
            models.Index(fields=["-created_at", "-id"], name="mentor_newest_order"),
            models.Index(
                models.F("district"), *BY_NAME, models.F("id"), name="mentor_district_order"
            ),
            # The list's search: any part of the name, the address or the phone number.
            trigram_index(full_name(), name="mentor_name_trgm"),
            trigram_index("email", name="mentor_email_trgm"),
            trigram_index("phone", name="mentor_phone_trgm"),
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
        return max(self.capacity - self.places_taken, 0)

    @property
    def accompanies_families(self) -> bool:
        """Wishes to accompany families with children: then the police certificate is needed."""
        return Preference.FAMILIES_WITH_CHILDREN in self.preferences

    @property
    def status(self) -> MentorStatus:
        """Derived from the stage and the facts. Querysets annotate it (MentorManager); an
        instance made otherwise derives it here."""
        if getattr(self, "_status", None) is None:
            self._status = derive_status(self, timezone.localdate())
        return self._status

    @status.setter
    def status(self, value):
        self._status = MentorStatus(value) if value else None

    def get_status_display(self) -> str:
        return self.status.label

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._status = None

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
        # The enums, not get_FOO_display(): that builds a dict of ~100 languages on every call,
        # which showed in the mentor list's profile.
        return f"{Language(self.language).label} ({LanguageLevel(self.level).label})"


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
        indexes = [
            # "Has this mentor done step X?" of many mentors (seminars.queues).
            models.Index(fields=["item", "mentor", "valid_until"], name="checklist_item"),
            # The day screening was done (with_screened_on), for every mentor suggested.
            models.Index(fields=["mentor", "-done_on"], name="checklist_mentor_done"),
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
    MESSAGE = "message", _("message")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed from messages")


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

    @property
    def heading(self) -> str:
        """What the timeline shows in bold: the kind, and for a status change from → to."""
        if self.kind == ActivityKind.STATUS:
            return f"{self.get_kind_display()}: {self.get_from_status_display()} → {self.get_to_status_display()}"  # noqa: E501
        return self.get_kind_display()


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
