"""The mentor's whole-picture page (willkommen/overview/mentor_page.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentors.models import ChecklistItem, Mentor, MentorStatus
from mentors.services import mentor_check_item
from newcomers.models import Tandem
from seminars.services import invitation_answer
from tests.factories import (
    MentorFactory,
    UserFactory,
    active_tandem,
    an_invitation,
    certificate_seen,
)


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


# --- The one primary step and the secondary ones ------------------------------------------


def page_of(client, mentor):
    return client.get(reverse("mentors:detail", args=[mentor.pk]))


def primary_buttons(page: str) -> list[str]:
    """The opening tags of the page's blue buttons and links, and what follows up to `</`."""
    return [part.split("</")[0] for part in page.split('class="btn btn-primary')[1:]]


def status_section(page: str) -> str:
    section = page[page.index('id="status-heading"') :]
    return section[: section.index("</section>")]


@pytest.mark.parametrize(
    ("status", "primary"),
    [
        ("new", 'value="contacted"'),
        ("contacted", 'value="screening"'),
        ("screening", "Als erledigt markieren"),  # the next checklist step
        ("ready", "/passende-vermittlungen/"),  # propose for a referral
        ("paused", 'value="ready"'),  # resume
    ],
)
def test_the_one_blue_button_is_the_usual_next_step(coordinator_client, status, primary):
    page = page_of(coordinator_client, MentorFactory(status=status)).content.decode()
    (button,) = primary_buttons(page)
    assert primary in button
    assert 'value="paused"' not in button


def test_pausing_and_leaving_are_secondary(coordinator_client, settings):
    response = page_of(coordinator_client, MentorFactory(status="ready"))
    assert response.context["leaving"]["retention_months"] == settings.RETENTION_APPLICANT_MONTHS
    section = status_section(response.content.decode())
    assert 'class="btn btn-outline-secondary" type="submit" name="to_status" value="paused"' in (
        section
    )
    # leaving opens a confirming step first: the consequences, a reason chosen by hand
    leaving = section[section.index("<details") : section.index("</details>")]
    assert f" {settings.RETENTION_APPLICANT_MONTHS} " in leaving  # when the data go
    assert '<option value="">' in leaving and "selected" not in leaving


def test_the_next_checklist_step_is_recorded_from_the_status_card(coordinator_client):
    mentor = MentorFactory(status="screening")
    response = page_of(coordinator_client, mentor)
    assert response.context["next_step"]["item"] == ChecklistItem.AGREEMENT
    page = response.content.decode()
    # its row points up instead of offering the same button twice
    row = page[page.index('id="step-agreement"') :]
    assert "Als erledigt markieren" not in row[: row.index("</li>")]
    coordinator_client.post(
        reverse("mentors:checklist", args=[mentor.pk]),
        {"item": "agreement", "done_on": timezone.localdate().isoformat()},
    )
    assert page_of(coordinator_client, mentor).context["next_step"]["item"] == (
        ChecklistItem.CONFIDENTIALITY
    )


def ready_but_the_seminar(mentor):
    today = timezone.localdate()
    for item in ("agreement", "confidentiality"):
        mentor_check_item(mentor=mentor, item=item, done_on=today, by=UserFactory())


def test_before_the_seminar_the_next_step_is_an_invitation_or_the_booked_date(
    coordinator_client,
):
    mentor = MentorFactory(status="screening")
    ready_but_the_seminar(mentor)
    next_step = page_of(coordinator_client, mentor).context["next_step"]
    assert next_step["url"] == reverse("seminars:list") + "?type=intro"
    invitation = an_invitation(mentor=mentor)
    invitation_answer(invitation=invitation, accept=True)
    next_step = page_of(coordinator_client, mentor).context["next_step"]
    assert next_step == {"kind": "seminar_booked", "event": invitation.event}


def test_an_active_mentor_without_a_free_place_cannot_leave_yet(coordinator_client):
    response = page_of(coordinator_client, MentorFactory(status="active"))
    assert response.context["next_step"] is None
    assert not response.context["can_leave"] and response.context["leaving_blocked"]
    page = response.content.decode()
    assert 'id="leave-reason"' not in page
    assert primary_buttons(page) == []


def test_after_a_tandem_leaving_keeps_the_data_for_the_mentors_period(coordinator_client, settings):
    tandem = active_tandem(started_days_ago=200)
    Tandem.objects.filter(pk=tandem.pk).update(status="ended", end_reason="goals-reached")
    Mentor.objects.filter(pk=tandem.mentor_id).update(places_taken=0)
    response = page_of(coordinator_client, tandem.mentor)
    assert response.context["can_leave"]
    assert response.context["leaving"]["retention_months"] == settings.RETENTION_MENTOR_MONTHS


def test_leaving_names_the_seminars_the_mentor_is_still_invited_to(coordinator_client):
    mentor = MentorFactory(status="ready")
    invitation = an_invitation(mentor=mentor)
    section = status_section(page_of(coordinator_client, mentor).content.decode())
    leaving = section[section.index("<details") : section.index("</details>")]
    assert reverse("seminars:detail", args=[invitation.event_id]) in leaving


def test_an_expired_certificate_makes_its_renewal_the_next_step(coordinator_client):
    today = timezone.localdate()
    mentor = MentorFactory(status="ready", preferences=["families"])
    certificate_seen(mentor, done_on=today - timedelta(days=800), valid_until=today - timedelta(1))
    response = page_of(coordinator_client, mentor)
    assert response.context["next_step"]["renewal"]
    (button,) = primary_buttons(response.content.decode())
    section = status_section(response.content.decode())
    # the dates of the new certificate are typed, not assumed
    assert 'name="done_on" id="next-done" value=""' in section
    assert 'name="valid_until" id="next-until">' in section
    coordinator_client.post(
        reverse("mentors:checklist", args=[mentor.pk]),
        {
            "item": "police-certificate",
            "done_on": today.isoformat(),
            "valid_until": (today + timedelta(days=3 * 365)).isoformat(),
        },
    )
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.READY


def test_a_certificate_due_soon_is_announced_with_its_date(coordinator_client):
    today = timezone.localdate()
    mentor = MentorFactory(status="ready", preferences=["families"])
    certificate_seen(mentor, done_on=today - timedelta(days=700), valid_until=today + timedelta(20))
    response = page_of(coordinator_client, mentor)
    assert f"{mentor.certificate_valid_until:%d.%m.%Y}" in response.context["certificate_note"]
    page = response.content.decode()
    assert response.context["certificate_note"] in status_section(page)
    row = page[page.index('id="step-police-certificate"') :]
    assert 'id="renew-until"' in row[: row.index("</li>")]  # renewal recorded in the checklist
    assert response.context["next_step"]["kind"] == "link"  # proposing is still the next step
