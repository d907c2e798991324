"""The event page's invitation picker: a search shows a few mentors to tick, never all."""

import pytest

from seminars.models import Invitation
from tests.factories import MentorFactory, an_event, an_invitation


def choices(response):
    field = response.context["forms"]["invite"]["picked"].field
    return [label for _pk, label in field.widget.choices]


def test_event_page_offers_no_mentor_to_pick_before_a_search(coordinator_client):
    event = an_event()
    mentor = MentorFactory(status="ready", email="brecht@example.org")
    response = coordinator_client.get(event.get_absolute_url())
    assert choices(response) == []
    assert mentor.email not in response.content.decode()


def test_invite_search_finds_mentors_not_yet_invited(coordinator_client):
    event = an_event()
    found = MentorFactory(status="ready", last_name="Brecht")
    invited = MentorFactory(status="ready", last_name="Brechtel")
    an_invitation(event=event, mentor=invited)
    MentorFactory(status="ready", last_name="Curie")
    MentorFactory(status="left", last_name="Brechmann")
    response = coordinator_client.get(event.get_absolute_url() + "?q=brech")
    assert choices(response) == [f"{found} ({found.email})"]
    assert response.context["forms"]["invite"]["group"].value() == "picked"


def test_invite_search_without_a_match_says_so(coordinator_client):
    event = an_event()
    response = coordinator_client.get(event.get_absolute_url() + "?q=zzz")
    help_text = response.context["forms"]["invite"]["picked"].help_text
    assert "zzz" in help_text
    assert help_text in response.content.decode()


def test_invite_search_is_shown_as_text_not_markup(coordinator_client):
    event = an_event()
    response = coordinator_client.get(event.get_absolute_url() + "?q=<b>x</b>")
    assert "<b>x</b>" not in response.content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in response.content.decode()


def test_a_mentor_found_by_search_is_invited(coordinator_client):
    event = an_event()
    mentor = MentorFactory(status="ready", last_name="Brecht")
    response = coordinator_client.post(
        event.get_absolute_url() + "?q=brecht",
        {"step": "invite", "group": "picked", "picked": [mentor.pk], "language": "de"},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(event=event, mentor=mentor).exists()


def test_a_picked_mentor_stays_ticked_when_the_form_comes_back(coordinator_client):
    event = an_event()
    mentor = MentorFactory(status="ready", last_name="Brecht")
    response = coordinator_client.post(
        event.get_absolute_url(),
        {"step": "invite", "group": "picked", "picked": [mentor.pk, 999_999]},
    )  # one of the picked is no mentor (any more)
    assert response.status_code == 200
    assert choices(response) == [f"{mentor} ({mentor.email})"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("count", [1, 30])
def test_event_page_query_count_does_not_grow_with_the_mentors(
    coordinator_client, django_assert_num_queries, count
):
    event = an_event()
    for number in range(count):
        invited = MentorFactory(status="ready", last_name=f"Brecht{number}")
        an_invitation(event=event, mentor=invited)
        MentorFactory(status="ready", last_name=f"Brechtel{number}")
    url = event.get_absolute_url() + "?q=brecht"
    coordinator_client.get(url)
    with django_assert_num_queries(8):
        response = coordinator_client.get(url)
    assert len(choices(response)) == min(count, 20)
