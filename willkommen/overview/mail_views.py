"""Mails that have not reached their recipients, for the coordinators.

The worker (willkommen/core/mail.py) retries a failing mail for about a day and then gives it
up; this page lists those mails, the ones still being retried and the ones no worker picked up,
so that nobody relies on a mail that never arrived.
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from willkommen.core.models import QueuedMail
from willkommen.core.roles import coordinator_required


@coordinator_required
def mail_failed(request):
    mails = QueuedMail.objects.undelivered().order_by("-created_at", "-pk")
    page = Paginator(mails, 50).get_page(request.GET.get("page"))
    rows = [{"mail": mail, "status": _status(mail)} for mail in page.object_list]
    return render(request, "overview/mail_failed.html", {"page": page, "rows": rows})


def _status(mail: QueuedMail) -> str:
    if mail.given_up:
        return _("Given up after %(attempts)s attempts.") % {"attempts": mail.attempts}
    if mail.attempts:
        when = date_format(timezone.localtime(mail.next_attempt_at), "SHORT_DATETIME_FORMAT")
        return _("Attempt %(attempts)s failed; next attempt on %(when)s.") % {
            "attempts": mail.attempts,
            "when": when,
        }
    return _("Not tried yet: the mail service does not seem to run. Please tell IT.")
