"""Two-factor authentication: coordinators and IT must set it up at their first login and enter
a code after their password; advisors may. Every login here passes the real second step."""

import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, authenticator, current_code
from tests.willkommen.test_access import EXPECTED, LOGIN, fetch
from willkommen.core.models import User, UserEvent
from willkommen.core.services import second_factor_enrol
from willkommen.core.two_factor import OPEN_BEFORE_SECOND_FACTOR, PENDING_TOTP_KEY

pytestmark = pytest.mark.real_second_factor

ENROL = reverse("second_factor_enrol")
VERIFY = reverse("second_factor_verify")


def log_in(client, user, password=PASSWORD):
    """The password step, as on the login page."""
    response = client.post(reverse("login"), {"username": user.email, "password": password})
    assert response.status_code == 302, "the password was not accepted"
    return response


def enter_code(client, code, next_url="/start/"):
    return client.post(VERIFY, {"code": code, "next": next_url})


def code_for(key_hex: str) -> str:
    return f"{totp(bytes.fromhex(key_hex)):06d}"


def enrolled(user):
    """`user` with an app and recovery codes, set up as a person does; returns their codes."""
    key = "0123456789abcdef0123456789abcdef01234567"
    _device, codes = second_factor_enrol(user=user, key=key, code=code_for(key))
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # its first code may be used again
    return codes


# --- A coordinator without an app ----------------------------------------------------------


PAGES_BEHIND_THE_LOGIN = [
    name
    for name, (anonymous, _advisor, coordinator) in EXPECTED.items()
    if anonymous == LOGIN and coordinator != 403 and name not in OPEN_BEFORE_SECOND_FACTOR
]


def test_every_coordinator_page_sends_to_set_up_until_it_is_confirmed(client, coordinator):
    log_in(client, coordinator)
    for name in PAGES_BEHIND_THE_LOGIN:
        response = fetch(client, name)
        assert response.status_code == 302, name
        assert response["Location"].startswith(ENROL), name
    assert client.get("/admin/")["Location"].startswith(ENROL)
    assert client.get(reverse("landing"))["Location"].startswith(ENROL)


def test_the_start_page_after_the_password_is_the_set_up(client, coordinator):
    log_in(client, coordinator)
    response = client.get(reverse("home"))
    assert response["Location"] == f"{ENROL}?next=%2Fstart%2F"


def test_set_up_shows_a_qr_code_and_the_secret_and_stores_nothing_yet(client, coordinator):
    log_in(client, coordinator)
    page = client.get(ENROL).content.decode()
    key = client.session[PENDING_TOTP_KEY]
    secret = re.search(r'<code class="fs-5" translate="no">([A-Z2-7 ]+)</code>', page).group(1)
    assert b32decode(secret.replace(" ", "")).hex() == key
    assert '<svg role="img"' in page and "<title>QR-Code für Ihre Authenticator-App</title>" in page
    assert "Zwei-Faktor-Anmeldung einrichten" in page
    assert client.get(ENROL).context["secret"] == secret  # a reload shows the same code
    assert not TOTPDevice.objects.exists()


def test_set_up_with_a_wrong_code_explains_and_stores_nothing(client, coordinator):
    log_in(client, coordinator)
    client.get(ENROL)
    response = client.post(ENROL, {"code": "000000"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dieser Code passt nicht" in page
    assert 'class="alert alert-danger error-summary"' in page
    assert client.post(ENROL, {"code": "12ab"}).context["form"].errors["code"] == [
        "Bitte geben Sie die 6 Ziffern ein, die Ihre App anzeigt."
    ]
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()


def test_set_up_confirms_with_the_first_code_and_shows_ten_recovery_codes_once(client, coordinator):
    log_in(client, coordinator)
    client.get(f"{ENROL}?next=/koordination/berichte/")
    key = client.session[PENDING_TOTP_KEY]
    response = client.post(ENROL, {"code": code_for(key), "next": "/koordination/berichte/"})
    assert response["Location"] == f"{reverse('recovery_codes')}?next=%2Fkoordination%2Fberichte%2F"
    page = client.get(response["Location"])
    codes = page.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(code in page.content.decode() for code in codes)
    assert 'href="/koordination/berichte/"' in page.content.decode()
    assert client.get(reverse("recovery_codes"))["Location"] == reverse("account")  # only once
    device = TOTPDevice.objects.get(user=coordinator)
    assert device.confirmed and device.key == key
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert client.get(reverse("dashboard")).status_code == 200  # this session is verified
    event = UserEvent.objects.get(pgh_obj=coordinator, pgh_label="second_factor.enrolled")
    assert event.pgh_context.metadata["user"] == coordinator.pk


def test_setting_up_ends_the_other_sessions_of_the_account(coordinator):
    elsewhere, here = Client(), Client()
    log_in(elsewhere, coordinator)
    log_in(here, coordinator)
    here.get(ENROL)
    here.post(ENROL, {"code": code_for(here.session[PENDING_TOTP_KEY])})
    assert here.get(reverse("dashboard")).status_code == 200
    assert elsewhere.get(reverse("dashboard"))["Location"].startswith(reverse("login"))


# --- The second step -------------------------------------------------------------------------


def test_after_the_password_every_page_asks_for_the_code(client, coordinator):
    enrolled(coordinator)
    log_in(client, coordinator)
    for name in PAGES_BEHIND_THE_LOGIN:
        response = fetch(client, name)
        assert response["Location"].startswith(VERIFY), name
    response = client.get(reverse("dashboard"))
    assert response["Location"] == f"{VERIFY}?next=%2Fkoordination%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Code eingeben" in page
    assert 'autocomplete="one-time-code"' in page


def test_the_code_of_the_app_opens_the_page_asked_for(client, coordinator):
    enrolled(coordinator)
    log_in(client, coordinator)
    device = TOTPDevice.objects.get(user=coordinator)
    response = enter_code(client, code_for(device.key), next_url="/koordination/berichte/")
    assert response["Location"] == "/koordination/berichte/"
    assert client.get(reverse("reports")).status_code == 200


def test_a_link_to_another_site_is_not_followed_after_the_code(client, coordinator):
    enrolled(coordinator)
    log_in(client, coordinator)
    device = TOTPDevice.objects.get(user=coordinator)
    response = enter_code(client, code_for(device.key), next_url="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_a_code_of_the_app_is_accepted_once(coordinator):
    enrolled(coordinator)
    first, second = Client(), Client()
    log_in(first, coordinator)
    log_in(second, coordinator)
    code = code_for(TOTPDevice.objects.get(user=coordinator).key)
    assert enter_code(first, code).status_code == 302
    response = enter_code(second, code)
    assert response.status_code == 200
    assert "Dieser Code ist nicht richtig" in response.content.decode()
    assert second.get(reverse("dashboard"))["Location"].startswith(VERIFY)


def test_a_recovery_code_works_once(coordinator):
    codes = enrolled(coordinator)
    first, second = Client(), Client()
    log_in(first, coordinator)
    response = enter_code(first, " " + codes[3].upper() + " ")  # as copied from a print-out
    assert response.status_code == 302
    dashboard = first.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Wiederherstellungscode benutzt; noch 9 übrig" in dashboard.content.decode()
    log_in(second, coordinator)
    assert enter_code(second, codes[3]).status_code == 200
    assert second.get(reverse("dashboard"))["Location"].startswith(VERIFY)
    assert StaticToken.objects.count() == 9


def test_wrong_codes_make_the_account_wait_even_for_the_right_code(client, coordinator):
    codes = enrolled(coordinator)
    log_in(client, coordinator)
    device = TOTPDevice.objects.get(user=coordinator)
    assert "Dieser Code ist nicht richtig" in enter_code(client, "000000").content.decode()
    response = enter_code(client, code_for(device.key))
    assert response.status_code == 200
    assert "Zu viele falsche Codes" in response.content.decode()
    assert enter_code(client, codes[0]).status_code == 200  # recovery codes wait as well
    assert client.get(reverse("dashboard"))["Location"].startswith(VERIFY)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # tries while waiting are refused unheard
    # Once the wait (1, 2, 4 … seconds) is over, the right code works.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    assert enter_code(client, code_for(device.key)).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_someone_between_the_steps_can_log_out(client, coordinator):
    enrolled(coordinator)
    log_in(client, coordinator)
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_the_code_step_needs_the_password_first(client, db):
    assert client.get(VERIFY)["Location"].startswith(reverse("login"))
    assert client.get(ENROL)["Location"].startswith(reverse("login"))


# --- Advisors may --------------------------------------------------------------------------


def test_advisor_without_an_app_goes_straight_to_their_referrals(client, advisor):
    log_in(client, advisor)
    assert client.get(reverse("home"))["Location"] == reverse("newcomers:my_referrals")
    assert client.get(reverse("newcomers:my_referrals")).status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("home")


def test_advisor_sets_up_the_app_on_their_account_page_and_is_asked_from_then_on(client, advisor):
    log_in(client, advisor)
    page = client.get(reverse("account")).content.decode()
    assert "Nicht eingerichtet" in page
    client.get(ENROL)
    client.post(ENROL, {"code": code_for(client.session[PENDING_TOTP_KEY])})
    assert "Eingerichtet" in client.get(reverse("account")).content.decode()
    client.post(reverse("logout"))
    log_in(client, advisor)
    assert client.get(reverse("newcomers:my_referrals"))["Location"].startswith(VERIFY)
    assert enter_code(client, current_code(TOTPDevice.objects.get(user=advisor))).status_code == 302
    assert client.get(reverse("newcomers:my_referrals")).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client, advisor):
    old = enrolled(advisor)
    log_in(client, advisor)
    enter_code(client, old[0])
    response = client.post(reverse("recovery_codes_renew"))
    new = client.get(response["Location"]).context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)


def test_recovery_codes_need_an_app(client, advisor):
    log_in(client, advisor)
    response = client.post(reverse("recovery_codes_renew"), follow=True)
    assert "Bitte richten Sie zuerst die Zwei-Faktor-Anmeldung ein." in response.content.decode()
    assert not StaticToken.objects.exists()


# --- The admin ---------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("it@example.org", PASSWORD)


def test_admin_needs_the_second_factor_set_up_and_entered(client, superuser):
    log_in(client, superuser)
    assert client.get("/admin/")["Location"] == f"{ENROL}?next=%2Fadmin%2F"
    enrolled(superuser)
    client.post(reverse("logout"))
    log_in(client, superuser)
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    enter_code(client, code_for(TOTPDevice.objects.get(user=superuser).key), "/admin/")
    assert client.get("/admin/").status_code == 200


def test_admin_itself_refuses_a_session_without_the_second_factor(client, superuser, settings):
    """Even without our middleware, the admin (django-otp's OTPAdminSite) wants a verified
    session, and sends to the site's login rather than a login form of its own."""
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if not name.endswith("SecondFactorMiddleware")
    ]
    enrolled(superuser)
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"]).status_code == 403
    assert Client().get("/admin/login/?next=/admin/")["Location"] == (
        f"{reverse('login')}?next=/admin/"
    )


# --- The demo ------------------------------------------------------------------------------


def test_demo_coordinator_logs_in_with_the_published_key(client, db):
    call_command("seed_demo", password="demo-passwort-1", mentors=0, referrals=0)
    call_command("seed_demo", password="demo-passwort-1", mentors=0, referrals=0)
    coordinator = User.objects.get(email="koordination@example.org")
    log_in(client, coordinator, "demo-passwort-1")
    assert (
        enter_code(client, code_for("3132333435363738393031323334353637383930")).status_code == 302
    )
    assert client.get(reverse("dashboard")).status_code == 200
    assert Session.objects.count() == 1


def test_the_tests_authenticator_gives_a_fresh_code_for_each_login(coordinator):
    device = authenticator(coordinator)
    for client in (Client(), Client()):  # within one 30-second step: the next code is taken
        log_in(client, coordinator)
        assert enter_code(client, current_code(device)).status_code == 302
