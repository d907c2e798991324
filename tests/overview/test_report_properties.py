"""The report over generated data: whatever valid data, no figure is impossible.

A seeded generator (each seed is one data set, so a failure can be replayed with its seed)
builds what the services accept: a first meeting on or after the day of the referral, a
tandem that ends on or after the day it started, dates between the programme's start and
today. For several periods each, every figure is a whole number of at least 0, each median
and percentile lies within the figures it summarises, and the tables agree with each other.
"""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from newcomers.models import DeclineReason, EndReason, ReferralActivity, Tandem
from seminars.models import Event, EventType, Invitation, InvitationStatus
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.models import SupportArea
from willkommen.core.vocabularies import District, Language, LanguageLevel
from willkommen.overview.reports import Period, report

SEEDS = range(20)  # about 0.4 s each; the bugs this found showed from seed 3 on
ZONE = timezone.get_default_timezone()
EARLIEST = date(2019, 1, 1)
LATEST = date(2025, 6, 30)  # late enough for long tandems that still end before today
DISTRICTS = [value for value in District.values if value != District.SURROUNDING_AREA]
MENTOR_STATUSES = ["new", "contacted", "screening", "ready", "active", "paused"]
MEDIANS = {  # table key: the rows that summarise a list of days
    "referrals": ["days from referral to first meeting: median",
                  "days from referral to first meeting: 90th percentile"],
    "tandems": ["duration of ended tandems in days: median"],
}  # fmt: skip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def moved(obj, **fields):
    type(obj)._base_manager.filter(pk=obj.pk).update(**fields)
    return obj


class Generator:
    """One data set from one seed. It keeps what it built, so that the test can say what the
    report summarises without asking the report."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.coordinator = UserFactory()
        self.areas = list(SupportArea.objects.values_list("slug", flat=True))
        self.mentors = []
        self.tandems = []  # (referral created_at, Tandem)

    def day(self, earliest=EARLIEST, latest=LATEST):
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def moment(self, day):
        """A local time on `day`, often close to midnight, where UTC is another day."""
        minutes = self.rng.choice([0, 5, 30, 23 * 60 + 30, 23 * 60 + 59, self.rng.randint(0, 1439)])
        return datetime.combine(day, time(minutes // 60, minutes % 60), ZONE)

    def some(self, values, most):
        return self.rng.sample(values, self.rng.randint(1, most))

    def build(self):
        for _ in range(self.rng.randint(1, 6)):
            self.mentor()
        for _ in range(self.rng.randint(0, 12)):
            self.referral()
        for _ in range(self.rng.randint(0, 4)):
            self.event()
        return self

    def mentor(self):
        created = self.moment(self.day())
        mentor = MentorFactory(
            status=self.rng.choice(MENTOR_STATUSES),
            district=self.rng.choice(DISTRICTS),
            languages=[(code, self.rng.choice(LanguageLevel.values))
                       for code in self.some(Language.values, 3)],
            support_areas=self.some(self.areas, 3),
        )  # fmt: skip
        confirmed = self.rng.choice([None, created + timedelta(hours=self.rng.randint(0, 200))])
        self.mentors.append(moved(mentor, created_at=created, email_confirmed_at=confirmed))

    def referral(self):
        created = self.moment(self.day())
        referral = ReferralFactory(
            languages=self.some(Language.values, 2),
            district=self.rng.choice(DISTRICTS),
            support_areas=self.some(self.areas, 3),
        )
        moved(referral, created_at=created)
        path = self.rng.choice([
            [], ["waiting"], ["info-needed", "received", "waiting"], ["declined"],
            ["info-needed", "declined"], ["waiting", "declined"], ["withdrawn"],
            ["waiting", "matched"], ["waiting", "matched", "ended"],
            ["waiting", "matched", "waiting"],
        ])  # fmt: skip
        status, when = "received", created
        for to_status in path:
            when += timedelta(hours=self.rng.randint(0, 24 * 40))
            activity = ReferralActivity.objects.create(
                referral=referral, kind="status", from_status=status, to_status=to_status,
                created_by=self.coordinator,
            )  # fmt: skip
            moved(activity, created_at=when)
            status = to_status
        reason = self.rng.choice(DeclineReason.values) if status == "declined" else ""
        moved(referral, status=status, decline_reason=reason)
        if "matched" in path:
            self.tandems_for(
                referral, created, ended="ended" in path, rematched=path[-1] == "waiting"
            )

    def tandems_for(self, referral, created, *, ended, rematched):
        """What a match leaves behind: perhaps a declined proposal or one that ended before
        the first meeting, then the tandem itself."""
        referred_on = timezone.localdate(created)
        if self.rng.random() < 0.3:
            self.tandem(referral, created, status="declined")
        if self.rng.random() < 0.3:
            self.tandem(referral, created, status="ended",
                        ended_on=self.day(referred_on, referred_on + timedelta(days=60)),
                        end_reason=self.rng.choice(EndReason.values))  # fmt: skip
        first_day = self.day(referred_on, referred_on + timedelta(days=150))
        first_meeting = self.moment(first_day)  # any time of the referral's day, or later
        if not ended and not rematched:
            status = self.rng.choice(["accepted", "active"])
            started = first_day + timedelta(days=self.rng.randint(0, 30))
            self.tandem(referral, created, status=status, first_meeting_at=first_meeting,
                        started_on=started if status == "active" else None)  # fmt: skip
            return
        started = first_day + timedelta(days=self.rng.randint(0, 30))
        self.tandem(
            referral, created, status="ended", first_meeting_at=first_meeting,
            started_on=started, ended_on=started + timedelta(days=self.rng.randint(0, 300)),
            end_reason=EndReason.DID_NOT_FIT if rematched else self.rng.choice(EndReason.values),
        )  # fmt: skip

    def tandem(self, referral, created, **fields):
        tandem = Tandem.objects.create(
            referral=referral, mentor=self.rng.choice(self.mentors), proposed_by=self.coordinator,
            **fields,
        )  # fmt: skip
        moved(tandem, proposed_at=created)
        self.tandems.append((created, tandem))

    def event(self):
        starts = self.moment(self.day())
        event = Event.objects.create(
            title="Termin", type=self.rng.choice(EventType.values), starts_at=starts,
            ends_at=starts + timedelta(hours=3), capacity=10,
            cancelled_at=starts - timedelta(days=2) if self.rng.random() < 0.2 else None,
        )  # fmt: skip
        for mentor in self.rng.sample(self.mentors, self.rng.randint(0, len(self.mentors))):
            Invitation.objects.create(
                event=event, mentor=mentor, status=self.rng.choice(InvitationStatus.values),
                attended=self.rng.choice([None, True, False]),
            )  # fmt: skip

    def periods(self):
        start = self.day()
        yield Period(date(2015, 1, 1), date(2030, 12, 31))
        yield Period(start, self.day(start, LATEST + timedelta(days=400)))
        yield Period(start, start)
        year = self.rng.randint(EARLIEST.year, LATEST.year)
        yield Period(date(year, 1, 1), date(year, 12, 31))

    def waits(self, period):
        """Days from referral to first meeting, for the first meetings in `period`."""
        start, end = period.bounds
        return [
            (timezone.localdate(tandem.first_meeting_at) - timezone.localdate(created)).days
            for created, tandem in self.tandems
            if tandem.first_meeting_at and start <= tandem.first_meeting_at <= end
            and tandem.status != "declined"
        ]  # fmt: skip

    def durations(self, period):
        """Days from start to end, for the tandems that ended in `period`."""
        return [
            (tandem.ended_on - tandem.started_on).days
            for _created, tandem in self.tandems
            if tandem.status == "ended" and tandem.started_on
            and period.start <= tandem.ended_on <= period.end
        ]  # fmt: skip


def is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def assert_summarises(value, days, where):
    if not days:
        assert value == "–", where
    else:
        assert is_count(value) and min(days) <= value <= max(days), (where, value, days)


@pytest.mark.parametrize("seed", SEEDS)
def test_report_figures_are_possible_for_any_valid_data(seed):
    data = Generator(seed).build()
    for period in data.periods():
        tables = {table.key: {str(label): value for label, value in table.rows}
                  for table in report(period)}  # fmt: skip
        where = f"seed {seed}, {period}"

        for key, rows in tables.items():
            for label, value in rows.items():
                if label in MEDIANS.get(key, []):
                    continue
                figures = value if isinstance(value, tuple) else (value,)
                assert all(is_count(f) for f in figures), (where, key, label, value)

        referrals, tandems = list(tables["referrals"].values()), list(tables["tandems"].values())
        waits, durations = data.waits(period), data.durations(period)
        median, percentile = referrals[3], referrals[4]
        assert_summarises(median, waits, (where, "median wait"))
        assert_summarises(percentile, waits, (where, "90th percentile wait"))
        if waits:
            assert median <= percentile, where
        assert_summarises(tandems[3], durations, (where, "median duration"))

        # the tables agree with each other
        assert sum(tables["declined"].values()) == referrals[2], where
        assert sum(tables["ended"].values()) == tandems[2], where
        assert list(tables["mentors"].values())[3] <= tandems[1], where
        assert sum(tables["per-year"].values()) == sum(
            1 for _created, tandem in data.tandems if tandem.started_on
        ), where
