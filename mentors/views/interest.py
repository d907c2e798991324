"""The public side: the interest form, its thank-you page and the confirmation link.

No login anywhere here. Whatever happens, a visitor never learns whether an address is
already known, nor which spam check turned a submission away (only a page left open for hours
comes back, so that a person can send it again).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mentors.forms.interest import InterestForm, language_formset
from mentors.services import (
    ConfirmationExpired,
    ConfirmationInvalid,
    InterestThrottled,
    mentor_apply_throttled,
    mentor_confirm_email,
    mentor_for_confirmation,
    submission_reject,
)
from willkommen.core.clients import client_address
from willkommen.core.forms import add_service_errors

FORM_TEMPLATE = "mentors/interest_form.html"


@never_cache
@require_http_methods(["GET", "POST"])
def interest_form(request):
    if request.method == "GET":
        context = {"form": InterestForm(), "languages": language_formset()}
        return render(request, FORM_TEMPLATE, context)

    form = InterestForm(request.POST)
    languages = language_formset(request.POST)
    context = {"form": form, "languages": languages}
    # Validate both before deciding, so the summary lists every problem at once. A form with
    # mistakes always comes back with them, however fast it was sent: a person who pressed
    # Enter too early must see what is missing.
    if not all([form.is_valid(), languages.is_valid()]):
        return render(request, FORM_TEMPLATE, context)
    spam = form.spam_reason()
    if spam == "expired":
        # Open for hours, or an old page sent again: a person gets it back to send once more.
        submission_reject(reason=spam)
        form.renew_started()
        return render(request, FORM_TEMPLATE, {**context, "expired": True})
    if spam:
        # A bot gets the page a person would get, so it learns nothing; we keep only a count.
        submission_reject(reason=spam)
        return redirect("mentors:interest_thanks")
    try:
        mentor_apply_throttled(
            client=client_address(request),
            data=form.application_data(),
            languages=languages.chosen(),
            support_areas=form.cleaned_data["support_areas"],
            language=get_language(),
        )
    except InterestThrottled:
        submission_reject(reason="throttled")
        return render(request, FORM_TEMPLATE, {**context, "throttled": True}, status=429)
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, FORM_TEMPLATE, context)
    return redirect("mentors:interest_thanks")


def interest_thanks(request):
    return render(
        request, "mentors/interest_thanks.html", {"days": settings.MENTOR_CONFIRMATION_DAYS}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email(request, token):
    """GET shows a button, POST confirms: mail scanners that open links must not confirm."""
    if request.method == "POST":
        try:
            mentor_confirm_email(token=token)  # the thank-you goes in the mentor's language
        except ConfirmationExpired:
            return _expired(request)
        except ConfirmationInvalid:
            return _invalid(request)
        return render(request, "mentors/confirm_done.html")

    # Say at once when a link can no longer work, rather than after the click.
    state = _link_state(token)
    if state == "expired":
        return _expired(request)
    if state == "invalid":
        return _invalid(request)
    if state == "confirmed":
        return render(request, "mentors/confirm_done.html")
    return render(request, "mentors/confirm_email.html")


def _expired(request):
    return render(
        request,
        "mentors/confirm_expired.html",
        {"days": settings.MENTOR_CONFIRMATION_DAYS},
        status=410,
    )


def _invalid(request):
    return render(request, "mentors/confirm_invalid.html", status=404)


def _link_state(token: str) -> str:
    """ "open", "confirmed", "expired" or "invalid" — read only; the POST confirms."""
    try:
        mentor = mentor_for_confirmation(token=token)
    except ConfirmationExpired:
        return "expired"
    except ConfirmationInvalid:
        return "invalid"
    return "open" if mentor.email_confirmed_at is None else "confirmed"
