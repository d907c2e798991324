"""Art. 17: a person's data are anonymised on request, everywhere; a record that it happened
stays; an open tandem blocks it, with the reason shown."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from mentors.models import Mentor, MentorEvent, MentorLanguage
from newcomers.models import Referral, ReferralEvent, Tandem
from tests.factories import MentorFactory, ReferralFactory, proposed_tandem
from tests.overview.privacy_people import a_mentor_with_everything, a_referral_with_everything
from willkommen.core.models import QueuedMail
from willkommen.overview.models import ErasureRecord
from willkommen.overview.privacy.erasure import person_anonymise

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.overview.privacy_urls")]


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


def tables_containing(text: str) -> list[str]:
    """Every table of the database with a row that contains `text` anywhere."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        for (table,) in cursor.fetchall():
            # table names come from the catalogue, the text is a parameter
            query = f'SELECT 1 FROM "{table}" t WHERE t::text ILIKE %s LIMIT 1'  # noqa: S608
            cursor.execute(query, [f"%{text}%"])
            if cursor.fetchone():
                found.append(table)
    return sorted(found)


def admin_log_for(obj, user):
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj),
        action_flag=CHANGE,
        change_message=f"changed {obj}",
    )


MENTOR_TRACES = [
    "MARK-MENTOR-",
    "MARK-ACTIVITY-",
    "MARK-MENTORFOLLOWUP-",
    "MARK-HOURSREPORT-",
    "MARK-CHECKIN-",
    "MARK-MAIL-",
    "mark-mentor-email",
    "0711 4711 0815",
    "71034",
]
REFERRAL_TRACES = [
    "MARK-REFERRAL-",
    "MARK-REFERRALACTIVITY-",
    "MARK-TANDEM-",
    "MARK-CONTACT-",
    "MARK-TANDEMNOTE-",
    "MARK-CHECKIN-",
    "MARK-FOLLOWUP-",
    "mark-referral-email",
    "0176 999 000",
    "70176",
]


def test_erasure_leaves_no_trace_of_a_mentor_anywhere_in_the_database(coordinator):
    mentor, _related = a_mentor_with_everything()
    admin_log_for(mentor, coordinator)
    assert all(tables_containing(trace) for trace in MENTOR_TRACES)  # the test sees them

    person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)

    assert {trace: tables_containing(trace) for trace in MENTOR_TRACES} == {
        trace: [] for trace in MENTOR_TRACES
    }


def test_erasure_leaves_no_trace_of_a_newcomer_anywhere_in_the_database(coordinator):
    referral, related = a_referral_with_everything()
    admin_log_for(referral, coordinator)
    admin_log_for(related["tandem"], coordinator)
    traces = [*REFERRAL_TRACES, referral.first_name]
    assert all(tables_containing(trace) for trace in traces)

    person_anonymise(kind="referral", person=referral, reason="request", by=coordinator)

    assert {trace: tables_containing(trace) for trace in traces} == {trace: [] for trace in traces}
    assert ErasureRecord.objects.filter(kind="tandem", object_id=related["tandem"].pk).exists()


def test_erasure_keeps_what_the_reports_count(coordinator):
    mentor, _related = a_mentor_with_everything()
    before = Mentor.objects.get(pk=mentor.pk)
    languages = list(MentorLanguage.objects.filter(mentor=mentor).values_list("language", "level"))

    person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)

    after = Mentor.objects.get(pk=mentor.pk)
    for field in (
        "district",
        "created_at",
        "email_confirmed_at",
        "stage",
        "left_reason",
        "consent_at",
        "consent_version",
        "hours_per_month",
        "preferences",
    ):
        assert getattr(after, field) == getattr(before, field), field
    assert list(after.support_areas.all()) == list(before.support_areas.all())
    assert list(MentorLanguage.objects.filter(mentor=mentor).values_list("language", "level")) == (
        languages
    )
    assert (after.first_name, after.phone, after.postal_code) == ("anonymisiert", "", "00000")
    assert after.email == f"anonymisiert-{mentor.pk}@example.invalid"


def test_erasure_of_a_newcomer_keeps_the_year_of_arrival_and_the_figures(coordinator):
    referral, _related = a_referral_with_everything()
    person_anonymise(kind="referral", person=referral, reason="request", by=coordinator)
    after = Referral.objects.get(pk=referral.pk)
    assert after.arrived_on.isoformat() == "2025-01-01"
    assert (after.languages, after.district, after.adults) == (["ar", "en"], "west", 2)
    assert (after.children_ages, after.country_of_origin, after.email) == ([], "", "")
    assert all(
        row.first_name == "anonymisiert" for row in ReferralEvent.objects.filter(pgh_obj=referral)
    )


def test_erasure_record_says_when_who_which_kind_and_why_but_not_what(coordinator):
    mentor = MentorFactory()
    record = person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)
    assert (record.kind, record.object_id, record.reason, record.by) == (
        "mentor",
        mentor.pk,
        "request",
        coordinator,
    )
    stored = " ".join(
        str(value) for value in ErasureRecord.objects.values().get(pk=record.pk).values()
    )
    assert mentor.last_name not in stored and mentor.email not in stored


def test_erasure_of_a_mentor_in_the_pool_ends_the_participation(coordinator):
    mentor = MentorFactory(status="ready")
    person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)
    assert Mentor.objects.get(pk=mentor.pk).status == "left"
    assert not Mentor.objects.matchable().filter(pk=mentor.pk).exists()


def test_erasure_of_an_open_referral_declines_it_and_tells_the_advisor(
    coordinator, mailoutbox, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(status="waiting")
    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(kind="referral", person=referral, reason="request", by=coordinator)
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "no-consent")
    assert [mail.to for mail in mailoutbox] == [[referral.advisor.email]]


def test_erasure_deletes_mails_to_the_mentor(coordinator):
    mentor = MentorFactory()
    QueuedMail.objects.create(to=mentor.email.upper(), subject="Einladung", body="Hallo")
    other = QueuedMail.objects.create(to="someone@example.org", subject="Einladung", body="Hallo")
    person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)
    assert list(QueuedMail.objects.all()) == [other]


@pytest.mark.parametrize("kind", ["mentor", "referral"])
def test_erasure_is_refused_while_the_person_is_in_an_open_tandem(coordinator, kind):
    tandem = proposed_tandem()
    person = tandem.mentor if kind == "mentor" else tandem.referral
    with pytest.raises(ValidationError, match="open proposal or tandem"):
        person_anonymise(kind=kind, person=person, reason="request", by=coordinator)
    assert type(person).objects.get(pk=person.pk).first_name == person.first_name
    assert not ErasureRecord.objects.exists()


def test_erasure_page_shows_why_it_is_refused(coordinator_client):
    tandem = proposed_tandem()
    url = reverse("privacy:mentor_erase", args=[tandem.mentor.pk])
    response = coordinator_client.get(url)
    assert "open proposal or tandem" in response.content.decode()
    assert 'name="confirm"' not in response.content.decode()
    response = coordinator_client.post(url, {"reason": "request", "confirm": "on"})
    assert Mentor.objects.get(pk=tandem.mentor.pk).first_name == tandem.mentor.first_name


def test_erasure_page_needs_a_reason_and_a_confirmation(coordinator_client):
    mentor = MentorFactory()
    url = reverse("privacy:mentor_erase", args=[mentor.pk])
    response = coordinator_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"reason", "confirm"}
    assert Mentor.objects.get(pk=mentor.pk).first_name == mentor.first_name
    assert not ErasureRecord.objects.exists()


def test_erasure_page_erases_after_confirmation(coordinator_client, coordinator):
    referral, _related = a_referral_with_everything()
    url = reverse("privacy:referral_erase", args=[referral.pk])
    response = coordinator_client.post(url, {"reason": "consent-withdrawn", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy:referral", args=[referral.pk])
    assert Referral.objects.get(pk=referral.pk).last_name == "anonymisiert"
    record = ErasureRecord.objects.get(kind="referral")
    assert (record.by, record.reason) == (coordinator, "consent-withdrawn")
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "were anonymised on" in page


def test_erasure_twice_is_refused(coordinator):
    mentor = MentorFactory()
    person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)
    with pytest.raises(ValidationError, match="were anonymised on"):
        person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)


def test_history_after_erasure_holds_only_anonymised_copies(coordinator):
    mentor = MentorFactory()
    Mentor.objects.filter(pk=mentor.pk).update(phone="0711 1")  # no history: a queryset update
    mentor.phone = "0711 2"
    mentor.save()
    person_anonymise(kind="mentor", person=mentor, reason="request", by=coordinator)
    rows = MentorEvent.objects.filter(pgh_obj=mentor)
    assert rows.count() >= 3  # created, changed, anonymised
    assert set(rows.values_list("first_name", "phone")) == {("anonymisiert", "")}


def test_a_closed_tandem_can_be_anonymised_on_its_own(coordinator):
    from willkommen.overview.privacy.erasure import tandem_retention_anonymise

    referral, related = a_referral_with_everything()
    tandem_retention_anonymise(tandem=related["tandem"])
    tandem = Tandem.objects.get(pk=related["tandem"].pk)
    assert (tandem.end_note, tandem.agreement_contents, tandem.end_reason) == (
        "",
        "",
        "goals-reached",
    )
    assert tables_containing("MARK-TANDEM-") == []
    assert tables_containing("MARK-REFERRAL-")  # the newcomer's own data wait for theirs
