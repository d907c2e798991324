"""Writing to mentors: to one from their page, or to those of the list (ticked, or found by
its filters), previewed in each language before it is sent. And the mentors' page to
unsubscribe, opened by the link in every message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from mentors.forms.filters import MentorFilterForm
from mentors.forms.messages import MentorSelectionForm, MessageForm, UnsubscribeForm
from mentors.messages import message_recipients
from mentors.models import BY_NAME, Mentor
from mentors.selectors import mentors_for_list
from mentors.services import (
    mentor_for_unsubscribe,
    mentor_unsubscribe,
    mentors_message,
    message_preview,
)
from willkommen.core.forms import add_service_errors
from willkommen.core.roles import coordinator_required

# How many recipients the page names; the count covers all.
PREVIEW_NAMES = 20


def mentors_selected(request) -> QuerySet:
    """The mentors ticked in the list (`?mentor=1&mentor=2`), none without `mentor`; 404 for a
    selection that names a mentor who is not there (a stale or crafted address)."""
    if "mentor" not in request.GET:
        return Mentor.objects.none()
    selection = MentorSelectionForm(request.GET)
    if not selection.is_valid():
        raise Http404
    return Mentor.objects.filter(pk__in=[mentor.pk for mentor in selection.cleaned_data["mentor"]])


@coordinator_required
def mentor_message(request, pk):
    """Write to one mentor, from the mentor's page."""
    mentor = get_object_or_404(Mentor.objects.confirmed(), pk=pk)
    return _compose(
        request, Mentor.objects.filter(pk=mentor.pk), back=mentor.get_absolute_url(), mentor=mentor
    )


@coordinator_required
def mentors_message_compose(request):
    """Write to mentors of the list: those ticked (`mentor`), or else every mentor its filters
    find (the list's own query string)."""
    query = request.GET.urlencode()
    back = reverse("mentors:list") + (f"?{query}" if query else "")
    if "mentor" in request.GET:
        return _compose(request, mentors_selected(request), back=reverse("mentors:list"))
    form = MentorFilterForm(request.GET)
    return _compose(request, mentors_for_list(filters=form.filters()), back=back)


def _compose(request, mentors: QuerySet, *, back: str, mentor: Mentor | None = None):
    recipients = message_recipients(mentors)
    reach = recipients.count()
    form = MessageForm(request.POST if request.method == "POST" else None)
    previews = []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        message = {"template": data["template"], "subject": data["subject"], "text": data["text"]}
        action = data["action"]
        if action == MessageForm.SEND and data["expected"] != reach:
            messages.warning(
                request,
                _(
                    "The mentors chosen have changed meanwhile: the message now reaches "
                    "%(count)s. Please look at it again and send it."
                )
                % {"count": reach},
            )
            action = MessageForm.PREVIEW
        if action == MessageForm.SEND:
            try:
                sent = mentors_message(mentors=mentors, by=request.user, **message)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _sent_message(sent.sent, sent.left_out))
                return redirect(back)
        elif action == MessageForm.PREVIEW:
            try:
                previews = _previews(recipients, message)
            except ValidationError as error:
                add_service_errors(form, error)
    languages = recipients.order_by().values("language").annotate(count=Count("pk"))
    return render(
        request,
        "mentors/message_compose.html",
        {
            "form": form,
            "mentor": mentor,
            "back": back,
            "chosen": mentors.count(),
            "reach": reach,
            "by_language": _by_language(languages),
            "names": recipients.order_by(*BY_NAME, "pk")[:PREVIEW_NAMES],
            "previews": previews,
        },
    )


def _by_language(rows) -> list[tuple[str, int]]:
    labels = dict(Mentor._meta.get_field("language").choices)
    return [(labels.get(row["language"], row["language"]), row["count"]) for row in rows]


def _previews(recipients: QuerySet, message: dict) -> list[dict]:
    """The message as it goes out, once for each language among the recipients (rendered for
    the first of them), with how many get it in that language."""
    previews = []
    for code, label in Mentor._meta.get_field("language").choices:
        speakers = recipients.filter(language=code)
        sample = speakers.order_by(*BY_NAME, "pk").first()
        if sample is None:
            continue
        subject, body = message_preview(mentor=sample, **message)
        previews.append(
            {
                "language": label,
                "count": speakers.count(),
                "sample": sample,
                "subject": subject,
                "body": body,
            }
        )
    return previews


def _sent_message(sent: int, left_out: int) -> str:
    text = ngettext(
        "The message is on its way to %(count)s mentor.",
        "The message is on its way to %(count)s mentors.",
        sent,
    ) % {"count": sent}
    if left_out:
        text += " " + ngettext(
            "%(count)s mentor was left out (left the programme, unsubscribed or withdrew consent).",
            "%(count)s mentors were left out (left the programme, unsubscribed or withdrew "
            "consent).",
            left_out,
        ) % {"count": left_out}
    return text


# --- Unsubscribing, by the link in a message -------------------------------------------------


@never_cache
@csrf_exempt  # the signed token is the credential; mail programs' one-click POST has no cookie
def unsubscribe(request, token):
    """GET asks, POST unsubscribes: mail scanners that open links must not unsubscribe
    anybody. The page names nobody but by the first name."""
    try:
        mentor = mentor_for_unsubscribe(token=token)
    except ValidationError as error:
        return render(request, "mentors/unsubscribe.html", {"error": error.messages[0]}, status=404)
    form = UnsubscribeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        mentor_unsubscribe(mentor=mentor)
        return redirect("mentors:unsubscribe", token)
    return render(
        request,
        "mentors/unsubscribe.html",
        {
            "form": form,
            "first_name": mentor.first_name,
            "unsubscribed": mentor.unsubscribed_at is not None,
        },
    )
