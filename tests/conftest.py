import time

import pytest
from django.contrib.auth.signals import user_logged_in
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role
from willkommen.core.two_factor import HAS_SECOND_FACTOR, second_factor_required

PASSWORD = "a-long-test-password"
# The key of every authenticator app the tests set up for someone (RFC 6238's test key).
TOTP_KEY = "3132333435363738393031323334353637383930"


def authenticator(user) -> TOTPDevice:
    """`user`'s authenticator app: a confirmed TOTP device with TOTP_KEY, set up if missing."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"key": TOTP_KEY, "name": "Test"}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now, or the next one if the current one was used already (a code
    is accepted once, and the next one already, within the device's tolerance)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    totp.time += max(0, device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture(autouse=True)
def logins_pass_the_second_factor(request):
    """Outside the tests of two-factor authentication, a login stands for the whole login: who
    needs a second factor (a coordinator, IT) or has one has their authenticator app (TOTP_KEY)
    and has entered its code. `client.force_login`, the login page and the browser alike, so
    that tests of other things need not know the second step. A test marked
    `real_second_factor` passes the second step itself, as people do."""
    if request.node.get_closest_marker("real_second_factor"):
        yield
        return

    def pass_second_factor(sender, request, user, **kwargs):
        if second_factor_required(user) or TOTPDevice.objects.filter(user=user).exists():
            request.session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
            request.session[HAS_SECOND_FACTOR] = True

    user_logged_in.connect(pass_second_factor, dispatch_uid="tests.second_factor")
    yield
    user_logged_in.disconnect(dispatch_uid="tests.second_factor")


@pytest.fixture
def coordinator(db):
    user = UserFactory(first_name="Katrin")
    user_set_role(user=user, role=Role.COORDINATOR)
    return user


@pytest.fixture
def advisor(db):
    user = UserFactory(first_name="Bora")
    user_set_role(user=user, role=Role.ADVISOR)
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client
