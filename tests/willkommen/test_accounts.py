"""The coordinators' account pages: list, invite, deactivate, reactivate, reset a second factor."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, authenticator
from tests.factories import UserFactory
from willkommen.core.models import User, UserEvent
from willkommen.core.roles import Role
from willkommen.core.services import (
    recovery_codes_renew,
    second_factor_reset,
    user_deactivate,
    user_set_role,
)

LIST = reverse("accounts:list")


def an_account(role=Role.ADVISOR, **fields):
    user = UserFactory(**fields)
    user_set_role(user=user, role=role)
    return user


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- The list --------------------------------------------------------------------------------


def test_list_shows_each_account_with_role_status_and_second_factor(coordinator_client):
    an_account(first_name="Ada", last_name="Arslan", email="ada@example.org")
    an_account(Role.COORDINATOR, first_name="Cem", last_name="Cakir", is_active=False)
    page = coordinator_client.get(LIST).content.decode()
    assert "Ada Arslan" in page and "ada@example.org" in page
    assert "Welcome Center" in page and "Koordination" in page
    assert "deaktiviert" in page
    assert "noch nicht eingerichtet (Pflicht bei der nächsten Anmeldung)" in page
    assert "nicht eingerichtet (freiwillig)" in page
    assert "<td>eingerichtet</td>" in page  # the signed-in coordinator's own app


def test_list_searches_and_filters_by_role_and_status(coordinator_client):
    an_account(first_name="Ada", last_name="Arslan")
    an_account(first_name="Bea", last_name="Brandt", is_active=False)
    an_account(Role.COORDINATOR, first_name="Cem", last_name="Cakir")

    def names(**query):
        rows = coordinator_client.get(LIST, query).context["rows"]
        return sorted(row["account"].last_name for row in rows)

    assert names(q="arsl") == ["Arslan"]
    assert names(q="cem cakir") == ["Cakir"]
    assert "Cakir" in names(role=Role.COORDINATOR.value)
    assert "Arslan" not in names(role=Role.COORDINATOR.value)
    assert names(role=Role.ADVISOR.value, status="inactive") == ["Brandt"]
    assert names(role=Role.ADVISOR.value, status="active") == ["Arslan"]
    response = coordinator_client.get(LIST, {"role": "IT"})
    assert "Bitte eine gültige Auswahl treffen. IT ist keine gültige Auswahl." in (
        response.content.decode()
    )


def test_list_pages_through_many_accounts(coordinator_client):
    for _ in range(30):
        an_account()
    first = coordinator_client.get(LIST, {"role": Role.ADVISOR.value})
    assert len(first.context["rows"]) == 25
    assert "Seite 1 von 2" in first.content.decode()
    second = coordinator_client.get(LIST, {"role": Role.ADVISOR.value, "page": 2})
    assert len(second.context["rows"]) == 5


@pytest.mark.parametrize("count", [1, 30])
def test_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    for _ in range(count):
        authenticator(an_account())
    # session, user, device of the second factor, permissions (2), count, page, their roles
    with django_assert_num_queries(8):
        coordinator_client.get(LIST)


def test_it_accounts_are_not_listed_and_not_found(coordinator_client):
    it = User.objects.create_superuser("it@example.org", PASSWORD)
    staff = an_account(is_staff=True)
    assert "it@example.org" not in coordinator_client.get(LIST).content.decode()
    for account in (it, staff):
        for name in ("detail", "deactivate", "second_factor_reset"):
            url = reverse(f"accounts:{name}", args=[account.pk])
            assert coordinator_client.get(url).status_code == 404
            assert coordinator_client.post(url).status_code == 404
    assert User.objects.get(pk=it.pk).is_active


def test_account_pages_need_the_permission(client, advisor):
    client.force_login(advisor)
    target = an_account()
    assert client.get(LIST).status_code == 403
    url = reverse("accounts:deactivate", args=[target.pk])
    assert client.post(url).status_code == 403
    assert User.objects.get(pk=target.pk).is_active


# --- Inviting --------------------------------------------------------------------------------


def test_invite_creates_the_account_and_mails_a_link_to_set_the_password(
    coordinator_client, django_capture_on_commit_callbacks
):
    data = {
        "email": " Nora.Neu@Example.org ",
        "first_name": "Nora",
        "last_name": "Neu",
        "role": Role.COORDINATOR.value,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("accounts:invite"), data, follow=True)
    account = User.objects.get(email="nora.neu@example.org")
    assert response.redirect_chain[-1][0] == reverse("accounts:detail", args=[account.pk])
    assert "Nora Neu ist eingeladen" in response.content.decode()
    assert list(account.groups.values_list("name", flat=True)) == ["Koordination"]
    assert not account.has_usable_password()
    assert mail.outbox[0].to == ["nora.neu@example.org"]
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    assert Client().get(Client().get(link).url).status_code == 200
    assert "eingeladen, Passwort noch nicht gesetzt" in response.content.decode()


def test_invite_refuses_a_known_address_and_changes_nothing(coordinator_client, advisor):
    data = {
        "email": advisor.email.upper(),
        "first_name": "X",
        "last_name": "Y",
        "role": Role.COORDINATOR.value,
    }
    response = coordinator_client.post(reverse("accounts:invite"), data)
    assert response.status_code == 200
    assert "Für diese E-Mail-Adresse gibt es schon ein Konto." in response.content.decode()
    assert User.objects.count() == 2
    assert list(advisor.groups.values_list("name", flat=True)) == ["Welcome Center"]
    assert mail.outbox == []


def test_invite_without_the_fields_names_each_in_the_error_summary(coordinator_client):
    response = coordinator_client.post(reverse("accounts:invite"), {"email": "kein-at"})
    page = response.content.decode()
    assert 'class="alert alert-danger error-summary"' in page
    for field in ("id_email", "id_first_name", "id_last_name", "id_role_0"):
        assert f'href="#{field}"' in page
    assert User.objects.count() == 1


# --- Deactivating and reactivating -------------------------------------------------------


def test_deactivate_asks_first_then_closes_the_account_and_its_sessions(
    coordinator_client, coordinator
):
    target = an_account(first_name="Ada", last_name="Arslan")
    elsewhere = signed_in(target)
    url = reverse("accounts:deactivate", args=[target.pk])
    confirm = coordinator_client.get(url).content.decode()
    assert "Das Konto von Ada Arslan deaktivieren?" in confirm
    assert User.objects.get(pk=target.pk).is_active  # asking changed nothing
    response = coordinator_client.post(url, follow=True)
    assert "Das Konto von Ada Arslan ist deaktiviert." in response.content.decode()
    target.refresh_from_db()
    assert not target.is_active
    assert elsewhere.get(reverse("newcomers:my_referrals")).status_code == 302
    change = UserEvent.objects.filter(pgh_obj=target, pgh_label="update").last()
    assert change.is_active is False
    assert change.pgh_context.metadata["user"] == coordinator.pk


def test_nobody_deactivates_their_own_account(coordinator_client, coordinator):
    detail = coordinator_client.get(reverse("accounts:detail", args=[coordinator.pk]))
    assert detail.context["actions"] == []
    response = coordinator_client.post(reverse("accounts:deactivate", args=[coordinator.pk]))
    assert "Ihr eigenes Konto können Sie nicht deaktivieren." in response.content.decode()
    assert User.objects.get(pk=coordinator.pk).is_active


def test_reactivate_lets_the_person_log_in_again_without_old_sessions(coordinator_client):
    target = an_account()
    old_session = signed_in(target)
    user_deactivate(user=target)
    url = reverse("accounts:reactivate", args=[target.pk])
    assert "wieder aktivieren?" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url, follow=True)
    assert "ist wieder aktiv" in response.content.decode()
    assert User.objects.get(pk=target.pk).is_active
    assert old_session.get(reverse("newcomers:my_referrals")).status_code == 302
    login = Client().post(reverse("login"), {"username": target.email, "password": PASSWORD})
    assert login["Location"] == reverse("home")


def test_detail_offers_what_fits_the_account(coordinator_client):
    active, closed = an_account(), an_account(is_active=False)
    authenticator(active)

    def labels(account):
        response = coordinator_client.get(reverse("accounts:detail", args=[account.pk]))
        return [action["label"] for action in response.context["actions"]]

    assert labels(active) == ["Konto deaktivieren", "Zwei-Faktor-Anmeldung zurücksetzen"]
    assert labels(closed) == ["Konto wieder aktivieren"]


# --- Resetting a second factor ---------------------------------------------------------------


def test_reset_removes_the_app_and_codes_ends_sessions_and_is_recorded(
    coordinator_client, coordinator
):
    colleague = an_account(Role.COORDINATOR, first_name="Cem", last_name="Cakir")
    authenticator(colleague)
    recovery_codes_renew(user=colleague)
    elsewhere = signed_in(colleague)
    url = reverse("accounts:second_factor_reset", args=[colleague.pk])
    assert "Zwei-Faktor-Anmeldung von Cem Cakir zurücksetzen?" in (
        coordinator_client.get(url).content.decode()
    )
    response = coordinator_client.post(url, follow=True)
    assert "ist zurückgesetzt" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    assert not StaticDevice.objects.filter(user=colleague).exists()
    assert elsewhere.get(reverse("dashboard"))["Location"].startswith(reverse("login"))
    event = UserEvent.objects.get(pgh_obj=colleague, pgh_label="second_factor.reset")
    assert event.pgh_context.metadata["user"] == coordinator.pk
    assert event.pgh_context.metadata["url"] == url


@pytest.mark.real_second_factor
def test_after_a_reset_the_coordinator_sets_up_a_new_app_at_login(coordinator, db):
    colleague = an_account(Role.COORDINATOR)
    authenticator(colleague)
    second_factor_reset(user=colleague, by=coordinator)
    client = Client()
    client.post(reverse("login"), {"username": colleague.email, "password": PASSWORD})
    assert client.get(reverse("dashboard"))["Location"].startswith(reverse("second_factor_enrol"))


def test_reset_is_refused_without_the_permission(client, coordinator):
    """A coordinator whose account lacks manage_accounts (given to the role) may not reset."""
    limited = UserFactory()
    limited.user_permissions.add(Permission.objects.get(codename="coordinate"))
    client.force_login(limited)
    authenticator(coordinator)
    url = reverse("accounts:second_factor_reset", args=[coordinator.pk])
    assert client.get(reverse("dashboard")).status_code == 200  # a coordinator, otherwise
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=coordinator).exists()
    assert not UserEvent.objects.filter(pgh_label="second_factor.reset").exists()


def test_nobody_resets_their_own_second_factor_here(coordinator_client, coordinator):
    url = reverse("accounts:second_factor_reset", args=[coordinator.pk])
    response = coordinator_client.post(url)
    assert "Ihre eigene Zwei-Faktor-Anmeldung" in response.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator).exists()
    assert Session.objects.count() == 1


# --- One's own account -------------------------------------------------------------------------


def test_own_account_page_shows_role_second_factor_and_the_way_to_the_accounts(
    coordinator_client,
):
    page = coordinator_client.get(reverse("account")).content.decode()
    assert "Koordination" in page
    assert "Eingerichtet: Sie melden sich mit Ihrem Passwort" in page
    assert reverse("accounts:list") in page


def test_advisors_own_account_page_offers_to_set_up_the_app(advisor_client):
    page = advisor_client.get(reverse("account")).content.decode()
    assert "Nicht eingerichtet." in page
    assert reverse("second_factor_enrol") in page
    assert reverse("accounts:list") not in page
