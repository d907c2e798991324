"""A seeded fuzz test: no request ever answers 500, and a refused request saves nothing.

For each POST endpoint the test opens the page a person would use, reads the forms on it as a
browser does (fields, their values and options, the buttons), fills in what a person would, and
then sends FUZZ_CASES variations: values swapped for other options, for crafted strings (NUL
bytes, huge numbers, dates in the years 1 and 9999, non-ASCII digits, overlong text), fields
dropped, lists where one value is expected, unexpected fields. Each case runs in its own
transaction, rolled back afterwards, so every case starts from the same data.

A case is *refused* when the answer is not a redirect, or a redirect with an error message.
A refused case must not write a row (bookkeeping tables aside, see LEDGER): not even one that a
rolled-back savepoint undoes, as services check before they save.

To explore further: FUZZ_SEED=<n> FUZZ_CASES=<n> pytest tests/test_fuzz.py
"""

import os
import random
import time
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.db import connection, transaction
from django.template.base import Template
from django.test import Client
from django.test.utils import _TestState
from django.urls import get_resolver, resolve, reverse
from django.utils import timezone

from mentors.forms.interest import form_started_token
from newcomers.models import Tandem
from newcomers.services import tandem_answer_token
from seminars.models import Event, Invitation, InvitationStatus
from seminars.services import answer_token
from tests.factories import MentorFactory, ReferralFactory, UserFactory, an_event, an_invitation
from tests.willkommen.test_access import url_names
from willkommen.core.models import SupportArea
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

SEED = int(os.environ.get("FUZZ_SEED", "20261125"))
# The bar is 500 cases per form: about two minutes in all, so `make test` (and CI, which
# runs it) sets FUZZ_CASES=500; a plain pytest run takes 100 (about 25 s).
CASES = int(os.environ.get("FUZZ_CASES") or (500 if os.environ.get("CI") == "true" else 100))

# Tables that a refused request may change: bookkeeping of sessions, throttles and spam counts.
LEDGER = {"sessions.Session", "willkommen.RateLimit", "mentors.RejectedSubmission",
          "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}  # fmt: skip

CRAFTED = [
    "", " ", "\x00", "a\x00b", "abc", "1.5", "-1", "0", "1e9", "²", "١٢", "٣", "Ⅻ", "𝟗",
    "99999999999999999999", "9" * 400, str(2**31), str(2**63), str(-(2**63) - 1),
    "0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59", "10000-01-01",
    "2025-02-30", "2025-13-01", "0000-00-00", "01.01.0001", "31.12.9999 23:59", "9999-12",
    "0001-01", "x" * 10_000, "Ä" * 3000, "<script>alert(1)</script>", "' OR '1'='1",
    '=HYPERLINK("http://evil.example/")', "Max\r\nBcc: x@example.org", "😀" * 60, "\u202e",
    "\ufeff", "None", "null", "true", "on", "yes", "no", "[]", "{}", "%00", "../../etc/passwd",
    "@", "a@b", "x@" + "a" * 300 + ".de", "0711 123456", "73728", "1", "2", "3",
]  # fmt: skip
FORM = "application/x-www-form-urlencoded"  # what a browser sends for a form without files
# Names a form does not have: a client may send them anyway.
FOREIGN = ["id", "pk", "status", "advisor", "mentor", "created_at", "step", "is_staff"]


# --- Reading a page's forms as a browser does ------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, checkbox, radio, select, select-multiple, textarea, button
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    id: str
    fields: list[Field] = field(default_factory=list)

    def baseline(self, rng) -> dict:
        """What a browser sends unchanged, pressing one of the buttons."""
        data = {}
        for f in self.fields:
            if f.kind == "checkbox" and f.checked:
                data.setdefault(f.name, []).append(f.value)
            elif f.kind == "radio" and f.checked:
                data[f.name] = f.value
            elif f.kind == "select":
                data[f.name] = (f.selected or f.options or [""])[0]
            elif f.kind == "select-multiple":
                data[f.name] = list(f.selected)
            elif f.kind in ("text", "hidden", "textarea"):
                data[f.name] = f.value
        buttons = [f for f in self.fields if f.kind == "button"]
        if buttons:
            button = rng.choice(buttons)
            data[button.name] = button.value
        return data

    def options(self) -> dict[str, list[str]]:
        """Every value the page offers for each name (options, boxes, buttons)."""
        pools = {}
        for f in self.fields:
            values = f.options if f.kind.startswith("select") else [f.value]
            pools.setdefault(f.name, []).extend(values)
        return pools


class FormReader(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.current: Form | None = None
        self.pending: list[tuple[str, Field]] = []  # fields naming their form by id
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = Form(attrs.get("action") or self.page_url, attrs.get("id", ""))
            self.forms.append(self.current)
            self.by_id[self.current.id] = self.current
        elif tag in ("input", "button", "select", "textarea") and attrs.get("name"):
            kind = self._kind(tag, attrs)
            if kind is None:
                return
            new = Field(attrs["name"], kind, attrs.get("value") or ("on" if kind in (
                "checkbox", "radio") else ""), checked="checked" in attrs)  # fmt: skip
            if tag == "select":
                self.select = new
            if tag == "textarea":
                self.textarea = new
            if attrs.get("form"):
                self.pending.append((attrs["form"], new))
            elif self.current is not None:
                self.current.fields.append(new)
        elif tag == "option" and self.select is not None and "value" in attrs:
            self.select.options.append(attrs["value"] or "")
            if "selected" in attrs:
                self.select.selected.append(attrs["value"] or "")

    def _kind(self, tag, attrs):
        if tag == "select":
            return "select-multiple" if "multiple" in attrs else "select"
        if tag == "textarea":
            return "textarea"
        kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
        if kind in ("submit", "image"):
            return "button"
        if kind in ("reset", "file") or (tag == "button" and kind == "button"):
            return None
        return kind if kind in ("checkbox", "radio", "hidden") else "text"

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def close(self):
        super().close()
        for form_id, pending in self.pending:
            if form_id in self.by_id:
                self.by_id[form_id].fields.append(pending)


def forms_on(client, url) -> list[Form]:
    response = client.get(url)
    assert response.status_code == 200, url
    reader = FormReader(url)
    reader.feed(response.content.decode())
    reader.close()
    return reader.forms


# --- Generating cases --------------------------------------------------------------------------


def crafted(rng, pools, name):
    if rng.random() < 0.3 and pools.get(name):
        return rng.choice(pools[name])  # another value the page offers
    if rng.random() < 0.15:  # any value the page offers anywhere, e.g. an id of something else
        return rng.choice([v for values in pools.values() for v in values] or [""])
    return rng.choice(CRAFTED)


def variation(rng, form: Form, filled: dict) -> dict:
    data = {**form.baseline(rng), **filled}
    pools = form.options()
    names = list(dict.fromkeys([*data, *pools, *FOREIGN]))
    if rng.random() < 0.1:
        return data  # as a person would send it
    for name in rng.sample(names, min(len(names), rng.choice([1, 1, 2, 3, 5, len(names)]))):
        roll = rng.random()
        if roll < 0.12:
            data.pop(name, None)
        elif roll < 0.27:
            data[name] = [crafted(rng, pools, name) for _ in range(rng.randint(2, 4))]
        else:
            data[name] = crafted(rng, pools, name)
    return data


# --- What a request wrote ----------------------------------------------------------------------

WRITES = "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"


def writes() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, by table (rolled back
    savepoints included), leaving out the bookkeeping tables."""
    ledger = {apps.get_model(label)._meta.db_table for label in LEDGER if _exists(label)}
    with connection.cursor() as cursor:
        cursor.execute(WRITES)
        return {table: count for table, count in cursor.fetchall() if table not in ledger}


def _exists(label) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


# --- The data the pages are opened on ---------------------------------------------------------


def the_world():
    """One of everything a POST endpoint acts on, each in the states that offer its forms."""
    coordinator, advisor = UserFactory(), UserFactory()
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    user_set_role(user=advisor, role=Role.ADVISOR)
    mentor = MentorFactory(status="screening")  # with a checklist step to withdraw
    ready = [MentorFactory(status="ready", languages=[("de", "native"), ("ar", "B1")])
             for _ in range(2)]  # fmt: skip
    received = ReferralFactory(advisor=advisor)
    asked = ReferralFactory(advisor=advisor, status="info-needed")
    waiting = ReferralFactory(advisor=advisor, status="waiting", children_ages=[])
    now = timezone.now()
    tandems = {}
    for status, mentor_status, extra in [
        ("proposed", "ready", {}),
        ("accepted", "ready", {"first_meeting_at": now - timedelta(days=1),
                               "first_meeting_place": "Café"}),
        ("active", "active", {"first_meeting_at": now - timedelta(days=30),
                              "started_on": now.date() - timedelta(days=29)}),
    ]:  # fmt: skip
        tandems[status] = Tandem.objects.create(
            referral=ReferralFactory(advisor=advisor, status="matched"),
            mentor=MentorFactory(status=mentor_status, places_taken=1),
            proposed_by=coordinator, status=status, **extra,
        )  # fmt: skip
    upcoming = an_event(capacity=2)
    invitations = [an_invitation(upcoming, m) for m in ready]
    past = an_event(capacity=5)
    for m in (mentor, *ready):
        Invitation.objects.create(event=past, mentor=m, status=InvitationStatus.REGISTERED)
    Event.objects.filter(pk=past.pk).update(starts_at=now - timedelta(hours=3),
                                            ends_at=now - timedelta(hours=1))  # fmt: skip
    return {
        "coordinator": coordinator, "advisor": advisor, "mentor": mentor, "received": received,
        "asked": asked, "waiting": waiting, "tandems": tandems, "upcoming": upcoming, "past": past,
        "invitation": invitations[0],
    }  # fmt: skip


def soon(days=10, hour="18:00"):
    return (timezone.localtime() + timedelta(days=days)).strftime(f"%Y-%m-%dT{hour}")


def today(days=0):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def areas():
    return [str(pk) for pk in SupportArea.objects.filter(active=True).values_list("pk", flat=True)]


def interest_filled() -> dict:
    return {
        "first_name": "Lena", "last_name": "Vogel", "email": "lena@example.org",
        "district": "west", "support_areas": areas()[:2], "hours_per_month": "4",
        "motivation": "Ich möchte helfen.", "consent": "on", "languages-0-language": "de",
        "languages-0-level": "native",
        "started": form_started_token(timezone.now().timestamp() - 600),
    }  # fmt: skip


def referral_filled() -> dict:
    return {
        "first_name": "Amal", "last_name": "Haddad", "languages": ["ar"], "german_level": "A1",
        "arrived_on": today(-60)[:7], "district": "west", "adults": "2", "children_ages": "4, 9",
        "to_accompany": "die Mutter", "support_areas": areas()[:1],
        "description": "Termine bei der Ausländerbehörde.", "urgency": "normal",
        "consent": "on", "consent_on": today(),
    }  # fmt: skip


def tandem_filled() -> dict:
    return {
        "at": soon(3), "place": "Stadtbibliothek", "agreement_contents": "Behördengänge",
        "contacted_on": today(), "with_whom": "mentor", "channel": "phone", "rating": "4",
        "ended_on": today(), "reason": "goals-reached",
    }  # fmt: skip


def event_filled() -> dict:
    return {
        "title": "Einführungsseminar", "type": "intro", "starts_at": soon(10),
        "ends_at": soon(10, "20:00"), "place": "Rathaus", "capacity": "12", "repeat_monthly": "0",
    }  # fmt: skip


def invite_filled() -> dict:
    return {"email": "nora.neu@example.org", "first_name": "Nora", "last_name": "Neu",
            "role": "Welcome Center"}  # fmt: skip


def account_page(name):
    return lambda world: [reverse(name, args=[world["advisor"].pk])]


@dataclass
class Target:
    who: str | None  # "coordinator", "advisor", or None for the public
    pages: object  # the world → the pages that show the endpoint's forms
    filled: object = dict  # → what a person fills in beyond what the page shows


def mentor_page(world):
    return [world["mentor"].get_absolute_url()]


TARGETS = {
    "accounts:invite": Target("coordinator", lambda w: [reverse("accounts:invite")], invite_filled),
    "accounts:deactivate": Target("coordinator", account_page("accounts:deactivate")),
    "accounts:reactivate": Target("coordinator", account_page("accounts:reactivate")),
    "accounts:second_factor_reset": Target(
        "coordinator", account_page("accounts:second_factor_reset")
    ),
    "mentors:interest": Target(None, lambda w: [reverse("mentors:interest")], interest_filled),
    "newcomers:referral_create": Target(
        "advisor", lambda w: [reverse("newcomers:referral_create")], referral_filled
    ),
    "newcomers:referral_edit": Target(
        "advisor", lambda w: [reverse("newcomers:referral_edit", args=[w["received"].pk])]
    ),
    "newcomers:referral_answer": Target(
        "advisor",
        lambda w: [reverse("newcomers:my_referral", args=[w["asked"].pk])],
        lambda: {"text": "Ja."},
    ),
    "newcomers:referral_withdraw": Target(
        "advisor",
        lambda w: [reverse("newcomers:my_referral", args=[w["received"].pk])],
        lambda: {"confirm": "on"},
    ),
    "mentors:edit": Target(
        "coordinator", lambda w: [reverse("mentors:edit", args=[w["mentor"].pk])]
    ),
    "mentors:status": Target("coordinator", mentor_page),
    "mentors:checklist": Target("coordinator", mentor_page),
    "mentors:checklist_withdraw": Target("coordinator", mentor_page),
    "mentors:note": Target("coordinator", mentor_page, lambda: {"text": "Angerufen."}),
    "newcomers:referral_triage": Target(
        "coordinator",
        lambda w: [w["received"].get_absolute_url()],
        lambda: {"question": "Welche Sprache?"},
    ),
    "newcomers:tandem_propose": Target("coordinator", lambda w: [w["waiting"].get_absolute_url()]),
    "newcomers:tandem_detail": Target(
        "coordinator",
        lambda w: [tandem.get_absolute_url() for tandem in w["tandems"].values()],
        tandem_filled,
    ),
    "seminars:create": Target("coordinator", lambda w: [reverse("seminars:create")], event_filled),
    "seminars:detail": Target(
        "coordinator",
        lambda w: [w["upcoming"].get_absolute_url(), w["past"].get_absolute_url()],
        lambda: {"group": "picked", "confirm": "on"},
    ),
    "seminars:calendar_feed": Target("coordinator", lambda w: [reverse("seminars:calendar_feed")]),
    "seminars:answer": Target(
        None, lambda w: [reverse("seminars:answer", args=[answer_token(w["invitation"])])]
    ),
    "newcomers:tandem_answer": Target(
        None,
        lambda w: [
            reverse("newcomers:tandem_answer", args=[tandem_answer_token(w["tandems"]["proposed"])])
        ],
    ),
}
# Beyond the brief's set (the public form, the referral form, every coordinator POST): the
# advisors' other steps and the mentors' answer links get a fifth of the cases, to keep the
# test's time in bounds.
FEWER_CASES = {
    "newcomers:referral_edit",
    "newcomers:referral_answer",
    "newcomers:referral_withdraw",
    "seminars:answer",
    "newcomers:tandem_answer",
}
# Pages that take no form data, or forms that belong to the accounts (login, logout, password,
# language): Django's own views, with their own tests.
NOT_FUZZED = {
    "landing", "privacy", "healthz", "home", "dashboard", "reports", "report_export",
    "mail_failed", "login", "logout", "logout_everywhere", "password_reset",
    "password_reset_done", "password_reset_confirm", "password_reset_complete",
    "password_change", "password_change_done", "set_language",
    "mentors:interest_thanks", "mentors:list", "mentors:export", "mentors:detail",
    "mentors:history", "newcomers:my_referrals", "newcomers:my_referral",
    "newcomers:referral_list", "newcomers:referral_export", "newcomers:referral_detail",
    "newcomers:mentor_suited_referrals", "newcomers:tandem_list", "seminars:list",
    "seminars:ics", "seminars:reflection_missing", "seminars:queue_mentors", "seminars:feed",
    "seminars:answer_ics",
    # one's own account and the steps of logging in, with their own tests
    "account", "second_factor_verify", "second_factor_enrol", "recovery_codes",
    "recovery_codes_renew", "accounts:list", "accounts:detail",
    # its POST has no fields (the token is in the URL: see test_crafted_urls_answer_no_500)
    "mentors:confirm",
    # data protection: pages without forms, and the five POST endpoints fuzzed by the same
    # routine in tests/overview/test_privacy_fuzz.py
    "privacy:index", "privacy:register", "privacy:access_log", "privacy:consent_text",
    "privacy:mentor", "privacy:referral", "privacy:mentor_export", "privacy:referral_export",
    "privacy:mentor_erase", "privacy:mentor_withdraw", "privacy:referral_erase",
    "privacy:referral_withdraw", "mentors:withdraw_consent",
}  # fmt: skip

# Known server errors in code this test's author may not change: (endpoint, exception) → why.
# Each is reported to the code's owner; remove the line with the fix.
KNOWN_500 = {}
# A request that takes longer than this is a fault too (a crafted form should not cost seconds).
SLOW_SECONDS = 2.0


def test_every_url_is_fuzzed_or_takes_no_form_data():
    names = {name for name, _ in url_names(get_resolver().url_patterns)
             if not name.startswith("admin:")}  # fmt: skip
    assert names - TARGETS.keys() - NOT_FUZZED == set(), "fuzz these URLs or list them"
    assert (TARGETS.keys() | NOT_FUZZED) - names == set(), "these URLs no longer exist"


@pytest.fixture
def fast_rendering(monkeypatch):
    """Without the test client's copy of every template context (a third of the time)."""
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)


def endpoint_of(url) -> str:
    match = resolve(urlsplit(url).path)
    return match.view_name


@pytest.mark.parametrize("endpoint", TARGETS)
def test_no_request_answers_500_or_saves_half(db, fast_rendering, endpoint):
    rng = random.Random(f"{SEED}-{endpoint}")
    world = the_world()
    target = TARGETS[endpoint]
    client = Client(raise_request_exception=False)
    if target.who:
        client.force_login(world[target.who])
    pages = target.pages(world)
    forms = [form for page in pages for form in forms_on(client, page)
             if endpoint_of(form.action) == endpoint]  # fmt: skip
    assert forms, f"no form posts to {endpoint} on {pages}"
    failures, accepted = {}, 0
    typed = target.filled()
    cases = CASES // 5 if endpoint in FEWER_CASES else CASES
    for case in range(cases):
        form = rng.choice(forms)
        data = variation(rng, form, typed)
        client.cookies.pop("messages", None)
        with transaction.atomic():
            before = writes()
            started = time.perf_counter()
            response = client.post(form.action, urlencode(data, doseq=True), content_type=FORM)
            if time.perf_counter() - started > SLOW_SECONDS:
                failures.setdefault("slow", (case, form.action, data))
            if response.status_code >= 500:
                failures.setdefault(_signature(response), (case, form.action, data))
            elif _refused(response):
                written = {table for table, n in writes().items() if n != before.get(table, 0)}
                assert not written, (case, form.action, data, response.status_code, written)
            else:
                accepted += 1
            transaction.set_rollback(True)
    assert accepted, "no case got through: the filled-in values are not valid"
    unknown = {sig: how for sig, how in failures.items() if (endpoint, sig) not in KNOWN_500}
    assert not unknown, _describe(unknown)
    gone = {sig for (name, sig) in KNOWN_500 if name == endpoint} - failures.keys()
    assert not gone, f"fixed? remove from KNOWN_500: {gone}"


def _refused(response) -> bool:
    """Not a redirect (the form again, a 400, 404 …), or a redirect with an error message."""
    queued = response.wsgi_request._messages._queued_messages
    return response.status_code != 302 or any(m.level >= message_levels.ERROR for m in queued)


def _signature(response) -> str:
    """The exception and the innermost frame of our own code that raised it."""
    kind, error, trace = response.exc_info
    ours = "?"
    while trace is not None:
        path = trace.tb_frame.f_code.co_filename
        if "/site-packages/" not in path:
            ours = f"{os.path.relpath(path)}:{trace.tb_frame.f_code.co_name}"
        trace = trace.tb_next
    return f"{kind.__name__} in {ours}"


def _describe(failures) -> str:
    return "\n".join(f"{sig}: case {case}, POST {url} {data!r:.600}"
                     for sig, (case, url, data) in failures.items())  # fmt: skip


def test_crafted_urls_answer_no_500(db, fast_rendering):
    """The same endpoints with crafted path parameters (ids, tokens, checklist items)."""
    world = the_world()
    client = Client(raise_request_exception=False)
    client.force_login(world["coordinator"])
    tokens = ["\x00", "a" * 3000, "²", ":", "..", "%", "abc:def:ghi", "١٢"]
    mentor = world["mentor"].pk
    urls = [
        *(f"/koordination/paten/{mentor}/checkliste/{quote(t)}/zuruecknehmen/" for t in tokens),
        *(f"/seminare/antwort/{quote(t)}/" for t in tokens),
        *(f"/tandem/antwort/{quote(t)}/" for t in tokens),
        *(f"/mitmachen/bestaetigen/{quote(t)}/" for t in tokens),
        *(f"/koordination/seminare/{n}/" for n in ("0", "99999999999999999999", "1" * 40)),
    ]
    for url in urls:
        for method in (client.get, client.post):
            assert method(url).status_code < 500, url
