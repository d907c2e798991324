import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import MentorFactory, ReferralFactory, proposed_tandem
from willkommen.overview.dashboard import DASHBOARD_QUEUES


def test_landing_explains_the_programme_in_german(client, db):
    page = client.get("/").content.decode()
    assert '<html lang="de">' in page
    assert "Seit Februar 2015" in page
    assert "Datenschutzhinweise" in page
    assert page.count("<h1") == 1


def test_language_switch_to_english_keeps_the_page(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/datenschutz/"})
    assert response["Location"] == "/datenschutz/"
    page = client.get("/datenschutz/").content.decode()
    assert '<html lang="en">' in page
    assert "Privacy notice" in page


def test_health_endpoint_says_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db(transaction=True)
def test_health_endpoint_says_503_when_the_database_does_not_answer(client):
    real_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = "no_such_database"
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["NAME"] = real_name
    assert response.status_code == 503


def test_security_headers(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_pages_of_signed_in_people_are_never_stored(coordinator_client):
    assert "no-store" in coordinator_client.get(reverse("dashboard"))["Cache-Control"]
    assert "no-store" in coordinator_client.get("/")["Cache-Control"]


def test_public_pages_may_be_cached(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_pages_load_nothing_from_other_origins(client, coordinator_client):
    for page in [
        client.get("/"),
        client.get("/konto/anmelden/"),
        coordinator_client.get("/koordination/"),
    ]:
        html = page.content.decode()
        assert 'src="http' not in html
        assert 'href="http' not in html.replace('href="https://www.stuttgart.de/impressum"', "")


def test_unknown_page_is_a_friendly_german_404(client, db):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()


@pytest.mark.parametrize("mentors", [1, 25])
def test_dashboard_query_count_does_not_grow_with_the_data(
    coordinator_client, django_assert_num_queries, mentors
):
    for status in ("new", "contacted", "screening"):
        MentorFactory.create_batch(mentors, status=status)
    for status in ("received", "waiting"):
        ReferralFactory.create_batch(mentors, status=status)
    for _ in range(mentors):
        proposed_tandem()
    # session, user, 2nd-factor device, permissions, 2 per queue
    with django_assert_num_queries(5 + 2 * len(DASHBOARD_QUEUES)):
        response = coordinator_client.get(reverse("dashboard"))
    counts = {queue["name"]: queue["count"] for queue in response.context["queues"]}
    # a referral with a proposal is not "waiting for a mentor"; the screening mentors have no
    # seminar date (a ready mentor has attended the seminar); every other queue is empty here
    busy = ["to-contact", "to-talk", "in-screening", "to-triage", "waiting-for-mentor",
            "proposals", "without-seminar-date"]  # fmt: skip
    assert counts == {name: mentors if name in busy else 0 for name in counts}
    assert set(busy) <= set(counts)
