"""Referring organisations are data: the Welcome Center first, partners added by coordinators.
Every advisor belongs to one; the account pages show it and the reports count by it."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import ReferralFactory, UserFactory
from willkommen.core.forms import InviteForm
from willkommen.core.models import Organisation, User
from willkommen.core.reference_data import WELCOME_CENTER, create_organisations
from willkommen.core.roles import Role
from willkommen.core.services import (
    organisation_create,
    organisation_deactivate,
    organisation_reactivate,
    organisation_rename,
    user_create,
    user_set_role,
)
from willkommen.overview.reports import Period, report

LIST = reverse("organisations:list")
NAME_TAKEN = "There is already an organisation with this name."
NAME_DEACTIVATED = (
    "There is already a deactivated organisation with this name. Reactivate that one instead."
)
LAST_ONE = "This is the last active organisation. Add or reactivate another one first."

pytestmark = pytest.mark.django_db


def welcome_center() -> Organisation:
    return Organisation.objects.get(slug=WELCOME_CENTER)


def an_advisor(organisation=None, **fields) -> User:
    user = UserFactory(organisation=organisation, **fields)
    user_set_role(user=user, role=Role.ADVISOR)
    return user


# --- Reference data ----------------------------------------------------------------------------


def test_every_installation_starts_with_the_welcome_center():
    assert welcome_center().name == "Welcome Center Stuttgart"
    assert welcome_center().active


def test_reference_data_leaves_a_renamed_or_deactivated_welcome_center_as_it_is(coordinator):
    organisation_create(name="Caritas", by=coordinator)
    organisation_rename(organisation=welcome_center(), name="WCS", by=coordinator)
    organisation_deactivate(organisation=welcome_center(), by=coordinator)
    create_organisations()
    assert list(Organisation.objects.values_list("slug", "name", "active")) == [
        ("caritas", "Caritas", True),
        (WELCOME_CENTER, "WCS", False),
    ]


def test_reference_data_comes_back_after_a_flush():
    Organisation.objects.all().delete()
    create_organisations()
    assert welcome_center().name == "Welcome Center Stuttgart"


# --- Services ----------------------------------------------------------------------------------


def test_create_tidies_the_name_and_makes_a_unique_slug(coordinator):
    first = organisation_create(name="  Caritas   Stuttgart ", by=coordinator)
    second = organisation_create(name="Caritas-Stuttgart", by=coordinator)
    third = organisation_create(name="Ämter für Ältere", by=coordinator)
    assert (first.name, first.slug) == ("Caritas Stuttgart", "caritas-stuttgart")
    assert second.slug == "caritas-stuttgart-2"
    assert third.slug == "aemter-fuer-aeltere"
    assert first.active


@pytest.mark.parametrize("deactivated, message", [(False, NAME_TAKEN), (True, NAME_DEACTIVATED)])
def test_create_refuses_a_name_taken_ignoring_case(coordinator, deactivated, message):
    caritas = organisation_create(name="Caritas", by=coordinator)
    if deactivated:
        organisation_deactivate(organisation=caritas, by=coordinator)
    with pytest.raises(ValidationError) as refused:
        organisation_create(name=" CARITAS ", by=coordinator)
    assert refused.value.message_dict == {"name": [gettext(message)]}
    assert Organisation.objects.count() == 2


def test_rename_keeps_the_slug_and_refuses_another_organisations_name(coordinator):
    caritas = organisation_create(name="Caritas", by=coordinator)
    organisation_rename(organisation=caritas, name="Caritas Stuttgart", by=coordinator)
    caritas.refresh_from_db()
    assert (caritas.slug, caritas.name) == ("caritas", "Caritas Stuttgart")
    organisation_rename(organisation=caritas, name="caritas stuttgart", by=coordinator)  # own
    with pytest.raises(ValidationError):
        organisation_rename(organisation=caritas, name="welcome center STUTTGART", by=coordinator)
    caritas.refresh_from_db()
    assert caritas.name == "caritas stuttgart"


def test_the_last_active_organisation_stays_active(coordinator):
    with pytest.raises(ValidationError) as refused:
        organisation_deactivate(organisation=welcome_center(), by=coordinator)
    assert refused.value.messages == [gettext(LAST_ONE)]
    assert welcome_center().active
    caritas = organisation_create(name="Caritas", by=coordinator)
    organisation_deactivate(organisation=caritas, by=coordinator)
    organisation_deactivate(organisation=caritas, by=coordinator)  # again: nothing changes
    assert not Organisation.objects.get(pk=caritas.pk).active
    organisation_reactivate(organisation=caritas, by=coordinator)
    assert Organisation.objects.get(pk=caritas.pk).active


def test_new_advisors_belong_to_the_welcome_center_unless_another_is_chosen(coordinator):
    caritas = organisation_create(name="Caritas", by=coordinator)
    default = user_create(email="a@example.org", role=Role.ADVISOR)
    chosen = user_create(email="b@example.org", role=Role.ADVISOR, organisation=caritas)
    colleague = user_create(email="c@example.org", role=Role.COORDINATOR, organisation=caritas)
    assert default.organisation == welcome_center()
    assert chosen.organisation == caritas
    assert colleague.organisation is None


def test_a_deactivated_organisation_gets_no_new_advisor(coordinator):
    caritas = organisation_create(name="Caritas", by=coordinator)
    organisation_deactivate(organisation=caritas, by=coordinator)
    with pytest.raises(ValidationError) as refused:
        user_create(email="a@example.org", role=Role.ADVISOR, organisation=caritas)
    assert "organisation" in refused.value.message_dict
    assert not User.objects.filter(email="a@example.org").exists()


# --- Inviting an advisor -----------------------------------------------------------------------


def invite(client, **data):
    fields = {"email": "nora@example.org", "first_name": "Nora", "last_name": "Neu"}
    return client.post(reverse("accounts:invite"), {**fields, **data})


def test_invite_offers_the_active_organisations_with_the_welcome_center_first_chosen(
    coordinator_client, coordinator
):
    caritas = organisation_create(name="Caritas", by=coordinator)
    retired = organisation_create(name="Alte Beratung", by=coordinator)
    organisation_deactivate(organisation=retired, by=coordinator)
    form = coordinator_client.get(reverse("accounts:invite")).context["form"]
    assert set(form.fields["organisation"].queryset) == {welcome_center(), caritas}
    assert form.initial["organisation"] == welcome_center()


def test_invite_an_advisor_of_a_partner(
    coordinator_client, coordinator, django_capture_on_commit_callbacks
):
    caritas = organisation_create(name="Caritas Stuttgart", by=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(coordinator_client, role=Role.ADVISOR.value, organisation=caritas.pk)
    nora = User.objects.get(email="nora@example.org")
    assert response.status_code == 302
    assert nora.organisation == caritas
    assert len(mail.outbox) == 1
    detail = coordinator_client.get(reverse("accounts:detail", args=[nora.pk]))
    assert detail.context["organisation"] == "Caritas Stuttgart"
    assert "Caritas Stuttgart" in coordinator_client.get(reverse("accounts:list")).content.decode()


def test_invite_asks_an_advisors_organisation_and_ignores_a_coordinators(
    coordinator_client, coordinator
):
    response = invite(coordinator_client, role=Role.ADVISOR.value, organisation="")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "organisation": [gettext("Please choose the organisation the advisor refers for.")]
    }
    assert not User.objects.filter(email="nora@example.org").exists()
    invite(coordinator_client, role=Role.COORDINATOR.value, organisation=welcome_center().pk)
    assert User.objects.get(email="nora@example.org").organisation is None


def test_invite_refuses_an_organisation_deactivated_meanwhile(coordinator_client, coordinator):
    caritas = organisation_create(name="Caritas", by=coordinator)
    form = InviteForm({"email": "n@example.org", "first_name": "N", "last_name": "N",
                       "role": Role.ADVISOR.value, "organisation": caritas.pk})  # fmt: skip
    assert form.is_valid()
    organisation_deactivate(organisation=caritas, by=coordinator)
    response = invite(coordinator_client, role=Role.ADVISOR.value, organisation=caritas.pk)
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not User.objects.filter(email="nora@example.org").exists()


# --- The coordinators' pages -------------------------------------------------------------------


def test_list_shows_each_organisation_with_its_active_advisors(coordinator_client, coordinator):
    caritas = organisation_create(name="Caritas", by=coordinator)
    an_advisor(caritas)
    an_advisor(caritas, is_active=False)
    an_advisor(welcome_center())
    rows = {o.name: o.advisors for o in coordinator_client.get(LIST).context["page"].object_list}
    assert rows == {"Caritas": 1, "Welcome Center Stuttgart": 1}


@pytest.mark.parametrize("count", [1, 20])
def test_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    for number in range(count):
        an_advisor(Organisation.objects.create(slug=f"o{number}", name=f"Beratung {number}"))
    coordinator_client.get(LIST)  # the session and the user, once
    with django_assert_num_queries(7):
        coordinator_client.get(LIST)


def test_add_rename_deactivate_and_reactivate_through_the_pages(coordinator_client):
    response = coordinator_client.post(reverse("organisations:create"), {"name": "Caritas"})
    assert response.status_code == 302
    caritas = Organisation.objects.get(name="Caritas")
    edit = reverse("organisations:edit", args=[caritas.pk])
    refused = coordinator_client.post(edit, {"name": "Welcome Center Stuttgart"})
    assert refused.context["form"].errors == {"name": [gettext(NAME_TAKEN)]}
    assert refused.context["title"] == "Caritas"
    coordinator_client.post(edit, {"name": "Caritas Stuttgart"})
    coordinator_client.post(reverse("organisations:deactivate", args=[caritas.pk]))
    caritas.refresh_from_db()
    assert (caritas.name, caritas.active) == ("Caritas Stuttgart", False)
    coordinator_client.post(reverse("organisations:reactivate", args=[caritas.pk]))
    caritas.refresh_from_db()
    assert caritas.active


def test_deactivating_the_last_organisation_shows_why_not(coordinator_client):
    url = reverse("organisations:deactivate", args=[welcome_center().pk])
    response = coordinator_client.post(url)
    assert response.status_code == 200
    assert gettext(LAST_ONE) in response.content.decode()
    assert welcome_center().active


def test_coordinators_find_the_page_in_their_navigation(coordinator_client):
    assert f'href="{LIST}"' in coordinator_client.get(reverse("dashboard")).content.decode()


def test_advisors_may_not_manage_organisations(advisor_client):
    assert advisor_client.get(LIST).status_code == 403
    assert advisor_client.post(reverse("organisations:create"), {"name": "X"}).status_code == 403
    assert not Organisation.objects.filter(name="X").exists()


# --- Reports -----------------------------------------------------------------------------------


def test_report_counts_the_referrals_of_the_period_by_organisation(coordinator):
    caritas = organisation_create(name="Caritas", by=coordinator)
    in_caritas, in_wcs = an_advisor(caritas), an_advisor(welcome_center())
    for advisor in (in_caritas, in_caritas, in_wcs, an_advisor()):
        ReferralFactory(advisor=advisor)
    earlier = ReferralFactory(advisor=in_wcs)
    earlier.created_at = timezone.now().replace(year=2020)
    earlier.save(update_fields=["created_at"])
    today = timezone.localdate()
    tables = {table.key: table for table in report(Period(date(today.year, 1, 1), today))}
    assert tables["organisations"].rows == [
        ("Caritas", 2),
        ("Welcome Center Stuttgart", 1),
        (gettext("no organisation"), 1),
    ]
