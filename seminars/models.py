import pghistory
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    INTRO = "intro", _("introductory seminar")
    TRAINING = "training", _("further training")
    REFLECTION = "reflection", _("reflection meeting")


class EventQuerySet(models.QuerySet):
    def with_occupancy(self):
        registered = models.Count(
            "invitations", filter=models.Q(invitations__status=InvitationStatus.REGISTERED)
        )
        waiting = models.Count(
            "invitations", filter=models.Q(invitations__status=InvitationStatus.WAITING)
        )
        return self.annotate(registered=registered, waiting=waiting)


@pghistory.track(exclude=["updated_at"])
class Event(models.Model):
    """A seminar, a further training or a reflection meeting; times are stored in UTC."""

    title = models.CharField(_("title"), max_length=200)
    type = models.CharField(_("type"), max_length=12, choices=EventType.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place (address and room)"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"))
    facilitator = models.CharField(_("facilitator"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("whom it is for"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # The calendar entry's SEQUENCE (RFC 5545): raised by each change that mails a new entry
    # (time or place changed, cancelled, a place from the waiting list), so calendars replace
    # the entry of the same UID.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="event_one_place"),
            models.CheckConstraint(
                condition=models.Q(type__in=EventType.values), name="event_type_valid"
            ),
        ]
        indexes = [models.Index(fields=["starts_at"], name="event_start")]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%d.%m.%Y})"

    def get_absolute_url(self):
        return reverse("seminars:detail", args=[self.pk])

    @property
    def has_begun(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def open_for_answers(self) -> bool:
        """Answers (and invitations) can change until the event begins, unless it is cancelled."""
        return self.cancelled_at is None and not self.has_begun

    @property
    def attendance_open(self) -> bool:
        """Attendance can be recorded from the event's day on (a sign-in sheet is filled in
        before the start), unless the event was cancelled. The one place of this rule."""
        return self.cancelled_at is None and (
            timezone.localdate(self.starts_at) <= timezone.localdate()
        )


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("invited, no answer yet")
    REGISTERED = "registered", _("registered")
    WAITING = "waiting", _("on the waiting list")
    DECLINED = "declined", _("declined")


class Invitation(models.Model):
    """One mentor invited to one event: the answer, the waiting list, the attendance."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations")
    mentor = models.ForeignKey(
        "mentors.Mentor", on_delete=models.CASCADE, related_name="invitations"
    )
    status = models.CharField(
        _("answer"),
        max_length=10,
        choices=InvitationStatus.choices,
        default=InvitationStatus.INVITED,
    )
    language = models.CharField(max_length=2, default="de")
    answered_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["mentor__last_name", "mentor__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "mentor"], name="invitation_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=InvitationStatus.values),
                name="invitation_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["event", "status"], name="invitation_event_status")]

    def __str__(self):
        return f"{self.mentor} – {self.event}"

    def waiting_place(self) -> int | None:
        """Place on the waiting list (1 = next to move up), in the order in which
        seminars.services gives free places (WAITING_ORDER); None if not waiting."""
        if self.status != InvitationStatus.WAITING:
            return None
        if self.waiting_since is None:  # PostgreSQL sorts NULL last
            ahead = models.Q(waiting_since__isnull=False) | models.Q(pk__lt=self.pk)
        else:
            ahead = models.Q(waiting_since__lt=self.waiting_since) | models.Q(
                waiting_since=self.waiting_since, pk__lt=self.pk
            )
        waiting = self.event.invitations.filter(status=InvitationStatus.WAITING)
        return waiting.filter(ahead).count() + 1


# Who moves up first when a place becomes free: the longest waiting.
WAITING_ORDER = ("waiting_since", "pk")


class CalendarFeed(models.Model):
    """A coordinator's private iCal feed of all upcoming events. The secret token in its URL
    is the only key, so it can be replaced (revoking the old URL) at any time."""

    user = models.OneToOneField(
        "willkommen.User", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user}"
