"""The project's URLs plus what the security tests need that willkommen/urls.py may not have yet:
the sign-out-everywhere action, our 500 handler, and pages that fail."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from willkommen import urls
from willkommen.core import views


def failing_page(request):
    raise RuntimeError("a bug")


def unreadable_request(request):
    raise SuspiciousOperation("a request we cannot read")


urlpatterns = [
    path("konto/ueberall-abmelden/", views.logout_everywhere, name="logout_everywhere"),
    path("test-fehler/", failing_page),
    path("test-unlesbar/", unreadable_request),
    *urls.urlpatterns,
]
handler500 = "willkommen.core.views.server_error"
