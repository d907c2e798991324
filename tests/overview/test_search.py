"""Find anything: the coordinators' search across mentors, referrals, tandems and events."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentors.models import MentorStatus
from newcomers.models import Tandem, TandemStatus
from tests.factories import MentorFactory, ReferralFactory, UserFactory, an_event
from tests.willkommen.test_search_indexes import many_referrals  # noqa: F401 (a fixture)
from willkommen.overview.search import (
    PER_KIND,
    mentors_for_search,
    referrals_for_search,
    tandems_for_search,
)

URL = reverse("search")


@pytest.fixture(autouse=True)
def in_english(settings):
    """Texts are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


def groups(response) -> dict:
    return {group.key: group for group in response.context["groups"]}


def labels(response, key) -> list[str]:
    return [result.label for result in groups(response)[key].results]


def main(response) -> str:
    """The page's content, without the header (and its search field)."""
    html = response.content.decode()
    return html[html.index('<main id="inhalt"') :]


def a_tandem(mentor, referral):
    return Tandem.objects.create(mentor=mentor, referral=referral, proposed_by=UserFactory())


@pytest.fixture
def people(db):
    mentor = MentorFactory(
        first_name="Mila",
        last_name="Okafor",
        email="mila.okafor@example.org",
        phone="0711 555 01",
        postal_code="70176",
        status="ready",
    )
    referral = ReferralFactory(
        first_name="Olena",
        last_name="Kovalenko",
        email="olena@example.net",
        phone="0176 222 33",
        postal_code="70372",
        status="waiting",
    )
    return {
        "mentor": mentor,
        "referral": referral,
        "tandem": a_tandem(mentor, referral),
        "event": an_event(title="Reflexionstreffen Herbst", place="Rathaus Bad Cannstatt"),
    }  # fmt: skip


# --- What is found -----------------------------------------------------------------------------


def test_a_name_finds_the_mentor_and_the_tandem(coordinator_client, people):
    response = coordinator_client.get(URL, {"q": "okaf"})
    assert labels(response, "paten") == ["Okafor, Mila"]
    assert labels(response, "tandems") == ["Mila Okafor – Olena Kovalenko"]
    assert groups(response)["vermittlungen"].count == 0
    assert groups(response)["veranstaltungen"].count == 0


def test_a_household_name_finds_the_referral_and_the_tandem(coordinator_client, people):
    response = coordinator_client.get(URL, {"q": "KOVAL"})
    assert labels(response, "vermittlungen") == ["Kovalenko, Olena"]
    assert labels(response, "tandems") == ["Mila Okafor – Olena Kovalenko"]


@pytest.mark.parametrize(
    "query",
    ["mila.okafor@example", "555 01", "7017", "70176"],
    ids=["e-mail", "phone", "postal code start", "postal code"],
)
def test_a_mentor_is_found_by_email_phone_and_postal_code(coordinator_client, people, query):
    assert labels(coordinator_client.get(URL, {"q": query}), "paten") == ["Okafor, Mila"]


@pytest.mark.parametrize(
    "query",
    ["olena@example.net", "222 33", "7037", "70372"],
    ids=["e-mail", "phone", "postal code start", "postal code"],
)
def test_a_referral_is_found_by_email_phone_and_postal_code(coordinator_client, people, query):
    assert labels(coordinator_client.get(URL, {"q": query}), "vermittlungen") == [
        "Kovalenko, Olena"
    ]


@pytest.mark.parametrize("query", ["reflexion", "cannstatt"], ids=["title", "place"])
def test_an_event_is_found_by_title_and_place(coordinator_client, people, query):
    response = coordinator_client.get(URL, {"q": query})
    [event] = groups(response)["veranstaltungen"].results
    assert event.label == "Reflexionstreffen Herbst"
    assert event.url == people["event"].get_absolute_url()
    assert event.facts == [
        timezone.localtime(people["event"].starts_at).strftime("%a %d.%m.%Y %H:%M")
    ]


def test_each_result_links_to_its_record_with_the_key_facts(coordinator_client, people):
    mentor = coordinator_client.get(URL, {"q": "okafor"})
    [row] = groups(mentor)["paten"].results
    assert row.url == people["mentor"].get_absolute_url()
    assert row.facts == [str(MentorStatus.READY.label), "West"]
    referral = coordinator_client.get(URL, {"q": "kovalenko"})
    [row] = groups(referral)["vermittlungen"].results
    assert row.url == people["referral"].get_absolute_url()
    assert row.facts == ["waiting for a mentor", str(people["referral"].advisor)]
    [row] = groups(referral)["tandems"].results
    assert row.url == people["tandem"].get_absolute_url()
    assert row.facts == [str(TandemStatus.PROPOSED.label)]
    html = referral.content.decode()
    assert f'<a href="{people["referral"].get_absolute_url()}">Kovalenko, Olena</a>' in html


def test_an_unconfirmed_application_is_not_found(coordinator_client, people):
    MentorFactory(last_name="Okafor-Neu", email_confirmed_at=None)
    assert labels(coordinator_client.get(URL, {"q": "okafor"}), "paten") == ["Okafor, Mila"]


def test_a_closed_referral_is_found_and_the_list_link_says_how_many_it_shows(
    coordinator_client, people
):
    ReferralFactory(first_name="Ivan", last_name="Kovalenko", status="declined",
                    decline_reason="other")  # fmt: skip
    response = coordinator_client.get(URL, {"q": "kovalenko"})
    group = groups(response)["vermittlungen"]
    assert group.count == 2
    assert labels(response, "vermittlungen")[0] == "Kovalenko, Olena"  # the open one first
    # the referral list shows only the open one
    assert group.list_url == f"{reverse('newcomers:referral_list')}?q=kovalenko"
    assert group.list_link == "Show 1 of them in the list"
    listed = coordinator_client.get(group.list_url)
    assert listed.context["page"].paginator.count == 1


def test_a_name_is_found_by_the_trigram_indexes(many_referrals):  # noqa: F811
    """The same lookups as the lists: a name reads the index, not every referral."""
    assert "referral_name_trgm" in referrals_for_search("kovalen").explain()
    assert "referral_name_trgm" in tandems_for_search("kovalen").explain()
    assert list(referrals_for_search("kovalen")) == [many_referrals]


@pytest.mark.django_db
def test_the_mentor_search_uses_the_trigram_indexes():
    with connection.cursor() as cursor:
        for index in ("mentor_name_trgm", "mentor_email_trgm", "mentor_phone_trgm"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("SET LOCAL enable_seqscan = off")  # as tests/willkommen/test_search_indexes
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = mentors_for_search("mül").explain()
    assert {"mentor_name_trgm", "mentor_email_trgm", "mentor_phone_trgm"} <= set(plan.split())


# --- Groups, counts and the links to the lists ---------------------------------------------------


def test_a_kind_shows_ten_and_links_to_all_in_its_list(coordinator_client, db):
    MentorFactory.create_batch(PER_KIND + 2, last_name="Schneider")
    response = coordinator_client.get(URL, {"q": "schneider"})
    group = groups(response)["paten"]
    assert (group.count, len(group.results), group.truncated) == (PER_KIND + 2, PER_KIND, True)
    assert group.list_url == f"{reverse('mentors:list')}?q=schneider"
    assert group.list_link == f"Show all {PER_KIND + 2} in the list"
    html = response.content.decode()
    assert f'<h2 class="h4" id="paten">Mentors ({PER_KIND + 2})</h2>' in html
    assert f'<a href="{reverse("mentors:list")}?q=schneider">Show all 12 in the list</a>' in html
    listed = coordinator_client.get(group.list_url)
    assert listed.context["page"].paginator.count == PER_KIND + 2


def test_the_tandem_group_links_to_the_tandem_list_and_the_events_to_none(
    coordinator_client, people
):
    response = coordinator_client.get(URL, {"q": "okafor"})
    assert groups(response)["tandems"].list_url == f"{reverse('newcomers:tandem_list')}?q=okafor"
    assert groups(response)["tandems"].list_link == "Show it in the list"
    events = groups(coordinator_client.get(URL, {"q": "rathaus"}))["veranstaltungen"]
    assert (events.count, events.list_url) == (1, "")


def test_a_mentor_found_by_postal_code_only_is_not_promised_in_the_list(coordinator_client, people):
    group = groups(coordinator_client.get(URL, {"q": "70176"}))["paten"]
    assert group.count == 1
    assert group.list_url == ""  # the mentor list does not search postal codes


def test_the_list_link_carries_the_query_encoded(coordinator_client, db):
    MentorFactory(first_name="Zoë", last_name="Müller & Co")
    group = groups(coordinator_client.get(URL, {"q": "Müller & Co"}))["paten"]
    assert group.list_url == f"{reverse('mentors:list')}?q=M%C3%BCller+%26+Co"


def test_events_to_come_come_first(coordinator_client, db):
    now = timezone.now()
    past, later, sooner = (
        an_event(title=title, starts_at=now + timedelta(days=days),
                 ends_at=now + timedelta(days=days, hours=2))
        for title, days in [("Reflexion Mai", -30), ("Reflexion Dezember", 30),
                            ("Reflexion November", 3)]
    )  # fmt: skip
    response = coordinator_client.get(URL, {"q": "reflexion"})
    assert labels(response, "veranstaltungen") == [sooner.title, later.title, past.title]


# --- Empty, short and crafted queries ------------------------------------------------------------


def test_no_results_says_so(coordinator_client, people):
    response = coordinator_client.get(URL, {"q": "xyzzy"})
    assert response.context["total"] == 0
    assert "No results for “xyzzy”." in response.content.decode()


def test_a_query_under_two_characters_gets_a_hint(coordinator_client, people):
    response = coordinator_client.get(URL, {"q": " k "})
    assert response.context["groups"] == []
    assert "Please enter at least 2 characters." in response.content.decode()


def test_without_a_query_the_page_says_what_it_finds(coordinator_client, db):
    response = coordinator_client.get(URL)
    assert response.status_code == 200
    assert "Finds mentors and referrals by name" in response.content.decode()


@pytest.mark.parametrize("query", ["a\x00b", "x" * 101, "%", "_", "\\", "' OR '1'='1", "²٣"])
def test_crafted_queries_answer_calmly(coordinator_client, people, query):
    response = coordinator_client.get(URL, {"q": query})
    assert response.status_code == 200
    assert response.context["total"] == 0


def test_the_query_is_shown_escaped(coordinator_client, db):
    html = coordinator_client.get(URL, {"q": "<script>x</script>"}).content.decode()
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_nothing_is_focused_for_the_person(coordinator_client, people):
    html = coordinator_client.get(URL, {"q": "okafor"}).content.decode()
    assert "autofocus" not in html


# --- Who sees it ---------------------------------------------------------------------------------


def test_advisors_never_reach_the_search(advisor_client, people):
    assert advisor_client.get(URL, {"q": "kovalenko"}).status_code == 403


def test_visitors_are_asked_to_log_in(client, db):
    response = client.get(URL, {"q": "kovalenko"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_header_has_the_search_for_coordinators_only(coordinator_client, advisor, client):
    form = f'<form class="site-search" role="search" method="get" action="{URL}"'
    page = coordinator_client.get(reverse("dashboard")).content.decode()
    assert form in page
    assert '<label class="visually-hidden" for="site-search-q">' in page
    client.force_login(advisor)
    assert form not in client.get(reverse("newcomers:my_referrals")).content.decode()
    client.logout()
    assert form not in client.get(reverse("landing")).content.decode()


# --- Cost ----------------------------------------------------------------------------------------


def some_of_each(number: int) -> None:
    for n in range(number):
        mentor = MentorFactory(last_name=f"Berger{n}")
        a_tandem(mentor, ReferralFactory(last_name=f"Bergmann{n}", status="waiting"))
        an_event(title=f"Bergwanderung {n}")


def test_the_query_count_does_not_grow_with_the_results(coordinator_client, db):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = coordinator_client.get(URL, {"q": "berg"})
        assert response.status_code == 200
        return len(captured), response.context["total"]

    some_of_each(1)
    queries()  # the first request of a session may write the session
    with_one, found = queries()
    assert found == 4
    some_of_each(PER_KIND + 5)
    with_many, found = queries()
    assert found == 4 * (PER_KIND + 6)
    assert with_many == with_one


# --- The lists' own search fields ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["mentors:list", "newcomers:referral_list"])
def test_a_list_shows_its_search_field_outside_the_folded_filters(coordinator_client, name):
    html = main(coordinator_client.get(reverse(name)))
    assert 'name="q"' in html
    assert html.index('name="q"') < html.index("<details")
    assert "<details" in html and html.index("<details") < html.index('name="district"')


@pytest.mark.parametrize("name", ["mentors:list", "newcomers:referral_list"])
def test_a_list_search_keeps_the_filters_set(coordinator_client, name):
    """The search field and the folded filters are one form: searching keeps the filters."""
    html = main(coordinator_client.get(reverse(name)))
    form = html[html.rindex("<form", 0, html.index('name="q"')) :]
    form = form[: form.index("</form>")]
    assert 'name="district"' in form and "<details" in form
