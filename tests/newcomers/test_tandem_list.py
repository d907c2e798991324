"""The coordinators' tandem list: search, filters, sorts, work queues and the CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from newcomers.forms import TandemFilterForm
from newcomers.models import Tandem, TandemStatus
from newcomers.queues import TANDEM_QUEUES
from newcomers.selectors import TANDEM_SORTS, tandems_for_list
from newcomers.services import tandem_schedule_store
from tests.factories import MentorFactory, ReferralFactory, UserFactory, active_tandem
from willkommen.overview.search import tandems_for_search

URL = reverse("newcomers:tandem_list")
EXPORT = reverse("newcomers:tandem_export")


def a_tandem(status="active", *, mentor=None, referral=None, days_ago=0, **fields):
    """A tandem in `status`, proposed `days_ago` (and started then, if it has started)."""
    moment = timezone.now() - timedelta(days=days_ago)
    if status in ("active", "ended"):
        fields.setdefault("started_on", timezone.localdate(moment))
    if status == "ended":
        fields.setdefault("ended_on", timezone.localdate())
        fields.setdefault("end_reason", "goals-reached")
    tandem = Tandem.objects.create(
        mentor=mentor or MentorFactory(),
        referral=referral or ReferralFactory(status="matched"),
        proposed_by=UserFactory(),
        status=status,
        **fields,
    )
    Tandem.objects.filter(pk=tandem.pk).update(proposed_at=moment)
    tandem.refresh_from_db()
    tandem_schedule_store(tandem)
    return tandem


def listed(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


@pytest.fixture
def people(db):
    """Mila Okafor accompanies Olena Kovalenko (active); Jan Weber's proposal for the Haddad
    family was declined; Jan Weber accompanied Amal Nasser (ended)."""
    mila = MentorFactory(first_name="Mila", last_name="Okafor", email="mila@example.org",
                         phone="0711 555 01")  # fmt: skip
    jan = MentorFactory(first_name="Jan", last_name="Weber", email="jw@example.net",
                        phone="0170 999")  # fmt: skip
    olena = ReferralFactory(first_name="Olena", last_name="Kovalenko", status="matched",
                            email="olena@post.example", phone="0157 424242",
                            district="mitte")  # fmt: skip
    haddad = ReferralFactory(first_name="Rami", last_name="Haddad", status="waiting",
                             district="west")  # fmt: skip
    nasser = ReferralFactory(first_name="Amal", last_name="Nasser", status="ended",
                             district="ost")  # fmt: skip
    return {
        "active": a_tandem("active", mentor=mila, referral=olena, days_ago=40),
        "declined": a_tandem("declined", mentor=jan, referral=haddad, days_ago=20),
        "ended": a_tandem("ended", mentor=jan, referral=nasser, days_ago=300),
    }


# --- Views and search ------------------------------------------------------------------------


def test_without_a_search_the_list_shows_the_active_tandems(coordinator_client, people):
    response = coordinator_client.get(URL)
    assert list(response.context["page"].object_list) == [people["active"]]
    assert response.context["current"] == "active"


@pytest.mark.parametrize(
    "query, found",
    [
        ("okafor", ["active"]),  # the mentor's name
        ("mila oka", ["active"]),  # first and last name as typed
        ("mila@example", ["active"]),  # the mentor's e-mail address
        ("555 01", ["active"]),  # the mentor's phone
        ("weber", ["declined", "ended"]),  # a mentor of two tandems, whatever their status
        ("kovalenko", ["active"]),  # the household's name
        ("olena@post", ["active"]),  # the household's e-mail address
        ("424242", ["active"]),  # the household's phone
        ("HADDAD", ["declined"]),  # any case
        ("nobody", []),
    ],
)
def test_a_search_finds_mentor_and_household_across_all_statuses(
    coordinator_client, people, query, found
):
    assert set(listed(coordinator_client, q=query)) == {people[key] for key in found}


def test_a_search_within_a_chosen_view_stays_in_it(coordinator_client, people):
    assert listed(coordinator_client, q="weber", ansicht="ended") == [
        people["declined"], people["ended"]  # the newest proposal first
    ]  # fmt: skip
    assert listed(coordinator_client, q="weber", ansicht="active") == []
    assert listed(coordinator_client, q="okafor", ansicht="active") == [people["active"]]


def test_the_view_links_keep_the_search(coordinator_client, people):
    response = coordinator_client.get(URL, {"q": "weber", "page": "1"})
    assert response.context["current"] == "all"
    queries = {view["key"]: view["query"] for view in response.context["views"]}
    assert queries["ended"] == "q=weber&ansicht=ended"


def test_the_list_finds_what_the_global_search_links_to(coordinator_client, people):
    """The search page links its tandems to this list with ?q= and promises the same set."""
    for query in ("weber", "kovalenko", "mila@example", "424242", "0711"):
        assert set(listed(coordinator_client, q=query)) == set(tandems_for_search(query)), query


def test_a_search_uses_the_trigram_indexes(people):
    with connection.cursor() as cursor:
        for index in ("mentor_name_trgm", "mentor_email_trgm", "mentor_phone_trgm",
                      "referral_name_trgm"):  # fmt: skip
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        # Tables this small are cheaper to read whole: forbid that, so that only an index that
        # answers the search itself remains (as tests/willkommen/test_search_indexes.py does).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = set(tandems_for_list(filters={"q": "mül"}).explain().split())
    assert {"mentor_name_trgm", "mentor_email_trgm", "mentor_phone_trgm",
            "referral_name_trgm"} <= plan  # fmt: skip


# --- Filters ---------------------------------------------------------------------------------


def test_the_district_filter_is_the_households(coordinator_client, people):
    assert listed(coordinator_client, ansicht="all", district="ost") == [people["ended"]]
    assert listed(coordinator_client, district="mitte") == [people["active"]]
    assert listed(coordinator_client, district="west") == []  # the declined one is not active


def test_overdue_only(coordinator_client, db):
    late = active_tandem(started_days_ago=60)
    fresh = active_tandem(started_days_ago=3)
    assert listed(coordinator_client, overdue="on") == [late]
    assert set(listed(coordinator_client)) == {late, fresh}


def test_the_overdue_view_lists_the_longest_overdue_first(coordinator_client, db):
    later = active_tandem(started_days_ago=30)
    earliest = active_tandem(started_days_ago=90)
    active_tandem(started_days_ago=3)
    response = coordinator_client.get(URL, {"ansicht": "overdue"})
    assert list(response.context["page"].object_list) == [earliest, later]
    assert response.context["form"]["sort"].value() == "due"


def test_an_unknown_filter_value_is_shown_and_dropped(coordinator_client, people):
    response = coordinator_client.get(URL, {"district": "atlantis", "sort": "x"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"district", "sort"}
    assert list(response.context["page"].object_list) == [people["active"]]


def test_the_empty_list_says_that_the_filters_found_nothing(coordinator_client, people):
    page = coordinator_client.get(URL, {"q": "nobody"}).content.decode()
    assert "Keine Tandems passen" in page or "No tandems match" in page


# --- Sorts -----------------------------------------------------------------------------------


def test_every_sort_offered_is_defined_and_ends_in_the_primary_key():
    offered = {value for value, _label in TandemFilterForm().fields["sort"].choices}
    assert offered == set(TANDEM_SORTS)
    assert all(str(order[-1]).lstrip("-") == "pk" for order in TANDEM_SORTS.values())


def test_the_sorts(coordinator_client, db):
    def mentor(last_name):
        return MentorFactory(first_name="A", last_name=last_name)

    hoffmann = a_tandem(mentor=mentor("Hoffmann"), days_ago=50)  # started first
    haenel = a_tandem(mentor=mentor("Hänel"), days_ago=5)
    proposal = a_tandem("proposed", mentor=mentor("Zander"), days_ago=1)
    same_day = a_tandem(mentor=mentor("Ahrens"), days_ago=5)
    everything = {"ansicht": "all"}
    assert listed(coordinator_client, **everything) == [proposal, same_day, haenel, hoffmann]
    assert listed(coordinator_client, **everything, sort="started") == [
        same_day, haenel, hoffmann, proposal  # the same day: the newer first; no start last
    ]  # fmt: skip
    # the first contact is due 14 days after the start; a proposal has none
    assert listed(coordinator_client, **everything, sort="due") == [
        hoffmann, haenel, same_day, proposal
    ]  # fmt: skip
    # as a phone book sorts: Hänel before Hoffmann
    assert listed(coordinator_client, **everything, sort="mentor") == [
        same_day, haenel, hoffmann, proposal
    ]  # fmt: skip


# --- Work queues -----------------------------------------------------------------------------


@pytest.mark.parametrize("queue", TANDEM_QUEUES, ids=lambda queue: queue.name)
def test_a_queue_lists_exactly_its_set_in_its_order(coordinator_client, queue):
    for days in (3, 10, 60, 90):
        active_tandem(started_days_ago=days)
    a_tandem("proposed", days_ago=2)
    a_tandem("proposed", days_ago=9)
    response = coordinator_client.get(URL, {"queue": queue.name})
    assert list(response.context["page"].object_list) == list(queue.items())
    assert response.context["title"] == queue.title
    assert not response.context["form"]["sort"].value()
    assert response.context["form"].fields["sort"].choices[0][0] == ""  # the queue's own order


def test_a_queue_can_be_searched(coordinator_client, people):
    overdue = [queue for queue in TANDEM_QUEUES if queue.name == "overdue"][0]
    assert people["active"] in overdue.items()
    assert listed(coordinator_client, queue="overdue", q="okafor") == [people["active"]]
    assert listed(coordinator_client, queue="overdue", q="weber") == []


# --- Export ----------------------------------------------------------------------------------


def rows_of(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_the_export_has_the_filtered_list(coordinator_client, people):
    header, *rows = rows_of(coordinator_client.get(EXPORT, {"q": "weber"}))
    assert header[:4] == ["Patin/Pate Vorname", "Patin/Pate Nachname",
                          "Neuzugewanderte Vorname", "Neuzugewanderte Nachname"]  # fmt: skip
    assert sorted(row[3] for row in rows) == ["Haddad", "Nasser"]
    ended = next(row for row in rows if row[3] == "Nasser")
    assert ended[header.index("Stadtbezirk")] == "Ost"
    assert ended[header.index("beendet am")] == f"{timezone.localdate():%d.%m.%Y}"


def test_the_export_of_a_queue(coordinator_client, people):
    _header, *rows = rows_of(coordinator_client.get(EXPORT, {"queue": "overdue"}))
    assert [row[1] for row in rows] == ["Okafor"]


def test_the_export_link_carries_the_filters(coordinator_client, people):
    page = coordinator_client.get(URL, {"q": "weber", "page": "1"}).content.decode()
    assert f'href="{EXPORT}?q=weber"' in page


# --- Cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 25])
@pytest.mark.parametrize(
    "query", [{}, {"q": "a", "district": "west", "sort": "mentor"}, {"queue": "overdue"}]
)
def test_query_count_does_not_grow_with_the_rows(
    coordinator_client, django_assert_num_queries, count, query
):
    for n in range(count):
        active_tandem(started_days_ago=40 + n)
    # all of them west (the factory's district); every mentor's e-mail address has an "a"
    with django_assert_num_queries(7):
        response = coordinator_client.get(URL, query)
    assert len(response.context["page"].object_list) == count
    with django_assert_num_queries(6):
        coordinator_client.get(EXPORT, query)


def test_every_status_appears_in_a_view(coordinator_client, db):
    """No tandem falls between the views."""
    for status in TandemStatus.values:
        a_tandem(status)
    seen = set()
    for view in ("active", "starting", "ended"):
        seen |= {tandem.status for tandem in listed(coordinator_client, ansicht=view)}
    assert seen == set(TandemStatus.values)
    assert len(listed(coordinator_client, ansicht="all")) == len(TandemStatus.values)
