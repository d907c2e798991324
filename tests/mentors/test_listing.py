import csv
import io

import pytest
from django.urls import reverse

from mentors.models import MentorStatus
from tests.factories import MentorFactory
from willkommen.core.models import SupportArea

LIST = reverse("mentors:list")
EXPORT = reverse("mentors:export")


def names(response):
    return sorted(mentor.last_name for mentor in response.context["page"].object_list)


@pytest.fixture
def people(db):
    return {
        "anna": MentorFactory(
            first_name="Anna", last_name="Arendt", email="anna@example.org", phone="0711 1",
            district="west", weekdays=["mon"], times_of_day=["morning"],
            languages=[("de", "native"), ("ar", "C1")], support_areas=["jobs"],
        ),
        "bert": MentorFactory(
            first_name="Bert", last_name="Brecht", email="bert@example.org", phone="0711 2",
            district="ost", weekdays=["fri"], times_of_day=["evening"], status="ready",
            languages=[("de", "native")], support_areas=["german"],
        ),
        "cleo": MentorFactory(
            first_name="Cleo", last_name="Curie", email="cleo@example.org", phone="0711 3",
            district="ost", weekdays=["mon", "fri"], status="active",
        ),
        "unconfirmed": MentorFactory(last_name="Zuse", email_confirmed_at=None),
    }  # fmt: skip


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", ["Arendt", "Brecht", "Curie"]),
        ("q=anna+aren", ["Arendt"]),
        ("q=BERT@EXAMPLE", ["Brecht"]),
        ("q=0711+3", ["Curie"]),
        ("status=ready", ["Brecht"]),
        ("district=ost", ["Brecht", "Curie"]),
        ("language=ar", ["Arendt"]),
        ("weekdays=fri", ["Brecht", "Curie"]),
        ("weekdays=mon&times_of_day=morning", ["Arendt"]),
        ("ready=on", ["Brecht"]),
        ("free_capacity=on", ["Brecht"]),
        ("status=bogus", ["Arendt", "Brecht", "Curie"]),  # an invalid filter is dropped, shown
    ],
)
def test_filters_narrow_the_list_and_unconfirmed_never_appear(
    coordinator_client, people, query, expected
):
    response = coordinator_client.get(f"{LIST}?{query}")
    assert names(response) == expected


def test_support_area_filter(coordinator_client, people):
    jobs = SupportArea.objects.get(slug="jobs")
    assert names(coordinator_client.get(f"{LIST}?support_area={jobs.pk}")) == ["Arendt"]


def test_an_invalid_filter_is_shown_as_an_error(coordinator_client, people):
    response = coordinator_client.get(f"{LIST}?status=bogus")
    assert "status" in response.context["form"].errors


def test_counts_per_status_ignore_the_status_filter(coordinator_client, people):
    response = coordinator_client.get(f"{LIST}?district=ost&status=ready")
    counts = dict(response.context["status_counts"])
    assert counts[MentorStatus.READY] == 1 and counts[MentorStatus.ACTIVE] == 1
    assert counts[MentorStatus.NEW] == 0


def test_pagination_keeps_the_filters(coordinator_client, db):
    MentorFactory.create_batch(30, district="mitte")
    response = coordinator_client.get(f"{LIST}?district=mitte")
    assert response.context["page"].paginator.num_pages == 2
    assert "district=mitte&amp;page=2" in response.content.decode()


def test_empty_states(coordinator_client, db):
    assert "empty-state" in coordinator_client.get(LIST).content.decode()
    MentorFactory(district="west")
    response = coordinator_client.get(f"{LIST}?district=ost")
    assert reverse("mentors:list") in response.content.decode()
    assert list(response.context["page"].object_list) == []


def test_csv_export_has_the_filtered_rows(coordinator_client, people):
    response = coordinator_client.get(f"{EXPORT}?district=ost")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Vorname", "Nachname", "E-Mail"]
    assert sorted(row[1] for row in rows[1:]) == ["Brecht", "Curie"]


def list_queries(client, django_assert_num_queries, count, url):
    MentorFactory.create_batch(count)
    with django_assert_num_queries(QUERIES[url]):
        assert client.get(url).status_code == 200


# The same number with 1 and with 30 rows: rows come with their languages and support areas
# prefetched, never one query per row.
QUERIES = {f"{LIST}?language=de&district=west": 12, f"{EXPORT}?language=de": 9}


@pytest.mark.parametrize("url", QUERIES)
@pytest.mark.parametrize("count", [1, 30])
def test_query_count_does_not_grow_with_the_rows(
    coordinator_client, django_assert_num_queries, url, count
):
    list_queries(coordinator_client, django_assert_num_queries, count, url)


def test_names_sort_as_in_a_german_phone_book(coordinator_client, db):
    for last_name in ("Hoffmann", "hartmann", "Hänel", "Öztürk", "Oberle", "Strauß", "Strauch"):
        MentorFactory(status="ready", last_name=last_name)
    page = coordinator_client.get(reverse("mentors:list")).context["page"]
    assert [mentor.last_name for mentor in page] == [
        "Hänel", "hartmann", "Hoffmann", "Oberle", "Öztürk", "Strauch", "Strauß",
    ]  # fmt: skip


def test_the_name_sort_reads_its_index(db):
    from django.db import connection

    from mentors.selectors import mentors_for_list

    MentorFactory.create_batch(3, status="ready")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    assert "mentor_name_order" in mentors_for_list(filters={})[:25].explain()
