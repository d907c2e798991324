"""Actions on mentors ticked in the mentor list: mark them contacted (mentors), write to them
(mentors' message page) or invite them to an event (seminars). Composed here, above the apps,
because one of them reaches into the seminars; the URLs are in the mentors namespace, beside
the list."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mentors.models import BY_NAME, MentorStage
from mentors.services import mentors_mark_contacted
from mentors.views.messages import mentors_selected
from seminars.services import invitations_send
from willkommen.core.forms import add_service_errors
from willkommen.core.roles import coordinator_required
from willkommen.overview.messages_forms import BulkInviteForm, MentorBulkForm


def _list_url(request) -> str:
    """The mentor list as it was (its filters come along in the action's address)."""
    query = request.GET.urlencode()
    return reverse("mentors:list") + (f"?{query}" if query else "")


@require_POST
@coordinator_required
def mentor_bulk(request):
    back = _list_url(request)
    form = MentorBulkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    mentors = form.cleaned_data["mentor"]
    action = form.cleaned_data["action"]
    if action == MentorBulkForm.CONTACTED:
        marked = mentors_mark_contacted(mentors=mentors, by=request.user)
        text = ngettext(
            "%(count)s mentor marked as contacted.",
            "%(count)s mentors marked as contacted.",
            marked,
        ) % {"count": marked}
        if unchanged := len(mentors) - marked:
            text += " " + ngettext(
                "%(count)s was no longer new and stays as before.",
                "%(count)s were no longer new and stay as before.",
                unchanged,
            ) % {"count": unchanged}
        messages.success(request, text)
        return redirect(back)
    chosen = urlencode({"mentor": sorted(mentor.pk for mentor in mentors)}, doseq=True)
    if action == MentorBulkForm.MESSAGE:
        return redirect(f"{reverse('mentors:message_segment')}?{chosen}")
    return redirect(f"{reverse('mentors:bulk_invite')}?{chosen}")


@coordinator_required
def mentor_bulk_invite(request):
    """Invite the mentors ticked (`?mentor=…`) to an upcoming event, with the seminars' own
    invitations: one mail each, in the mentor's language. Mentors who left are not invited."""
    chosen = mentors_selected(request)
    mentors = chosen.exclude(stage=MentorStage.LEFT).order_by(*BY_NAME, "pk")
    form = BulkInviteForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        event = form.cleaned_data["event"]
        try:
            invited = invitations_send(event=event, mentors=mentors)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = ngettext(
                "%(count)s invitation sent.", "%(count)s invitations sent.", invited
            ) % {"count": invited}
            if already := len(mentors) - invited:
                text += " " + ngettext(
                    "%(count)s mentor had been invited already.",
                    "%(count)s mentors had been invited already.",
                    already,
                ) % {"count": already}
            messages.success(request, text)
            return redirect(event)
    return render(
        request,
        "overview/messages_invite.html",
        {
            "form": form,
            "mentors": mentors,
            "left": chosen.count() - len(mentors),
            "back": reverse("mentors:list"),
            "no_events": not form.fields["event"].queryset.exists(),
        },
    )
