import factory
from django.utils import timezone

from willkommen.core.models import User


class UserFactory(factory.django.DjangoModelFactory):
    """An account without a role; give it one with `user_set_role` (see conftest fixtures)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    password = factory.django.Password("a-long-test-password")


class MentorFactory(factory.django.DjangoModelFactory):
    """A confirmed applicant with two languages and two support areas.

    `status="ready"` (or any other status) builds the facts that status is derived from:
    the decided stage and the checklist; "active" also counts one active tandem (without a
    tandem row: build real tandems through the services where that matters).
    """

    class Meta:
        model = "mentors.Mentor"
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.Sequence(lambda n: f"mentor{n}@example.org")
    phone = "0711 123456"
    district = "west"
    weekdays = factory.LazyFunction(lambda: ["tue", "thu"])
    times_of_day = factory.LazyFunction(lambda: ["evening"])
    hours_per_month = 6
    motivation = "Ich bin selbst einmal neu angekommen."
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-11"
    email_confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def status(self, create, extracted, **kwargs):
        if create and extracted:
            mentor_with_status_facts(self, extracted)

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        from mentors.models import MentorLanguage

        if create:
            for code, level in (
                extracted if extracted is not None else [("de", "native"), ("en", "B2")]
            ):
                MentorLanguage.objects.create(mentor=self, language=code, level=level)

    @factory.post_generation
    def support_areas(self, create, extracted, **kwargs):
        from willkommen.core.models import SupportArea

        if create:
            slugs = extracted if extracted is not None else ["authorities", "german"]
            self.support_areas.set(SupportArea.objects.filter(slug__in=slugs))


def mentor_with_status_facts(mentor, status: str) -> None:
    """Give `mentor` the stage and checklist entries from which `status` follows."""
    from mentors.models import (
        ChecklistEntry,
        ChecklistItem,
        MentorStage,
        checklist_summary,
        steps_required,
    )

    stage = status if status in MentorStage.values else MentorStage.CONTACTED
    steps = {
        "screening": [ChecklistItem.CONVERSATION],
        "ready": steps_required(mentor.accompanies_families),
        "active": steps_required(mentor.accompanies_families),
    }.get(status, [])
    if steps:
        recorder = UserFactory()
        today = timezone.localdate()
        for item in steps:
            ChecklistEntry.objects.update_or_create(
                mentor=mentor,
                item=item,
                defaults={
                    "done_on": today,
                    "recorded_by": recorder,
                    "valid_until": today.replace(year=today.year + 3)
                    if item == ChecklistItem.POLICE_CERTIFICATE
                    else None,
                },
            )
    # What the checklist services would have stored with these entries.
    for field, value in checklist_summary(mentor.checklist.all()).items():
        setattr(mentor, field, value)
    mentor.stage = stage
    if status == "active":
        mentor.places_taken = max(mentor.places_taken, 1)
        mentor.tandems_active = max(mentor.tandems_active, 1)
    mentor.save()
    mentor.status = None  # derived afresh on the next read


def certificate_seen(mentor, *, done_on, valid_until) -> None:
    """Record the police certificate through the checklist service, as a coordinator would."""
    from mentors.services import mentor_check_item

    mentor_check_item(
        mentor=mentor,
        item="police-certificate",
        done_on=done_on,
        valid_until=valid_until,
        by=UserFactory(),
    )
    mentor.refresh_from_db()


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral just received, by a new advisor unless one is given."""

    class Meta:
        model = "newcomers.Referral"
        skip_postgeneration_save = True

    advisor = factory.SubFactory(UserFactory)
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    languages = factory.LazyFunction(lambda: ["ar"])
    german_level = "A1"
    arrived_on = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    district = "west"
    adults = 2
    children_ages = factory.LazyFunction(lambda: [4, 9])
    to_accompany = "die ganze Familie"
    description = "Begleitung zur Ausländerbehörde und Deutsch üben."
    consent_on = factory.LazyFunction(timezone.localdate)
    consent_form_version = "2026-11"

    @factory.post_generation
    def support_areas(self, create, extracted, **kwargs):
        from willkommen.core.models import SupportArea

        if create:
            slugs = extracted if extracted is not None else ["authorities", "german"]
            self.support_areas.set(SupportArea.objects.filter(slug__in=slugs))


def proposed_tandem():
    """A tandem just proposed: a waiting referral, a ready mentor whose place it holds."""
    from newcomers.models import Tandem

    return Tandem.objects.create(
        referral=ReferralFactory(status="waiting"),
        mentor=MentorFactory(status="ready", places_taken=1),
        proposed_by=UserFactory(),
    )


def active_tandem(*, started_days_ago: int, contacts_days_ago=()):
    """A tandem started that many days ago, with support contacts on those days, and the
    contact summary the services would have kept had it all happened then."""
    from datetime import timedelta

    from newcomers.models import SupportContact, Tandem
    from newcomers.services import tandem_schedule_store

    tandem = proposed_tandem()
    today = timezone.localdate()
    Tandem.objects.filter(pk=tandem.pk).update(
        status="active", started_on=today - timedelta(days=started_days_ago)
    )
    for days in contacts_days_ago:
        SupportContact.objects.create(
            tandem=tandem, contacted_on=today - timedelta(days=days),
            with_whom="both", channel="phone", rating=4, recorded_by=tandem.proposed_by,
        )  # fmt: skip
    tandem.refresh_from_db()
    tandem_schedule_store(tandem)
    return tandem


def an_event(**fields):
    """An introductory seminar next week with two places."""
    from datetime import timedelta

    from seminars.models import Event

    starts = timezone.now() + timedelta(days=7)
    return Event.objects.create(**{
        "title": "Einführungsseminar", "type": "intro", "starts_at": starts,
        "ends_at": starts + timedelta(hours=3), "place": "Rathaus, Raum 1", "capacity": 2,
        **fields,
    })  # fmt: skip


def an_invitation(event=None, mentor=None):
    from seminars.models import Invitation

    return Invitation.objects.create(event=event or an_event(), mentor=mentor or MentorFactory())
