"""The mentor's whole-picture page (willkommen/overview/mentor_page.py)."""

from django.urls import reverse

from tests.factories import MentorFactory, an_invitation


def test_a_mentor_invited_but_absent_has_no_seminar_attended(coordinator_client):
    mentor = MentorFactory(status="screening")
    an_invitation(mentor=mentor)  # invited, not attended
    response = coordinator_client.get(reverse("mentors:detail", args=[mentor.pk]))
    assert response.context["seminars_attended"] == []
    page = response.content.decode()
    section = page[page.index('id="seminars-heading"') :]
    assert "Noch keine." in section[: section.index("</section>")]


def test_the_page_says_how_many_places_are_taken(coordinator_client):
    mentor = MentorFactory(status="active", capacity=2)
    page = coordinator_client.get(reverse("mentors:detail", args=[mentor.pk])).content.decode()
    assert "1 von 2 Plätzen belegt" in page
