"""The stored summaries (a mentor's checklist, a tandem's support contacts) recomputed from the
facts they summarise: every workflow, the demo and the scaled data must leave them equal."""

from django.db.models import Count, Max, Prefetch

from mentors.models import ChecklistEntry, Mentor, checklist_summary
from newcomers.models import Tandem, next_contact_due


def mentors_off_their_checklist() -> list[int]:
    mentors = Mentor._base_manager.prefetch_related(
        Prefetch("checklist", queryset=ChecklistEntry.objects.only("mentor", "item", "valid_until"))
    )
    return [
        mentor.pk
        for mentor in mentors
        if checklist_summary(mentor.checklist.all())
        != {field: getattr(mentor, field) for field in checklist_summary([])}
    ]


def tandems_off_their_contacts() -> list[int]:
    tandems = Tandem.objects.annotate(n=Count("contacts"), last=Max("contacts__contacted_on"))
    return [
        tandem.pk
        for tandem in tandems
        if (tandem.contact_count, tandem.last_contact_on, tandem.next_contact_due)
        != (
            tandem.n,
            tandem.last,
            next_contact_due(
                status=tandem.status,
                started_on=tandem.started_on,
                contact_count=tandem.n,
                last_contact_on=tandem.last,
            ),
        )
    ]
