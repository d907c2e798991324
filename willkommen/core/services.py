"""State changes of accounts. Every function runs in one transaction and sends mail after commit."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

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
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    mail_queue(
        to=user.email,
        template="willkommen/emails/account_created",
        context={"user": user, "link": settings.SITE_URL + path},
    )
