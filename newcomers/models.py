from datetime import timedelta

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from willkommen.core.queues import days_since
from willkommen.core.search import full_name, trigram_index
from willkommen.core.vocabularies import District, Language, LanguageLevel, TimeOfDay, Weekday


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    INFO_NEEDED = "info-needed", _("more information needed")
    WAITING = "waiting", _("waiting for a mentor")
    MATCHED = "matched", _("mentor found")
    ENDED = "ended", _("accompaniment ended")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STATUSES = [ReferralStatus.RECEIVED, ReferralStatus.INFO_NEEDED, ReferralStatus.WAITING]
# The advisor corrects or completes a referral until the coordinators have taken it on.
ADVISOR_EDITABLE_STATUSES = [ReferralStatus.RECEIVED, ReferralStatus.INFO_NEEDED]
# The coordinators correct a referral while it is open, and while its proposal or tandem is
# (a referral with an accepted or active tandem is "mentor found").
CORRECTABLE_STATUSES = [*OPEN_STATUSES, ReferralStatus.MATCHED]


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent (within the next weeks)")


class NewcomerPreference(models.TextChoices):
    WOMAN = "woman", _("a woman as mentor")
    MAN = "man", _("a man as mentor")
    FAMILY_EXPERIENCE = "family", _("a mentor with experience of family life")


class DeclineReason(models.TextChoices):
    OUTSIDE_PROGRAMME = "outside", _("outside what the programme offers")
    OTHER_SERVICE = "other-service", _("another service fits better")
    NO_CONSENT = "no-consent", _("consent missing or withdrawn")
    NOT_REACHABLE = "not-reachable", _("newcomer could not be reached")
    OTHER = "other", _("other")


class ReferralQuerySet(models.QuerySet):
    def for_advisor(self, user):
        """What one advisor may see: their own referrals, nothing else — with the date of
        the first meeting of the current tandem, which is what advisors follow."""
        return self.filter(advisor=user).with_first_meeting()

    def with_first_meeting(self):
        """`first_meeting_at`: the first meeting of the referral's open tandem, if planned."""
        return self.annotate(
            first_meeting_at=models.Subquery(
                Tandem.objects.filter(
                    referral=models.OuterRef("pk"), status__in=OPEN_TANDEM_STATUSES
                ).values("first_meeting_at")[:1]
            )
        )

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


@pghistory.track(exclude=["updated_at", "submission_key"])
class Referral(models.Model):
    """A Welcome Center advisor's request for a mentor for a newcomer household.

    Only what matching needs is collected; the newcomer agreed to pass it on.
    """

    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals"
    )
    # the newcomer
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    languages = ArrayField(
        models.CharField(max_length=3, choices=Language.choices), verbose_name=_("languages")
    )
    german_level = models.CharField(_("German"), max_length=6, choices=LanguageLevel.choices[:-1])
    country_of_origin = models.CharField(_("country of origin"), max_length=100, blank=True)
    arrived_on = models.DateField(_("arrival in Stuttgart (month)"))
    district = models.CharField(_("district"), max_length=20, choices=District.choices)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    # the household
    adults = models.PositiveSmallIntegerField(_("adults"), default=1)
    children_ages = ArrayField(
        models.PositiveSmallIntegerField(), default=list, blank=True,
        verbose_name=_("ages of the children"),
    )  # fmt: skip
    to_accompany = models.CharField(_("who should be accompanied"), max_length=300)
    # needs
    support_areas = models.ManyToManyField(
        "willkommen.SupportArea", verbose_name=_("support needed")
    )
    description = models.TextField(_("what the newcomer needs"), max_length=3000)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # practicalities
    weekdays = ArrayField(
        models.CharField(max_length=3, choices=Weekday.choices), default=list, blank=True,
        verbose_name=_("preferred days"),
    )  # fmt: skip
    times_of_day = ArrayField(
        models.CharField(max_length=10, choices=TimeOfDay.choices), default=list, blank=True,
        verbose_name=_("preferred times"),
    )  # fmt: skip
    interpreter_language = models.CharField(
        _("interpreter needed for the first meeting"),
        max_length=3, choices=Language.choices, blank=True,
    )  # fmt: skip
    preferences = ArrayField(
        models.CharField(max_length=10, choices=NewcomerPreference.choices), default=list,
        blank=True, verbose_name=_("wishes"),
    )  # fmt: skip
    notes_for_mentor = models.TextField(_("what the mentor should know"), blank=True)
    # consent
    consent_on = models.DateField(_("consent given on"))
    consent_form_version = models.CharField(_("consent form version"), max_length=20)
    consent_form_kept = models.BooleanField(
        _("the signed consent form is kept at the Welcome Center"), default=False
    )
    # the programme's side
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    decline_reason = models.CharField(
        _("reason"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    created_at = models.DateTimeField(_("referred at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A key the referral form carries: the same form sent twice makes one referral.
    submission_key = models.UUIDField(null=True, blank=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(adults__gte=1), name="referral_one_adult"),
            models.UniqueConstraint(
                fields=["advisor", "submission_key"], name="referral_submitted_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReferralStatus.DECLINED) | ~models.Q(decline_reason=""),
                name="referral_declined_with_reason",
            ),
        ]
        indexes = [
            # The work queues' order, with the primary key as the tie-breaker.
            models.Index(fields=["status", "created_at", "id"], name="referral_status_age"),
            models.Index(fields=["advisor", "-created_at"], name="referral_advisor"),
            GinIndex(fields=["languages"], name="referral_languages"),
            # The intake's search and the duplicate check (newcomers.selectors).
            trigram_index(full_name(), name="referral_name_trgm"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    def get_absolute_url(self):
        return reverse("newcomers:referral_detail", args=[self.pk])

    @property
    def waiting_days(self) -> int:
        """Local calendar days since the referral, counted as the dashboard counts them."""
        return days_since(self.created_at, timezone.localdate())

    @property
    def language_labels(self):
        return [str(Language(code).label) for code in self.languages]

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def advisor_may_edit(self) -> bool:
        return self.status in ADVISOR_EDITABLE_STATUSES

    @property
    def coordinators_may_correct(self) -> bool:
        return self.status in CORRECTABLE_STATUSES

    @property
    def awaits_advisor_answer(self) -> bool:
        return self.status == ReferralStatus.INFO_NEEDED

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT


class ReferralActivity(models.Model):
    """The referral's timeline: questions and answers between coordinators and the advisor,
    and every change of status, with who and when."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("referred")
        QUESTION = "question", _("question to the advisor")
        ANSWER = "answer", _("answer from the advisor")
        STATUS = "status", _("status changed")
        UPDATED = "updated", _("details updated")
        NOTE = "note", _("note")
        HANDED_OVER = "handed-over", _("handed over")

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=ReferralStatus.choices, blank=True)
    text = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["referral", "-created_at"], name="refactivity_time")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"

    @property
    def heading(self) -> str:
        """What the timeline shows in bold: the kind, and for a status change from → to."""
        if self.kind == self.Kind.STATUS:
            return f"{self.get_kind_display()}: {self.get_from_status_display()} → {self.get_to_status_display()}"  # noqa: E501
        return self.get_kind_display()


class TandemStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed to the mentor")
    DECLINED = "declined", _("declined by the mentor")
    ACCEPTED = "accepted", _("accepted, first meeting ahead")
    ACTIVE = "active", _("active")
    ENDED = "ended", _("ended")


# A tandem in any of these holds one of the mentor's places and is the referral's only one.
OPEN_TANDEM_STATUSES = [TandemStatus.PROPOSED, TandemStatus.ACCEPTED, TandemStatus.ACTIVE]


class EndReason(models.TextChoices):
    GOALS_REACHED = "goals-reached", _("goals reached")
    NEWCOMER_MOVED = "moved", _("newcomer moved away")
    MENTOR_UNAVAILABLE = "mentor-unavailable", _("mentor no longer available")
    DID_NOT_FIT = "did-not-fit", _("did not fit")
    CONTACT_LOST = "contact-lost", _("contact lost")
    OTHER = "other", _("other")


class Attendee(models.TextChoices):
    COORDINATOR = "coordinator", _("coordinator")
    ADVISOR = "advisor", _("advisor")
    INTERPRETER = "interpreter", _("interpreter")


def next_contact_due(*, status: str, started_on, contact_count: int, last_contact_on):
    """When the coordination should next be in touch with an active tandem (None otherwise).

    Good practice (MENTOR's Elements): the first support contact within two weeks of the
    start, SUPPORT_CONTACTS_FIRST_MONTH in the first month, then one every
    SUPPORT_CONTACT_INTERVAL_DAYS after the last.
    """
    if status != TandemStatus.ACTIVE or started_on is None:
        return None
    if contact_count == 0:
        return started_on + timedelta(days=14)
    if contact_count < settings.SUPPORT_CONTACTS_FIRST_MONTH:
        return started_on + timedelta(days=30)
    return last_contact_on + timedelta(days=settings.SUPPORT_CONTACT_INTERVAL_DAYS)


# The contact summary is left out: the support contacts are the record of what happened.
@pghistory.track(exclude=["updated_at", "contact_count", "last_contact_on", "next_contact_due"])
class Tandem(models.Model):
    """One mentor accompanying one newcomer household: from the proposal to the closure."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="tandems")
    mentor = models.ForeignKey("mentors.Mentor", on_delete=models.PROTECT, related_name="tandems")
    status = models.CharField(
        _("status"), max_length=10, choices=TandemStatus.choices, default=TandemStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("why the mentor declined"), max_length=500, blank=True)
    first_meeting_at = models.DateTimeField(_("first meeting"), null=True, blank=True)
    first_meeting_place = models.CharField(
        _("place of the first meeting"), max_length=200, blank=True
    )
    first_meeting_attendees = ArrayField(
        models.CharField(max_length=12, choices=Attendee.choices), default=list, blank=True,
        verbose_name=_("also at the first meeting"),
    )  # fmt: skip
    started_on = models.DateField(_("started on"), null=True, blank=True)
    # the agreement, set by newcomer and mentor together
    agreement_areas = models.ManyToManyField(
        "willkommen.SupportArea", verbose_name=_("what they work on"), blank=True
    )
    agreement_contents = models.TextField(_("agreed contents"), blank=True)
    expected_duration = models.CharField(_("expected duration"), max_length=100, blank=True)
    meeting_places = models.CharField(_("where they meet"), max_length=200, blank=True)
    frequency = models.CharField(_("how often"), max_length=100, blank=True)
    # the closure
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(
        _("reason for the end"), max_length=20, choices=EndReason.choices, blank=True
    )
    closing_conversation = models.BooleanField(_("closing conversation held"), default=False)
    end_note = models.TextField(_("note on the end"), blank=True)
    # The support contacts in brief, kept by newcomers.services (tandem_schedule_store) only;
    # a test recomputes them from the contacts after random workflows.
    contact_count = models.PositiveIntegerField(_("support contacts"), default=0, editable=False)
    last_contact_on = models.DateField(_("last support contact"), null=True, editable=False)
    next_contact_due = models.DateField(_("next contact due"), null=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tandem")
        verbose_name_plural = _("tandems")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(status__in=OPEN_TANDEM_STATUSES),
                name="one_open_tandem_per_referral",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=TandemStatus.values), name="tandem_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=TandemStatus.ENDED) | ~models.Q(end_reason=""),
                name="tandem_ended_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="tandem_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "started_on"], name="tandem_status_started"),
            # The tandem list's order within a view, with the primary key as the tie-breaker.
            models.Index(fields=["status", "-proposed_at", "-id"], name="tandem_status_proposed"),
            # The overdue list and its dashboard card: the longest overdue first.
            models.Index(
                fields=["next_contact_due", "id"],
                condition=models.Q(next_contact_due__isnull=False),
                name="tandem_contact_due",
            ),
            # A mentor's last tandem's end (newcomers.matching.with_free_since).
            models.Index(
                fields=["mentor", "-ended_on"],
                condition=models.Q(ended_on__isnull=False),
                name="tandem_mentor_ended",
            ),
        ]

    def __str__(self):
        return f"{self.mentor} – {self.referral}"

    def get_absolute_url(self):
        return reverse("newcomers:tandem_detail", args=[self.pk])

    @property
    def takes_support_contacts(self) -> bool:
        """Support contacts are recorded, and corrected, while the tandem is active."""
        return self.status == TandemStatus.ACTIVE

    @property
    def contact_overdue(self) -> bool:
        due = self.next_contact_due
        return due is not None and due < timezone.localdate()


@pghistory.track()
class SupportContact(models.Model):
    """A coordinator's follow-up with a tandem (Begleitungskontakt)."""

    class With(models.TextChoices):
        MENTOR = "mentor", _("mentor")
        NEWCOMER = "newcomer", _("newcomer")
        BOTH = "both", _("both")

    class Channel(models.TextChoices):
        PHONE = "phone", _("phone")
        MEETING = "meeting", _("meeting")
        EMAIL = "email", _("email")
        VIDEO = "video", _("video call")

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(_("date"))
    with_whom = models.CharField(_("with whom"), max_length=10, choices=With.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    rating = models.PositiveSmallIntegerField(
        _("how it goes (1 = badly, 5 = very well)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    early_check = models.BooleanField(_("early check: does it fit?"), default=False)
    concern = models.BooleanField(_("concern to follow up"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="contact_rating_1_to_5"
            )
        ]
        indexes = [models.Index(fields=["tandem", "-contacted_on"], name="contact_tandem_date")]

    def __str__(self):
        return f"{self.get_with_whom_display()} {self.contacted_on}"


class TandemNote(models.Model):
    """A coordinator's note on a tandem: free text, who, when."""

    tandem = models.ForeignKey(Tandem, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"), max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("note on a tandem")
        verbose_name_plural = _("notes on tandems")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tandem", "-created_at"], name="tandemnote_time")]

    def __str__(self):
        return f"{self.tandem_id} {self.created_at:%Y-%m-%d}"

    @property
    def heading(self) -> str:
        """What a timeline shows in bold (templates/includes/timeline.html)."""
        return _("note")


class FollowUpQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at=None)

    def due(self, today=None):
        """Open follow-ups due today or earlier: the dashboard's queue, the longest due first."""
        today = today or timezone.localdate()
        return self.open().filter(due_on__lte=today).order_by("due_on", "pk")

    def with_subject(self):
        return self.select_related(
            "mentor", "referral", "tandem__mentor", "tandem__referral", "created_by"
        )


class FollowUp(models.Model):
    """A coordinator's reminder (Wiedervorlage): look at a mentor, a referral or a tandem again
    on a given day. Exactly one of the three."""

    due_on = models.DateField(_("due on"))
    text = models.TextField(_("what to do"), max_length=1000)
    mentor = models.ForeignKey(
        "mentors.Mentor", on_delete=models.CASCADE, null=True, blank=True,
        related_name="follow_ups",
    )  # fmt: skip
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    tandem = models.ForeignKey(
        Tandem, on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(mentor__isnull=False, referral__isnull=True, tandem__isnull=True)
                    | models.Q(mentor__isnull=True, referral__isnull=False, tandem__isnull=True)
                    | models.Q(mentor__isnull=True, referral__isnull=True, tandem__isnull=False)
                ),
                name="follow_up_of_exactly_one",
            ),
            models.CheckConstraint(
                condition=models.Q(done_at__isnull=True, done_by__isnull=True)
                | models.Q(done_at__isnull=False, done_by__isnull=False),
                name="follow_up_done_by_someone",
            ),
        ]
        indexes = [
            # The dashboard's queue: open ones, the longest due first.
            models.Index(
                fields=["due_on", "id"], condition=models.Q(done_at=None), name="follow_up_due"
            ),
        ]

    def __str__(self):
        return f"{self.subject}: {Truncator(self.text).chars(60)}"

    def get_absolute_url(self):
        return self.subject.get_absolute_url()

    @property
    def subject(self):
        """The mentor, referral or tandem the follow-up is about."""
        return self.mentor or self.referral or self.tandem

    @property
    def subject_kind(self) -> str:
        return self.subject._meta.verbose_name

    @property
    def overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()
