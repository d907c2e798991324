"""The mentor's whole picture: recruitment and screening (mentors), tandems (newcomers) and
seminars (seminars) on one page. Its small forms post to the mentors app's actions."""

from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
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
    screening_complete,
    steps_required,
)
from mentors.queues import certificate_due, certificate_note
from mentors.services import allowed_transitions
from newcomers.forms import FollowUpForm
from seminars.models import EventType, InvitationStatus
from willkommen.core.roles import coordinator_required
from willkommen.overview.engagement import mentor_engagement
from willkommen.overview.models import RecordKind
from willkommen.overview.privacy.consents import person_consents

TIMELINE_LENGTH = 50


def _step_label(mentor: Mentor, status: MentorStatus) -> str:
    if mentor.status == MentorStatus.PAUSED and status == MentorStatus.READY:
        return _("Resume")  # back to what the checklist and tandems say, see the service
    if mentor.status == MentorStatus.LEFT and status == MentorStatus.CONTACTED:
        return _("Rejoin (contacted)")
    return _("Set to “%(status)s”") % {"status": status.label}


# The decision that usually comes next in these statuses; the other decisions are secondary.
USUAL_DECISION = {
    MentorStatus.NEW: MentorStatus.CONTACTED,
    MentorStatus.CONTACTED: MentorStatus.SCREENING,
    MentorStatus.PAUSED: MentorStatus.READY,
}


def _next_step(mentor: Mentor, checklist: list[dict], transitions, invitations) -> dict | None:
    """The page's one primary action: what usually comes next for the mentor now. `kind` says
    how the page offers it: a status decision, a checklist step (its row's button), a link."""
    status = MentorStatus(mentor.status)
    decision = USUAL_DECISION.get(status)
    if decision in transitions:
        return {"kind": "decision", "to_status": decision, "label": _step_label(mentor, decision)}
    missing = next((row for row in checklist if row["required"] and row["missing"]), None)
    if missing and status not in (MentorStatus.LEFT, MentorStatus.PAUSED):
        if missing["item"] != ChecklistItem.SEMINAR:
            return {
                "kind": "checklist",
                "item": missing["item"],
                "needs_renewal_date": missing["needs_renewal_date"],
                "renewal": bool(missing["entry"]),  # a certificate seen before, now expired
            }
        # Attending an introductory seminar completes this step (see seminars.services).
        booked = next(
            (invitation for invitation in invitations
             if invitation.status == InvitationStatus.REGISTERED
             and invitation.event.type == EventType.INTRO and invitation.event.open_for_answers),
            None,
        )  # fmt: skip
        if booked:
            return {"kind": "seminar_booked", "event": booked.event}
        return {
            "kind": "link",
            "url": reverse("seminars:list") + "?type=" + EventType.INTRO,
            "label": _("Invite to an introductory seminar"),
        }
    if status in MentorStatus.matchable() and mentor.free_places:
        return {
            "kind": "link",
            "url": reverse("newcomers:mentor_suited_referrals", args=[mentor.pk]),
            "label": _("Propose for a referral"),
        }
    return None


def _leaving(mentor: Mentor, invitations) -> dict:
    """What leaving means for this mentor, for the confirming step."""
    # the retention rules of willkommen/overview/privacy/retention.py: with a tandem or without
    had_tandem = any(tandem.started_on for tandem in mentor.tandems.all())
    months = settings.RETENTION_MENTOR_MONTHS if had_tandem else settings.RETENTION_APPLICANT_MONTHS
    return {
        "retention_months": months,
        "invitations_open": [
            invitation for invitation in invitations
            if invitation.event.open_for_answers and invitation.status != InvitationStatus.DECLINED
        ],
    }  # fmt: skip


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
    due = certificate_due(mentor, today)
    checklist = []
    for item in ChecklistItem:
        entry = entries.get(item.value)
        certificate = item == ChecklistItem.POLICE_CERTIFICATE
        expired = (
            certificate and entry is not None and not certificate_valid(entry.valid_until, today)
        )
        checklist.append({
            "item": item,
            "entry": entry,
            "required": item in required,
            "missing": entry is None or expired,
            "needs_renewal_date": certificate,
            "expired": expired,
            # a certificate seen before: record the new one when it is due or has expired
            "renewable": certificate and entry is not None and (expired or due),
        })  # fmt: skip
    transitions = allowed_transitions(mentor)
    invitations = sorted(
        mentor.invitations.all(), key=lambda invitation: invitation.event.starts_at
    )
    next_step = _next_step(mentor, checklist, transitions, invitations)
    for row in checklist:
        row["primary"] = next_step is not None and next_step.get("item") == row["item"]
    decisions = [
        (status, _step_label(mentor, status))
        for status in transitions
        if status != MentorStatus.LEFT
    ]
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
            "complete": screening_complete(mentor, today),
            # every decision offered besides leaving; `next_step` may be one of them
            "next_steps": decisions,
            "next_step": next_step,
            "other_decisions": [
                (status, label)
                for status, label in decisions
                if not next_step or next_step.get("to_status") != status
            ],
            # leaving needs the tandems and proposals ended first (mentor_transition)
            "can_leave": MentorStatus.LEFT in transitions and not mentor.places_taken,
            "leaving_blocked": MentorStatus.LEFT in transitions and bool(mentor.places_taken),
            "leaving": _leaving(mentor, invitations),
            "left_reasons": LeftReason.choices,
            "certificate_note": certificate_note(mentor.certificate_valid_until, today)
            if due
            else "",
            "seminars_attended": [invitation for invitation in invitations if invitation.attended],
            "timeline": timeline[:TIMELINE_LENGTH],
            "timeline_cut": len(timeline) > TIMELINE_LENGTH,
            "timeline_length": TIMELINE_LENGTH,
            "today": today,
            "note_form": NoteForm(),
            "consents": person_consents(RecordKind.MENTOR, mentor),
            "follow_ups": mentor.follow_ups.open().select_related("created_by"),
            "follow_up_form": FollowUpForm(),
            "follow_up_add_url": reverse("newcomers:follow_up_add_mentor", args=[mentor.pk]),
            "engagement": mentor_engagement(mentor, today),
        },
    )
