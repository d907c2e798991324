"""Art. 15 GDPR: everything stored about one person, as a printable page and as JSON.

Which tables and fields belong to a person comes from the registry: every entry with a path
to the person's kind contributes its rows, with every registered field, and says why the data
are kept, who sees them and for how long. The coordinator checks the print for other people's
data before handing it out (Art. 15(4)): a tandem's notes may name the other side.
"""

import json
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from willkommen.overview.models import RecordKind
from willkommen.overview.privacy.erasure import SUBJECTS
from willkommen.overview.privacy.registry import (
    all_entries,
    is_history_model,
    person_rows,
    retention_text,
)

# A history row says when it was written and what kind of change it was.
HISTORY_FIELDS = ["pgh_created_at", "pgh_label"]
HISTORY_LABELS = {
    "pgh_created_at": gettext_lazy("changed at"),
    "pgh_label": gettext_lazy("kind of change"),
}


@dataclass
class Cell:
    name: str
    label: str
    text: str  # for the page
    data: object  # for the JSON


def _choice_label(model_field, value):
    return str(dict(model_field.flatchoices).get(value, value))


def cell(model_field, value, label="") -> Cell:
    """One field's value, written for people (`text`) and for JSON (`data`) alike."""
    label = capfirst(str(label or model_field.verbose_name))
    if value is None or value == "" or value == []:
        return Cell(model_field.name, label, "", value)
    if model_field.many_to_many:
        names = [str(obj) for obj in value]
        return Cell(model_field.name, label, ", ".join(names), names)
    if isinstance(model_field, ArrayField):
        base = model_field.base_field
        items = [_choice_label(base, item) if base.choices else item for item in value]
        return Cell(model_field.name, label, ", ".join(str(item) for item in items), items)
    if model_field.choices:
        text = _choice_label(model_field, value)
        return Cell(model_field.name, label, text, text)
    if isinstance(model_field, models.DateTimeField):
        local = timezone.localtime(value)
        return Cell(
            model_field.name, label, formats.date_format(local, "d.m.Y H:i"), local.isoformat()
        )
    if isinstance(model_field, models.DateField):
        return Cell(model_field.name, label, formats.date_format(value, "d.m.Y"), value.isoformat())
    if isinstance(model_field, models.BooleanField):
        return Cell(model_field.name, label, _("yes") if value else _("no"), value)
    if isinstance(model_field, models.ForeignKey):
        return Cell(model_field.name, label, str(value), str(value))
    if isinstance(model_field, models.JSONField):
        text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)
        return Cell(model_field.name, label, text, value)
    return Cell(model_field.name, label, str(value), value)


def _row(obj, names, labels) -> list[Cell]:
    model = type(obj)
    cells = []
    for name in names:
        model_field = model._meta.get_field(name)
        value = getattr(obj, name).all() if model_field.many_to_many else getattr(obj, name)
        cells.append(cell(model_field, value, labels.get(name, "")))
    return cells


def person_export(kind: str, person) -> dict:
    """Everything about `person` (a Mentor or a Referral), section by section."""
    subject = SUBJECTS[kind]
    sections = []
    for entry in all_entries():
        if subject not in entry.paths:
            continue
        model = entry.model_class
        names = (HISTORY_FIELDS if is_history_model(model) else []) + list(entry.fields)
        relations = [
            name
            for name in names
            if model._meta.get_field(name).many_to_one or model._meta.get_field(name).one_to_one
        ]
        many = [name for name in names if model._meta.get_field(name).many_to_many]
        labels = {**HISTORY_LABELS, **{n: s.label for n, s in entry.fields.items() if s.label}}
        rows = (
            person_rows(entry, subject, person)
            .select_related(*relations)
            .prefetch_related(*many)
            .order_by("pk")
        )
        sections.append(
            {
                "model": entry.model,
                "title": capfirst(entry.heading),
                "purpose": str(entry.purpose),
                "legal_basis": str(entry.legal_basis),
                "recipients": str(entry.recipients),
                "retention": retention_text(entry),
                "rows": [_row(obj, names, labels) for obj in rows],
            }
        )
    return {
        "kind": RecordKind(kind),
        "number": person.pk,
        "generated_at": timezone.localtime(),
        "sections": sections,
    }


def export_json(export: dict) -> dict:
    """The export as plain JSON data: field names as keys, readable values."""
    return {
        "kind": export["kind"].value,
        "number": export["number"],
        "generated_at": export["generated_at"].isoformat(),
        "sections": [
            {
                **{
                    key: section[key]
                    for key in (
                        "model",
                        "title",
                        "purpose",
                        "legal_basis",
                        "recipients",
                        "retention",
                    )
                },
                "labels": {
                    c.name: c.label for c in (section["rows"][0] if section["rows"] else [])
                },
                "rows": [{c.name: c.data for c in row} for row in section["rows"]],
            }
            for section in export["sections"]
        ],
    }
