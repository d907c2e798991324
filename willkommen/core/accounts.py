"""Account pages: the second step of logging in, setting up two-factor authentication, one's own
account, and the coordinators' pages to invite, deactivate and reactivate accounts and to reset
a lost second factor."""

from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from willkommen.core.forms import (
    AccountFilterForm,
    ConfirmForm,
    InviteForm,
    SecondFactorEnrolForm,
    SecondFactorForm,
    add_service_errors,
)
from willkommen.core.models import User
from willkommen.core.roles import Role, account_manager_required, can_manage_accounts
from willkommen.core.services import (
    AccountExists,
    organisation_default,
    recovery_codes_renew,
    second_factor_enrol,
    second_factor_reset,
    second_factor_verify,
    user_create,
    user_deactivate,
    user_reactivate,
)
from willkommen.core.two_factor import (
    HAS_SECOND_FACTOR,
    PENDING_TOTP_KEY,
    RECOVERY_CODES_TO_SHOW,
    has_second_factor,
    recovery_codes_left,
    second_factor_required,
    totp_setup,
)

PAGE_SIZE = 25


def _next_url(request) -> str:
    """Where to go after the second step: the page asked for, if it is on this site."""
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


# --- The second step and setting it up --------------------------------------------------------


@never_cache
@login_required
def second_factor_step(request):
    """After the password: a code of the authenticator app, or a recovery code."""
    next_url = _next_url(request)
    if request.user.is_verified() or not has_second_factor(request.user):
        return redirect(next_url)  # nothing to ask; the middleware sends on to setting it up
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session.cycle_key()  # a new session key for the fully signed-in session
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(left)s is left. If you have lost your "
                        "phone, ask a coordinator to reset your two-factor authentication.",
                        "You used a recovery code; %(left)s are left. If you have lost your "
                        "phone, ask a coordinator to reset your two-factor authentication.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(next_url)
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
def second_factor_setup(request):
    """Add the secret to an authenticator app (QR code or typed), confirm with its first code."""
    user = request.user
    next_url = _next_url(request)
    if has_second_factor(user):
        if user.is_verified():
            messages.info(request, _("Two-factor authentication is already set up."))
            return redirect("account")
        return redirect(_with_next("second_factor_verify", next_url))
    # The secret waits in the session until the app proves it has it: a page reload shows the
    # same QR code, and nothing is stored with the account before it works.
    key = request.session.setdefault(PENDING_TOTP_KEY, random_hex(20))
    form = SecondFactorEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = second_factor_enrol(
                user=user,
                key=key,
                code=form.cleaned_data["code"],
                keep_session=request.session.session_key,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            del request.session[PENDING_TOTP_KEY]
            request.session.cycle_key()
            otp_login(request, device)
            request.session[HAS_SECOND_FACTOR] = True
            request.session[RECOVERY_CODES_TO_SHOW] = codes
            return redirect(_with_next("recovery_codes", next_url))
    context = {
        "form": form,
        "next": next_url,
        "required": second_factor_required(user),
        **totp_setup(user=user, key=key),
    }
    return render(request, "accounts/second_factor_enrol.html", context)


@never_cache
@login_required
def recovery_codes_show(request):
    """The new recovery codes, once: they are not kept anywhere to be shown again."""
    codes = request.session.pop(RECOVERY_CODES_TO_SHOW, None)
    if not codes:
        messages.info(
            request,
            _("Recovery codes are shown only once. If you need new ones, create them here."),
        )
        return redirect("account")
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
    )


@require_POST
@login_required
def recovery_codes_new(request):
    try:
        codes = recovery_codes_renew(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("account")
    request.session[RECOVERY_CODES_TO_SHOW] = codes
    return redirect(_with_next("recovery_codes", reverse("account")))


class MailLanguageForm(forms.ModelForm):
    """The language of every mail one gets, whoever's action sends it."""

    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": gettext_lazy("Language of your emails")}


@login_required
def my_account(request):
    user = request.user
    # A copy: the page's frame keeps showing the saved account while the form is wrong.
    language_form = MailLanguageForm(
        request.POST if request.method == "POST" else None, instance=User.objects.get(pk=user.pk)
    )
    if language_form.is_bound and language_form.is_valid():
        # the change history (pghistory) records it, with who and from which page
        language_form.save(commit=False).save(update_fields=["language"])
        messages.success(request, _("Your emails now come in the language chosen."))
        return redirect("account")
    context = {
        "language_form": language_form,
        "roles": ", ".join(group.name for group in user.groups.all()) or "–",
        "second_factor": has_second_factor(user),
        "second_factor_required": second_factor_required(user),
        "recovery_codes_left": recovery_codes_left(user),
        "can_manage_accounts": can_manage_accounts(user),
    }
    return render(request, "accounts/my_account.html", context)


# --- The coordinators' account pages -----------------------------------------------------------


def manageable_accounts():
    """Accounts the account pages may show and change: all but IT's (admin access), which only
    the admin manages."""
    return User.objects.filter(is_staff=False, is_superuser=False)


def accounts_for_list(*, filters: dict):
    accounts = manageable_accounts().annotate(
        second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    )
    for word in filters.get("q", "").split():
        accounts = accounts.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    if "role" in filters:
        accounts = accounts.filter(groups__name=filters["role"])
    if "status" in filters:
        accounts = accounts.filter(is_active=filters["status"] == "active")
    return (
        accounts.select_related("organisation")
        .prefetch_related("groups")
        .order_by("last_name", "first_name", "email", "pk")
    )


def _describe(account: User, *, second_factor: bool) -> dict:
    """What the list and the account page say about an account."""
    roles = sorted(group.name for group in account.groups.all())
    if not account.is_active:
        status = _("deactivated")
    elif not account.has_usable_password():
        status = _("invited, password not yet set")
    else:
        status = _("active")
    if second_factor:
        second_factor_text = _("set up")
    elif Role.COORDINATOR.value in roles:
        second_factor_text = _("not yet set up (required at the next login)")
    else:
        second_factor_text = _("not set up (optional)")
    last_login = account.last_login and date_format(
        timezone.localtime(account.last_login), "SHORT_DATETIME_FORMAT"
    )
    return {
        "account": account,
        "roles": ", ".join(roles) or "–",
        "organisation": account.organisation.name if account.organisation else "–",
        "status": status,
        "second_factor": second_factor_text,
        "last_login": last_login or _("never"),
    }


@account_manager_required
def account_list(request):
    form = AccountFilterForm(request.GET)
    filters = form.filters()
    accounts = accounts_for_list(filters=filters)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    without_page = request.GET.copy()
    without_page.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [_describe(a, second_factor=a.second_factor) for a in page.object_list],
        "filtered": bool(filters),
        "query_without_page": without_page.urlencode(),
    }
    return render(request, "accounts/account_list.html", context)


@account_manager_required
def account_invite(request):
    form = InviteForm(request.POST or None, initial={"organisation": organisation_default()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = user_create(
                email=data["email"],
                role=Role(data["role"]),
                first_name=data["first_name"],
                last_name=data["last_name"],
                organisation=data["organisation"],
            )
        except AccountExists:
            form.add_error("email", _("An account with this email address exists already."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been invited and gets an email to set a password.")
                % {"name": account},
            )
            return redirect("accounts:detail", pk=account.pk)
    return render(request, "accounts/account_invite.html", {"form": form})


@account_manager_required
def account_detail(request, pk):
    account = get_object_or_404(
        manageable_accounts().select_related("organisation").prefetch_related("groups"), pk=pk
    )
    second_factor = has_second_factor(account)
    own = account.pk == request.user.pk
    actions = []
    if not own:
        if account.is_active:
            actions.append(("accounts:deactivate", _("Deactivate account"), "btn-outline-danger"))
        else:
            actions.append(("accounts:reactivate", _("Reactivate account"), "btn-primary"))
        if second_factor:
            actions.append(
                (
                    "accounts:second_factor_reset",
                    _("Reset two-factor authentication"),
                    "btn-outline-danger",
                )
            )
    advisor = Role.ADVISOR.value in {group.name for group in account.groups.all()}
    context = {
        **_describe(account, second_factor=second_factor),
        "own": own,
        # The page that hands an advisor's open referrals on to a colleague belongs to the
        # referrals' app; the project URLconf joins it into this namespace (willkommen/urls.py).
        "hand_on_url": reverse("accounts:referrals_hand_over", args=[account.pk])
        if advisor
        else None,
        "actions": [
            {"url": reverse(name, args=[account.pk]), "label": label, "style": style}
            for name, label, style in actions
        ],
    }
    return render(request, "accounts/account_detail.html", context)


@dataclass
class _Step:
    """A change to an account that is asked about once more before it is made."""

    title: str
    explanation: str
    button: str
    done: str
    button_style: str = "btn-danger"


def _confirm(request, account: User, step: _Step, act) -> object:
    """The confirmation page of `step`; its POST calls `act` (one service) and goes back."""
    # Bound on every POST: a form without fields gets no data, yet its POST is the answer.
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            act()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, step.done)
            return redirect("accounts:detail", pk=account.pk)
    return render(
        request, "accounts/account_confirm.html", {"form": form, "account": account, "step": step}
    )


@account_manager_required
def account_deactivate(request, pk):
    account = get_object_or_404(manageable_accounts(), pk=pk)
    names = {"name": account}
    step = _Step(
        title=_("Deactivate the account of %(name)s?") % names,
        explanation=_(
            "%(name)s can no longer log in, and is logged out on every device now. Everything "
            "they entered stays. You can reactivate the account later."
        )
        % names,
        button=_("Deactivate account"),
        done=_("The account of %(name)s has been deactivated.") % names,
    )
    return _confirm(request, account, step, lambda: user_deactivate(user=account, by=request.user))


@account_manager_required
def account_reactivate(request, pk):
    account = get_object_or_404(manageable_accounts(), pk=pk)
    names = {"name": account}
    step = _Step(
        title=_("Reactivate the account of %(name)s?") % names,
        explanation=_(
            "%(name)s can log in again with their password. Whoever has forgotten it asks for a "
            "new one on the login page."
        )
        % names,
        button=_("Reactivate account"),
        done=_("The account of %(name)s is active again.") % names,
        button_style="btn-primary",
    )
    return _confirm(request, account, step, lambda: user_reactivate(user=account))


@account_manager_required
def account_second_factor_reset(request, pk):
    account = get_object_or_404(manageable_accounts(), pk=pk)
    names = {"name": account}
    step = _Step(
        title=_("Reset the two-factor authentication of %(name)s?") % names,
        explanation=_(
            "For a lost or new phone. The authenticator app and the recovery codes of %(name)s "
            "stop working, and %(name)s is logged out on every device now. At the next login, "
            "%(name)s sets up the app again (coordinators must, advisors may)."
        )
        % names,
        button=_("Reset two-factor authentication"),
        done=_(
            "The two-factor authentication of %(name)s has been reset. They set it up again at "
            "their next login."
        )
        % names,
    )
    return _confirm(
        request, account, step, lambda: second_factor_reset(user=account, by=request.user)
    )


# The coordinators' pages, joined into the "accounts" namespace by willkommen/urls.py.
account_urlpatterns = [
    path("", account_list, name="list"),
    path("einladen/", account_invite, name="invite"),
    path("<int:pk>/", account_detail, name="detail"),
    path("<int:pk>/deaktivieren/", account_deactivate, name="deactivate"),
    path("<int:pk>/reaktivieren/", account_reactivate, name="reactivate"),
    path(
        "<int:pk>/zwei-faktor-zuruecksetzen/",
        account_second_factor_reset,
        name="second_factor_reset",
    ),
]
