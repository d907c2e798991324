"""A programme at a city's scale, in bulk, for `make bench` (issue 13).

At `--scale 1`: 10,000 mentors, 20,000 referrals, 6,000 tandems with 40,000 support contacts,
500 events with 15,000 invitations, over five years of history and a few months ahead. Rows are
written with bulk_create rather than through the services (which would take hours), so the
facts are made consistent by construction instead:

- a mentor's status is never stored: it follows from the stage, the checklist and the place
  counters (mentors/models.py); `places_taken` and `tandems_active` are counted from the tandems;
- open tandems go only to mentors who may accompany the household (screening complete, not
  paused or left, a free place, a valid police certificate for a family);
- the seminar step of a checklist is the day of an introductory seminar the mentor attended;
- no event has more people registered than places.

tests/overview/test_seed_scale.py checks these at a small scale. Everything lives under the
address domain scale.example.org, and nobody is mailed (nothing is queued).
"""

import bisect
import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pghistory
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from mentors.models import (
    ActivityKind,
    ChecklistEntry,
    ChecklistItem,
    LeftReason,
    Mentor,
    MentorActivity,
    MentorLanguage,
    MentorStage,
    checklist_summary,
)
from newcomers.models import (
    DeclineReason,
    EndReason,
    Referral,
    ReferralActivity,
    ReferralStatus,
    SupportContact,
    Tandem,
    TandemStatus,
    next_contact_due,
)
from seminars.models import Event, EventType, Invitation, InvitationStatus
from willkommen.core.models import SupportArea, User
from willkommen.core.roles import Role
from willkommen.core.vocabularies import District

SIZES = {
    "mentors": 10_000,
    "referrals": 20_000,
    "tandems": 6_000,
    "contacts": 40_000,
    "events": 500,
    "invitations": 15_000,
}
DOMAIN = "scale.example.org"
HISTORY_DAYS = 5 * 365
AHEAD_DAYS = 120  # events are planned this far ahead
CERTIFICATE_YEARS = 3  # the validity a coordinator enters for a police certificate here

# Weighted vocabularies: what a programme in Stuttgart sees most.
MENTOR_LANGUAGES = {"en": 40, "fr": 10, "es": 8, "tr": 8, "ru": 6, "ar": 5, "it": 5, "uk": 4,
                    "fa": 3, "pl": 3, "el": 2, "ro": 2, "sh": 2}  # fmt: skip
NEWCOMER_LANGUAGES = {"ar": 25, "uk": 20, "fa": 10, "tr": 10, "prs": 6, "ti": 5, "ru": 6, "en": 8,
                      "so": 3, "ps": 3, "kmr": 4, "fr": 3, "sq": 2}  # fmt: skip
GERMAN_LEVELS = {"none": 25, "A1": 35, "A2": 22, "B1": 13, "B2": 5}
FIRST_NAMES = ["Anna", "Lena", "Julia", "Sabine", "Petra", "Monika", "Katharina", "Sophie",
               "Marie", "Laura", "Thomas", "Michael", "Andreas", "Stefan", "Peter", "Markus",
               "Jonas", "Lukas", "Felix", "Wolfgang", "Aylin", "Mehmet", "Elif", "Olena",
               "Dmytro", "Fatima", "Ahmad", "Yusuf", "Mariam", "Hamid", "Selam", "Tesfay",
               "Nadia", "Omar", "Irina", "Giulia", "Carlos", "Ana", "Ewa", "Nikolaos"]  # fmt: skip
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
              "Schulz", "Hoffmann", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
              "Neumann", "Schwarz", "Braun", "Hofmann", "Zimmermann", "Krüger", "Hartmann",
              "Lange", "Schmitt", "Werner", "Krause", "Maier", "Lehmann", "Huber", "Kaya",
              "Yılmaz", "Demir", "Şahin", "Kovalenko", "Shevchenko", "Haddad", "Ahmadi",
              "Rahimi", "Tesfaye", "Haile", "Hussein", "Popescu", "Nowak", "Rossi", "García",
              "Papadopoulos", "Ivanova", "Bondarenko", "Karimi"]  # fmt: skip
MOTIVATIONS = [
    "Ich bin selbst vor Jahren nach Stuttgart gekommen und weiß, wie viel ein Mensch hilft, "
    "der sich auskennt.",
    "Seit meiner Rente habe ich Zeit und möchte etwas Sinnvolles in meinem Stadtteil tun.",
    "Ich arbeite im Krankenhaus und erlebe täglich, wie schwer der Anfang ohne Sprache ist.",
    "Meine Kinder sind aus dem Haus; ich möchte einer Familie beim Ankommen helfen.",
    "I moved here for work three years ago and would like to give something back.",
    "Ich spreche Arabisch und Deutsch und möchte zwischen beiden Welten Brücken bauen.",
]
NEEDS = [
    "Die Familie braucht Begleitung zur Ausländerbehörde und Hilfe bei Briefen vom Jobcenter.",
    "Frau {name} sucht jemanden, mit dem sie Deutsch im Alltag üben kann.",
    "Der Sohn kommt im Herbst in die Schule; die Eltern kennen das System noch nicht.",
    "Herr {name} sucht eine Wohnung und versteht die Anzeigen noch nicht gut.",
    "Die Familie möchte Leute im Stadtteil kennenlernen und Vereine finden.",
    "Hilfe bei der Anerkennung des Berufsabschlusses (Pflege) und bei Bewerbungen.",
]
CONTACT_NOTES = [
    "Treffen sich jede Woche, läuft gut.",
    "Pate hat nach Tipps für Gespräche mit der Schule gefragt.",
    "Termin beim Jobcenter gemeinsam vorbereitet.",
    "Familie ist zufrieden; Patin wünscht sich Austausch mit anderen Paten.",
    "Kurz telefoniert, nichts Besonderes.",
    "",
]
EVENT_TITLES = {
    EventType.INTRO: ["Einführungsseminar für neue Patinnen und Paten"],
    EventType.TRAINING: [
        "Fortbildung: Interkulturelle Kommunikation",
        "Fortbildung: Aufenthaltsrecht kurz erklärt",
        "Fortbildung: Grenzen setzen im Ehrenamt",
        "Fortbildung: Das Schulsystem in Baden-Württemberg",
    ],  # fmt: skip
    EventType.REFLECTION: ["Reflexionstreffen"],
}
EVENT_PLACES = ["Rathaus Stuttgart, Marktplatz 1, Raum 204",
                "Welcome Center Stuttgart, Charlottenplatz 17",
                "Stadtteilhaus Bad Cannstatt, Seminarraum"]  # fmt: skip
# Newcomers find flats where rents allow: some districts see more of them.
REFERRAL_DISTRICTS = {**{d: 1 for d in District.values[:-1]},
                      "bad-cannstatt": 4, "zuffenhausen": 3, "mitte": 3}  # fmt: skip
EVENT_CAPACITY = {EventType.INTRO: 50, EventType.TRAINING: 25, EventType.REFLECTION: 20}


def _weighted(pick: random.Random, weights: dict, k: int = 1) -> list:
    chosen = []
    keys, values = list(weights), list(weights.values())
    while len(chosen) < k:
        value = pick.choices(keys, values)[0]
        if value not in chosen:
            chosen.append(value)
    return chosen


@contextmanager
def dates_as_given(*fields):
    """Bulk rows carry their own history's dates: switch auto_now(_add) off while inserting."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _fields(*pairs):
    return [model._meta.get_field(name) for model, name in pairs]


@dataclass
class MentorPlan:
    """What the seed decided for one mentor before the rows exist."""

    applied: date
    confirmed: bool
    progress: str  # new, contacted, screening, complete
    stage: str
    families: bool
    languages: set = field(default_factory=set)
    complete_on: date | None = None  # the day the last screening step was done
    intro: "Event | None" = None  # the introductory seminar attended (or booked)
    certificate_until: date | None = None
    places: int = 0


class Command(BaseCommand):
    help = "Bulk data at a city's scale for `make bench` (10,000 mentors at --scale 1)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="fraction of the sizes")
        parser.add_argument("--seed", type=int, default=13)

    def handle(self, *args, scale, seed, **options):
        if Mentor.objects.filter(email__endswith="@" + DOMAIN).exists():
            self.stdout.write("seed_scale: data already there, nothing created.")
            return
        started = timezone.now()
        with (
            transaction.atomic(),
            pghistory.context(command="seed_scale"),
            dates_as_given(
                *_fields(
                    (Mentor, "created_at"),
                    (Referral, "created_at"),
                    (Tandem, "proposed_at"),
                    (SupportContact, "created_at"),
                    (Event, "created_at"),
                    (Invitation, "created_at"),
                    (ChecklistEntry, "recorded_at"),
                    (MentorActivity, "created_at"),
                    (ReferralActivity, "created_at"),
                )
            ),  # fmt: skip
        ):
            counts = Programme(scale=scale, seed=seed).build()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        seconds = (timezone.now() - started).total_seconds()
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(f"seed_scale: {summary} in {seconds:.0f} s.")


class Programme:
    def __init__(self, *, scale: float, seed: int):
        self.pick = random.Random(seed)  # noqa: S311 - reproducible sample data
        self.fake = Faker("de_DE")
        self.fake.seed_instance(seed)
        self.sizes = {name: max(1, round(size * scale)) for name, size in SIZES.items()}
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.areas = list(SupportArea.objects.filter(active=True))
        self.counts = {}

    # --- helpers ---------------------------------------------------------------------------

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def at(self, day: date, hour: int | None = None) -> datetime:
        """A moment of a local day (in office hours unless `hour` is given), never ahead."""
        hour = hour if hour is not None else self.pick.randint(8, 17)
        moment = datetime.combine(day, time(hour, self.pick.randrange(60)))
        return min(timezone.make_aware(moment), self.now)

    def recent_day(self, span: int) -> int:
        """Days ago, more of them recent: the programme grew over the years."""
        return int(self.pick.triangular(0, span, 0))

    def name(self) -> tuple[str, str]:
        """Mostly names common in Germany, some from the newcomers' countries; namesakes occur,
        as they do in a city."""
        if self.pick.random() < 0.7:
            return self.fake.first_name(), self.fake.last_name()
        return self.pick.choice(FIRST_NAMES), self.pick.choice(LAST_NAMES)

    def bulk(self, model, rows, name: str):
        created = model.objects.bulk_create(rows, batch_size=2000)
        self.counts[name] = self.counts.get(name, 0) + len(created)
        return created

    # --- the build -------------------------------------------------------------------------

    def build(self) -> dict:
        """Plan in Python, then insert in the order of the foreign keys: each row is written
        once, with its final state (an update would add a history row per row)."""
        self.users()
        self.events()
        self.mentors()
        self.referrals()
        self.tandems()
        self.place_counters()
        self.save_mentors()
        self.save_referrals()
        self.contacts()
        self.invitations()
        return self.counts

    def users(self):
        advisors = max(2, round(40 * self.sizes["referrals"] / SIZES["referrals"]))
        coordinators = [self.account(f"koordination{n}") for n in range(6)]
        advisors = [self.account(f"beratung{n}") for n in range(advisors)]
        self.coordinators = self.bulk(User, coordinators, "users")
        self.advisors = self.bulk(User, advisors, "users")
        groups = {role: Group.objects.get(name=role.value) for role in Role}
        self.bulk(
            User.groups.through,
            [User.groups.through(user_id=u.pk, group_id=groups[Role.COORDINATOR].pk)
             for u in self.coordinators]
            + [User.groups.through(user_id=u.pk, group_id=groups[Role.ADVISOR].pk)
               for u in self.advisors],
            "role memberships",
        )  # fmt: skip

    def account(self, name: str) -> User:
        first, last = self.name()
        user = User(email=f"{name}@{DOMAIN}", first_name=first, last_name=last)
        user.set_unusable_password()  # nobody logs in here
        return user

    def coordinator(self) -> User:
        return self.pick.choice(self.coordinators)

    def events(self):
        types = {EventType.INTRO: 45, EventType.TRAINING: 20, EventType.REFLECTION: 35}
        events = []
        planned = max(1, round(self.sizes["events"] * 0.06))
        for number in range(self.sizes["events"]):
            kind = _weighted(self.pick, types)[0]
            # As many events as the programme's growth asks for; the next months planned.
            ahead = number < planned
            day = (self.today + timedelta(days=self.pick.randint(1, AHEAD_DAYS)) if ahead
                   else self.days_ago(self.recent_day(HISTORY_DAYS)))  # fmt: skip
            starts = timezone.make_aware(datetime.combine(day, time(self.pick.choice([10, 17]))))
            events.append(
                Event(
                    title=self.pick.choice(EVENT_TITLES[kind]),
                    type=kind,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3 if kind == EventType.INTRO else 2),
                    place=self.pick.choice(EVENT_PLACES),
                    capacity=EVENT_CAPACITY[kind],
                    facilitator="Team WillkommensPaten",
                    description="Mit Kaffee und Zeit für Fragen.",
                    cancelled_at=starts - timedelta(days=5) if self.pick.random() < 0.03 else None,
                    created_at=min(starts - timedelta(days=60), self.now),
                )
            )
        events.sort(key=lambda event: event.starts_at)
        self.all_events = self.bulk(Event, events, "events")
        self.intro_events = [e for e in self.all_events
                             if e.type == EventType.INTRO and e.cancelled_at is None]  # fmt: skip
        self.intro_days = [timezone.localdate(e.starts_at) for e in self.intro_events]
        self.registered = {event.pk: 0 for event in self.all_events}
        self.invited = {event.pk: {} for event in self.all_events}  # event → {mentor: row}

    def book_intro(self, not_before: date) -> Event | None:
        """The first introductory seminar from `not_before` on with a free place."""
        index = bisect.bisect_left(self.intro_days, not_before)
        for event in self.intro_events[index:]:
            if self.registered[event.pk] < event.capacity:
                self.registered[event.pk] += 1
                return event
        return None

    # --- mentors ---------------------------------------------------------------------------

    def mentor_plan(self) -> MentorPlan:
        age = self.recent_day(HISTORY_DAYS)
        applied = self.days_ago(age)
        confirmed = age > 5 or self.pick.random() < 0.7  # older unconfirmed ones are purged
        if not confirmed:
            progress = "new"
        elif age < 14:
            progress = _weighted(self.pick, {"new": 60, "contacted": 30, "screening": 10})[0]
        elif age < 60:
            progress = _weighted(
                self.pick, {"new": 10, "contacted": 20, "screening": 40, "complete": 30}
            )[0]
        else:
            progress = _weighted(
                self.pick, {"new": 3, "contacted": 5, "screening": 12, "complete": 80}
            )[0]
        stage = MentorStage.NEW if progress == "new" else MentorStage.CONTACTED
        if confirmed and age > 90 and self.pick.random() < 0.5 * age / HISTORY_DAYS:
            stage = MentorStage.LEFT
        elif progress == "complete" and self.pick.random() < 0.05:
            stage = MentorStage.PAUSED
        return MentorPlan(applied=applied, confirmed=confirmed, progress=progress, stage=stage,
                          families=self.pick.random() < 0.4)  # fmt: skip

    def mentors(self):
        plans = [self.mentor_plan() for _ in range(self.sizes["mentors"])]
        self.mentor_rows = []
        for number, plan in enumerate(plans):
            first, last = self.name()
            district = _weighted(self.pick, {d: 1 for d in District.values[:-1]}
                                 | {District.SURROUNDING_AREA: 3})[0]  # fmt: skip
            preferences = ["families"] if plan.families else []
            if not plan.families and self.pick.random() < 0.3:
                preferences = ["adults"]
            applied_at = self.at(plan.applied)
            mentor = Mentor(
                first_name=first, last_name=last,
                email=f"{first}.{last}.{number}@{DOMAIN}".lower(),
                phone=f"0711 {self.pick.randint(100000, 9999999)}" if self.pick.random() < 0.7
                else "",
                district=district,
                postal_code="71032" if district == District.SURROUNDING_AREA else "",
                weekdays=sorted(self.pick.sample(["mon", "tue", "wed", "thu", "fri", "sat"],
                                                 self.pick.randint(1, 3))),
                times_of_day=self.pick.sample(["morning", "afternoon", "evening"],
                                              self.pick.randint(1, 2)),
                hours_per_month=self.pick.choice([2, 4, 8, 8, 12, 16]),
                preferences=preferences,
                motivation=self.pick.choice(MOTIVATIONS),
                heard_about=self.pick.choice(["friends", "press", "social", "website", "event"]),
                consent_at=applied_at, consent_version="2026-11",
                email_confirmed_at=applied_at + timedelta(hours=2) if plan.confirmed else None,
                stage=plan.stage,
                capacity=_weighted(self.pick, {1: 80, 2: 15, 3: 5})[0],
                left_reason=_weighted(self.pick, {r: 1 for r in LeftReason.values})[0]
                if plan.stage == MentorStage.LEFT else "",
                created_at=applied_at,
            )  # fmt: skip
            mentor.plan = plan
            self.mentor_rows.append(mentor)
        self.mentor_languages()
        self.checklists()

    def save_mentors(self):
        checklists = defaultdict(list)
        for entry in self.checklist_rows:
            checklists[id(entry.mentor)].append(entry)
        for mentor in self.mentor_rows:  # as the checklist services store it
            for name, value in checklist_summary(checklists[id(mentor)]).items():
                setattr(mentor, name, value)
        self.bulk(Mentor, self.mentor_rows, "mentors")
        self.bulk(MentorLanguage, self.language_rows, "mentor languages")
        self.bulk(Mentor.support_areas.through, [
            Mentor.support_areas.through(mentor=mentor, supportarea=area)
            for mentor in self.mentor_rows
            for area in self.pick.sample(self.areas, self.pick.randint(1, 3))
        ], "mentor support areas")  # fmt: skip
        self.bulk(ChecklistEntry, self.checklist_rows, "checklist entries")
        self.bulk(MentorActivity, [
            activity for mentor in self.mentor_rows for activity in (
                MentorActivity(mentor=mentor, kind=ActivityKind.APPLIED,
                               created_at=mentor.created_at),
                MentorActivity(mentor=mentor, kind=ActivityKind.CONFIRMED,
                               created_at=mentor.email_confirmed_at)
                if mentor.email_confirmed_at else None,
            ) if activity is not None
        ], "mentor activities")  # fmt: skip

    def mentor_languages(self):
        self.language_rows = rows = []
        for mentor in self.mentor_rows:
            own = "de"
            if self.pick.random() < 0.15:  # German learnt, another language native
                own = _weighted(self.pick, MENTOR_LANGUAGES)[0]
                rows.append(MentorLanguage(mentor=mentor, language="de",
                                           level=self.pick.choice(["B2", "C1", "C2"])))  # fmt: skip
            rows.append(MentorLanguage(mentor=mentor, language=own, level="native"))
            mentor.plan.languages = {own}
            for code in _weighted(self.pick, MENTOR_LANGUAGES, self.pick.randint(0, 2)):
                if code in (own, "de"):
                    continue
                level = self.pick.choice(["A2", "B1", "B2", "C1"])
                rows.append(MentorLanguage(mentor=mentor, language=code, level=level))
                if level != "A2":
                    mentor.plan.languages.add(code)

    def checklists(self):
        self.checklist_rows = rows = []

        def step(mentor, item, day, valid_until=None):
            rows.append(ChecklistEntry(
                mentor=mentor, item=item, done_on=day, valid_until=valid_until,
                recorded_by=self.coordinator(), recorded_at=self.at(day),
            ))  # fmt: skip

        # Oldest first, so that seminars fill up in the order people applied.
        for mentor in sorted(self.mentor_rows, key=lambda m: m.plan.applied):
            plan = mentor.plan
            if plan.progress in ("new", "contacted"):
                continue
            talk = min(plan.applied + timedelta(days=self.pick.randint(7, 30)), self.today)
            step(mentor, ChecklistItem.CONVERSATION, talk)
            signed = min(talk + timedelta(days=self.pick.randint(0, 14)), self.today)
            if plan.progress == "complete" or self.pick.random() < 0.5:
                step(mentor, ChecklistItem.AGREEMENT, signed)
                step(mentor, ChecklistItem.CONFIDENTIALITY, signed)
            if plan.families and (plan.progress == "complete" or self.pick.random() < 0.3):
                seen = min(talk + timedelta(days=self.pick.randint(7, 30)), self.today)
                renewal = timedelta(days=365 * CERTIFICATE_YEARS)
                # Most renew in time; a few let it lapse (their certificate then needs renewing).
                while seen + renewal < self.today - timedelta(days=30) and self.pick.random() < 0.8:
                    seen += renewal - timedelta(days=self.pick.randint(0, 60))
                plan.certificate_until = seen + renewal
                step(mentor, ChecklistItem.POLICE_CERTIFICATE, seen, plan.certificate_until)
            if plan.progress == "complete":
                plan.intro = self.book_intro(signed + timedelta(days=self.pick.randint(7, 45)))
                if plan.intro is None or plan.intro.starts_at > self.now:
                    plan.progress = "screening"  # the seminar is still ahead: booked, not done
                else:
                    seminar_day = timezone.localdate(plan.intro.starts_at)
                    step(mentor, ChecklistItem.SEMINAR, seminar_day)
                    plan.complete_on = seminar_day
            elif plan.stage != MentorStage.LEFT and self.pick.random() < 0.4:
                plan.intro = self.book_intro(self.today)  # booked for an upcoming one
        may_accompany = [m for m in self.mentor_rows if m.plan.complete_on is not None]
        may_accompany.sort(key=lambda m: m.plan.complete_on)
        self.screened = may_accompany
        self.screened_days = [m.plan.complete_on for m in may_accompany]

    # --- referrals and tandems -------------------------------------------------------------

    def referrals(self):
        rows = []
        for _ in range(self.sizes["referrals"]):
            first, last = self.name()
            age = self.recent_day(HISTORY_DAYS)
            created = self.at(self.days_ago(age))
            children = sorted(self.pick.sample(range(0, 18), self.pick.choice([0, 0, 1, 2, 3])))
            district = _weighted(self.pick, REFERRAL_DISTRICTS)[0]
            referral = Referral(
                advisor=self.pick.choice(self.advisors),
                first_name=first, last_name=last,
                phone=f"0176 {self.pick.randint(1000000, 9999999)}" if self.pick.random() < 0.6
                else "",
                languages=_weighted(self.pick, NEWCOMER_LANGUAGES, self.pick.choice([1, 1, 2])),
                german_level=_weighted(self.pick, GERMAN_LEVELS)[0],
                arrived_on=(created.date() - timedelta(days=self.pick.randint(20, 400))).replace(
                    day=1),
                district=district,
                adults=self.pick.choice([1, 1, 2, 2, 3]),
                children_ages=children,
                to_accompany="die ganze Familie" if children else "Frau und Herr " + last,
                description=self.pick.choice(NEEDS).format(name=last),
                urgency="urgent" if self.pick.random() < 0.15 else "normal",
                weekdays=sorted(self.pick.sample(["mon", "tue", "wed", "thu", "fri", "sat"],
                                                 self.pick.randint(1, 3))),
                times_of_day=self.pick.sample(["morning", "afternoon", "evening"],
                                              self.pick.randint(1, 2)),
                consent_on=created.date(), consent_form_version="2026-11",
                consent_form_kept=True,
                created_at=created,
            )  # fmt: skip
            referral.age = age
            referral.accepted = min(created.date() + timedelta(days=self.pick.randint(1, 7)),
                                    self.today)  # fmt: skip
            rows.append(referral)
        rows.sort(key=lambda r: r.created_at)
        self.referral_rows = rows

    def save_referrals(self):
        self.bulk(Referral, self.referral_rows, "referrals")
        self.bulk(Referral.support_areas.through, [
            Referral.support_areas.through(referral=r, supportarea=area)
            for r in self.referral_rows
            for area in self.pick.sample(self.areas, self.pick.randint(1, 3))
        ], "referral support areas")  # fmt: skip
        self.bulk(ReferralActivity, self.activity_rows, "referral activities")
        self.bulk(Tandem, self.tandem_rows, "tandems")
        self.bulk(Tandem.agreement_areas.through, [
            Tandem.agreement_areas.through(tandem=t, supportarea=area)
            for t in self.tandem_rows if t.started_on
            for area in self.pick.sample(self.areas, 2)
        ], "tandem agreement areas")  # fmt: skip

    def status(self, referral, to, day, *, by=None, before=ReferralStatus.RECEIVED, text=""):
        """A status change in the referral's timeline, and on the referral."""
        self.activity_rows.append(ReferralActivity(
            referral=referral, kind=ReferralActivity.Kind.STATUS, from_status=before,
            to_status=to, text=text, created_by=by or self.coordinator(),
            created_at=self.at(day),
        ))  # fmt: skip
        referral.status = to

    def tandems(self):
        """Give referrals their outcome: a tandem in some state, a decline, a withdrawal, or
        still open; the referral's status and timeline follow."""
        older = [r for r in self.referral_rows if r.age >= 10]
        declined_proposals = round(self.sizes["tandems"] * 0.04)
        wanted = min(len(older), self.sizes["tandems"] - declined_proposals)
        matched = {id(r) for r in self.pick.sample(older, wanted)}
        self.tandem_rows, self.activity_rows = [], []
        for referral in self.referral_rows:
            self.activity_rows.append(ReferralActivity(
                referral=referral, kind=ReferralActivity.Kind.SUBMITTED,
                created_by=referral.advisor, created_at=referral.created_at,
            ))  # fmt: skip
            if id(referral) in matched:
                self.status(referral, ReferralStatus.WAITING, referral.accepted)
                tandem = self.tandem_for(referral)
                if tandem is not None:
                    self.tandem_rows.append(tandem)
                elif referral.age > 150:  # nobody suitable for months: the family withdrew
                    gone = referral.accepted + timedelta(days=150)
                    self.status(referral, ReferralStatus.WITHDRAWN, gone, by=referral.advisor,
                                before=ReferralStatus.WAITING)  # fmt: skip
            elif referral.age < 10:
                outcome = _weighted(self.pick, {"received": 55, "info-needed": 15,
                                                "waiting": 30})[0]  # fmt: skip
                if outcome == ReferralStatus.INFO_NEEDED:
                    self.activity_rows.append(ReferralActivity(
                        referral=referral, kind=ReferralActivity.Kind.QUESTION,
                        text="Welche Sprache spricht die Familie zu Hause?",
                        created_by=self.coordinator(), created_at=self.at(referral.accepted),
                    ))  # fmt: skip
                if outcome != ReferralStatus.RECEIVED:
                    self.status(referral, outcome, referral.accepted)
            elif referral.age < 120 and self.pick.random() < 0.75:
                self.status(referral, ReferralStatus.WAITING, referral.accepted)
            elif self.pick.random() < 0.45:
                referral.decline_reason = self.pick.choice(DeclineReason.values)
                self.status(referral, ReferralStatus.DECLINED, referral.accepted)
            else:
                self.status(referral, ReferralStatus.WAITING, referral.accepted)
                gone = min(referral.accepted + timedelta(days=self.pick.randint(10, 150)),
                           self.today)  # fmt: skip
                self.status(referral, ReferralStatus.WITHDRAWN, gone, by=referral.advisor,
                            before=ReferralStatus.WAITING)  # fmt: skip
        # Some mentors said no before another said yes: a declined proposal on the first day
        # of waiting (the tandem that followed was proposed three days or more later).
        followed = [t.referral for t in self.tandem_rows]
        for referral in self.pick.sample(followed, min(declined_proposals, len(followed))):
            mentor = self.mentor_for(referral, referral.accepted, open_tandem=False)
            if mentor is not None:
                proposed = self.at(referral.accepted, 18)
                self.tandem_rows.append(Tandem(
                    referral=referral, mentor=mentor, status=TandemStatus.DECLINED,
                    proposed_by=self.coordinator(), proposed_at=proposed,
                    answered_at=proposed + timedelta(days=2),
                    decline_reason="Zurzeit leider keine Zeit.",
                ))  # fmt: skip

    def tandem_for(self, referral) -> Tandem | None:
        """The tandem of a matched referral, in the state its age gives it."""
        waited = int(self.pick.triangular(3, 120, 25))
        proposed_on = min(referral.accepted + timedelta(days=waited), self.today)
        since = (self.today - proposed_on).days
        if since < 10:
            state = self.pick.choice([TandemStatus.PROPOSED, TandemStatus.ACCEPTED])
        elif since < 25 and self.pick.random() < 0.4:
            state = TandemStatus.ACCEPTED
        else:
            state = TandemStatus.ACTIVE  # or ended, by its length below
        starts = proposed_on + timedelta(days=self.pick.randint(7, 20))
        ends = starts + timedelta(days=int(self.pick.triangular(60, 600, 300)))
        before_start = state == TandemStatus.ACTIVE and self.pick.random() < 0.03
        if state == TandemStatus.ACTIVE and (ends < self.today or before_start):
            state = TandemStatus.ENDED
        mentor = self.mentor_for(referral, proposed_on, open_tandem=state != TandemStatus.ENDED)
        if mentor is None:
            return None  # nobody suitable yet: the referral keeps waiting
        tandem = Tandem(
            referral=referral, mentor=mentor, status=state, proposed_by=self.coordinator(),
            proposed_at=self.at(proposed_on),
        )  # fmt: skip
        if state == TandemStatus.PROPOSED:
            return tandem
        tandem.answered_at = min(tandem.proposed_at + timedelta(days=self.pick.randint(1, 4)),
                                 self.now)  # fmt: skip
        self.status(referral, ReferralStatus.MATCHED, tandem.answered_at.date(),
                    before=ReferralStatus.WAITING)  # fmt: skip
        meeting = None
        if state == TandemStatus.ACCEPTED and self.pick.random() < 0.7:
            meeting = tandem.answered_at.date() + timedelta(days=self.pick.randint(3, 20))
        elif state != TandemStatus.ACCEPTED and not before_start:
            meeting = starts
            tandem.started_on = starts
            tandem.first_meeting_attendees = ["coordinator"]
            tandem.agreement_contents = "Deutsch üben, Begleitung zu Ämtern, Stadtteil zeigen."
            tandem.expected_duration = "ein Jahr"
            tandem.frequency = "einmal pro Woche"
            tandem.meeting_places = "Stadtbücherei, Café"
        if meeting is not None:
            tandem.first_meeting_at = timezone.make_aware(datetime.combine(meeting, time(17)))
            tandem.first_meeting_place = "Welcome Center, Charlottenplatz 17"
        if state == TandemStatus.ENDED:
            ended = proposed_on + timedelta(days=10) if before_start else ends
            tandem.ended_on = min(ended, self.today)
            tandem.end_reason = (
                self.pick.choice([EndReason.DID_NOT_FIT, EndReason.CONTACT_LOST])
                if before_start
                else _weighted(self.pick, {
                    EndReason.GOALS_REACHED: 55, EndReason.NEWCOMER_MOVED: 12,
                    EndReason.MENTOR_UNAVAILABLE: 10, EndReason.DID_NOT_FIT: 6,
                    EndReason.CONTACT_LOST: 10, EndReason.OTHER: 7,
                })[0]
            )  # fmt: skip
            tandem.closing_conversation = self.pick.random() < 0.7
            self.status(referral, ReferralStatus.ENDED, tandem.ended_on,
                        before=ReferralStatus.MATCHED)  # fmt: skip
        return tandem

    def mentor_for(self, referral, day: date, *, open_tandem: bool):
        """A mentor screened by `day`; for an open tandem one who may take it now (ready or
        active with a free place, a valid certificate for a family), sharing a language if one
        of a sample does."""
        screened = self.screened[: bisect.bisect_right(self.screened_days, day)]
        sample = self.pick.sample(screened, min(len(screened), 200))
        if open_tandem:
            sample = [m for m in sample if self.may_take(m, referral)]
        sharing = [m for m in sample if m.plan.languages & set(referral.languages)]
        mentor = next(iter(sharing or sample), None)
        if mentor is not None and open_tandem:
            mentor.plan.places += 1
        return mentor

    def may_take(self, mentor, referral) -> bool:
        plan = mentor.plan
        return (
            plan.stage == MentorStage.CONTACTED
            and plan.places < mentor.capacity
            and (not plan.families or plan.certificate_until >= self.today)
            and (not referral.children_ages or plan.families)
        )

    # --- support contacts ------------------------------------------------------------------

    def contacts(self):
        """Contacts about every month of a tandem, the first an early check; some active
        tandems are neglected (overdue), some new ones have had no contact yet."""
        spans = []
        for tandem in self.tandem_rows:
            if tandem.started_on is None:
                continue
            first = tandem.started_on + timedelta(days=self.pick.randint(5, 20))
            last = tandem.ended_on or self.today
            if tandem.status == TandemStatus.ACTIVE and self.pick.random() < 0.12:
                last = self.today - timedelta(days=self.pick.randint(35, 150))  # neglected
            if first <= last:
                spans.append((tandem, first, last))
        total_days = sum((last - first).days for _tandem, first, last in spans)
        interval = total_days / max(self.sizes["contacts"] - len(spans), 1)
        rows = []
        for tandem, first, last in spans:
            day, number = first, 0
            while day <= last:
                rows.append(SupportContact(
                    tandem=tandem, contacted_on=day,
                    with_whom=_weighted(self.pick, {"mentor": 60, "both": 25, "newcomer": 15})[0],
                    channel=_weighted(self.pick, {"phone": 60, "meeting": 20, "email": 15,
                                                  "video": 5})[0],
                    rating=_weighted(self.pick, {5: 35, 4: 40, 3: 17, 2: 6, 1: 2})[0],
                    early_check=number == 0 and self.pick.random() < 0.9,
                    concern=self.pick.random() < 0.05,
                    notes=self.pick.choice(CONTACT_NOTES),
                    recorded_by=self.coordinator(), created_at=self.at(day),
                ))  # fmt: skip
                day += timedelta(days=max(1, round(interval * self.pick.uniform(0.6, 1.4))))
                number += 1
        self.bulk(SupportContact, rows, "support contacts")
        # The contact summary, as newcomers.services.tandem_schedule_store keeps it.
        summaries = defaultdict(list)
        for contact in rows:
            summaries[id(contact.tandem)].append(contact.contacted_on)
        for tandem in self.tandem_rows:
            days = summaries[id(tandem)]
            tandem.contact_count, tandem.last_contact_on = len(days), max(days, default=None)
            tandem.next_contact_due = next_contact_due(
                status=tandem.status, started_on=tandem.started_on,
                contact_count=tandem.contact_count, last_contact_on=tandem.last_contact_on,
            )  # fmt: skip
        Tandem.objects.bulk_update(
            self.tandem_rows,
            ["contact_count", "last_contact_on", "next_contact_due"],
            batch_size=2000,
        )

    # --- invitations -----------------------------------------------------------------------

    def invitations(self):
        """Attended introductory seminars (behind the checklists), booked upcoming ones, and
        the other events filled up to the size asked for."""

        def invite(event, mentor, status, attended=None):
            if mentor.pk in self.invited[event.pk]:
                return
            answered = None
            if status != InvitationStatus.INVITED:
                answered = min(event.starts_at - timedelta(days=self.pick.randint(3, 25)), self.now)
            self.invited[event.pk][mentor.pk] = Invitation(
                event=event, mentor=mentor, status=status, answered_at=answered,
                waiting_since=answered if status == InvitationStatus.WAITING else None,
                attended=attended, created_at=min(event.starts_at - timedelta(days=40), self.now),
            )  # fmt: skip

        for mentor in self.mentor_rows:
            event = mentor.plan.intro
            if event is not None:  # registered places were counted when booking
                past = event.starts_at <= self.now
                invite(event, mentor, InvitationStatus.REGISTERED, True if past else None)
        confirmed = [m for m in self.mentor_rows if m.email_confirmed_at]
        others = [e for e in self.all_events if e.type != EventType.INTRO] or self.all_events
        booked = sum(len(rows) for rows in self.invited.values())
        per_event = -(-(self.sizes["invitations"] - booked) // len(others))  # rounded up
        for event in others:
            invitable = [m for m in confirmed if m.email_confirmed_at < event.starts_at]
            if not invitable:
                continue
            past = event.starts_at <= self.now
            for mentor in self.pick.sample(invitable, min(len(invitable), per_event)):
                answer = _weighted(self.pick, {"yes": 55, "no": 25, "none": 20})[0]
                if answer == "none":
                    invite(event, mentor, InvitationStatus.INVITED)
                elif answer == "no":
                    invite(event, mentor, InvitationStatus.DECLINED)
                elif self.registered[event.pk] < event.capacity:
                    self.registered[event.pk] += 1
                    invite(event, mentor, InvitationStatus.REGISTERED,
                           self.pick.random() < 0.85 if past else None)  # fmt: skip
                else:
                    invite(event, mentor, InvitationStatus.WAITING)
        self.bulk(
            Invitation,
            [row for rows in self.invited.values() for row in rows.values()],
            "invitations",
        )

    def place_counters(self):
        """places_taken and tandems_active, counted from the tandems planned."""
        open_statuses = (TandemStatus.PROPOSED, TandemStatus.ACCEPTED, TandemStatus.ACTIVE)
        for tandem in self.tandem_rows:
            if tandem.status in open_statuses:
                tandem.mentor.places_taken += 1
            if tandem.status == TandemStatus.ACTIVE:
                tandem.mentor.tandems_active += 1
