"""The coordinators' mentor page: data, status workflow, screening checklist, timeline, edit
form and history of changes.

Messages are checked by what does not depend on the translation: how many there are, the field
label they start with, the status label they name, and what the database holds afterwards.
"""

from datetime import timedelta

import pghistory
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from mentors.forms.detail import ChecklistForm
from mentors.models import (
    ActivityKind,
    ChecklistEntry,
    ChecklistItem,
    Mentor,
    MentorActivity,
    MentorStatus,
)
from mentors.services import mentor_check_item, mentor_update
from tests.factories import MentorFactory, UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

TODAY = timezone.localdate
SCREENING_STEPS = ("conversation", "agreement", "confidentiality", "seminar")


def url(name, mentor, **kwargs):
    return reverse(f"mentors:{name}", kwargs={"pk": mentor.pk, **kwargs})


def post(client, address, data=None):
    """Post as the mentor page does and follow back to it, which shows (and uses up) the
    messages, so that each response carries only its own."""
    return client.post(address, data or {}, follow=True)


def errors_shown(response):
    return [str(m) for m in response.context["messages"] if m.level_tag == "error"]


def label(field_name):
    return str(ChecklistForm.base_fields[field_name].label)


def tick(client, mentor, item, done_on=None, valid_until=""):
    return post(
        client,
        url("checklist", mentor),
        {"item": item, "done_on": done_on or TODAY(), "valid_until": valid_until},
    )


def move(client, mentor, to_status, **fields):
    return post(client, url("status", mentor), {"to_status": to_status, **fields})


def status_of(mentor):
    mentor.refresh_from_db()
    return mentor.status


def state(mentor):
    """What a refused request must leave untouched."""
    return (
        Mentor.objects.values().get(pk=mentor.pk),
        list(mentor.languages.values_list("language", "level")),
        sorted(mentor.support_areas.values_list("slug", flat=True)),
        list(ChecklistEntry.objects.filter(mentor=mentor).values()),
        mentor.activities.count(),
    )


# --- The page ------------------------------------------------------------------------------


def test_detail_shows_the_data_and_only_allowed_steps(coordinator_client, mentor):
    response = coordinator_client.get(url("detail", mentor))
    page = response.content.decode()
    assert response.status_code == 200
    for shown in (mentor.email, mentor.phone, mentor.consent_version, mentor.motivation):
        assert shown in page
    for language in mentor.languages.all():
        assert str(language) in page
    assert [status for status, _label in response.context["next_steps"]] == [MentorStatus.CONTACTED]
    assert response.context["can_leave"]
    assert 'name="to_status" value="contacted"' in page
    assert 'value="screening"' not in page and 'value="ready"' not in page
    assert 'id="leave-reason"' in page


def test_detail_counts_the_police_certificate_only_with_children(coordinator_client, mentor):
    tick(coordinator_client, mentor, "conversation")
    response = coordinator_client.get(url("detail", mentor))
    assert (response.context["steps_done"], response.context["steps_required"]) == (1, 4)
    mentor.preferences = ["families"]
    mentor.save()
    response = coordinator_client.get(url("detail", mentor))
    assert (response.context["steps_done"], response.context["steps_required"]) == (1, 5)
    assert 'id="until-police-certificate"' in response.content.decode()


def test_detail_labels_resume_and_rejoin(coordinator_client):
    paused = MentorFactory(status=MentorStatus.PAUSED)
    ((status, text),) = coordinator_client.get(url("detail", paused)).context["next_steps"]
    assert status == MentorStatus.READY and str(MentorStatus.READY.label) not in text
    gone = MentorFactory(status=MentorStatus.LEFT, left_reason="moved")
    response = coordinator_client.get(url("detail", gone))
    ((status, text),) = response.context["next_steps"]
    assert status == MentorStatus.CONTACTED and not response.context["can_leave"]


def test_detail_timeline_shows_the_latest_50(coordinator_client, coordinator, mentor):
    MentorActivity.objects.bulk_create(
        MentorActivity(mentor=mentor, kind="note", text=f"Nr. {n}", created_by=coordinator)
        for n in range(51)
    )
    response = coordinator_client.get(url("detail", mentor))
    assert len(response.context["timeline"]) == 50 and response.context["timeline_cut"]


@pytest.mark.parametrize("activities", [1, 30])
def test_detail_query_count_does_not_grow(
    coordinator_client, coordinator, django_assert_num_queries, activities
):
    # more languages, support areas and checklist steps along with more activities
    mentor = MentorFactory(
        languages=[("de", "native"), ("en", "B2"), ("ar", "B1")][: 1 + activities % 3],
        support_areas=["authorities", "german", "jobs"][: 1 + activities % 3],
    )
    for item in list(ChecklistItem)[: 1 + activities % 4]:
        mentor_check_item(mentor=mentor, item=item, done_on=TODAY(), by=UserFactory())
    MentorActivity.objects.bulk_create(
        MentorActivity(mentor=mentor, kind="note", text="x", created_by=UserFactory())
        for _ in range(activities)
    )
    # the record, checklist, timeline, seminars, follow-ups, hours, certificate queue: fixed
    with django_assert_num_queries(21):
        assert coordinator_client.get(url("detail", mentor)).status_code == 200


# --- Status workflow and checklist ----------------------------------------------------------


def test_screening_leads_to_ready_for_matching(coordinator_client, coordinator, mentor):
    move(coordinator_client, mentor, "contacted")
    assert status_of(mentor) == MentorStatus.CONTACTED
    move(coordinator_client, mentor, "screening", note="gutes Gespräch")
    assert status_of(mentor) == MentorStatus.SCREENING
    conversation = mentor.checklist.get(item=ChecklistItem.CONVERSATION)
    assert (conversation.done_on, conversation.recorded_by) == (TODAY(), coordinator)
    for item in ("agreement", "confidentiality"):
        tick(coordinator_client, mentor, item)
        assert status_of(mentor) == MentorStatus.SCREENING
    tick(coordinator_client, mentor, "seminar")
    assert status_of(mentor) == MentorStatus.READY
    steps = MentorActivity.objects.filter(mentor=mentor, kind=ActivityKind.STATUS)
    assert list(steps.order_by("pk").values_list("from_status", "to_status")) == [
        ("new", "contacted"),
        ("contacted", "screening"),
        ("screening", "ready"),
    ]
    assert steps.filter(text="gutes Gespräch").exists()


def test_every_timeline_entry_records_the_coordinator(coordinator_client, coordinator, mentor):
    move(coordinator_client, mentor, "contacted")
    for item in SCREENING_STEPS:
        tick(coordinator_client, mentor, item)
    post(coordinator_client, url("checklist_withdraw", mentor, item="seminar"))
    post(coordinator_client, url("note", mentor), {"kind": "contact", "text": "Anruf"})
    move(coordinator_client, mentor, "paused")
    move(coordinator_client, mentor, "left", left_reason="no-time")
    kinds = set(mentor.activities.values_list("kind", flat=True))
    assert kinds == {ActivityKind.STATUS, ActivityKind.CHECKLIST, ActivityKind.CONTACT}
    assert set(mentor.activities.values_list("created_by", flat=True)) == {coordinator.pk}


def test_children_need_a_police_certificate_valid_in_the_future(coordinator_client, mentor):
    mentor.preferences = ["families"]
    mentor.save()
    for item in SCREENING_STEPS:
        tick(coordinator_client, mentor, item)
    assert status_of(mentor) == MentorStatus.SCREENING

    response = tick(coordinator_client, mentor, "police-certificate")  # no renewal date
    (problem,) = errors_shown(response)
    assert problem.startswith(label("valid_until") + ":")
    response = tick(coordinator_client, mentor, "police-certificate", valid_until=TODAY())
    (problem,) = errors_shown(response)
    assert problem.startswith(label("valid_until") + ":")
    assert not mentor.checklist.filter(item=ChecklistItem.POLICE_CERTIFICATE).exists()

    renew_by = TODAY() + timedelta(days=900)
    tick(coordinator_client, mentor, "police-certificate", valid_until=renew_by)
    assert status_of(mentor) == MentorStatus.READY
    assert mentor.checklist.get(item=ChecklistItem.POLICE_CERTIFICATE).valid_until == renew_by


def test_an_expired_police_certificate_sends_a_ready_mentor_back(coordinator_client, mentor):
    mentor.preferences = ["families"]
    mentor.save()
    for item in SCREENING_STEPS:
        tick(coordinator_client, mentor, item)
    tick(coordinator_client, mentor, "police-certificate", valid_until=TODAY() + timedelta(days=1))
    assert status_of(mentor) == MentorStatus.READY
    tick(
        coordinator_client,
        mentor,
        "police-certificate",
        done_on=TODAY() - timedelta(days=1000),
        valid_until=TODAY() - timedelta(days=1),
    )
    assert status_of(mentor) == MentorStatus.SCREENING
    response = coordinator_client.get(url("detail", mentor))
    assert not response.context["complete"]


def test_pause_and_resume_returns_to_ready(coordinator_client, mentor):
    for item in SCREENING_STEPS:
        tick(coordinator_client, mentor, item)
    move(coordinator_client, mentor, "paused", note="Elternzeit")
    assert status_of(mentor) == MentorStatus.PAUSED
    # a step withdrawn during the pause does not change the status...
    post(coordinator_client, url("checklist_withdraw", mentor, item="seminar"))
    assert status_of(mentor) == MentorStatus.PAUSED
    tick(coordinator_client, mentor, "seminar")
    # ...and resuming goes to what the checklist says
    move(coordinator_client, mentor, "ready")
    assert status_of(mentor) == MentorStatus.READY


def test_resume_with_an_incomplete_checklist_returns_to_screening(coordinator_client, mentor):
    tick(coordinator_client, mentor, "conversation")
    move(coordinator_client, mentor, "paused")
    move(coordinator_client, mentor, "ready")
    assert status_of(mentor) == MentorStatus.SCREENING


def test_leaving_needs_a_reason_and_rejoining_clears_it(coordinator_client, mentor):
    for item in SCREENING_STEPS:
        tick(coordinator_client, mentor, item)
    before = state(mentor)
    response = move(coordinator_client, mentor, "left", note="zieht weg")
    assert response.redirect_chain == [(mentor.get_absolute_url(), 302)]
    assert len(errors_shown(response)) == 1
    assert state(mentor) == before

    move(coordinator_client, mentor, "left", left_reason="moved", note="zieht weg")
    mentor.refresh_from_db()
    assert (mentor.status, mentor.left_reason) == (MentorStatus.LEFT, "moved")
    assert mentor.activities.filter(to_status="left", text="zieht weg").exists()

    move(coordinator_client, mentor, "contacted")
    mentor.refresh_from_db()
    # back in, the complete checklist makes the mentor ready again at once
    assert (mentor.status, mentor.left_reason) == (MentorStatus.READY, "")


def test_leaving_with_an_active_tandem_is_refused(coordinator_client):
    mentor = MentorFactory(status=MentorStatus.ACTIVE)
    response = move(coordinator_client, mentor, "left", left_reason="no-time")
    assert len(errors_shown(response)) == 1
    assert status_of(mentor) == MentorStatus.ACTIVE


@pytest.mark.parametrize("to_status", ["ready", "screening", "active", "paused", "nonsense"])
def test_an_invalid_step_is_refused_and_changes_nothing(coordinator_client, mentor, to_status):
    before = state(mentor)
    response = move(coordinator_client, mentor, to_status)
    assert response.redirect_chain == [(mentor.get_absolute_url(), 302)]
    (problem,) = errors_shown(response)
    if to_status in MentorStatus.values:
        assert str(MentorStatus(to_status).label) in problem  # names the refused step
    assert state(mentor) == before


def test_future_dates_are_refused(coordinator_client, mentor):
    before = state(mentor)
    response = tick(coordinator_client, mentor, "agreement", done_on=TODAY() + timedelta(days=1))
    (problem,) = errors_shown(response)
    assert problem.startswith(label("done_on") + ":")
    assert state(mentor) == before


@pytest.mark.parametrize(
    "data",
    [
        {"item": "agreement", "done_on": ""},
        {"item": "agreement", "done_on": "31.02.2026"},
        {"item": "nonsense", "done_on": "2026-01-01"},
    ],
)
def test_bad_checklist_input_is_refused(coordinator_client, mentor, data):
    before = state(mentor)
    response = post(coordinator_client, url("checklist", mentor), data)
    assert len(errors_shown(response)) == 1
    assert state(mentor) == before


def test_withdrawing_a_step_goes_back_to_screening(coordinator_client, mentor):
    for item in SCREENING_STEPS:
        tick(coordinator_client, mentor, item)
    assert status_of(mentor) == MentorStatus.READY
    post(coordinator_client, url("checklist_withdraw", mentor, item="seminar"))
    assert status_of(mentor) == MentorStatus.SCREENING
    assert not mentor.checklist.filter(item="seminar").exists()


def test_withdrawing_an_unknown_step_is_refused(coordinator_client, mentor):
    tick(coordinator_client, mentor, "agreement")
    before = state(mentor)
    response = post(coordinator_client, url("checklist_withdraw", mentor, item="nonsense"))
    assert len(errors_shown(response)) == 1
    assert state(mentor) == before


def test_notes_and_contacts_go_into_the_timeline(coordinator_client, coordinator, mentor):
    before = state(mentor)
    response = post(coordinator_client, url("note", mentor), {"kind": "contact", "text": "  "})
    assert len(errors_shown(response)) == 1
    response = post(coordinator_client, url("note", mentor), {"kind": "status", "text": "x"})
    assert len(errors_shown(response)) == 1
    assert state(mentor) == before
    post(coordinator_client, url("note", mentor), {"kind": "contact", "text": "Telefonat"})
    post(coordinator_client, url("note", mentor), {"kind": "note", "text": "Spricht auch Farsi"})
    assert list(mentor.activities.values_list("kind", "text", "created_by")) == [
        ("note", "Spricht auch Farsi", coordinator.pk),
        ("contact", "Telefonat", coordinator.pk),
    ]
    page = coordinator_client.get(url("detail", mentor)).content.decode()
    assert "Telefonat" in page and "Spricht auch Farsi" in page


# --- Editing the data -----------------------------------------------------------------------


def edit_data(mentor, **changes):
    """The edit form as the page sends it for `mentor`, with `changes` on top."""
    data = {
        "first_name": mentor.first_name,
        "last_name": mentor.last_name,
        "email": mentor.email,
        "phone": mentor.phone,
        "language": mentor.language,
        "district": mentor.district,
        "postal_code": mentor.postal_code,
        "support_areas": list(mentor.support_areas.values_list("pk", flat=True)),
        "weekdays": mentor.weekdays,
        "times_of_day": mentor.times_of_day,
        "hours_per_month": str(mentor.hours_per_month),
        "preferences": mentor.preferences,
        "preferences_note": mentor.preferences_note,
        "motivation": mentor.motivation,
        "capacity": str(mentor.capacity),
        "languages-TOTAL_FORMS": "3",
        "languages-INITIAL_FORMS": "2",
        "languages-0-language": "de",
        "languages-0-level": "native",
        "languages-1-language": "en",
        "languages-1-level": "B2",
        "languages-2-language": "",
        "languages-2-level": "",
    }
    data.update(changes)
    return data


def test_edit_form_shows_the_mentors_languages(coordinator_client, mentor):
    response = coordinator_client.get(url("edit", mentor))
    languages = response.context["languages"]
    assert [row.initial for row in languages.initial_forms] == [
        {"language": "de", "level": "native"},
        {"language": "en", "level": "B2"},
    ]
    page = response.content.decode()
    assert 'name="languages-1-DELETE"' in page and 'name="languages-2-DELETE"' not in page


def test_edit_saves_the_data_and_the_languages(coordinator_client, coordinator, mentor):
    response = coordinator_client.post(
        url("edit", mentor),
        edit_data(
            mentor,
            last_name="Neu",
            email=" Neue.Adresse@Example.org ",
            district="umgebung",
            postal_code="73728",
            weekdays=["mon"],
            capacity="2",
            preferences=["families"],
            **{"languages-1-DELETE": "on", "languages-2-language": "tr", "languages-2-level": "A2"},
        ),
    )
    assert response["Location"] == mentor.get_absolute_url()
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    mentor.refresh_from_db()
    assert (mentor.last_name, mentor.email, mentor.postal_code) == (
        "Neu",
        "neue.adresse@example.org",
        "73728",
    )
    assert (mentor.weekdays, mentor.capacity, mentor.accompanies_families) == (["mon"], 2, True)
    assert list(mentor.languages.values_list("language", "level")) == [
        ("de", "native"),
        ("tr", "A2"),
    ]


@pytest.mark.parametrize(
    "changes, error_field",
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": "   "}, "last_name"),
        ({"email": "kaputt"}, "email"),
        ({"district": "umgebung", "postal_code": ""}, "postal_code"),
        ({"district": "umgebung", "postal_code": "7372"}, "postal_code"),
        ({"district": "atlantis"}, "district"),
        ({"hours_per_month": ""}, "hours_per_month"),
        ({"weekdays": ["someday"]}, "weekdays"),
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "6"}, "capacity"),
        ({"motivation": ""}, "motivation"),
    ],
)
def test_edit_bad_input_saves_nothing(coordinator_client, mentor, changes, error_field):
    before = state(mentor)
    response = coordinator_client.post(
        url("edit", mentor), edit_data(mentor, **{"last_name": "Neu", **changes})
    )
    assert response.status_code == 200
    assert error_field in response.context["form"].errors
    assert state(mentor) == before
    # the page keeps the saved name in its heading, not what was typed
    assert response.context["mentor"].last_name == mentor.last_name


def test_edit_refuses_another_mentors_address_in_any_case(coordinator_client, mentor):
    other = MentorFactory(email="andere@example.org")
    before = state(mentor)
    response = coordinator_client.post(
        url("edit", mentor), edit_data(mentor, email="ANDERE@example.org")
    )
    assert response.context["form"].has_error("email", "taken")
    assert state(mentor) == before and other.email == "andere@example.org"


def test_edit_keeps_the_own_address_in_another_case(coordinator_client, mentor):
    response = coordinator_client.post(
        url("edit", mentor), edit_data(mentor, email=mentor.email.upper())
    )
    assert response.status_code == 302


def test_edit_removes_a_language_whose_row_is_emptied(coordinator_client, mentor):
    coordinator_client.post(
        url("edit", mentor),
        edit_data(mentor, **{"languages-1-language": "", "languages-1-level": ""}),
    )
    assert list(mentor.languages.values_list("language", flat=True)) == ["de"]


def test_edit_refuses_a_language_twice(coordinator_client, mentor):
    before = state(mentor)
    response = coordinator_client.post(
        url("edit", mentor),
        edit_data(mentor, **{"languages-2-language": "de", "languages-2-level": "C1"}),
    )
    assert response.context["languages"].forms[2].has_error("language")
    assert state(mentor) == before


def test_edit_needs_at_least_one_language(coordinator_client, mentor):
    before = state(mentor)
    response = coordinator_client.post(
        url("edit", mentor),
        edit_data(mentor, **{"languages-0-DELETE": "on", "languages-1-DELETE": "on"}),
    )
    assert [e.code for e in response.context["languages"].non_form_errors().as_data()] == [
        "no_language"
    ]
    assert state(mentor) == before


def test_edit_refuses_a_language_without_level(coordinator_client, mentor):
    before = state(mentor)
    response = coordinator_client.post(
        url("edit", mentor), edit_data(mentor, **{"languages-2-language": "fr"})
    )
    assert response.context["languages"].forms[2].has_error("level")
    assert state(mentor) == before


def test_edit_refuses_a_capacity_below_the_active_tandems(coordinator_client):
    mentor = MentorFactory(status=MentorStatus.ACTIVE, capacity=2, places_taken=2)
    response = coordinator_client.post(url("edit", mentor), edit_data(mentor, capacity="1"))
    assert response.context["form"].has_error("capacity")
    mentor.refresh_from_db()
    assert mentor.capacity == 2


def test_edit_that_completes_the_checklist_makes_the_mentor_ready(coordinator_client, mentor):
    mentor.preferences = ["families"]
    mentor.save()
    for item in SCREENING_STEPS:
        tick(coordinator_client, mentor, item)
    assert status_of(mentor) == MentorStatus.SCREENING
    # no longer wishes to accompany families: the police certificate is not needed any more
    coordinator_client.post(url("edit", mentor), edit_data(mentor, preferences=[]))
    assert status_of(mentor) == MentorStatus.READY


# --- History of changes ---------------------------------------------------------------------


def test_history_shows_who_changed_what_from_what_to_what(coordinator_client, coordinator, mentor):
    old_name = mentor.last_name
    coordinator_client.post(url("edit", mentor), edit_data(mentor, last_name="Neu", district="ost"))
    response = coordinator_client.get(url("history", mentor))
    latest, *_older, applied = response.context["changes"]
    assert latest["by"] == coordinator
    changed = {str(field["label"]): (field["old"], field["new"]) for field in latest["fields"]}
    last_name = str(Mentor._meta.get_field("last_name").verbose_name)
    assert changed[last_name] == (old_name, "Neu")
    assert ("West", "Ost") in changed.values()  # district names, not codes
    assert len(changed) == 2
    assert applied["title"] and not applied["fields"]
    page = response.content.decode()
    assert "Neu" in page and old_name in page and coordinator.get_full_name() in page


def test_history_shows_checklist_steps_and_status(coordinator_client, coordinator, mentor):
    first, second = TODAY() - timedelta(days=3), TODAY() - timedelta(days=2)
    tick(coordinator_client, mentor, "conversation", done_on=first)  # new -> screening
    tick(coordinator_client, mentor, "conversation", done_on=second)
    post(coordinator_client, url("checklist_withdraw", mentor, item="conversation"))
    changes = coordinator_client.get(url("history", mentor)).context["changes"]
    checklist = [change for change in changes if change["title"] and change["by"] == coordinator]
    assert len(checklist) == 3  # recorded, corrected, withdrawn: newest first
    withdrawn, corrected, recorded = checklist
    assert [(f["old"], f["new"]) for f in recorded["fields"]] == [("—", f"{first:%d.%m.%Y}")]
    assert [(f["old"], f["new"]) for f in corrected["fields"]] == [
        (f"{first:%d.%m.%Y}", f"{second:%d.%m.%Y}")
    ]
    assert not withdrawn["fields"]
    # the status is derived, not stored: its changes are in the timeline, with who and when
    assert mentor.activities.filter(
        kind=ActivityKind.STATUS, from_status="new", to_status="screening", created_by=coordinator
    ).exists()


@pytest.mark.parametrize("edits", [1, 8])
def test_history_query_count_does_not_grow(
    coordinator_client, mentor, django_assert_num_queries, edits
):
    for number in range(edits):
        editor = UserFactory()
        user_set_role(user=editor, role=Role.COORDINATOR)
        with pghistory.context(user=editor.pk):
            mentor_update(
                mentor=mentor,
                data={"hours_per_month": number + 1},
                languages=[("de", "native")],
                support_areas=[],
                by=editor,
            )
    with django_assert_num_queries(10):
        response = coordinator_client.get(url("history", mentor))
    assert len(response.context["changes"]) == edits + 1
    assert all(change["by"] for change in response.context["changes"][:edits])


# --- Who may do what ------------------------------------------------------------------------

PAGES = ["detail", "edit", "history"]
ACTIONS = ["status", "checklist", "note"]


def any_url(name, mentor):
    if name == "checklist_withdraw":
        return url(name, mentor, item="agreement")
    return url(name, mentor)


@pytest.mark.parametrize("name", PAGES + ACTIONS + ["checklist_withdraw"])
def test_unconfirmed_applications_are_not_found(coordinator_client, name):
    mentor = MentorFactory(email_confirmed_at=None)
    request = coordinator_client.get if name in PAGES else coordinator_client.post
    assert request(any_url(name, mentor)).status_code == 404


@pytest.mark.parametrize("name", PAGES + ACTIONS + ["checklist_withdraw"])
def test_advisors_are_forbidden(advisor_client, mentor, name):
    before = state(mentor)
    request = advisor_client.get if name in PAGES else advisor_client.post
    assert request(any_url(name, mentor)).status_code == 403
    assert state(mentor) == before


@pytest.mark.parametrize("name", PAGES + ACTIONS + ["checklist_withdraw"])
def test_visitors_are_sent_to_the_login(client, mentor, name):
    request = client.get if name in PAGES else client.post
    response = request(any_url(name, mentor))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ACTIONS + ["checklist_withdraw"])
def test_actions_take_only_post(coordinator_client, mentor, name):
    assert coordinator_client.get(any_url(name, mentor)).status_code == 405
