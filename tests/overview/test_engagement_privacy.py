"""The engagement tables in data protection: each registered field is in a person's export
(Art. 15), and the free texts are emptied with the person (Art. 17, retention)."""

import pytest
from django.urls import reverse

from tests.overview.privacy_people import a_mentor_with_everything, a_referral_with_everything
from tests.overview.test_privacy_erasure import tables_containing
from willkommen.overview.engagement import engagement_anonymise
from willkommen.overview.models import CertificateRequest, CheckIn, HoursReport, RenewalReminder
from willkommen.overview.privacy.registry import all_entries, entry_for

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.overview.privacy_urls")]

ENGAGEMENT_MODELS = [HoursReport, CheckIn, RenewalReminder, CertificateRequest]


@pytest.fixture(autouse=True)
def in_english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize("kind", ["mentor", "referral"])
def test_every_engagement_field_is_in_the_export(coordinator_client, coordinator, kind):
    # both come with their engagement rows (tests/overview/privacy_people.py with_engagement)
    person, _related = (
        a_mentor_with_everything if kind == "mentor" else a_referral_with_everything
    )()
    url = reverse(f"privacy:{kind}_export", args=[person.pk, "json"])
    sections = {s["model"]: s for s in coordinator_client.get(url).json()["sections"]}
    missing = []
    for entry in all_entries():
        if not entry.model.startswith("overview.") or entry.model not in sections:
            continue
        for name in entry.fields:
            if not any(
                row.get(name) not in (None, "", []) for row in sections[entry.model]["rows"]
            ):
                missing.append(f"{entry.model}.{name}")
    assert missing == []
    expected = {"overview.CheckIn"} | (
        {"overview.HoursReport", "overview.RenewalReminder", "overview.CertificateRequest"}
        if kind == "mentor" else set()
    )  # fmt: skip
    assert expected <= set(sections)


def test_anonymising_a_mentor_empties_the_notes_of_hours_and_check_ins(coordinator):
    mentor, related = a_mentor_with_everything()
    engagement_anonymise(mentor_id=mentor.pk)
    assert tables_containing("MARK-HOURSREPORT-") == []
    assert tables_containing("MARK-CHECKIN-") == []
    assert HoursReport.objects.get().hours == 5  # the figures stay


def test_anonymising_tandems_empties_their_check_ins_notes(coordinator):
    referral, related = a_referral_with_everything()
    engagement_anonymise(tandem_ids=[related["tandem"].pk])
    assert tables_containing("MARK-CHECKIN-") == []
    assert tables_containing("MARK-HOURSREPORT-") != []  # the mentor's own stay


def test_the_registry_empties_exactly_the_free_texts():
    for model in ENGAGEMENT_MODELS:
        entry = entry_for(model)
        emptied = {name for name, spec in entry.fields.items() if spec.treatment == "emptied"}
        assert emptied == ({"note"} if model in (HoursReport, CheckIn) else set()), model
