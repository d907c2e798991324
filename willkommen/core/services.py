"""State changes of accounts. Every function runs in one transaction and sends mail after commit."""

import logging
import time

import pghistory
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import time_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from willkommen.core.clients import rate_limit_exceeded
from willkommen.core.mail import mail_queue
from willkommen.core.models import User
from willkommen.core.roles import Role
from willkommen.core.two_factor import RECOVERY_CODE_COUNT, has_second_factor, normalise_code

logger = logging.getLogger(__name__)


class AccountExists(ValueError):
    pass


@transaction.atomic
def user_create(
    *,
    email: str,
    role: Role,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
) -> User:
    """Create an account with a role.

    Without a password the account gets an unusable one and an e-mail (queued, sent after
    commit) with a link to set it (valid PASSWORD_RESET_TIMEOUT). Raises AccountExists for a
    known address.
    """
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise AccountExists(email)
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    user.groups.add(Group.objects.get(name=role.value))
    if password is None:
        user_send_password_link(user=user)
    return user


def user_set_role(*, user: User, role: Role) -> None:
    """Give `user` exactly this role (recorded in the role history)."""
    user.groups.set([Group.objects.get(name=role.value)])


def user_send_password_link(*, user: User) -> None:
    """E-mail `user` a link to set their password. Side effect: one queued e-mail."""
    mail_queue(
        to=user.email,
        template="willkommen/emails/account_created",
        context={"user": user, "link": _password_link(user)},
    )


def _password_link(user: User) -> str:
    """A set-your-password link for `user`, valid PASSWORD_RESET_TIMEOUT or until used."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL + path


def password_reset_request(*, email: str, client: str | None, language: str) -> None:
    """Someone forgot their password: e-mail `email` a set-your-password link if an active account
    has that address.

    The answer must not tell whether one has, so the work is the same for every address: the
    same queries, the link and the mail made for a stand-in, and the stand-in's mail rolled back
    at the end. Beyond PASSWORD_RESET_PER_ADDRESS requests for one address or
    PASSWORD_RESET_PER_CLIENT from one client within PASSWORD_RESET_WINDOW_SECONDS nothing is
    sent, so nobody can fill a stranger's mailbox. Side effect: at most one queued e-mail.
    """
    email = email.strip().lower()
    window = settings.PASSWORD_RESET_WINDOW_SECONDS
    # Both counters count every request, so neither can be used to probe for accounts.
    too_many = [
        rate_limit_exceeded(
            "password-reset-address", email,
            limit=settings.PASSWORD_RESET_PER_ADDRESS, seconds=window,
        ),
        rate_limit_exceeded(
            "password-reset-client", client or "",
            limit=settings.PASSWORD_RESET_PER_CLIENT, seconds=window,
        ),
    ]  # fmt: skip
    if any(too_many):
        return
    with transaction.atomic():
        # Accounts invited but never set up have no usable password and may use this too.
        user = User.objects.filter(email=email, is_active=True).first()
        with transaction.atomic():
            mail_queue(
                to=email,
                template="registration/password_reset",
                context={"link": _password_link(user or User(email=email))},
                language=language,
            )
            if user is None:
                transaction.set_rollback(True)


def user_end_sessions(*, user: User, keep: str | None = None) -> int:
    """Sign `user` out everywhere: delete every session signed in as them, except the one whose
    key is `keep`. Returns how many ended.

    Sessions are stored in the database (Django's default engine) and know their user only
    inside their signed data, so each is read; there are only as many as people signed in.
    """
    current = Session.objects.filter(expire_date__gt=timezone.now())
    if keep is not None:
        current = current.exclude(pk=keep)
    ended = [
        session.pk
        for session in current.iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, user: User, by: User | None = None) -> None:
    """Close `user`'s account: no more logging in, and every session of theirs ends now (else
    reactivating the account would bring old sessions back). Nobody closes their own account
    (`by`): they would lock themselves out. Recorded in the account's history."""
    if by is not None and by.pk == user.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_end_sessions(user=user)


@transaction.atomic
def user_reactivate(*, user: User) -> None:
    """Open a closed account again: the person logs in with their password (or asks for a new
    one). Sessions from before stay ended. Recorded in the account's history."""
    user.is_active = True
    user.save(update_fields=["is_active"])


# --- Second factor (see willkommen.core.two_factor) ----------------------------------------


def _recovery_codes_create(*, user: User) -> list[str]:
    """Replace `user`'s recovery codes with RECOVERY_CODE_COUNT new ones, and return them."""
    device = StaticDevice.objects.filter(user=user).first() or StaticDevice.objects.create(
        user=user, name="Wiederherstellungscodes", confirmed=True
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _number in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def second_factor_enrol(
    *, user: User, key: str, code: str, keep_session: str | None = None
) -> tuple[TOTPDevice, list[str]]:
    """Set up `user`'s authenticator app with the secret `key` they added to it, once `code` shows
    that the app computes the same codes. Returns the device and new recovery codes (shown once).

    Side effects: the device and the recovery codes are stored; every other session of the
    user ends (one opened with a stolen password before must now pass the second step too);
    recorded in the account's history as "second_factor.enrolled".
    """
    User.objects.select_for_update().get(pk=user.pk)  # two confirmations at once make one app
    if has_second_factor(user):
        raise ValidationError(_("Two-factor authentication is already set up for this account."))
    totp = TOTP(bytes.fromhex(key))
    totp.time = time.time()
    if not (code.isdigit() and totp.verify(int(code), tolerance=1)):
        raise ValidationError(
            {"code": _("This code does not match. Please enter the code your app shows now.")}
        )
    device = TOTPDevice.objects.create(
        user=user, name="Authenticator-App", key=key, confirmed=True, last_t=totp.t()
    )
    codes = _recovery_codes_create(user=user)
    user_end_sessions(user=user, keep=keep_session)
    pghistory.create_event(user, label="second_factor.enrolled")
    return device, codes


def second_factor_verify(*, user: User, code: str) -> Device:
    """The second step: the device that accepts `code`, a code of `user`'s authenticator app or
    one of their recovery codes. Raises ValidationError for a wrong code, or while wrong codes
    make the account wait.

    Side effects: a recovery code is used up. Each wrong code doubles the wait before the next
    try (1, 2, 4 … seconds; django-otp's throttling, kept on the device, so across sessions and
    clients), and a wait on one device holds for all of the account's devices.
    """
    code = normalise_code(code)
    accepted = None
    with transaction.atomic():
        # Locked rows: concurrent tries are counted one after the other.
        devices = list(devices_for_user(user, for_verify=True))
        waits = [info for allowed, info in (d.verify_is_allowed() for d in devices) if not allowed]
        if not waits:
            kind = TOTPDevice if code.isdigit() else StaticDevice
            accepted = next(
                (d for d in devices if isinstance(d, kind) and d.verify_token(code)), None
            )
    # Raised only here, outside the transaction, so that the count of wrong codes is kept.
    if waits:
        until = max(info["locked_until"] for info in waits)
        raise ValidationError(
            _("Too many wrong codes. Please wait until %(time)s, then try again."),
            params={"time": time_format(timezone.localtime(until), "H:i:s")},
        )
    if accepted is None:
        logger.warning("Wrong second-factor code for user %s", user.pk)
        raise ValidationError(
            {"code": _("This code is not correct. Please check it and try again.")}
        )
    return accepted


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes for `user`, who has an authenticator app; the old ones stop working."""
    if not has_second_factor(user):
        raise ValidationError(_("Set up two-factor authentication first."))
    return _recovery_codes_create(user=user)


@transaction.atomic
def second_factor_reset(*, user: User, by: User) -> None:
    """`by` removes `user`'s authenticator app and recovery codes (lost phone): `user` sets up a
    new app at their next login (coordinators must; advisors may).

    Side effects: every session of `user` ends; recorded in the account's history as
    "second_factor.reset", with who did it. Nobody resets their own here: they would be signed
    out at once and have to set it up again.
    """
    if by.pk == user.pk:
        raise ValidationError(_("You cannot reset your own two-factor authentication."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user_end_sessions(user=user)
    pghistory.create_event(user, label="second_factor.reset")


@transaction.atomic
def second_factor_set_known_key(*, user: User, key: str) -> TOTPDevice:
    """Give `user` an authenticator app with a published `key`, replacing theirs: for demo logins
    only, so that anyone trying the demo can compute its codes. Never for a real account."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="Demo", key=key, confirmed=True)
