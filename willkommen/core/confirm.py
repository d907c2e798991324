"""The page that asks once more before a step that is hard to take back (retire a support area,
deactivate an organisation …): what will happen, one button, and a way back."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from willkommen.core.forms import ConfirmForm, add_service_errors


def confirm_step(
    request, *, title, explanation, button, button_style, act, done, back_url, back_label, next_url
):
    """On GET the question; on POST `act()` (one service call), then `done` as a message and on
    to `next_url`, or the service's refusal on the same page."""
    # Bound on every POST: a form without fields gets no data, yet its POST is the answer.
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            act()
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(next_url)
    context = {
        "form": form,
        "title": title,
        "explanation": explanation,
        "button": button,
        "button_style": button_style,
        "back_url": back_url,
        "back_label": back_label,
    }
    return render(request, "willkommen/confirm.html", context)
