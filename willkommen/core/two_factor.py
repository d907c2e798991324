"""The second factor: who needs one, the step after the password, and what setting it up shows.

django-otp keeps the devices: a TOTP device (an authenticator app on the person's phone) and a
static device holding their recovery codes. A session that passed the second step carries its
device's id; django-otp's OTPMiddleware checks that device on every request, so a session whose
device was reset or deleted is no longer verified. SecondFactorMiddleware then lets a signed-in
person reach nothing but the code step (or, for coordinators and IT without an app yet, the set-up
page) until they have passed it.

Coordinators see everyone's data and IT the admin: they must use a second factor. Advisors may.
"""

import re
from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode as django_urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from willkommen.core.roles import is_coordinator

RECOVERY_CODE_COUNT = 10
# Session keys: whether this session's person has a second factor (looked up once per session),
# the secret of an app being set up (not stored with
# the account before it is confirmed), and the recovery codes to show once after setting up.
HAS_SECOND_FACTOR = "willkommen_has_second_factor"
PENDING_TOTP_KEY = "willkommen_pending_totp_key"
RECOVERY_CODES_TO_SHOW = "willkommen_recovery_codes"

# What a signed-in person may open before the second step: the step itself, and the ways out.
OPEN_BEFORE_SECOND_FACTOR = {
    "second_factor_verify",
    "second_factor_enrol",
    "logout",
    "set_language",
    "healthz",
}


def second_factor_required(user) -> bool:
    """Coordinators and everyone with admin access must sign in with a second factor."""
    return user.is_staff or user.is_superuser or is_coordinator(user)


def has_second_factor(user) -> bool:
    """Whether `user` has set up an authenticator app (a confirmed TOTP device)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise_code(code: str) -> str:
    """A code as typed, without the spaces and dashes people add when copying it."""
    return re.sub(r"[\s-]", "", code).lower()


def _has_second_factor_cached(request) -> bool:
    """Whether the signed-in person has a second factor, looked up once per session: so that an
    advisor without one costs no query on every request. Setting one up updates it; a reset ends
    the person's sessions."""
    if HAS_SECOND_FACTOR not in request.session:
        request.session[HAS_SECOND_FACTOR] = has_second_factor(request.user)
    return request.session[HAS_SECOND_FACTOR]


def _redirect_with_next(request, name):
    url = reverse(name)
    if request.method == "GET":
        url += "?" + django_urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    return redirect(url)


class SecondFactorMiddleware:
    """Until a signed-in person has passed the second step, every page but that step sends them
    to it: to the code step if they have an app, to setting one up if they must have one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if _has_second_factor_cached(request):
            return _redirect_with_next(request, "second_factor_verify")
        if second_factor_required(user):
            # If an app was set up since the password step, the set-up page sends on to the code.
            return _redirect_with_next(request, "second_factor_enrol")
        return None


def totp_setup(*, user, key: str) -> dict:
    """What a person needs to add the secret `key` to their authenticator app: the QR code as an
    inline SVG (no image request, nothing from elsewhere) and the secret to type in."""
    secret = b32encode(bytes.fromhex(key)).decode()
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.email}")
    parameters = urlencode({"secret": secret, "issuer": issuer, "digits": 6, "period": 30})
    url = f"otpauth://totp/{label}?{parameters}"
    svg = segno.make(url, error="m").svg_inline(
        scale=4,
        dark="#000",
        light="#fff",
        svgclass="qr-code",
        lineclass=None,
        title=str(_("QR code for your authenticator app")),
    )
    return {
        "qr_svg": mark_safe(svg.replace("<svg ", '<svg role="img" ', 1)),  # noqa: S308 - segno's own SVG
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "account": user.email,
        "issuer": issuer,
    }
