"""`manage.py seed_demo`: the demo logins and 18 months of a programme's life.

Everything is done the way the app does it, through the services: people apply and confirm,
coordinators screen them, seminars invite and take attendance, advisors refer families, tandems
are proposed, start, are accompanied and end. The services stamp what they do with the time of
the call; the StoryClock below moves each stamp to the moment the story says it happened, so
that waiting times, overdue contacts, the timeline, the history and the reports read like a
real year. Dates that services take as arguments (checklist steps, contacts, ends) are simply
the story's dates.

Each run first removes the demo data of earlier runs, so a second run gives the same picture,
relative to the day it runs. Demo people live at example.org and are never mailed: the mails
the services queue for them are deleted before the transaction commits, so no mail worker ever
sees them - but one, kept as given up for the list of undelivered mail, which no worker tries.
"""

import random
from base64 import b32encode
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pghistory
import pgtrigger
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

from mentors.models import ChecklistEntryEvent, ChecklistItem, Mentor, MentorEvent, MentorStatus
from mentors.services import (
    confirmation_token,
    mentor_add_note,
    mentor_apply,
    mentor_check_item,
    mentor_confirm_email,
    mentor_free_place,
    mentor_transition,
    mentor_unsubscribe,
    mentors_message,
)
from newcomers.models import (
    OPEN_TANDEM_STATUSES,
    FollowUp,
    Referral,
    ReferralEvent,
    SupportContact,
    SupportContactEvent,
    Tandem,
    TandemEvent,
    TandemStatus,
)
from newcomers.services import (
    follow_up_create,
    referral_answer,
    referral_correct,
    referral_note_add,
    referral_submit,
    referral_triage,
    referral_withdraw,
    referrals_hand_over,
    support_contact_record,
    tandem_answer,
    tandem_end,
    tandem_note_add,
    tandem_plan_first_meeting,
    tandem_propose,
    tandem_schedule_store,
    tandem_start,
)
from seminars.models import Event, EventEvent, EventType, InvitationStatus
from seminars.services import (
    attendance_record,
    event_cancel,
    event_create,
    event_update,
    invitation_answer,
    invitations_send,
)
from willkommen.core.models import Organisation, QueuedMail, SupportArea, User
from willkommen.core.roles import Role
from willkommen.core.services import (
    organisation_create,
    second_factor_set_known_key,
    user_create,
    user_set_role,
)
from willkommen.core.vocabularies import District
from willkommen.overview import demo_texts as texts
from willkommen.overview.engagement import (
    certificate_request,
    check_in_answer,
    engagement_mail_send,
    hours_answer,
)
from willkommen.overview.models import CheckIn, HoursReport

DEFAULT_PASSWORD = "willkommen-demo"  # noqa: S105 - printed on purpose, demo data only
# The demo coordinator's authenticator key (hex; RFC 6238's test key), printed and in the README
# so that anyone trying the demo can compute its codes. Demo data only.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_LOGINS = [
    ("koordination@example.org", Role.COORDINATOR, "Katrin", "Koch"),
    ("beratung@example.org", Role.ADVISOR, "Bora", "Demir"),  # of the Welcome Center
    ("caritas@example.org", Role.ADVISOR, "Mira", "Kovač"),  # of the partner below
]
# A referring organisation besides the Welcome Center, with an advisor of its own.
PARTNER = "Caritas Stuttgart – Migrationsberatung"
# Demo mentors' addresses; with the demo logins, the only addresses the demo queues mail for.
DEMO_DOMAIN = "demo.example.org"
COMMAND = "seed_demo"  # the history's name for what this command did

# --- The story -------------------------------------------------------------------------------
# All times are in days ago (negative: ahead), relative to the day the command runs.


@dataclass(frozen=True)
class MentorPlan:
    key: str
    applied: int = 0  # for mentors with tandems: set from their first proposal
    # how far screening got: unconfirmed, new, contacted, talked (introductory conversation),
    # signed (and agreement and pledge), trained (and the introductory seminar)
    reach: str = "trained"
    families: bool = False  # wishes to accompany families: needs a police certificate
    # valid, expiring (in three weeks), expired, missing, or lapsed: valid when their tandem
    # with a family started, expired twelve days ago
    certificate: str = "valid"
    seminar: str = "attend"  # at the first seminar they are invited to: attend, no-show, decline
    upcoming: str = "accept"  # their answer to the next seminar: accept, none, decline
    pause: int | None = None
    leave: int | None = None
    reason: str = ""  # why they leave (LeftReason)
    origin: str = ""  # a country of ORIGINS: they speak its language natively

    @property
    def conversation(self) -> int:
        return self.applied - 12

    @property
    def departure(self) -> int | None:
        return self.pause if self.pause is not None else self.leave


@dataclass(frozen=True)
class ReferralPlan:
    key: str
    created: int = 0  # for referrals with tandems: set from their first proposal
    origin: str = "Syrien"
    children: bool = True
    # ("wait", day), ("ask", day, question), ("answer", day, question), ("decline", day,
    # reason), ("withdraw", day); a referral with tandems waits before its first proposal
    steps: tuple = ()
    urgent: bool = False
    name: tuple[str, str] | None = None  # fixed, for the possible duplicates
    partner: bool = False  # referred by the partner organisation's advisor


@dataclass(frozen=True)
class TandemPlan:
    referral: str
    mentor: str
    proposed: int
    declined: bool = False  # the mentor said no
    meeting: int | None = None  # the first meeting; by default the day it started
    started: int | None = None
    ended: int | None = None
    reason: str = ""  # EndReason
    closing: bool = True  # closing conversation held
    quiet_since: int = 0  # no support contacts after this day: overdue if long ago
    early_check: bool = True  # the first contact asks "does it fit?"
    concern: bool = False


# Mentors who never had a tandem, in every state of recruitment.
MENTORS = [
    MentorPlan("u1", applied=1, reach="unconfirmed"),
    MentorPlan("n1", applied=3, reach="new"),
    MentorPlan("n2", applied=6, reach="new", origin="Türkei"),
    MentorPlan("n3", applied=11, reach="new"),
    MentorPlan("n4", applied=19, reach="new"),
    MentorPlan("c1", applied=14, reach="contacted"),
    MentorPlan("c2", applied=22, reach="contacted", origin="Ukraine"),
    MentorPlan("c3", applied=35, reach="contacted"),
    MentorPlan("s1", applied=52, reach="signed"),
    MentorPlan("s2", applied=40, reach="talked", families=True, certificate="missing"),
    MentorPlan("s3", applied=45, reach="signed", upcoming="none"),  # their invitation bounced
    MentorPlan("s4", applied=95, reach="signed", seminar="decline", upcoming="decline"),
    MentorPlan("s5", applied=260, families=True, certificate="expired"),
    MentorPlan("s6", applied=95, families=True, certificate="missing"),
    MentorPlan("r1", applied=155, families=True, certificate="expiring"),
    MentorPlan("r2", applied=160, seminar="no-show"),
    MentorPlan("r3", applied=230, origin="Nigeria"),
    MentorPlan("p2", applied=107, reach="talked", pause=85),
    MentorPlan("p3", applied=300, pause=35),
    MentorPlan("l1", applied=330, leave=100, reason="health"),
    MentorPlan("l2", applied=320, reach="talked", leave=305, reason="not-suitable"),
    MentorPlan("l3", applied=410, reach="contacted", leave=380, reason="no-reply"),
    MentorPlan("l4", applied=390, leave=60, reason="other"),
]
# Mentors with tandems; when they applied follows from their first proposal.
TANDEM_MENTORS = [
    MentorPlan("m01"), MentorPlan("m02"), MentorPlan("m03"), MentorPlan("m04"),
    MentorPlan("m05", leave=195, reason="moved"), MentorPlan("m06", pause=240),
    MentorPlan("m07", leave=140, reason="no-time"), MentorPlan("m08"), MentorPlan("m09"),
    MentorPlan("m10"), MentorPlan("m11"), MentorPlan("m12"), MentorPlan("m13"),
    MentorPlan("m14", origin="Syrien"), MentorPlan("m15", certificate="expiring"),
    MentorPlan("m17", certificate="lapsed"), MentorPlan("m18", origin="Afghanistan"),
    MentorPlan("m19", origin="Ukraine"), MentorPlan("m20"),
    MentorPlan("m21"), MentorPlan("m22"), MentorPlan("m23"), MentorPlan("m24"), MentorPlan("m25"),
    MentorPlan("m26"),
]  # fmt: skip

# Referrals that never got a mentor: the intake in every state, 3 to 90 days old.
REFERRALS = [
    ReferralPlan("rc1", created=3, origin="Eritrea"),
    ReferralPlan("rc2", created=6, origin="Afghanistan", children=False),
    ReferralPlan("rc3", created=12, origin="Ukraine", urgent=True),
    ReferralPlan("rc4", created=4, origin="Ukraine", name=("Olena", "Kowalenko")),  # see a6
    ReferralPlan("rc5", created=5, children=False, name=("Yusuf", "Darvish")),  # see w7
    ReferralPlan("rc6", created=21, origin="Türkei", steps=(("ask", 19, 5), ("answer", 15, 5))),
    ReferralPlan("i1", created=16, steps=(("ask", 14, 0),)),
    ReferralPlan("i2", created=9, origin="Eritrea", steps=(("ask", 7, 1),)),
    ReferralPlan("i3", created=30, origin="Indien", children=False, steps=(("ask", 25, 4),)),
    ReferralPlan("w1", created=90, origin="Afghanistan", steps=(("wait", 87),)),
    ReferralPlan("w2", created=62, origin="Iran", children=False, steps=(("wait", 58),)),
    ReferralPlan("w3", created=41, origin="Ukraine", urgent=True, steps=(("wait", 40),)),
    ReferralPlan("w4", created=25, origin="Syrien", steps=(("wait", 22),)),
    ReferralPlan("w5", created=18, origin="Nigeria", children=False, steps=(("wait", 16),)),
    ReferralPlan("w6", created=8, origin="Rumänien", steps=(("wait", 5),)),
    ReferralPlan(
        "w7", created=50, children=False, name=("Yusuf", "Darwish"), steps=(("wait", 47),)
    ),
    ReferralPlan("d1", created=210, origin="Türkei", steps=(("decline", 205, "outside"),)),
    ReferralPlan("d2", created=125, origin="Iran", steps=(("decline", 121, "other-service"),)),
    ReferralPlan("d3", created=405, steps=(("decline", 400, "no-consent"),)),
    ReferralPlan(
        "d4", created=64, origin="Eritrea", steps=(("ask", 61, 2), ("decline", 40, "not-reachable"))
    ),
    ReferralPlan("d5", created=24, origin="Rumänien", steps=(("decline", 20, "other"),)),
    ReferralPlan("x1", created=150, origin="Ukraine", steps=(("withdraw", 140),)),
    ReferralPlan("x2", created=47, origin="Afghanistan", steps=(("wait", 44), ("withdraw", 35))),
    ReferralPlan("k1", created=9, origin="Syrien", partner=True),
    ReferralPlan("k2", created=33, origin="Afghanistan", partner=True, steps=(("wait", 30),)),
]
# Bora Demir's referral that a coordinator handed on to the partner's advisor.
HANDED_OVER = "rc3"  # fmt: skip
# Referrals with tandems; they waited a few weeks before their first proposal.
TANDEM_REFERRALS = [
    ReferralPlan("e1"), ReferralPlan("e2", origin="Ukraine", children=False),
    ReferralPlan("e3", origin="Afghanistan"), ReferralPlan("e4", origin="Eritrea"),
    ReferralPlan("e5", origin="Türkei", children=False), ReferralPlan("e6", origin="Iran"),
    ReferralPlan("e7", origin="Indien", children=False), ReferralPlan("e8", origin="Ukraine"),
    ReferralPlan("e9", origin="Nigeria"), ReferralPlan("e10", origin="Afghanistan"),
    ReferralPlan("e11"), ReferralPlan("a1", origin="Ukraine"),
    ReferralPlan("a2", origin="Syrien", children=False), ReferralPlan("a3", origin="Eritrea"),
    ReferralPlan("a4", origin="Iran", children=False), ReferralPlan("a5", origin="Afghanistan"),
    ReferralPlan("a6", origin="Ukraine", name=("Olena", "Kovalenko")),
    ReferralPlan("a7", origin="Türkei"), ReferralPlan("a8", origin="Indien", children=False),
    ReferralPlan("a9", origin="Rumänien"), ReferralPlan("a10", origin="Syrien"),
    ReferralPlan("c1", origin="Afghanistan"), ReferralPlan("c2", origin="Ukraine"),
    ReferralPlan("c3", origin="Nigeria", children=False), ReferralPlan("p1", origin="Eritrea"),
    ReferralPlan("p2", origin="Syrien", children=False),
]  # fmt: skip

# Every state of a tandem, and every way one ends, over 18 months.
TANDEMS = sorted([
    TandemPlan("e1", "m01", proposed=505, started=490, ended=300, reason="goals-reached"),
    TandemPlan("e2", "m02", proposed=470, started=455, ended=380, reason="moved"),
    TandemPlan("e3", "m03", proposed=440, started=430, ended=405, reason="did-not-fit",
               concern=True),
    TandemPlan("e3", "m04", proposed=395, started=383),  # the second try fits
    TandemPlan("e4", "m05", proposed=420, started=408, ended=200, reason="mentor-unavailable",
               closing=False),
    TandemPlan("e5", "m06", proposed=385, started=370, ended=250, reason="contact-lost",
               closing=False),
    TandemPlan("e6", "m07", proposed=350, started=336, ended=150, reason="other"),
    TandemPlan("e7", "m08", proposed=300, started=290, ended=60, reason="goals-reached"),
    TandemPlan("e8", "m09", proposed=255, started=245, ended=30, reason="goals-reached"),
    # accepted, but the family could not be reached for the first meeting
    TandemPlan("e9", "m10", proposed=205, ended=190, reason="contact-lost", closing=False),
    TandemPlan("e9", "m11", proposed=160, started=146),
    TandemPlan("e10", "m12", proposed=425, declined=True),
    TandemPlan("e10", "m13", proposed=415, started=400, ended=90, reason="goals-reached"),
    TandemPlan("e11", "m14", proposed=330, started=318, ended=10, reason="goals-reached",
               closing=False),
    TandemPlan("a1", "m15", proposed=410, started=398),
    TandemPlan("a2", "m12", proposed=320, started=305, quiet_since=75),  # overdue
    TandemPlan("a3", "m17", proposed=265, started=252, concern=True),
    TandemPlan("a4", "m01", proposed=200, started=185),  # the mentor's second tandem
    TandemPlan("a5", "m18", proposed=135, started=122, quiet_since=48),  # overdue
    TandemPlan("a6", "m19", proposed=100, started=88),
    TandemPlan("a7", "m20", proposed=70, started=58),
    TandemPlan("a8", "m21", proposed=40, started=26, early_check=False),  # early check due
    TandemPlan("a9", "m10", proposed=30, started=10),  # just started
    TandemPlan("a10", "m22", proposed=38, started=21, quiet_since=21),  # no contact yet
    TandemPlan("c1", "m09", proposed=12, meeting=-5),  # first meeting ahead
    TandemPlan("c2", "m03", proposed=8, meeting=-9),
    TandemPlan("c3", "m23", proposed=20, meeting=3),  # met; start not yet recorded
    TandemPlan("p1", "m24", proposed=2),
    TandemPlan("p2", "m25", proposed=30, declined=True),
    TandemPlan("p2", "m26", proposed=9),
], key=lambda plan: -plan.proposed)  # fmt: skip

# (type, days ago, places, what happens); introductory seminars on Saturdays, the others on
# weekday evenings. "full": more acceptances than places, so some wait; "cancelled" ahead.
EVENTS = [
    *(("intro", days, 16, "") for days in (530, 470, 410, 350, 290, 230, 170, 110, 50)),
    ("intro", -16, 12, ""), ("intro", -75, 16, "not-yet"),
    ("training", 440, 16, ""), ("training", 320, 16, ""), ("training", 200, 6, "full"),
    ("training", 90, 16, ""), ("training", -40, 16, ""),
    *(("reflection", days, 12, "") for days in (420, 320, 220, 140, 30)),
    ("reflection", -20, 6, "full"), ("reflection", -45, 10, "cancelled"),
]  # fmt: skip
WEEKDAY = {"intro": 5, "training": 1, "reflection": 3}  # Saturday, Tuesday, Thursday
HOURS = {"intro": (10, 6), "training": (18, 2.5), "reflection": (18.5, 2)}  # start, length
INVITED_DAYS_BEFORE = 21
ANSWERS = [True, True, None, True, False, True, True, False]  # None: no answer
ANSWERS_FULL = [True, True, True, True, False]


def cast(plans: list, count: int | None) -> list:
    """The first `count` plans; beyond the written cast, more of the same with new keys."""
    if count is None:
        return list(plans)
    more = [replace(plans[n % len(plans)], key=f"{plans[n % len(plans)].key}+{n}")
            for n in range(len(plans), count)] if plans else []  # fmt: skip
    return (list(plans) + more)[:count]


class Command(BaseCommand):
    help = (
        "Create the demo logins and 18 months of demo data. Run again, it replaces the demo "
        "data of earlier runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument(
            "--mentors", type=int, default=None,
            help=f"demo mentors (default: the whole cast, {len(MENTORS) + len(TANDEM_MENTORS)}; "
                 "0 leaves them out, with their tandems and seminar invitations)",
        )  # fmt: skip
        parser.add_argument(
            "--referrals", type=int, default=None,
            help=f"demo referrals (default: the whole cast, "
                 f"{len(REFERRALS) + len(TANDEM_REFERRALS)}; 0 leaves them out)",
        )  # fmt: skip

    def handle(self, *args, password, mentors, referrals, **options):
        started = timezone.now()
        with transaction.atomic():
            with pghistory.context(command=COMMAND):
                coordinator, advisor, partner = self.create_logins(password)
            demo_reset([advisor, partner])
            story = Story(coordinator=coordinator, advisor=advisor, partner=partner)
            story.tell(mentors=mentors, referrals=referrals)
            story.clock.finish()
            story.keep_demo_people_unmailed(since=started)
        self.report(timezone.now() - started, password)

    def create_logins(self, password):
        for email, role, first_name, last_name in DEMO_LOGINS:
            user = User.objects.filter(email=email).first()
            partner = None
            if email == DEMO_LOGINS[2][0]:  # the coordinator, first in the list, adds it
                partner = Organisation.objects.filter(name__iexact=PARTNER).first()
                if partner is None:
                    coordinator = User.objects.get(email=DEMO_LOGINS[0][0])
                    partner = organisation_create(name=PARTNER, by=coordinator)
            if user is None:
                user_create(
                    email=email,
                    role=role,
                    first_name=first_name,
                    last_name=last_name,
                    password=password,
                    organisation=partner,
                )
            else:  # keep the demo logins usable with the password asked for now
                user.set_password(password)
                user.save(update_fields=["password"])
                user_set_role(user=user, role=role)
        logins = [User.objects.get(email=email) for email, *_ in DEMO_LOGINS]
        second_factor_set_known_key(user=logins[0], key=DEMO_TOTP_KEY)
        return logins

    def report(self, took, password):
        def by_status(queryset):
            counts = queryset.order_by("status").values_list("status").annotate(n=Count("pk"))
            return ", ".join(f"{status} {count}" for status, count in counts)

        demo = Referral.objects.filter(advisor__email__in=[login[0] for login in DEMO_LOGINS])
        tandems = Tandem.objects.filter(referral__in=demo)
        self.stdout.write(f"Demo data built in {took.total_seconds():.1f} s:")
        mentors = Mentor.objects.filter(email__iendswith="@" + DEMO_DOMAIN)
        self.stdout.write(f"  mentors: {by_status(mentors)}")
        self.stdout.write(f"  referrals: {by_status(demo)}")
        self.stdout.write(f"  tandems: {by_status(tandems)}")
        self.stdout.write(
            f"  support contacts: {SupportContact.objects.filter(tandem__in=tandems).count()}, "
            f"events: {Event.objects.filter(pk__in=demo_events()).count()}"
        )
        self.stdout.write("Demo logins:")
        for email, role, *_ in DEMO_LOGINS:
            self.stdout.write(f"  {role.label:<15} {email}  /  {password}")
        secret = b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()
        self.stdout.write(f"  Second factor of {DEMO_LOGINS[0][0]}: authenticator key {secret}")
        self.stdout.write(f"  (hex {DEMO_TOTP_KEY}; a code now: oathtool --totp {DEMO_TOTP_KEY})")


# --- Removing earlier demo data --------------------------------------------------------------


def demo_events():
    """The events an earlier run created: the history knows which command created them."""
    return EventEvent.objects.filter(
        pgh_label="insert", pgh_context__metadata__command=COMMAND
    ).values("pgh_obj_id")


def demo_reset(advisors: list[User]) -> None:
    """Delete what earlier runs built, with its history and mail: the mentors at DEMO_DOMAIN,
    the demo advisors' referrals, their tandems and the demo's events."""
    mentor_ids = list(
        Mentor._base_manager.filter(email__iendswith="@" + DEMO_DOMAIN).values_list("pk", flat=True)
    )
    referral_ids = list(Referral.objects.filter(advisor__in=advisors).values_list("pk", flat=True))
    tandems = Tandem.objects.filter(Q(mentor_id__in=mentor_ids) | Q(referral_id__in=referral_ids))
    event_ids = list(Event.objects.filter(pk__in=demo_events()).values_list("pk", flat=True))
    with pgtrigger.ignore():  # removing the demo is no change to record
        # Someone may have proposed a real mentor to a demo family: give the place back.
        for tandem in tandems.filter(status__in=OPEN_TANDEM_STATUSES).exclude(
            mentor_id__in=mentor_ids
        ):
            was_active = tandem.status == TandemStatus.ACTIVE
            mentor_free_place(mentor_id=tandem.mentor_id, by=None, was_active=was_active)
        tandem_ids = list(tandems.values_list("pk", flat=True))
        TandemEvent.objects.filter(pgh_obj_id__in=tandem_ids).delete()
        SupportContactEvent.objects.filter(tandem_id__in=tandem_ids).delete()
        Tandem.objects.filter(pk__in=tandem_ids).delete()
        ReferralEvent.objects.filter(pgh_obj_id__in=referral_ids).delete()
        Referral.objects.filter(pk__in=referral_ids).delete()
        MentorEvent.objects.filter(pgh_obj_id__in=mentor_ids).delete()
        ChecklistEntryEvent.objects.filter(mentor_id__in=mentor_ids).delete()
        Mentor._base_manager.filter(pk__in=mentor_ids).delete()
        EventEvent.objects.filter(pgh_obj_id__in=event_ids).delete()
        Event.objects.filter(pk__in=event_ids).delete()
        apps.get_model("pghistory", "Context").objects.filter(
            metadata__command=COMMAND, metadata__has_key="story_at"
        ).delete()
        demo_mail().delete()


def demo_mail():
    logins = [email for email, *_ in DEMO_LOGINS]
    return QueuedMail.objects.filter(Q(to__iendswith="@" + DEMO_DOMAIN) | Q(to__in=logins))


# --- Moving the services' time stamps to the story's moments ------------------------------------


def clock_fields():
    """Every time stamp the services set to "now" (they use no others) in the apps the demo
    writes, with its history copies; pgh_created_at, set by the database, is the history's."""
    for label in ("mentors", "newcomers", "seminars"):
        for model in apps.get_app_config(label).get_models():
            names = [
                field.name
                for field in model._meta.concrete_fields
                if isinstance(field, models.DateTimeField) and field.name != "pgh_created_at"
            ]
            if names:
                yield model, names


class StoryClock:
    """Services run now; the story happened over months.

    `at(moment)` notes which real instants stand for a story moment, and tags the history
    written meanwhile with it. `settle()` then moves each time stamp written in those instants
    (see clock_fields) to its moment; `finish()` also moves the history's event times. Values
    outside the instants - the story's own dates, plans ahead - stay as they are.
    """

    def __init__(self):
        self.steps = []  # (real start, real end, story moment), in order
        self.settled = 0

    @contextmanager
    def at(self, moment: datetime):
        with pghistory.context(command=COMMAND, story_at=moment.isoformat()):
            start = timezone.now()
            yield
            self.steps.append((start, timezone.now(), moment))

    def settle(self) -> None:
        """Move the stamps written since the last settle; the services' date checks compare
        with stored stamps (a referral's date, a proposal's), so call it before they do."""
        steps = self.steps[self.settled :]
        self.settled = len(self.steps)
        if not steps:
            return
        starts = [start for start, _end, _moment in steps]

        def story_time(value):
            index = bisect_right(starts, value) - 1 if value else -1
            return steps[index][2] if index >= 0 and value <= steps[index][1] else value

        with pgtrigger.ignore():  # a moved stamp is the story's time, not a change to record
            for model, names in clock_fields():
                written = Q()
                for name in names:
                    written |= Q(**{f"{name}__gte": starts[0]})
                rows = [
                    model(pk=pk, **dict(zip(names, map(story_time, values), strict=True)))
                    for pk, *values in model._base_manager.filter(written).values_list("pk", *names)
                ]
                model._base_manager.bulk_update(rows, names, batch_size=500)

    def finish(self) -> None:
        self.settle()
        moment = (
            apps.get_model("pghistory", "Context")
            .objects.filter(pk=OuterRef("pgh_context_id"))
            .annotate(moment=Cast(KT("metadata__story_at"), models.DateTimeField()))
            .values("moment")
        )
        for model in (
            MentorEvent,
            ChecklistEntryEvent,
            ReferralEvent,
            TandemEvent,
            SupportContactEvent,
            EventEvent,
        ):
            model.objects.filter(pgh_context__metadata__has_key="story_at").update(
                pgh_created_at=Subquery(moment)
            )


# --- Telling it -----------------------------------------------------------------------------


class Story:
    def __init__(self, *, coordinator: User, advisor: User, partner: User):
        self.coordinator, self.advisor, self.partner = coordinator, advisor, partner
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.clock = StoryClock()
        self.pick = random.Random(2015)  # noqa: S311 - demo data, not security
        self.fake = Faker("de_DE")
        self.fake.seed_instance(2015)
        self.areas = {area.slug: area for area in SupportArea.objects.all()}
        self.mentors: dict[str, Mentor] = {}
        self.mentor_plans: dict[str, MentorPlan] = {}
        self.plan_of: dict[int, MentorPlan] = {}  # by the mentor's pk
        self.referrals: dict[str, Referral] = {}
        self.emails: set[str] = set()
        self.names: set[tuple[str, str]] = set()
        self.bounced_mail: int | None = None
        self.events = [self._event_date(*event) for event in EVENTS]
        self.intros = sorted(
            (days for kind, days, *_ in self.events if kind == "intro" and days > 0), reverse=True
        )

    # -- time

    def day(self, days_ago: float) -> date:
        return self.today - timedelta(days=days_ago)

    def at(self, days_ago: int, hour: float = 10):
        """The clock's step for that day and hour (and a few minutes, as people are)."""
        local = datetime.combine(self.day(days_ago), time(int(hour), int(hour % 1 * 60)))
        moment = timezone.make_aware(local) + timedelta(minutes=self.pick.randrange(25))
        return self.clock.at(min(moment, self.now - timedelta(minutes=1)))

    def _event_date(self, kind, days, capacity, what):
        """The event's days ago, moved back to its weekday."""
        shift = (self.day(days).weekday() - WEEKDAY[kind]) % 7
        return kind, days + shift, capacity, what

    # -- the chapters

    def tell(self, *, mentors: int | None, referrals: int | None) -> None:
        mentor_first, referral_first = {}, {}
        for plan in TANDEMS:
            mentor_first.setdefault(plan.mentor, plan.proposed)
            referral_first.setdefault(plan.referral, plan.proposed)
        with_children = {plan.key for plan in TANDEM_REFERRALS if plan.children}
        mentor_plans = cast(MENTORS + [
            replace(plan, applied=self._applied_before(mentor_first[plan.key]),
                    families=any(tandem.referral in with_children
                                 for tandem in TANDEMS if tandem.mentor == plan.key))
            for plan in TANDEM_MENTORS
        ], mentors)  # fmt: skip
        referral_plans = cast(REFERRALS + [
            replace(plan, created=referral_first[plan.key] + self.pick.randint(12, 60))
            for plan in TANDEM_REFERRALS
        ], referrals)  # fmt: skip
        self.names = {plan.name for plan in referral_plans if plan.name}
        for plan in mentor_plans:
            self.recruit(plan)
        self.seminars()
        for plan in sorted(referral_plans, key=lambda plan: -plan.created):
            self.refer(plan, waits_for=referral_first.get(plan.key))
        if HANDED_OVER in self.referrals:  # Bora Demir is away: a colleague follows it up
            with self.at(2, 9):
                referrals_hand_over(referrals=[self.referrals[HANDED_OVER]],
                                    to_advisor=self.partner, by=self.coordinator)  # fmt: skip
        self.clock.settle()  # first meetings are checked against the referral's date
        for plan in TANDEMS:
            if plan.referral in self.referrals and plan.mentor in self.mentors:
                self.pair(plan)
        for key, plan in self.mentor_plans.items():
            self.depart(self.mentors[key], plan)
            if plan.certificate == "lapsed":  # the renewal date, corrected from the document
                seen = self.day(plan.conversation - 9)
                with self.at(2, 10):
                    mentor_check_item(
                        mentor=self.mentors[key], item=ChecklistItem.POLICE_CERTIFICATE,
                        done_on=seen, valid_until=self.day(12), by=self.coordinator,
                    )  # fmt: skip
        self.remember()
        self.engage()
        self.write()

    def write(self) -> None:
        """A message to every mentor with an active tandem (one has unsubscribed since)."""
        active = Mentor.objects.filter(email__iendswith="@" + DEMO_DOMAIN, tandems_active__gt=0)
        if not active.exists():
            return  # a demo without mentors (--mentors 0)
        with self.at(12, 10):
            mentors_message(mentors=active, template="insurance", by=self.coordinator)
        if "m20" in self.mentors:
            with self.at(5, 21):
                mentor_unsubscribe(mentor=self.mentors["m20"])

    def engage(self) -> None:
        """A year of hours reported by the mentors with a tandem (one of them past the
        recognition threshold), this month's mails as the daily timer sends them, a check-in
        answer that asks for a call, and a certificate requested by link."""
        keys = ["m01", "m04", "m11", "m12", "m15", "m17", "m18", "m19", "m20", "m21"]
        mentors = [self.mentors[key] for key in keys if key in self.mentors]
        areas = list(SupportArea.objects.filter(active=True))
        month = self.today.replace(day=1)
        for number, mentor in enumerate(mentors):
            usual = 20 if number == 0 else self.pick.randint(3, 12)  # the first one: over 200
            for back in range(2, 14):  # last month is still to be asked, below
                hours = usual if number == 0 else max(1, usual + self.pick.randint(-3, 3))
                index = month.year * 12 + month.month - 1 - back  # months since year 0
                asked = date(index // 12, index % 12 + 1, 1)
                sent = timezone.make_aware(datetime.combine(asked + timedelta(days=31), time(8)))
                report = HoursReport.objects.create(
                    mentor=mentor, month=asked, sent_at=sent,
                    hours=Decimal(hours),
                    answered_at=sent + timedelta(days=self.pick.randint(1, 6)),
                    note=self.pick.choice(texts.HOURS_NOTES),
                )  # fmt: skip
                report.areas.set(self.pick.sample(areas, self.pick.randint(1, 2)))
        with self.at(0, 7):
            engagement_mail_send(today=self.today)
        if mentors:
            last_month = HoursReport.objects.filter(mentor=mentors[0], answered_at=None).first()
            if last_month is not None:
                hours_answer(report=last_month, hours=Decimal("9.5"), areas=areas[:1],
                             note=texts.HOURS_NOTES[0])  # fmt: skip
            certificate_request(mentor=mentors[0])
        check_in = CheckIn.objects.filter(tandem__mentor__in=mentors, answered_at=None).first()
        if check_in is not None:
            check_in_answer(check_in=check_in, rating=2, note=texts.CHECK_IN_CALL, call_me=True)

    def remember(self) -> None:
        """What coordinators wrote down along the way: notes, a corrected phone number, and
        follow-ups, some of them due (the dashboard's card)."""
        today = self.today
        with self.at(0, 8):
            if "rc6" in self.referrals:  # the advisor sent the number in her answer
                referral = self.referrals["rc6"]
                referral_correct(referral=referral, data={"phone": "0176 2345678"},
                                 support_areas=list(referral.support_areas.all()),
                                 by=self.coordinator)  # fmt: skip
            if "w2" in self.referrals:
                referral_note_add(referral=self.referrals["w2"], by=self.coordinator,
                                  text=texts.REFERRAL_NOTE)  # fmt: skip
                follow_up_create(due_on=today + timedelta(days=14), text=texts.FOLLOW_UPS[0],
                                 by=self.coordinator, referral=self.referrals["w2"])  # fmt: skip
            if "r1" in self.mentors:
                follow_up_create(due_on=today, text=texts.FOLLOW_UPS[1], by=self.coordinator,
                                 mentor=self.mentors["r1"])  # fmt: skip
            active = Tandem.objects.filter(
                referral__in=[self.referrals[key] for key in ("a7", "a6") if key in self.referrals],
                status=TandemStatus.ACTIVE,
            ).order_by("pk")
            for number, tandem in enumerate(active):
                tandem_note_add(tandem=tandem, text=texts.TANDEM_NOTES[number % 2],
                                by=self.coordinator)  # fmt: skip
                follow_up = follow_up_create(due_on=today, text=texts.FOLLOW_UPS[2 + number % 2],
                                             by=self.coordinator, tandem=tandem)  # fmt: skip
                if number == 1:  # forgotten for a few days
                    FollowUp.objects.filter(pk=follow_up.pk).update(
                        due_on=today - timedelta(days=3)
                    )

    def _applied_before(self, proposal: int) -> int:
        """Applied early enough to be trained by the proposal: the introductory seminar after
        the conversation comes up to two months later."""
        return proposal + 100 + self.pick.randint(0, 40)

    def trained_at(self, plan: MentorPlan) -> int | None:
        """The introductory seminar the mentor attended (days ago), if any."""
        if plan.reach != "trained" or plan.seminar == "decline":
            return None
        invited = [days for days in self.intros
                   if days + INVITED_DAYS_BEFORE < plan.conversation]  # fmt: skip
        later = 1 if plan.seminar == "no-show" else 0
        return invited[later] if len(invited) > later else None

    # -- recruitment

    def recruit(self, plan: MentorPlan) -> None:
        with self.at(plan.applied, self.pick.choice([8, 12.5, 19, 21])):
            # a mentor from Nigeria reads the programme's mails in English
            language = "en" if plan.origin == "Nigeria" else "de"
            mentor = mentor_apply(**self._application(plan), language=language)
        self.mentors[plan.key], self.mentor_plans[plan.key] = mentor, plan
        self.plan_of[mentor.pk] = plan
        if plan.reach == "unconfirmed":
            return
        with self.at(plan.applied, 22):
            mentor_confirm_email(token=confirmation_token(mentor))
        if plan.reach == "new":
            return
        with self.at(plan.applied - 3, 9.5):
            mentor_transition(mentor=mentor, to_status=MentorStatus.CONTACTED, by=self.coordinator,
                              note=self.pick.choice(texts.MENTOR_CONTACTED))  # fmt: skip
        if plan.reach == "contacted":
            return
        talked = self.day(plan.conversation)
        with self.at(plan.conversation, 16):
            self._check(mentor, ChecklistItem.CONVERSATION, talked)
            if self.pick.random() < 0.4:
                mentor_add_note(mentor=mentor, kind="note", by=self.coordinator,
                                text=self.pick.choice(texts.MENTOR_NOTES))  # fmt: skip
            if plan.reach != "talked":
                self._check(mentor, ChecklistItem.AGREEMENT, talked)
                self._check(mentor, ChecklistItem.CONFIDENTIALITY, talked)
        if plan.families and plan.certificate != "missing":
            self.certificate(mentor, plan)

    def certificate(self, mentor: Mentor, plan: MentorPlan) -> None:
        seen = plan.conversation - 9
        renew_by = {
            "expiring": self.day(-21),
            "expired": self.day(12),
        }.get(plan.certificate, self.day(seen) + timedelta(days=5 * 365))
        with self.at(seen, 11):
            mentor_check_item(
                mentor=mentor, item=ChecklistItem.POLICE_CERTIFICATE, done_on=self.day(seen),
                valid_until=renew_by, by=self.coordinator,
            )  # fmt: skip

    def _check(self, mentor, item, done_on):
        mentor_check_item(mentor=mentor, item=item, done_on=done_on, by=self.coordinator)

    def _application(self, plan: MentorPlan) -> dict:
        pick = self.pick
        if plan.origin:
            languages_of, first_names, last_names = texts.ORIGINS[plan.origin]
            first, last = pick.choice(first_names), pick.choice(last_names)
            native = languages_of[0]
            languages = [(native, "native"), ("de", pick.choice(["C1", "C2"]))]
            motivation = pick.choice(texts.MOTIVATIONS_OWN_WAY).format(
                language=texts.LANGUAGE_NAMES.get(native, native)
            )
        else:
            first, last = self.fake.first_name(), self.fake.last_name()
            languages = [("de", "native"), ("en", pick.choice(["B1", "B2", "C1"]))]
            if pick.random() < 0.3:
                languages.append((pick.choice(["fr", "es", "it", "ru", "tr"]), "B1"))
            motivation = pick.choice(texts.MOTIVATIONS)
        district = pick.choice(District.values[:-1]) if pick.random() < 0.9 else "umgebung"
        wishes = ["families"] if plan.families else pick.choice([[], [], ["adults"], ["young"]])
        return {
            "data": {
                "first_name": first,
                "last_name": last,
                "email": self._email(first, last),
                "phone": f"0{pick.choice(['711', '176', '152'])} {pick.randrange(10**6, 10**7)}",
                "district": district,
                "postal_code": pick.choice(["70734", "71063", "73728", "71229"])
                if district == "umgebung" else "",
                "weekdays": sorted(pick.sample(["mon", "tue", "wed", "thu", "fri", "sat"], 2)),
                "times_of_day": pick.sample(["morning", "afternoon", "evening"],
                                            pick.randint(1, 2)),
                "hours_per_month": pick.choice([4, 4, 8, 8, 12, 16]),
                "preferences": wishes,
                "preferences_note": pick.choice(texts.PREFERENCE_NOTES)
                if pick.random() < 0.2 else "",
                "motivation": motivation,
                "heard_about": pick.choice(["friends", "press", "social", "website", "event",
                                            "organisation"]),
            },
            "languages": languages,
            "support_areas": [self.areas[slug] for slug in pick.sample(sorted(self.areas), 3)],
        }  # fmt: skip

    def _email(self, first: str, last: str) -> str:
        local = f"{slugify(first)}.{slugify(last)}".replace("-", "")
        email, number = f"{local}@{DEMO_DOMAIN}", 1
        while email in self.emails:
            number += 1
            email = f"{local}{number}@{DEMO_DOMAIN}"
        self.emails.add(email)
        return email

    def depart(self, mentor: Mentor, plan: MentorPlan) -> None:
        if plan.pause is not None:
            with self.at(plan.pause, 14):
                mentor_transition(mentor=mentor, to_status=MentorStatus.PAUSED, by=self.coordinator,
                                  note=self.pick.choice(texts.PAUSE_NOTES))  # fmt: skip
        if plan.leave is not None:
            with self.at(plan.leave, 14):
                mentor_transition(
                    mentor=mentor, to_status=MentorStatus.LEFT, by=self.coordinator,
                    left_reason=plan.reason, note=texts.LEFT_NOTES[plan.reason],
                )  # fmt: skip

    # -- seminars and reflection meetings

    def seminars(self) -> None:
        variants = {kind: 0 for kind in texts.EVENTS}
        moved = False
        for kind, days, capacity, what in sorted(self.events, key=lambda event: -event[1]):
            title, description, audience, facilitator, place = texts.EVENTS[kind][
                variants[kind] % len(texts.EVENTS[kind])
            ]
            variants[kind] += 1
            start_hour, length = HOURS[kind]
            starts = timezone.make_aware(
                datetime.combine(self.day(days), time(int(start_hour), int(start_hour % 1 * 60)))
            )
            data = {
                "title": title, "type": kind, "description": description, "audience": audience,
                "facilitator": facilitator, "place": place, "capacity": capacity,
                # a past event is planned ahead first, as it was then, and moved afterwards
                "starts_at": starts if days < 0 else self.now + timedelta(days=300),
            }  # fmt: skip
            data["ends_at"] = data["starts_at"] + timedelta(hours=length)
            invited_on = max(days + INVITED_DAYS_BEFORE, 3)  # within the last days, if ahead
            with self.at(max(days + 35, invited_on + 2), 9):
                event = event_create(data=data)[0]
            if what != "not-yet":
                self.invite(event, kind, days, invited_on, what)
                if days < 0 and not moved:  # plans change: the first upcoming one moves room
                    with self.at(1, 14):
                        event_update(event=event, by=self.coordinator,
                                     data={"place": texts.CHANGED_PLACE})  # fmt: skip
                    moved = True
            if days > 0:
                self._move(event, starts, starts + timedelta(hours=length))
                self.attendance(event, days)

    def invite(self, event: Event, kind: str, days: int, invited_on: int, what: str) -> None:
        answers = self._invitees(kind, days, invited_on, what)
        if not answers:
            return
        with self.at(invited_on, 9):
            invitations_send(event=event, mentors=[mentor for mentor, _answer in answers])
        invitations = {inv.mentor_id: inv for inv in event.invitations.all()}
        if days < 0 and "s3" in self.mentors and kind == "intro":
            self.bounced_mail = (
                QueuedMail.objects.filter(to=self.mentors["s3"].email).order_by("pk").last().pk
            )
        answered_by = max(days + 2, 1)
        for mentor, answer in answers:
            if answer is None:
                continue
            with self.at(self.pick.randint(answered_by, invited_on - 1), 20):
                invitation_answer(invitation=invitations[mentor.pk], accept=answer)
        if what == "full":  # someone registered cannot come after all: the first waiting moves up
            registered = event.invitations.filter(status=InvitationStatus.REGISTERED).first()
            with self.at(answered_by, 21.5):
                invitation_answer(invitation=registered, accept=False)
        if what == "cancelled":
            with self.at(answered_by, 21.5):
                event_cancel(event=event)

    def _invitees(self, kind: str, days: int, invited_on: int, what: str) -> list:
        """(mentor, accepts) for each mentor invited; accepts None: no answer."""
        invitees = []
        for key, plan in self.mentor_plans.items():
            mentor, trained = self.mentors[key], self.trained_at(plan)
            if plan.reach in ("unconfirmed", "new", "contacted") or (
                plan.departure is not None and plan.departure > invited_on
            ):
                continue
            if kind == "intro":
                if plan.conversation <= invited_on or (trained and trained > days):
                    continue
                if trained == days:
                    invitees.append((mentor, True))
                elif days < 0:
                    invitees.append((mentor, {"accept": True, "decline": False}.get(plan.upcoming)))
                else:
                    invitees.append((mentor, plan.seminar == "no-show"))
            elif (
                trained
                and trained > invited_on
                and (kind == "training" or self._accompanies(key, days))
            ):
                invitees.append(mentor)
        if kind == "intro":
            return invitees
        # Most say yes, some no, some never answer; a full event gets more yeses than places.
        answers = ANSWERS_FULL if what == "full" else ANSWERS
        chosen = self.pick.sample(invitees, min(len(invitees), 14))
        return [(mentor, answers[n % len(answers)]) for n, mentor in enumerate(chosen)]

    def _accompanies(self, key: str, days: int) -> bool:
        return any(plan.mentor == key and plan.started and plan.started > days
                   and (plan.ended is None or plan.ended < days) for plan in TANDEMS)  # fmt: skip

    def _move(self, event: Event, starts: datetime, ends: datetime) -> None:
        """A past event was created ahead (the service insists); now it moves to its date."""
        with pgtrigger.ignore():
            Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=ends)
            EventEvent.objects.filter(pgh_obj_id=event.pk).update(starts_at=starts, ends_at=ends)
        event.refresh_from_db()

    def attendance(self, event: Event, days: int) -> None:
        registered = event.invitations.filter(status=InvitationStatus.REGISTERED)
        came = set()
        for number, invitation in enumerate(registered):  # in the order of their names
            if event.type == EventType.INTRO:
                if self.trained_at(self.plan_of[invitation.mentor_id]) == days:
                    came.add(invitation.pk)
            elif number % 6 != 5:  # one in six does not come after all
                came.add(invitation.pk)
        with self.at(days - 1, 9):
            attendance_record(event=event, attended_ids=came, by=self.coordinator)

    # -- intake

    def refer(self, plan: ReferralPlan, *, waits_for: int | None) -> None:
        with self.at(plan.created, 11):
            advisor = self.partner if plan.partner else self.advisor
            referral = referral_submit(advisor=advisor, **self._referral(plan))
        self.referrals[plan.key] = referral
        steps = plan.steps if waits_for is None else (("wait", plan.created - 3),)
        for kind, days, *detail in steps:
            with self.at(days, 15):
                if kind == "wait":
                    referral_triage(referral=referral, by=self.coordinator, to_status="waiting")
                elif kind == "ask":
                    referral_triage(referral=referral, by=self.coordinator, to_status="info-needed",
                                    question=texts.QUESTIONS[detail[0]][0])  # fmt: skip
                elif kind == "answer":
                    referral_answer(referral=referral, by=advisor,
                                    text=texts.QUESTIONS[detail[0]][1])  # fmt: skip
                elif kind == "decline":
                    referral_triage(referral=referral, by=self.coordinator, to_status="declined",
                                    decline_reason=detail[0])  # fmt: skip
                else:
                    referral_withdraw(referral=referral, by=advisor)

    def _referral(self, plan: ReferralPlan) -> dict:
        pick = self.pick
        languages, first_names, last_names = texts.ORIGINS[plan.origin]
        languages = list(languages)
        first, last = plan.name or (pick.choice(first_names), pick.choice(last_names))
        while not plan.name and (first, last) in self.names:
            first, last = pick.choice(first_names), pick.choice(last_names)
        self.names.add((first, last))
        children = sorted(pick.sample(range(1, 17), pick.randint(1, 3))) if plan.children else []
        adults = pick.choice([1, 2, 2]) if children else pick.choice([1, 1, 2])
        if children:
            description, needs = pick.choice(texts.FAMILY_NEEDS)
            accompany = pick.choice(["die ganze Familie", "die Mutter", "der Vater"])
        else:
            description, needs = pick.choice(texts.ADULT_NEEDS)
            accompany = f"{first} selbst" if adults == 1 else "das Ehepaar"
        referred = self.day(plan.created)
        arrived = (referred - timedelta(days=pick.randint(20, 400))).replace(day=1)
        little_german = pick.random() < 0.6
        district = pick.choice(District.values[:-1]) if pick.random() < 0.92 else "umgebung"
        return {
            "data": {
                "first_name": first,
                "last_name": last,
                "phone": f"0{pick.choice(['176', '157', '160'])} {pick.randrange(10**6, 10**7)}",
                "languages": languages,
                "german_level": pick.choice(["none", "A1", "A2"] if little_german else ["B1"]),
                "country_of_origin": plan.origin,
                "arrived_on": arrived,
                "district": district,
                "postal_code": pick.choice(["70734", "71065", "73760"])
                if district == "umgebung" else "",
                "adults": adults,
                "children_ages": children,
                "to_accompany": accompany,
                "description": description,
                "urgency": "urgent" if plan.urgent else "normal",
                "weekdays": sorted(pick.sample(["mon", "tue", "wed", "thu", "fri", "sat"], 3)),
                "times_of_day": pick.sample(["morning", "afternoon", "evening"], 2),
                "interpreter_language": languages[0]
                if little_german and "en" not in languages and pick.random() < 0.5 else "",
                "preferences": ["woman"] if adults == 1 and pick.random() < 0.3 else [],
                "notes_for_mentor": pick.choice(texts.NOTES_FOR_MENTOR)
                if pick.random() < 0.3 else "",
                "consent_on": referred,
                "consent_form_kept": True,
            },
            "support_areas": [self.areas[slug] for slug in needs],
        }  # fmt: skip

    # -- matching and accompanying

    def pair(self, plan: TandemPlan) -> None:
        referral, mentor = self.referrals[plan.referral], self.mentors[plan.mentor]
        by_link = self.pick.random() < 0.7  # mentors mostly answer by the link in the mail
        with self.at(plan.proposed, 10):
            tandem = tandem_propose(referral=referral, mentor=mentor, by=self.coordinator)
        if plan.declined:
            with self.at(plan.proposed - 3, 20):
                tandem_answer(tandem=tandem, accept=False,
                              reason=self.pick.choice(texts.PROPOSAL_DECLINED),
                              by=None if by_link else self.coordinator)  # fmt: skip
            return
        if plan.meeting is None and plan.started is None and plan.ended is None:
            return  # waiting for the mentor's answer
        with self.at(plan.proposed - 2, 20):
            tandem_answer(tandem=tandem, accept=True, by=None if by_link else self.coordinator)
        meeting = plan.meeting if plan.meeting is not None else plan.started
        if meeting is not None:
            local = datetime.combine(self.day(meeting), time(self.pick.choice([10, 15, 17])))
            with self.at(plan.proposed - 3, 11):
                tandem_plan_first_meeting(
                    tandem=tandem, by=self.coordinator, at=timezone.make_aware(local),
                    place=self.pick.choice(texts.FIRST_MEETING_PLACES),
                    attendees=self.pick.choice([["coordinator"], ["coordinator", "advisor"],
                                                ["coordinator", "interpreter"]]),
                )  # fmt: skip
        if plan.started is not None:
            tandem = self.start(tandem, referral, plan)
            self.accompany(tandem, plan)
        if plan.ended is not None:
            if plan.started is None:
                self.clock.settle()  # the end of a proposal is checked against its date
            reason = plan.reason
            with self.at(plan.ended, 15):
                tandem_end(
                    tandem=tandem, by=self.coordinator, ended_on=self.day(plan.ended),
                    reason=reason, closing_conversation=plan.closing,
                    note=texts.CLOSING_PLANNED if reason == "goals-reached" and not plan.closing
                    else self.pick.choice(texts.END_NOTES[reason]),
                )  # fmt: skip

    def start(self, tandem: Tandem, referral: Referral, plan: TandemPlan) -> Tandem:
        contents, duration, places, frequency = self.pick.choice(texts.AGREEMENTS)
        with self.at(plan.started, 20):
            tandem_start(
                tandem=tandem, by=self.coordinator, areas=referral.support_areas.all(),
                agreement={"agreement_contents": contents, "expected_duration": duration,
                           "meeting_places": places, "frequency": frequency},
            )  # fmt: skip
            # The start is today's date in the service; the story's is earlier.
            with pgtrigger.ignore():
                for model, pk in ((Tandem, "pk"), (TandemEvent, "pgh_obj_id")):
                    model.objects.filter(**{pk: tandem.pk}, started_on=self.today).update(
                        started_on=self.day(plan.started)
                    )
        tandem.refresh_from_db()
        tandem_schedule_store(tandem)  # due dates from the story's start
        return tandem

    def accompany(self, tandem: Tandem, plan: TandemPlan) -> None:
        """Support contacts: about ten days in, two weeks later, then about monthly; none
        after `quiet_since` (or the end)."""
        until = plan.ended if plan.ended is not None else plan.quiet_since
        days, first = plan.started - 10, True
        while days > until:
            early = first and plan.early_check
            mood = self.pick.random()
            if plan.concern and not first and mood < 0.3 or plan.concern and plan.ended and early:
                rating, notes, concern = 2, self.pick.choice(texts.CONCERN_NOTES), True
            elif early:
                rating, notes, concern = 4, self.pick.choice(texts.EARLY_CHECK_NOTES), False
            elif mood < 0.15:
                rating, notes, concern = 3, self.pick.choice(texts.MIXED_NOTES), False
            else:
                rating, notes, concern = self.pick.choice([4, 5, 5]), "", False
                notes = self.pick.choice(texts.GOOD_NOTES)
            with self.at(days, 11):
                support_contact_record(
                    tandem=tandem, by=self.coordinator, contacted_on=self.day(days),
                    with_whom=self.pick.choice(["mentor", "mentor", "newcomer", "both"]),
                    channel=self.pick.choice(["phone", "phone", "meeting", "email", "video"]),
                    rating=rating, early_check=early, concern=concern, notes=notes,
                )  # fmt: skip
            days -= 14 if first else self.pick.randint(24, 30)
            first = False

    # -- mail

    def keep_demo_people_unmailed(self, *, since: datetime) -> None:
        """Delete every mail this run queued for demo people, before anything can send it. One
        invitation stays, as one a mail server refused until the worker gave up: the
        coordinators' list of undelivered mail shows it, and no worker ever tries it again."""
        queued = demo_mail().filter(created_at__gte=since)
        queued.exclude(pk=self.bounced_mail).delete()
        if self.bounced_mail is not None:
            QueuedMail.objects.filter(pk=self.bounced_mail).update(
                attempts=QueuedMail.MAX_ATTEMPTS,
                last_error="(550, b'5.1.1 <mailbox unavailable>')",
                created_at=self.now - timedelta(days=4),
                next_attempt_at=self.now - timedelta(days=3),
            )
