import random

import pghistory
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from faker import Faker

from mentors.models import ChecklistItem, Mentor, MentorStatus
from mentors.services import (
    confirmation_token,
    mentor_apply,
    mentor_check_item,
    mentor_confirm_email,
    mentor_transition,
)
from newcomers.models import Referral
from newcomers.services import referral_submit, referral_triage
from willkommen.core.models import SupportArea, User
from willkommen.core.roles import Role
from willkommen.core.services import user_create, user_set_role
from willkommen.core.vocabularies import District, Language, LanguageLevel, TimeOfDay, Weekday

DEFAULT_PASSWORD = "willkommen-demo"  # noqa: S105 - printed on purpose, demo data only
DEMO_LOGINS = [
    ("koordination@example.org", Role.COORDINATOR, "Katrin", "Koch"),
    ("beratung@example.org", Role.ADVISOR, "Bora", "Demir"),
]
DEMO_DOMAIN = "demo.example.org"
# Where demo mentors stand in the pipeline, by their number modulo 10.
PIPELINE = ["new", "new", "contacted", "screening", "screening", "ready", "ready", "ready",
            "ready", "paused"]  # fmt: skip


class Command(BaseCommand):
    help = "Create the demo logins and demo data. Safe to run again: nothing is created twice."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--mentors", type=int, default=40, help="demo mentors in all")
        parser.add_argument("--referrals", type=int, default=15, help="demo referrals in all")

    # Demo people live at example.org and must never be mailed, not even to the console.
    @override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    def handle(self, *args, password, mentors, referrals, **options):
        with transaction.atomic(), pghistory.context(command="seed_demo"):
            coordinator = self.create_logins(password)
            created = self.create_mentors(mentors, coordinator)
            referred = self.create_referrals(referrals, coordinator)
        self.stdout.write(f"Demo mentors: {created} created, {mentors} in all.")
        self.stdout.write(f"Demo referrals: {referred} created, {referrals} in all.")
        self.stdout.write("Demo logins:")
        for email, role, *_ in DEMO_LOGINS:
            self.stdout.write(f"  {role.label:<15} {email}  /  {password}")

    def create_logins(self, password):
        for email, role, first_name, last_name in DEMO_LOGINS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user_create(
                    email=email,
                    role=role,
                    first_name=first_name,
                    last_name=last_name,
                    password=password,
                )
            else:  # keep the demo logins usable with the password asked for now
                user.set_password(password)
                user.save(update_fields=["password"])
                user_set_role(user=user, role=role)
        return User.objects.get(email=DEMO_LOGINS[0][0])

    def create_mentors(self, count, coordinator):
        existing = set(
            Mentor.objects.filter(email__endswith="@" + DEMO_DOMAIN).values_list("email", flat=True)
        )
        areas = list(SupportArea.objects.all())
        created = 0
        for number in range(count):
            email = f"pate{number}@{DEMO_DOMAIN}"
            if email in existing:
                continue
            self.create_mentor(number, email, areas, coordinator)
            created += 1
        return created

    def create_referrals(self, count, coordinator):
        advisor = User.objects.get(email=DEMO_LOGINS[1][0])
        existing = Referral.objects.filter(advisor=advisor).count()
        areas = list(SupportArea.objects.all())
        for number in range(existing, count):
            fake = Faker("de_DE")
            fake.seed_instance(1000 + number)
            pick = random.Random(1000 + number)  # noqa: S311 - demo data, not security
            referral = referral_submit(
                advisor=advisor,
                data={
                    "first_name": fake.first_name(),
                    "last_name": fake.last_name(),
                    "languages": pick.sample(["ar", "uk", "fa", "tr", "ti", "ru", "en"], 2),
                    "german_level": pick.choice(["none", "A1", "A2", "B1"]),
                    "arrived_on": timezone.localdate().replace(day=1),
                    "district": pick.choice(District.values[:-1]),
                    "adults": pick.choice([1, 2]),
                    "children_ages": sorted(pick.sample(range(1, 17), pick.choice([0, 1, 2, 3]))),
                    "to_accompany": "die Familie",
                    "description": fake.paragraph(nb_sentences=2),
                    "consent_on": timezone.localdate(),
                    "consent_form_kept": True,
                },
                support_areas=pick.sample(areas, 2),
            )
            if number % 3 == 1:
                referral_triage(referral=referral, by=coordinator, to_status="waiting")
        return max(count - existing, 0)

    def create_mentor(self, number, email, areas, coordinator):
        fake = Faker("de_DE")
        fake.seed_instance(number)
        pick = random.Random(number)  # noqa: S311 - demo data, not security
        district = pick.choice(District.values)
        others = [code for code in Language.values if code != "de"]
        languages = [("de", "native")] + [
            (code, pick.choice(LanguageLevel.values[1:])) for code in pick.sample(others, 2)
        ]
        mentor = mentor_apply(
            data={
                "first_name": fake.first_name(),
                "last_name": fake.last_name(),
                "email": email,
                "phone": fake.phone_number() if pick.random() < 0.7 else "",
                "district": district,
                "postal_code": fake.postcode() if district == District.SURROUNDING_AREA else "",
                "weekdays": sorted(pick.sample(Weekday.values, 2)),
                "times_of_day": pick.sample(TimeOfDay.values, 1),
                "hours_per_month": pick.choice([4, 6, 8, 10]),
                "preferences": [],
                "preferences_note": "",
                "motivation": fake.paragraph(nb_sentences=3),
                "heard_about": "friends",
            },
            languages=languages,
            support_areas=pick.sample(areas, 2),
            language="de",
        )
        mentor_confirm_email(token=confirmation_token(mentor), language="de")
        target = PIPELINE[number % len(PIPELINE)]
        if target == "new":
            return
        mentor_transition(mentor=mentor, to_status=MentorStatus.CONTACTED, by=coordinator)
        if target == "contacted":
            return
        mentor_transition(mentor=mentor, to_status=MentorStatus.SCREENING, by=coordinator)
        if number % 2:  # half of them accompany families: they showed a police certificate
            Mentor.objects.filter(pk=mentor.pk).update(preferences=["families"])
            mentor.refresh_from_db()
            mentor_check_item(
                mentor=mentor,
                item=ChecklistItem.POLICE_CERTIFICATE,
                done_on=timezone.localdate(),
                valid_until=timezone.localdate().replace(year=timezone.localdate().year + 5),
                by=coordinator,
            )
        steps = [ChecklistItem.AGREEMENT, ChecklistItem.CONFIDENTIALITY]
        if target != "screening":
            steps.append(ChecklistItem.SEMINAR)
        for item in steps:
            mentor_check_item(
                mentor=mentor, item=item, done_on=timezone.localdate(), by=coordinator
            )
        if target == "paused":
            mentor_transition(mentor=mentor, to_status=MentorStatus.PAUSED, by=coordinator)
