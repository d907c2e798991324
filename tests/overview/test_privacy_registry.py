"""The registry of personal data knows every field that can hold personal data."""

from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.management import call_command
from django.db import models

from willkommen.overview.privacy.registry import (
    NOT_PERSONAL_MODELS,
    REGISTRY,
    all_entries,
    entry_for,
    is_history_model,
)


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


# Kinds of field that can hold something about a person: text, addresses, dates, structured
# data, network addresses, and who (which account) did something.
CAN_HOLD_PERSONAL_DATA = (
    models.CharField,  # with EmailField, URLField, SlugField
    models.TextField,
    models.JSONField,
    ArrayField,
    models.DateField,  # with DateTimeField
    models.GenericIPAddressField,
)


def _can_hold_personal_data(field) -> bool:
    if isinstance(field, CAN_HOLD_PERSONAL_DATA):
        return True
    return field.is_relation and field.related_model is apps.get_model(settings.AUTH_USER_MODEL)


def _every_model():
    return apps.get_models(include_auto_created=True)


def test_registry_covers_every_field_that_can_hold_personal_data():
    missing = []
    for model in _every_model():
        label = model._meta.label
        if label in NOT_PERSONAL_MODELS:
            continue
        entry = entry_for(model)
        known = set(entry.fields) | set(entry.not_personal) if entry else set()
        missing += [
            f"{label}.{field.name}"
            for field in model._meta.concrete_fields
            if _can_hold_personal_data(field) and not field.primary_key and field.name not in known
        ]
    assert not missing, (
        "Register these fields in willkommen/overview/privacy/registry.py: in `fields` with "
        f"how they are anonymised, or in `not_personal` with the reason: {missing}"
    )


def test_registry_names_only_fields_that_exist():
    wrong = []
    for entry in all_entries():
        model = entry.model_class
        names = {field.name for field in model._meta.get_fields()}
        wrong += [f"{entry.model}.{name}" for name in entry.fields if name not in names]
        wrong += [f"{entry.model}.{name}" for name in entry.not_personal if name not in names]
        wrong += [
            f"{entry.model}.{name} twice" for name in set(entry.fields) & set(entry.not_personal)
        ]
    assert wrong == []


def test_registry_names_each_model_once_and_only_models_that_exist():
    labels = [entry.model for entry in REGISTRY]
    assert len(labels) == len(set(labels))
    existing = {model._meta.label for model in _every_model()}
    assert set(labels) - existing == set()
    assert set(NOT_PERSONAL_MODELS) - existing == set()


def test_every_history_model_follows_a_registered_model():
    untracked = [
        model._meta.label
        for model in _every_model()
        if is_history_model(model) and entry_for(model) is None
    ]
    assert untracked == []


def test_history_of_a_registered_model_is_anonymised_like_it():
    from mentors.models import MentorEvent

    entry = entry_for(MentorEvent)
    assert entry.history_of == "mentors.Mentor"
    assert (
        entry.fields["first_name"]
        == entry_for(apps.get_model("mentors.Mentor")).fields["first_name"]
    )
    assert "pending_application" not in entry.fields  # not in the history (excluded)


def test_register_command_lists_every_registered_field():
    out = StringIO()
    call_command("privacy_register", "--language", "en", stdout=out)
    text = out.getvalue()
    assert "Record of processing activities (Art. 30 GDPR)" in text
    for entry in all_entries():
        if entry.fields:
            assert f"`{entry.model}`" in text
            for name in entry.fields:
                assert f"(`{name}`)" in text, (entry.model, name)
    assert "RETENTION_MENTOR_MONTHS` = 24" in text


def test_register_command_writes_a_file(tmp_path):
    target = tmp_path / "verzeichnis.md"
    call_command("privacy_register", "--output", str(target), stdout=StringIO())
    assert "`mentors.Mentor`" in target.read_text()
