"""Pages of the kernel: public pages, health check, signing in and out, error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from willkommen.core.clients import client_address
from willkommen.core.forms import LoginForm, PasswordResetForm
from willkommen.core.services import password_reset_request, user_end_sessions


def landing(request):
    return render(request, "willkommen/landing.html")


def privacy(request):
    return render(request, "willkommen/privacy.html")


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 "ok" while the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Every valid address gets the same answer, whether it has an account or not."""

    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        password_reset_request(
            email=form.cleaned_data["email"],
            client=client_address(self.request),
            language=get_language(),
        )
        return HttpResponseRedirect(self.get_success_url())


def locked_out(request, original_response=None, credentials=None):
    """Shown by django-axes after too many wrong passwords (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def lockout_username(request, credentials=None) -> str | None:
    """The account a login attempt is for, as django-axes counts attempts: the address as the
    login compares it (stripped, any case), so that no spelling escapes the lock."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or {}).get(field) or request.POST.get(field)
    return username.strip().lower() if username else None


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have been logged out."))
        return response


@require_POST
@login_required
def logout_everywhere(request):
    """End every session of the signed-in person: on this device and all others."""
    user_end_sessions(user=request.user)
    logout(request)
    messages.success(request, _("You have been logged out on all devices."))
    return redirect("login")


def server_error(request):
    """The 500 page, rendered without the request: its context would need the database, which
    may be what failed. Only settings fill it."""
    context = {"contact_email": settings.CONTACT_EMAIL, "imprint_url": settings.IMPRINT_URL}
    return HttpResponseServerError(render_to_string("500.html", context))
