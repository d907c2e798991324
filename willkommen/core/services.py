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
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import time_format
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from willkommen.core.clients import rate_limit_exceeded
from willkommen.core.mail import mail_queue
from willkommen.core.models import Organisation, SupportArea, User
from willkommen.core.reference_data import WELCOME_CENTER
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
    organisation: Organisation | None = None,
) -> User:
    """Create an account with a role.

    An advisor belongs to `organisation`, by default the Welcome Center; a coordinator to
    none. Without a password the account gets an unusable one and an e-mail (queued, sent after
    commit) with a link to set it (valid PASSWORD_RESET_TIMEOUT). Raises AccountExists for a
    known address, ValidationError for an organisation that has been deactivated.
    """
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise AccountExists(email)
    if role != Role.ADVISOR:
        organisation = None
    elif organisation is None:
        organisation = organisation_default()
    elif not organisation.active:
        raise ValidationError(
            {"organisation": _("This organisation has been deactivated. Please choose another.")}
        )
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
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
        language=user.language,
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
                language=user.language if user else language,
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


# --- Support areas ---------------------------------------------------------------------------

# German letters that slugify would drop to their base letter ("Ämter" → "amter").
_GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_SLUG_LENGTH = 45  # the field holds 50: room for a "-2" … when the slug is taken


def _tidy(text: str) -> str:
    """A name as it is stored: without spaces around or doubled inside."""
    return " ".join(text.split())


def _support_area_slug(name: str) -> str:
    """A slug not yet taken, made from the German name."""
    base = slugify(name.lower().translate(_GERMAN_LETTERS))[:_SLUG_LENGTH].strip("-") or "bereich"
    taken = set(SupportArea.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _support_area_names_free(*, name: str, name_en: str, area: SupportArea | None) -> None:
    """Raise a ValidationError naming each name that another area has (ignoring case)."""
    others = SupportArea.objects.exclude(pk=area.pk) if area else SupportArea.objects.all()
    errors = {}
    for field, value in (("name", name), ("name_en", name_en)):
        holder = others.filter(**{f"{field}__iexact": value}).first()
        if holder is None:
            continue
        if holder.active:
            errors[field] = _("There is already a support area with this name.")
        else:
            errors[field] = _(
                "There is already a support area with this name that is no longer offered. "
                "Offer that one again instead."
            )
    if errors:
        raise ValidationError(errors)


def _support_area_save(area: SupportArea, *, name: str, name_en: str) -> None:
    """Save `area`; another coordinator taking one of its names at the same moment is told so,
    as if they had been first."""
    try:
        with transaction.atomic():
            area.save()
    except IntegrityError:
        _support_area_names_free(name=name, name_en=name_en, area=area if area.pk else None)
        raise ValidationError(
            _("Someone else changed the support areas at the same time. Please try again.")
        ) from None


@transaction.atomic
def support_area_create(
    *, name: str, name_en: str, position: int | None = None, by: User
) -> SupportArea:
    """Add a support area, offered from now on in every form that asks for one.

    Its slug is made from the German name and never changes. Without a `position` it comes
    last. Raises ValidationError when another area has the German or the English name already
    (ignoring case).
    """
    name, name_en = _tidy(name), _tidy(name_en)
    _support_area_names_free(name=name, name_en=name_en, area=None)
    if position is None:
        last = SupportArea.objects.aggregate(last=Max("position"))["last"]
        position = 0 if last is None else last + 1
    area = SupportArea(slug=_support_area_slug(name), name=name, name_en=name_en, position=position)
    area.full_clean(validate_unique=False, validate_constraints=False)
    _support_area_save(area, name=name, name_en=name_en)
    logger.info("Support area %s added by user %s", area.slug, by.pk)
    return area


@transaction.atomic
def support_area_update(
    *, area: SupportArea, name: str, name_en: str, position: int, by: User
) -> SupportArea:
    """Rename `area` (German and English) or move it (`position`: smaller comes first).

    Every record that has the area shows the new name. The slug stays. Raises ValidationError
    when another area has one of the names already (ignoring case).
    """
    name, name_en = _tidy(name), _tidy(name_en)
    _support_area_names_free(name=name, name_en=name_en, area=area)
    area.name, area.name_en, area.position = name, name_en, position
    area.full_clean(validate_unique=False, validate_constraints=False)
    _support_area_save(area, name=name, name_en=name_en)
    logger.info("Support area %s changed by user %s", area.slug, by.pk)
    return area


def _switch_off(obj, *, last: str) -> bool:
    """Set `obj` (a support area, an organisation: whatever has `active`) inactive, unless it
    is the last active one of its kind (ValidationError `last`). The active rows are locked,
    so that two coordinators switching off the last two at once cannot both succeed. Returns
    whether it changed anything."""
    active = list(
        type(obj).objects.select_for_update().filter(active=True).values_list("pk", flat=True)
    )
    if obj.pk not in active:
        obj.active = False
        return False
    if len(active) == 1:
        raise ValidationError(last)
    obj.active = False
    obj.save(update_fields=["active"])
    return True


def _switch_on(obj) -> bool:
    """Set `obj` active again; whether it changed anything."""
    if obj.active:
        return False
    obj.active = True
    obj.save(update_fields=["active"])
    return True


@transaction.atomic
def support_area_retire(*, area: SupportArea, by: User) -> None:
    """Offer `area` no more for new choices (the public form, referrals, mentors, tandems).

    Mentors, referrals and tandems that have it keep it and show it, and keep it when they are
    edited. Refused for the last area still offered: every form asks for at least one. Retiring
    a retired area changes nothing.
    """
    if _switch_off(
        area,
        last=_("This is the last support area still offered. Add or offer another one first."),
    ):
        logger.info("Support area %s retired by user %s", area.slug, by.pk)


@transaction.atomic
def support_area_restore(*, area: SupportArea, by: User) -> None:
    """Offer a retired `area` again for new choices. Restoring an offered area changes nothing."""
    if _switch_on(area):
        logger.info("Support area %s offered again by user %s", area.slug, by.pk)


# --- Organisations -----------------------------------------------------------------------------


def organisation_default() -> Organisation | None:
    """The organisation of advisors for whom none is chosen: the Welcome Center, while active."""
    return Organisation.objects.filter(slug=WELCOME_CENTER, active=True).first()


def _organisation_slug(name: str) -> str:
    """A slug not yet taken, made from the name."""
    base = (
        slugify(name.lower().translate(_GERMAN_LETTERS))[:_SLUG_LENGTH].strip("-") or "organisation"
    )
    taken = set(Organisation.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _organisation_name_free(*, name: str, organisation: Organisation | None) -> None:
    """Raise a ValidationError when another organisation has `name` (ignoring case)."""
    others = Organisation.objects.all()
    if organisation is not None and organisation.pk:
        others = others.exclude(pk=organisation.pk)
    holder = others.filter(name__iexact=name).first()
    if holder is None:
        return
    if holder.active:
        raise ValidationError({"name": _("There is already an organisation with this name.")})
    raise ValidationError(
        {
            "name": _(
                "There is already a deactivated organisation with this name. Reactivate that "
                "one instead."
            )
        }
    )


def _organisation_save(organisation: Organisation) -> None:
    """Save `organisation`; another coordinator taking its name at the same moment is told so,
    as if they had been first."""
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError:
        _organisation_name_free(name=organisation.name, organisation=organisation)
        raise ValidationError(
            _("Someone else changed the organisations at the same time. Please try again.")
        ) from None


@transaction.atomic
def organisation_create(*, name: str, by: User) -> Organisation:
    """Add an organisation whose advisors refer newcomers; offered from now on when inviting
    an advisor. Its slug is made from the name and never changes. Raises ValidationError when
    another organisation has the name already (ignoring case)."""
    name = _tidy(name)
    _organisation_name_free(name=name, organisation=None)
    organisation = Organisation(slug=_organisation_slug(name), name=name)
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    _organisation_save(organisation)
    logger.info("Organisation %s added by user %s", organisation.slug, by.pk)
    return organisation


@transaction.atomic
def organisation_rename(*, organisation: Organisation, name: str, by: User) -> Organisation:
    """Rename `organisation`: its advisors' pages, the referrals and the reports show the new
    name. The slug stays. Raises ValidationError when another organisation has the name."""
    name = _tidy(name)
    _organisation_name_free(name=name, organisation=organisation)
    organisation.name = name
    organisation.full_clean(validate_unique=False, validate_constraints=False)
    _organisation_save(organisation)
    logger.info("Organisation %s renamed by user %s", organisation.slug, by.pk)
    return organisation


@transaction.atomic
def organisation_deactivate(*, organisation: Organisation, by: User) -> None:
    """Offer `organisation` no more for new advisors. Its advisors keep it, and their accounts
    and referrals stay as they are (deactivate the accounts one by one if they should end).
    Refused for the last active organisation: inviting an advisor needs one. Deactivating a
    deactivated organisation changes nothing."""
    if _switch_off(
        organisation,
        last=_("This is the last active organisation. Add or reactivate another one first."),
    ):
        logger.info("Organisation %s deactivated by user %s", organisation.slug, by.pk)


@transaction.atomic
def organisation_reactivate(*, organisation: Organisation, by: User) -> None:
    """Offer a deactivated `organisation` again for new advisors."""
    if _switch_on(organisation):
        logger.info("Organisation %s reactivated by user %s", organisation.slug, by.pk)
