import random
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from willkommen.core.models import QueuedMail, User, UserEvent, UserRoleEvent
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role


def login(client, email, password=PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_with_email_in_any_case_leads_to_the_roles_start_page(client, coordinator):
    response = login(client, coordinator.email.upper())
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == reverse("dashboard")


def test_advisor_starts_at_their_referrals(client, advisor):
    login(client, advisor.email)
    assert client.get(reverse("home"))["Location"] == reverse("newcomers:my_referrals")


def test_wrong_password_gets_a_clear_german_message(client, coordinator):
    response = login(client, coordinator.email, "wrong-password")
    assert response.status_code == 200
    assert "Die E-Mail-Adresse oder das Passwort ist nicht richtig" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_the_login_with_a_message(client, coordinator):
    for _ in range(5):
        login(client, coordinator.email, "wrong-password")
    response = login(client, coordinator.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert "15 Minuten" in response.content.decode()
    assert "_auth_user_id" not in client.session


def spellings(email, count, seed=11):
    """`count` different ways to type `email`: any case, with stray spaces around it."""
    rng = random.Random(seed)
    found = set()
    while len(found) < count:
        typed = "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in email)
        found.add(rng.choice(["", " ", "  "]) + typed + rng.choice(["", " ", "\t"]))
    return sorted(found)


@pytest.fixture
def koordination(db):
    user = UserFactory(email="koordination@example.org")
    user_set_role(user=user, role=Role.COORDINATOR)
    return user


def test_lockout_counts_wrong_passwords_across_spellings(client, koordination):
    for typed in spellings(koordination.email, 5):
        login(client, typed, "wrong-password")
    assert login(client, koordination.email).status_code == 429


def test_locked_address_stays_locked_in_every_spelling(client, koordination):
    for _ in range(5):
        login(client, koordination.email, "wrong-password")
    answers = [login(client, typed, "wrong-password").status_code for typed in spellings(
        koordination.email, 40)]  # fmt: skip
    assert answers == [429] * 40
    response = login(client, "KOORDINATION@EXAMPLE.ORG")  # the right password
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_and_client(client, coordinator, advisor):
    for _ in range(5):
        login(client, coordinator.email, "wrong-password")
    assert login(client, advisor.email)["Location"] == reverse("home")


def test_logout_needs_post_and_confirms(coordinator_client):
    response = coordinator_client.post(reverse("logout"), follow=True)
    assert "Sie wurden abgemeldet." in response.content.decode()
    assert coordinator_client.get(reverse("dashboard")).status_code == 302


def test_password_reset_sends_a_working_link(client, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": advisor.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    form_url = client.get(link).url  # Django swaps the token for a session-bound URL
    new_password = "ein-neues-langes-passwort"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response["Location"] == reverse("password_reset_complete")
    assert login(client, advisor.email, new_password)["Location"] == reverse("home")


def test_password_reset_does_not_reveal_unknown_addresses(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
    assert not QueuedMail.objects.exists()


def reset(client, email, peer="203.0.113.9"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=peer)


def test_password_reset_does_the_same_database_work_for_unknown_addresses(client, advisor):
    def statements(email):
        with CaptureQueriesContext(connection) as queries:
            assert reset(client, email)["Location"] == reverse("password_reset_done")
        # What the queries do, without pghistory's context prefix and the savepoints (kept for
        # a real account, rolled back for the stand-in).
        sql = [re.sub(r"^SELECT set_config\(.*?\); ", "", query["sql"]) for query in queries]
        return [re.sub(r"'[^']*'", "?", s) for s in sql if "SAVEPOINT" not in s]

    known = statements(advisor.email)
    unknown = statements("nobody@example.org")
    assert known == unknown
    # two rate-limit counts (address, client), the account, the mail
    assert [s.split()[0] for s in known] == ["INSERT", "INSERT", "SELECT", "INSERT"]
    assert list(QueuedMail.objects.values_list("to", flat=True)) == [advisor.email]


def test_password_reset_mails_one_address_at_most_three_times_an_hour(client, advisor):
    answers = {reset(client, advisor.email.upper())["Location"] for _ in range(20)}
    assert answers == {reverse("password_reset_done")}
    assert QueuedMail.objects.filter(to=advisor.email).count() == 3


def test_password_reset_serves_one_client_at_most_ten_times_an_hour(client, db):
    users = UserFactory.create_batch(20)
    answers = {reset(client, user.email)["Location"] for user in users}
    assert answers == {reverse("password_reset_done")}
    assert QueuedMail.objects.count() == 10
    # Another client is not held back by the first.
    reset(client, users[-1].email, peer="198.51.100.7")
    assert QueuedMail.objects.count() == 11


def test_password_reset_works_for_an_account_never_set_up(client, db):
    invited = UserFactory(password=None)
    invited.set_unusable_password()
    invited.save()
    reset(client, invited.email)
    assert QueuedMail.objects.filter(to=invited.email).count() == 1


def test_password_reset_sends_nothing_for_a_deactivated_account(client, db):
    UserFactory(email="gone@example.org", is_active=False)
    reset(client, "gone@example.org")
    assert not QueuedMail.objects.exists()


def test_role_groups_exist_with_their_permissions(db):
    coordination = Group.objects.get(name=Role.COORDINATOR.value)
    welcome_center = Group.objects.get(name=Role.ADVISOR.value)
    assert sorted(p.codename for p in coordination.permissions.all()) == [
        "coordinate",
        "manage_accounts",
    ]
    assert [p.codename for p in welcome_center.permissions.all()] == ["refer"]


def test_create_user_command_sends_a_set_password_link(
    db, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_user", "Neu@Example.org", role="welcome-center", first_name="Nora")
    user = User.objects.get(email="neu@example.org")
    assert not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == ["Welcome Center"]
    assert mail.outbox[0].to == ["neu@example.org"]
    assert "Hallo Nora," in mail.outbox[0].body
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    assert client.get(client.get(link).url).context["validlink"]


def test_create_user_command_refuses_a_known_address(db, coordinator):
    with pytest.raises(Exception, match="exists already"):
        call_command("create_user", coordinator.email.upper(), role="koordination")
    assert User.objects.count() == 1


def test_seed_demo_is_idempotent_and_logins_work(db, client):
    # the logins alone: the story itself is tested in tests/overview/test_seed_demo.py
    call_command("seed_demo", password="demo-passwort-1", mentors=0, referrals=0)
    call_command("seed_demo", password="demo-passwort-2", mentors=0, referrals=0)
    assert User.objects.count() == 3  # the coordinator and two advisors
    assert login(client, "koordination@example.org", "demo-passwort-2")["Location"] == "/start/"
    assert client.get("/start/")["Location"] == reverse("dashboard")


def test_changes_to_accounts_are_recorded_with_the_acting_user(admin_client, advisor):
    admin = User.objects.get(is_superuser=True)
    url = reverse("admin:willkommen_user_change", args=[advisor.pk])
    data = {
        "email": advisor.email,
        "first_name": "Berta",
        "last_name": advisor.last_name,
        "is_active": "on",
        "groups": [Group.objects.get(name=Role.COORDINATOR.value).pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    assert admin_client.post(url, data).status_code == 302
    change = UserEvent.objects.filter(pgh_obj=advisor, pgh_label="update").get()
    assert change.first_name == "Berta"
    assert change.pgh_context.metadata["user"] == admin.pk
    granted = UserRoleEvent.objects.filter(user=advisor, pgh_label="role.granted").last()
    assert granted.group.name == Role.COORDINATOR.value
    assert granted.pgh_context.metadata["user"] == admin.pk
    assert UserRoleEvent.objects.filter(user=advisor, pgh_label="role.revoked").exists()
