"""The Django admin for IT: every model of our apps is in it, each of its pages answers, its
lists cost the same number of queries however many rows, and what the services decide cannot
be changed there."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mentors.models import Mentor
from mentors.services import mentor_add_note, mentor_consent_withdraw, submission_reject
from newcomers.models import Tandem
from newcomers.services import (
    follow_up_create,
    referral_triage,
    support_contact_record,
    tandem_answer,
    tandem_note_add,
    tandem_plan_first_meeting,
    tandem_propose,
    tandem_start,
)
from seminars.models import Event, Invitation
from seminars.services import calendar_feed_renew, invitation_answer, invitations_send
from tests.factories import MentorFactory, ReferralFactory, UserFactory, an_event
from tests.overview.test_engagement_admin import one_of_each as one_of_each_engagement_row
from willkommen.core.clients import rate_limit_exceeded
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role
from willkommen.overview.models import AccessLogEntry, ErasureRecord

OUR_APPS = ["willkommen", "mentors", "newcomers", "seminars", "overview"]


def our_models():
    return [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    ]


def registered_models():
    return [model for model in our_models() if admin.site.is_registered(model)]


def a_bit_of_everything():
    """A referral, a mentor and their running tandem with a contact, an invitation with an
    answer, timelines, history, mail, a calendar feed, a rejected spam submission, a throttle's
    count, a withdrawn consent and data protection's records - built the app's way where it
    has one. Each call adds another set."""
    coordinator = UserFactory()
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    referral = ReferralFactory()
    referral_triage(referral=referral, by=coordinator, to_status="waiting")
    mentor = MentorFactory(status="ready", preferences=["families"])
    mentor_add_note(mentor=mentor, kind="note", text="Kurz telefoniert.", by=coordinator)
    tandem = tandem_propose(referral=referral, mentor=mentor, by=coordinator)
    tandem_answer(tandem=tandem, accept=True, by=coordinator)
    tandem_plan_first_meeting(
        tandem=tandem, by=coordinator, at=timezone.now() - timedelta(minutes=5),
        place="Welcome Center", attendees=["coordinator"],
    )  # fmt: skip
    tandem = tandem_start(
        tandem=tandem, by=coordinator, agreement={"agreement_contents": "Deutsch üben"},
        areas=referral.support_areas.all(),
    )  # fmt: skip
    support_contact_record(
        tandem=tandem, by=coordinator, contacted_on=timezone.localdate(), with_whom="both",
        channel="phone", rating=4, early_check=True, notes="Passt gut.",
    )  # fmt: skip
    tandem_note_add(tandem=tandem, text="Erster Behördentermin gut gelaufen.", by=coordinator)
    follow_up_create(due_on=timezone.localdate(), text="Nachfragen", by=coordinator, tandem=tandem)
    one_of_each_engagement_row()
    event = an_event()
    invitations_send(event=event, mentors=[mentor])
    invitation_answer(invitation=event.invitations.get(), accept=True)
    submission_reject(reason="honeypot")
    calendar_feed_renew(user=coordinator)
    rate_limit_exceeded("interest-client", "127.0.0.1", limit=5, seconds=60)
    withdrawn = MentorFactory()
    mentor_consent_withdraw(mentor=withdrawn)
    # Written by the retention run and by the access-log middleware; a row is all we need.
    ErasureRecord.objects.create(kind="mentor", object_id=withdrawn.pk, reason="retention")
    AccessLogEntry.objects.create(
        user=coordinator, action="view", kind="mentor", object_id=mentor.pk, path="/"
    )


def admin_pages(model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    pages = [changelist]
    if admin.site._registry[model].search_fields:
        pages.append(changelist + "?q=a")
    if (obj := model._default_manager.order_by("pk").first()) is not None:
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
    return pages


def test_every_model_of_our_apps_is_in_the_admin():
    missing = [model._meta.label for model in our_models() if not admin.site.is_registered(model)]
    assert missing == [], "register these models in their app's admin.py"


def test_every_admin_page_answers_a_superuser(admin_client):
    a_bit_of_everything()
    empty = [m._meta.label for m in registered_models() if not m._default_manager.exists()]
    assert empty == [], "give a_bit_of_everything() a row of these models"
    answers = {url: admin_client.get(url).status_code
               for model in registered_models() for url in admin_pages(model)}  # fmt: skip
    assert {url: code for url, code in answers.items() if code != 200} == {}


def test_admin_lists_cost_the_same_queries_with_more_rows(admin_client):
    def queries(model):
        url = admin_pages(model)[0]
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    a_bit_of_everything()
    admin_client.get("/admin/")  # the session and the second factor, read once
    few = {model._meta.label: queries(model) for model in registered_models()}
    a_bit_of_everything()
    a_bit_of_everything()
    more = {model._meta.label: queries(model) for model in registered_models()}
    assert {label: (few[label], n) for label, n in more.items() if n != few[label]} == {}


@pytest.mark.parametrize(
    "model, fields",
    [
        (
            Mentor,
            {
                "stage",
                "left_reason",
                "capacity",
                "places_taken",
                "tandems_active",
                "preferences",
                "email_confirmed_at",
                "consent_at",
            },
        ),
        (
            Tandem,
            {"status", "mentor", "referral", "proposed_at", "started_on", "ended_on", "end_reason"},
        ),
        (Event, {"starts_at", "ends_at", "capacity", "cancelled_at"}),
    ],  # fmt: skip
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_admin_keeps_what_the_services_decide_read_only(rf, admin_user, model, fields):
    request = rf.get("/")
    request.user = admin_user
    assert fields <= set(admin.site._registry[model].get_readonly_fields(request))


@pytest.mark.parametrize("model", [Mentor, Tandem, Event, Invitation], ids=str)
def test_admin_neither_adds_nor_deletes_what_services_keep(rf, admin_user, model):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_admin_mentor_list_filters_by_the_derived_status(admin_client):
    ready, new = MentorFactory(status="ready"), MentorFactory(status="new")
    response = admin_client.get(reverse("admin:mentors_mentor_changelist") + "?status=ready")
    listed = set(response.context["cl"].queryset)
    assert ready in listed
    assert new not in listed


def test_admin_edit_of_a_mentor_leaves_the_stage_alone(admin_client):
    mentor = MentorFactory(status="ready")
    url = reverse("admin:mentors_mentor_change", args=[mentor.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {"last_name": "Neumann", "stage": "left", "places_taken": 1, "weekdays": "tue,thu",
         "times_of_day": "evening", "languages-TOTAL_FORMS": 0, "languages-INITIAL_FORMS": 0}
    )  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    mentor.refresh_from_db()
    assert (mentor.last_name, mentor.stage, mentor.places_taken) == ("Neumann", "contacted", 0)
