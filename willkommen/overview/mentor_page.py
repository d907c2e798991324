"""The mentor's whole picture: recruitment and screening (mentors), tandems (newcomers) and
seminars (seminars) on one page. Its small forms post to the mentors app's actions."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from mentors.forms.detail import NoteForm
from mentors.models import (
    ChecklistEntry,
    ChecklistItem,
    LeftReason,
    Mentor,
    MentorActivity,
    MentorLanguage,
    MentorStatus,
    certificate_valid,
    checklist_complete,
    steps_required,
)
from mentors.services import allowed_transitions
from willkommen.core.roles import coordinator_required
from willkommen.overview.models import RecordKind
from willkommen.overview.privacy.consents import person_consents

TIMELINE_LENGTH = 50


def _step_label(mentor: Mentor, status: MentorStatus) -> str:
    if mentor.status == MentorStatus.PAUSED and status == MentorStatus.READY:
        return _("Resume")  # back to what the checklist and tandems say, see the service
    if mentor.status == MentorStatus.LEFT and status == MentorStatus.CONTACTED:
        return _("Rejoin (contacted)")
    return _("Set to “%(status)s”") % {"status": status.label}


@coordinator_required
def mentor_detail(request, pk):
    mentor = get_object_or_404(
        Mentor.objects.confirmed().prefetch_related(
            Prefetch("languages", queryset=MentorLanguage.objects.order_by("pk")),
            "support_areas",
            Prefetch("checklist", queryset=ChecklistEntry.objects.select_related("recorded_by")),
            "tandems__referral",
            "invitations__event",
        ),
        pk=pk,
    )
    today = timezone.localdate()
    entries = {entry.item: entry for entry in mentor.checklist.all()}
    required = steps_required(mentor.accompanies_families)
    checklist = [
        {
            "item": item,
            "entry": entries.get(item.value),
            "required": item in required,
            "needs_renewal_date": item == ChecklistItem.POLICE_CERTIFICATE,
            "expired": item == ChecklistItem.POLICE_CERTIFICATE
            and item.value in entries
            and not certificate_valid(entries[item.value], today),
        }
        for item in ChecklistItem
    ]
    transitions = allowed_transitions(mentor)
    # One more than shown, to know whether there are more.
    timeline = list(
        MentorActivity.objects.filter(mentor=mentor).select_related("created_by")[
            : TIMELINE_LENGTH + 1
        ]
    )
    return render(
        request,
        "overview/mentor_page.html",
        {
            "mentor": mentor,
            "checklist": checklist,
            "steps_required": sum(row["required"] for row in checklist),
            "steps_done": sum(row["required"] and row["entry"] is not None for row in checklist),
            "complete": checklist_complete(
                accompanies_families=mentor.accompanies_families,
                checklist=entries.values(),
                today=today,
            ),
            "next_steps": [
                (status, _step_label(mentor, status))
                for status in transitions
                if status != MentorStatus.LEFT
            ],
            "can_leave": MentorStatus.LEFT in transitions,
            "left_reasons": LeftReason.choices,
            "seminars_attended": [
                invitation for invitation in mentor.invitations.all() if invitation.attended
            ],
            "timeline": timeline[:TIMELINE_LENGTH],
            "timeline_cut": len(timeline) > TIMELINE_LENGTH,
            "timeline_length": TIMELINE_LENGTH,
            "today": today,
            "note_form": NoteForm(),
            "consents": person_consents(RecordKind.MENTOR, mentor),
        },
    )
