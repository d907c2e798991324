"""Find anything: the coordinators' one search across mentors, referrals, tandems and events.

Each kind is searched as its own list searches, with the same lookups (`mentors_searched`, the
referral list's name search on `full_name()`), so that the same trigram indexes find a name.
What is searched beyond a list (a postal code; a household's e-mail address and phone, which
have no index) is asked only of a query that can be one, so that a name never costs a read of
every row. Each kind takes one query for its first rows and one for its count, however many
records match.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentors.models import BY_NAME, Mentor
from mentors.selectors import mentors_for_list, mentors_searched
from newcomers.models import OPEN_STATUSES, Referral, Tandem
from newcomers.selectors import referrals_for_queue, referrals_searched, tandems_searched
from seminars.models import Event

MIN_LENGTH = 2  # one letter would match nearly everyone, and no trigram index helps it
PER_KIND = 10
POSTAL_CODE_PREFIX = re.compile(r"\d{2,5}")  # "70", "7017", "70173": a postal code or its start


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name, e-mail address, phone, postal code or event"),
        max_length=100,
        required=False,
    )

    def query(self) -> str:
        """The search term, stripped; empty if there is none or it is unusable (NUL, too long)."""
        return self.cleaned_data["q"] if self.is_valid() else ""


# --- Which records a query finds, per kind ---------------------------------------------------


def _is_postal_code(query: str) -> bool:
    return bool(POSTAL_CODE_PREFIX.fullmatch(query))


def mentors_for_search(query: str) -> QuerySet:
    """Confirmed mentors (those the mentor list shows) whose name, e-mail address or phone
    contains `query` (the list's search), or whose postal code starts with it."""
    mentors = Mentor.objects.confirmed()
    found = mentors_searched(mentors, query)
    if _is_postal_code(query):  # apart, so that a name is still found by the indexes alone
        found = mentors.filter(Q(pk__in=found.values("pk")) | Q(postal_code__startswith=query))
    return found.order_by(*BY_NAME, "pk")


def referrals_for_search(query: str) -> QuerySet:
    """Referrals of any status found by the newcomer's name, e-mail address, phone or postal
    code: the open ones first, then the newest."""
    open_first = Case(When(status__in=OPEN_STATUSES, then=0), default=1)
    found = referrals_searched(Referral.objects.all(), query)
    if _is_postal_code(query):  # apart, so that a name is still found by the index alone
        found = Referral.objects.filter(
            Q(pk__in=found.values("pk")) | Q(postal_code__startswith=query)
        )
    return found.select_related("advisor").order_by(open_first, "-created_at", "-pk")


def tandems_for_search(query: str) -> QuerySet:
    """Tandems whose mentor or household the query finds by name, e-mail address or phone,
    as the tandem list searches."""
    return (
        tandems_searched(Tandem.objects.all(), query)
        .select_related("mentor", "referral")
        .order_by("-proposed_at", "-pk")
    )


def events_for_search(query: str) -> QuerySet:
    """Events whose title or place contains `query`: the coming ones first (the next first),
    then the past ones (the latest first)."""
    now = timezone.now()
    upcoming = Q(starts_at__gte=now)
    return Event.objects.filter(Q(title__icontains=query) | Q(place__icontains=query)).order_by(
        Case(When(upcoming, then=Value(0)), default=Value(1), output_field=IntegerField()),
        Case(When(upcoming, then=F("starts_at"))).asc(),
        F("starts_at").desc(),
        "-pk",
    )


# --- What the results page shows -------------------------------------------------------------


@dataclass
class Result:
    url: str
    label: str
    facts: list[str] = field(default_factory=list)


@dataclass
class Group:
    key: str  # the anchor on the page: "paten", "vermittlungen" …
    title: str
    count: int
    results: list[Result]
    list_url: str = ""  # the kind's list searched for the same query, if the list can search
    list_link: str = ""  # the link's text, saying how many the list shows

    @property
    def truncated(self) -> bool:
        return self.count > len(self.results)


def _mentor(mentor: Mentor) -> Result:
    return Result(
        mentor.get_absolute_url(),
        f"{mentor.last_name}, {mentor.first_name}",
        [str(mentor.get_status_display()), str(mentor.get_district_display())],
    )


def _referral(referral: Referral) -> Result:
    return Result(
        referral.get_absolute_url(),
        f"{referral.last_name}, {referral.first_name}",
        [str(referral.get_status_display()), str(referral.advisor)],
    )


def _tandem(tandem: Tandem) -> Result:
    return Result(tandem.get_absolute_url(), str(tandem), [str(tandem.get_status_display())])


def _event(event: Event) -> Result:
    facts = [date_format(timezone.localtime(event.starts_at), "D d.m.Y H:i")]
    if event.cancelled_at:
        facts.append(str(_("cancelled")))
    return Result(event.get_absolute_url(), event.title, facts)


def _list_link(url_name: str, query: str, *, found: int, listed: int) -> tuple[str, str]:
    """The link to the kind's list searched for `query`, and its text saying how many the list
    shows there (a list may show fewer: the referral list, say, only the open referrals)."""
    if listed == found:
        text = ngettext("Show it in the list", "Show all %(count)s in the list", listed)
    else:
        text = ngettext(
            "Show %(count)s of them in the list", "Show %(count)s of them in the list", listed
        )
    return f"{reverse(url_name)}?{urlencode({'q': query})}", text % {"count": listed}


def _group(key, title, found: QuerySet, row, *, query="", list_name="", listed=None) -> Group:
    """One kind's results. `list_name`: the kind's list, whose search `listed` is (None: the
    list finds what this search finds)."""
    count = found.count()
    results = [row(record) for record in found[:PER_KIND]] if count else []
    group = Group(key, str(title), count, results)
    shown_there = (count if listed is None else listed.count()) if count and list_name else 0
    if shown_there:
        group.list_url, group.list_link = _list_link(
            list_name, query, found=count, listed=shown_there
        )
    return group


def search_everything(query: str) -> list[Group]:
    """The results of `query` in each kind, in the order of the navigation."""
    return [
        _group(
            "paten", _("Mentors"), mentors_for_search(query), _mentor,
            query=query, list_name="mentors:list", listed=mentors_for_list(filters={"q": query}),
        ),
        _group(
            "vermittlungen", _("Referrals"), referrals_for_search(query), _referral,
            query=query, list_name="newcomers:referral_list",
            listed=referrals_for_queue(filters={"q": query}),
        ),
        _group(
            "tandems", _("Tandems"), tandems_for_search(query), _tandem,
            query=query, list_name="newcomers:tandem_list",
        ),
        # The event list has no search: this group links to the events themselves only.
        _group("veranstaltungen", _("Events"), events_for_search(query), _event),
    ]  # fmt: skip
