"""The two roles, what each may do, and the checks that views use.

A role is a Django group whose permissions this module defines. The groups are created and
brought up to date after every `migrate` (post_migrate, like Django's own permissions), so the
mapping below is the one source of truth: a later app adds a permission here, not in a new
data migration, and a database flushed by a test gets its groups back.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "Koordination", "Koordination"
    ADVISOR = "Welcome Center", "Welcome Center"


ROLE_PERMISSIONS = {
    Role.COORDINATOR: ["willkommen.coordinate", "willkommen.manage_accounts"],
    Role.ADVISOR: ["willkommen.refer"],
}

COORDINATE = "willkommen.coordinate"
REFER = "willkommen.refer"
MANAGE_ACCOUNTS = "willkommen.manage_accounts"


def sync_role_groups(sender=None, *, apps=None, using="default", **kwargs):
    """Create the role groups and give them exactly the permissions named above."""
    from django.apps import apps as current_apps

    apps = apps or current_apps
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:  # migrating to a state before auth exists
        return
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        permissions = []
        for name in names:
            app_label, codename = name.split(".")
            permission = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if permission is not None:  # absent only while its app is not yet migrated
                permissions.append(permission)
        group.permissions.set(permissions)


def is_coordinator(user) -> bool:
    return user.is_authenticated and user.has_perm(COORDINATE)


def is_advisor(user) -> bool:
    return user.is_authenticated and user.has_perm(REFER)


def can_manage_accounts(user) -> bool:
    return user.is_authenticated and user.has_perm(MANAGE_ACCOUNTS)


def _role_required(check):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


coordinator_required = _role_required(is_coordinator)
coordinator_required.__doc__ = (
    "Only coordinators (and superusers); others get 403, visitors the login."
)
advisor_required = _role_required(is_advisor)
advisor_required.__doc__ = "Only Welcome Center advisors (and superusers)."
account_manager_required = _role_required(can_manage_accounts)
account_manager_required.__doc__ = (
    "Only those who may manage accounts (coordinators, superusers); others get 403."
)
