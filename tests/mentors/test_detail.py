from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from mentors.models import ActivityKind, ChecklistItem, Mentor, MentorActivity, MentorStatus
from tests.factories import MentorFactory

TODAY = timezone.localdate


def url(name, mentor, **kwargs):
    return reverse(f"mentors:{name}", kwargs={"pk": mentor.pk, **kwargs})


def error_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def tick(client, mentor, item, done_on=None, valid_until=""):
    done_on = done_on or TODAY()
    return client.post(
        url("checklist", mentor), {"item": item, "done_on": done_on, "valid_until": valid_until}
    )


def test_page_shows_the_data_and_only_allowed_steps(coordinator_client, mentor):
    response = coordinator_client.get(url("detail", mentor))
    page = response.content.decode()
    assert mentor.email in page and mentor.phone in page
    offered = [status for status, _resume in response.context["transitions"]]
    assert offered == [MentorStatus.CONTACTED, MentorStatus.LEFT]


def test_the_whole_screening_leads_to_ready_for_matching(coordinator_client, coordinator, mentor):
    coordinator_client.post(url("status", mentor), {"to_status": "contacted"})
    coordinator_client.post(url("status", mentor), {"to_status": "screening", "note": "gut"})
    for item in ("agreement", "confidentiality", "seminar"):
        tick(coordinator_client, mentor, item)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.READY
    assert mentor.checklist.filter(item=ChecklistItem.CONVERSATION).exists()
    activities = MentorActivity.objects.filter(mentor=mentor)
    assert activities.count() == 6 and set(activities.values_list("created_by", flat=True)) == {
        coordinator.pk
    }
    assert activities.filter(kind=ActivityKind.STATUS, text="gut").exists()


def test_children_need_a_valid_police_certificate(coordinator_client, mentor):
    mentor.works_with_children = True
    mentor.save()
    for item in ("conversation", "agreement", "confidentiality", "seminar"):
        tick(coordinator_client, mentor, item)
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING
    response = tick(coordinator_client, mentor, "police-certificate")  # no renewal date
    assert error_messages(response) == ["Bitte geben Sie an, bis wann es erneuert werden muss."]
    tick(
        coordinator_client, mentor, "police-certificate", valid_until=TODAY() + timedelta(days=900)
    )
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.READY
    # an expired certificate sends a ready mentor back to screening
    tick(
        coordinator_client,
        mentor,
        "police-certificate",
        done_on=TODAY() - timedelta(days=2000),
        valid_until=TODAY() - timedelta(days=1),
    )
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING


def test_pause_resume_leave_and_rejoin(coordinator_client, mentor):
    for item in ("conversation", "agreement", "confidentiality", "seminar"):
        tick(coordinator_client, mentor, item)
    coordinator_client.post(url("status", mentor), {"to_status": "paused"})
    response = coordinator_client.get(url("detail", mentor))
    assert response.context["transitions"][0] == (MentorStatus.READY, True)  # "resume"
    coordinator_client.post(url("status", mentor), {"to_status": "ready"})
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.READY
    response = coordinator_client.post(url("status", mentor), {"to_status": "left"})
    assert error_messages(response) == [
        "Bitte wählen Sie, warum die Patin oder der Pate ausscheidet."
    ]
    coordinator_client.post(url("status", mentor), {"to_status": "left", "left_reason": "moved"})
    coordinator_client.post(url("status", mentor), {"to_status": "contacted"})
    mentor.refresh_from_db()
    # back in, the complete checklist makes the mentor ready again at once
    assert (mentor.status, mentor.left_reason) == (MentorStatus.READY, "")


def test_an_invalid_step_is_refused_with_a_message(coordinator_client, mentor):
    response = coordinator_client.post(url("status", mentor), {"to_status": "ready"})
    assert response["Location"] == mentor.get_absolute_url()
    assert "können nicht auf" in error_messages(response)[0]
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.NEW and not mentor.activities.exists()


def test_future_dates_and_unknown_items_are_refused(coordinator_client, mentor):
    response = tick(coordinator_client, mentor, "agreement", done_on=TODAY() + timedelta(days=1))
    assert error_messages(response) == ["Das Datum darf nicht in der Zukunft liegen."]
    response = coordinator_client.post(url("checklist_withdraw", mentor, item="nonsense"))
    assert error_messages(response)
    assert not mentor.checklist.exists()


def test_withdrawing_a_step_goes_back(coordinator_client, mentor):
    for item in ("conversation", "agreement", "confidentiality", "seminar"):
        tick(coordinator_client, mentor, item)
    coordinator_client.post(url("checklist_withdraw", mentor, item="seminar"))
    mentor.refresh_from_db()
    assert mentor.status == MentorStatus.SCREENING


def test_notes_need_text(coordinator_client, mentor):
    response = coordinator_client.post(url("note", mentor), {"kind": "contact", "text": " "})
    assert error_messages(response)
    coordinator_client.post(url("note", mentor), {"kind": "contact", "text": "Telefonat"})
    assert mentor.activities.get().text == "Telefonat"


def edit_data(mentor, **changes):
    data = {
        "first_name": mentor.first_name,
        "last_name": mentor.last_name,
        "email": mentor.email,
        "phone": mentor.phone,
        "district": mentor.district,
        "postal_code": "",
        "weekdays": ["tue"],
        "times_of_day": ["evening"],
        "hours_per_month": "8",
        "motivation": mentor.motivation,
        "capacity": "1",
        "languages-TOTAL_FORMS": "2",
        "languages-INITIAL_FORMS": "0",
        "languages-0-language": "de",
        "languages-0-level": "native",
        "languages-1-language": "",
        "languages-1-level": "",
    }
    data.update(changes)
    return data


def test_edit_saves_and_the_history_shows_who_changed_what(coordinator_client, coordinator, mentor):
    old_name = mentor.last_name
    response = coordinator_client.post(url("edit", mentor), edit_data(mentor, last_name="Neu"))
    assert response["Location"] == mentor.get_absolute_url()
    mentor.refresh_from_db()
    assert mentor.last_name == "Neu"
    history = coordinator_client.get(url("history", mentor))
    change = history.context["changes"][0]
    assert change["by"] == coordinator
    assert {"label": "Nachname", "old": old_name, "new": "Neu"} in [
        {**field, "label": str(field["label"])} for field in change["fields"]
    ]


@pytest.mark.parametrize(
    "changes, error_field",
    [
        ({"first_name": ""}, "first_name"),
        ({"email": "kaputt"}, "email"),
        ({"district": "umgebung"}, "postal_code"),
        ({"capacity": "0"}, "capacity"),
    ],
)
def test_edit_bad_input_saves_nothing(coordinator_client, mentor, changes, error_field):
    before = Mentor.objects.values().get(pk=mentor.pk)
    response = coordinator_client.post(url("edit", mentor), edit_data(mentor, **changes))
    assert error_field in response.context["form"].errors
    assert Mentor.objects.values().get(pk=mentor.pk) == before


def test_edit_refuses_another_mentors_address_in_any_case(coordinator_client, mentor):
    other = MentorFactory(email="andere@example.org")
    response = coordinator_client.post(
        url("edit", mentor), edit_data(mentor, email=other.email.upper())
    )
    assert response.status_code == 200
    assert "Patin" in str(response.context["form"].errors) or response.context["form"].errors
    mentor.refresh_from_db()
    assert mentor.email != other.email


def test_edit_refuses_a_language_twice(coordinator_client, mentor):
    response = coordinator_client.post(
        url("edit", mentor),
        edit_data(mentor, **{"languages-1-language": "de", "languages-1-level": "C1"}),
    )
    assert response.context["languages"].total_error_count() == 1
    assert list(mentor.languages.values_list("language", flat=True)) == ["de", "en"]


def test_unconfirmed_applications_are_not_found(coordinator_client):
    mentor = MentorFactory(email_confirmed_at=None)
    assert coordinator_client.get(url("detail", mentor)).status_code == 404


@pytest.mark.parametrize("activities", [1, 30])
def test_query_count_does_not_grow_with_the_timeline(
    coordinator_client, coordinator, mentor, django_assert_num_queries, activities
):
    MentorActivity.objects.bulk_create(
        MentorActivity(mentor=mentor, kind="note", text="x", created_by=coordinator)
        for _ in range(activities)
    )
    with django_assert_num_queries(11):
        assert coordinator_client.get(url("detail", mentor)).status_code == 200
