"""The record of processing activities (Art. 30 GDPR), generated from the registry.

`manage.py privacy_register` writes it as Markdown; the coordinators' page shows the same.
Generated each time, it cannot go stale.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst

from willkommen.overview.privacy.registry import (
    NOT_PERSONAL_MODELS,
    RETENTION_SETTINGS,
    all_entries,
    retention_text,
)


def _field_label(model, name, spec):
    return capfirst(str(spec.label or model._meta.get_field(name).verbose_name))


def register_data() -> dict:
    activities, without = [], []
    for entry in all_entries():
        model = entry.model_class
        if not entry.fields:
            without.append(
                {
                    "model": entry.model,
                    "title": capfirst(entry.heading),
                    "reasons": sorted({str(why) for why in entry.not_personal.values()}),
                }
            )
            continue
        activities.append(
            {
                "model": entry.model,
                "title": capfirst(entry.heading),
                "subjects": ", ".join(str(subject.label) for subject in entry.subjects),
                "purpose": entry.purpose,
                "legal_basis": entry.legal_basis,
                "recipients": entry.recipients,
                "retention": retention_text(entry),
                "fields": [
                    {
                        "name": name,
                        "label": _field_label(model, name, spec),
                        "category": spec.category.label,
                        "treatment": spec.treatment.label,
                        "note": spec.note,
                    }
                    for name, spec in entry.fields.items()
                ],
            }
        )
    for label, why in NOT_PERSONAL_MODELS.items():
        without.append({"model": label, "title": label, "reasons": [str(why)]})
    return {
        "activities": activities,
        "without": without,
        "settings": [(name, getattr(settings, name)) for name in RETENTION_SETTINGS],
        "contact_email": settings.CONTACT_EMAIL,
        "imprint_url": settings.IMPRINT_URL,
        "generated_at": timezone.localtime(),
    }


def register_markdown() -> str:
    return render_to_string("overview/privacy/register_markdown.txt", register_data())
