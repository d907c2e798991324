"""Art. 15: the export of a person holds every registered field of every table about them, in
the print view and in the JSON alike."""

import html
import json

import pytest
from django.urls import reverse

from tests.overview.privacy_people import a_mentor_with_everything, a_referral_with_everything
from willkommen.overview.privacy.export import person_export
from willkommen.overview.privacy.registry import Subject, all_entries

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.overview.privacy_urls")]


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


PEOPLE = {
    "mentor": (a_mentor_with_everything, Subject.MENTOR, "privacy:mentor_export"),
    "referral": (a_referral_with_everything, Subject.NEWCOMER, "privacy:referral_export"),
}


def filled(value):
    return value not in (None, "", [], {})


def exports(client, kind):
    build, subject, url_name = PEOPLE[kind]
    person, _related = build()
    page = client.get(reverse(url_name, args=[person.pk, "html"]))
    data = client.get(reverse(url_name, args=[person.pk, "json"]))
    assert page.status_code == data.status_code == 200
    return subject, html.unescape(page.content.decode()), json.loads(data.content)


@pytest.mark.parametrize("kind", PEOPLE)
def test_export_holds_every_registered_field_in_both_forms(coordinator_client, kind):
    subject, page, data = exports(coordinator_client, kind)
    sections = {section["model"]: section for section in data["sections"]}
    expected = [entry for entry in all_entries() if subject in entry.paths]
    assert set(sections) == {entry.model for entry in expected}
    missing = []
    for entry in expected:
        rows = sections[entry.model]["rows"]
        for name in entry.fields:
            values = [row[name] for row in rows if filled(row.get(name))]
            if not values:
                missing.append(f"{entry.model}.{name}: not in the JSON")
        assert sections[entry.model]["title"] in page, entry.model
    assert missing == []


@pytest.mark.parametrize("kind", PEOPLE)
def test_every_value_of_the_export_is_on_the_printed_page(coordinator_client, kind):
    """The print view shows each value the JSON holds, as people read it."""
    build, subject, url_name = PEOPLE[kind]
    person, _related = build()
    page = html.unescape(
        coordinator_client.get(reverse(url_name, args=[person.pk, "html"])).content.decode()
    )
    export = person_export(kind, person)
    missing = [
        (section["model"], cell.name, cell.text)
        for section in export["sections"]
        for row in section["rows"]
        for cell in row
        if cell.text and cell.text.replace("\n", "<br>") not in page
    ]
    assert missing == []
    assert sum(len(section["rows"]) for section in export["sections"]) > 5


@pytest.mark.parametrize("kind", PEOPLE)
def test_every_free_text_about_the_person_is_in_both_exports(coordinator_client, kind):
    subject, page, data = exports(coordinator_client, kind)
    text = json.dumps(data, ensure_ascii=False)
    prefix = "MARK-MENTOR-" if kind == "mentor" else "MARK-REFERRAL-"
    markers = ["first_name", "last_name"]
    for field in markers:
        assert f"{prefix}{field.upper()}" in page
        assert f"{prefix}{field.upper()}" in text
    for marker in ("MARK-TANDEM-END_NOTE", "MARK-CONTACT-NOTES"):
        assert marker in page and marker in text
    if kind == "mentor":
        for marker in ("MARK-ACTIVITY-TEXT", "MARK-MAIL-BODY", "MARK-MENTOR-PENDING"):
            assert marker in page and marker in text
        assert "mark-mentor-email@example.org" in page
    else:
        assert "MARK-REFERRALACTIVITY-TEXT" in page and "MARK-REFERRALACTIVITY-TEXT" in text
        assert "mark-referral-email@example.org" in page


def test_export_shows_dates_and_choices_as_people_read_them(coordinator_client):
    subject, page, data = exports(coordinator_client, "referral")
    referral = next(s for s in data["sections"] if s["model"] == "newcomers.Referral")["rows"][0]
    assert referral["arrived_on"] == "2025-09-01" and "01.09.2025" in page
    assert referral["languages"] == ["Arabic", "English"] or referral["languages"] == [
        "Arabisch",
        "Englisch",
    ]


def test_json_export_is_a_download_named_after_the_record(coordinator_client):
    person, _related = a_mentor_with_everything()
    response = coordinator_client.get(reverse("privacy:mentor_export", args=[person.pk, "json"]))
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="auskunft-pate-{person.pk}-'
    )


def test_export_in_an_unknown_format_is_not_found(coordinator_client):
    person, _related = a_mentor_with_everything()
    response = coordinator_client.get(reverse("privacy:mentor_export", args=[person.pk, "pdf"]))
    assert response.status_code == 404
