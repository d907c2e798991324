"""State changes of accounts. Every function runs in one transaction and sends mail after commit."""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from willkommen.core.clients import rate_limit_exceeded
from willkommen.core.mail import mail_queue
from willkommen.core.models import User
from willkommen.core.roles import Role


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


def user_end_sessions(*, user: User) -> int:
    """Sign `user` out everywhere: delete every session signed in as them. Returns how many.

    Sessions are stored in the database (Django's default engine) and know their user only
    inside their signed data, so each is read; there are only as many as people signed in.
    """
    current = Session.objects.filter(expire_date__gt=timezone.now())
    ended = [
        session.pk
        for session in current.iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Close `user`'s account: no more logging in, and every session of theirs ends now (else
    reactivating the account would bring old sessions back)."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_end_sessions(user=user)
