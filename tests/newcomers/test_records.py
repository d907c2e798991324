"""Coordinators correct referrals and support contacts, and keep notes: each change goes through
a service with the checks of the original form, into the timeline and the change history."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from newcomers.models import (
    Referral,
    ReferralActivity,
    ReferralEvent,
    ReferralStatus,
    SupportContactEvent,
    TandemNote,
    TandemStatus,
)
from newcomers.services import (
    follow_up_create,
    referral_correct,
    referral_note_add,
    support_contact_record,
    support_contact_update,
    tandem_note_add,
    tandem_schedule_store,
)
from tests.factories import ReferralFactory, active_tandem, proposed_tandem
from tests.overview.privacy_people import a_referral_with_everything
from tests.summaries import tandems_off_their_contacts
from willkommen.core.models import SupportArea
from willkommen.overview.privacy.erasure import person_anonymise
from willkommen.overview.privacy.export import person_export


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def posted(form, **changes) -> dict:
    """What a browser sends for `form` unchanged (dates as its widgets write them), changed."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, datetime.date):
            value = value.strftime("%Y-%m" if name == "arrived_on" else "%Y-%m-%d")
        if value not in (None, "", [], False):
            data[name] = value
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def areas(*slugs):
    return list(SupportArea.objects.filter(slug__in=slugs))


def details(referral, **changes) -> dict:
    """The data a referral form gives the services: the referral's own, with `changes`."""
    names = ["first_name", "last_name", "phone", "email", "languages", "german_level",
             "country_of_origin", "arrived_on", "district", "postal_code", "adults",
             "children_ages", "to_accompany", "description", "urgency", "weekdays",
             "times_of_day", "interpreter_language", "preferences", "notes_for_mentor",
             "consent_on", "consent_form_kept"]  # fmt: skip
    return {**{name: getattr(referral, name) for name in names}, **changes}


# --- Correcting a referral ---------------------------------------------------------------------


def test_coordinator_adds_the_phone_number_from_the_advisors_answer(coordinator_client):
    referral = ReferralFactory(status="waiting")
    url = reverse("newcomers:referral_correct", args=[referral.pk])
    form = coordinator_client.get(url).context["form"]
    assert "consent" not in form.fields  # the consent was given to the Welcome Center

    response = coordinator_client.post(url, posted(form, phone="0711 123456"))

    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == referral.get_absolute_url()
    referral.refresh_from_db()
    assert referral.phone == "0711 123456"
    entry = referral.activities.get(kind=ReferralActivity.Kind.UPDATED)
    assert entry.text == "phone"
    assert entry.created_by.pk == int(coordinator_client.session["_auth_user_id"])
    history = ReferralEvent.objects.filter(pgh_obj=referral).order_by("pgh_id").last()
    assert history.phone == "0711 123456"
    assert history.pgh_context.metadata["user"] == entry.created_by.pk
    page = coordinator_client.get(referral.get_absolute_url()).content.decode()
    assert "0711 123456" in page and "details updated" in page


@pytest.mark.parametrize("status", ["received", "info-needed", "waiting"])
def test_an_open_referral_can_be_corrected(coordinator, status):
    referral = ReferralFactory(status=status)
    changed = referral_correct(
        referral=referral,
        data=details(referral, email="amal@example.org", adults=3),
        support_areas=areas("authorities", "german", "jobs"),
        by=coordinator,
    )
    referral.refresh_from_db()
    assert sorted(changed) == ["adults", "email", "support_areas"]
    assert (referral.email, referral.adults) == ("amal@example.org", 3)
    assert {area.slug for area in referral.support_areas.all()} == {"authorities", "german", "jobs"}


@pytest.mark.parametrize("tandem_status", ["proposed", "accepted", "active"])
def test_a_referral_with_an_open_proposal_or_tandem_can_be_corrected(coordinator, tandem_status):
    tandem = proposed_tandem()
    referral = tandem.referral
    if tandem_status != "proposed":
        type(tandem).objects.filter(pk=tandem.pk).update(status=tandem_status)
        Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.MATCHED)
        referral.refresh_from_db()
    referral_correct(
        referral=referral,
        data=details(referral, phone="0176 555"),
        support_areas=list(referral.support_areas.all()),
        by=coordinator,
    )
    referral.refresh_from_db()
    assert referral.phone == "0176 555"


@pytest.mark.parametrize("status", ["declined", "withdrawn", "ended"])
def test_a_closed_referral_is_not_corrected(coordinator_client, coordinator, status):
    referral = ReferralFactory(status=status, decline_reason="other")
    with pytest.raises(ValidationError):
        referral_correct(
            referral=referral,
            data=details(referral, phone="0176 555"),
            support_areas=list(referral.support_areas.all()),
            by=coordinator,
        )
    response = coordinator_client.get(reverse("newcomers:referral_correct", args=[referral.pk]))
    assert response["Location"] == referral.get_absolute_url()
    assert "can no longer be corrected" in messages_of(response)[-1]
    referral.refresh_from_db()
    assert referral.phone == "" and not referral.activities.exists()
    page = coordinator_client.get(referral.get_absolute_url())
    assert reverse("newcomers:referral_correct", args=[referral.pk]) not in page.content.decode()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"support_areas": []}, "support_areas"),
        ({"children_ages": [4, 19]}, "children_ages"),
        ({"arrived_on": datetime.date(2999, 1, 1)}, "arrived_on"),
        ({"consent_on": datetime.date(2999, 1, 1)}, "consent_on"),
        ({"first_name": ""}, "first_name"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_a_correction_has_the_checks_of_the_advisors_form(coordinator, changes, field):
    referral = ReferralFactory(status="waiting")
    chosen = changes.pop("support_areas", list(referral.support_areas.all()))
    with pytest.raises(ValidationError) as refused:
        referral_correct(
            referral=referral,
            data=details(referral, **changes),
            support_areas=chosen,
            by=coordinator,
        )
    assert field in refused.value.message_dict
    assert Referral.objects.get(pk=referral.pk).first_name == referral.first_name
    assert not referral.activities.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"support_areas": None}, "support_areas"),
        ({"children_ages": "4, 19"}, "children_ages"),
        ({"arrived_on": "2999-01"}, "arrived_on"),
        ({"district": "umgebung", "postal_code": None}, "postal_code"),
        ({"first_name": None}, "first_name"),
    ],
)
def test_bad_corrections_show_the_form_again_and_save_nothing(coordinator_client, changes, field):
    referral = ReferralFactory(status="waiting")
    url = reverse("newcomers:referral_correct", args=[referral.pk])
    form = coordinator_client.get(url).context["form"]
    response = coordinator_client.post(url, posted(form, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Referral.objects.get(pk=referral.pk).district == referral.district
    assert not referral.activities.exists()


def test_a_correction_that_changes_nothing_records_nothing(coordinator_client):
    referral = ReferralFactory(status="waiting")
    url = reverse("newcomers:referral_correct", args=[referral.pk])
    before = ReferralEvent.objects.filter(pgh_obj=referral).count()
    response = coordinator_client.post(url, posted(coordinator_client.get(url).context["form"]))
    assert messages_of(response) == ["Nothing was changed."]
    assert not referral.activities.exists()
    assert ReferralEvent.objects.filter(pgh_obj=referral).count() == before


def test_the_advisors_correction_notes_what_changed(advisor_client, advisor):
    referral = ReferralFactory(advisor=advisor, status="info-needed")
    url = reverse("newcomers:referral_edit", args=[referral.pk])
    form = advisor_client.get(url).context["form"]
    response = advisor_client.post(url, posted(form, email="neu@example.org", consent="on"))
    assert response.status_code == 302
    assert referral.activities.get().text == "email address"


@pytest.mark.parametrize("status", ["waiting", "matched", "declined"])
def test_the_advisors_edit_page_does_not_open_once_taken_on(advisor_client, advisor, status):
    referral = ReferralFactory(advisor=advisor, status=status, decline_reason="other")
    url = reverse("newcomers:referral_edit", args=[referral.pk])
    for response in (advisor_client.get(url), advisor_client.post(url, {"first_name": "X"})):
        assert response.status_code == 302
        assert response["Location"] == reverse("newcomers:my_referral", args=[referral.pk])
        assert "can no longer be changed here" in messages_of(response)[-1]
    assert Referral.objects.get(pk=referral.pk).first_name == referral.first_name
    page = advisor_client.get(reverse("newcomers:my_referral", args=[referral.pk]))
    assert url not in page.content.decode()


# --- Correcting a support contact --------------------------------------------------------------


def a_contact(coordinator, days_ago=10):
    tandem = active_tandem(started_days_ago=40)
    contact = support_contact_record(
        tandem=tandem, by=coordinator,
        contacted_on=timezone.localdate() - timedelta(days=days_ago),
        with_whom="mentor", channel="phone", rating=3, early_check=False, concern=False, notes="",
    )  # fmt: skip
    return tandem, contact


def corrected(contact, **changes) -> dict:
    names = ["contacted_on", "with_whom", "channel", "rating", "early_check", "concern", "notes"]
    return {**{name: getattr(contact, name) for name in names}, **changes}


def test_a_corrected_contact_date_moves_the_next_contact_due(coordinator):
    tandem, contact = a_contact(coordinator, days_ago=10)
    support_contact_record(
        tandem=tandem, by=coordinator, contacted_on=timezone.localdate() - timedelta(days=20),
        with_whom="both", channel="meeting", rating=4,
    )  # fmt: skip
    tandem.refresh_from_db()
    due_before = tandem.next_contact_due

    support_contact_update(
        contact=contact,
        by=coordinator,
        data=corrected(contact, contacted_on=timezone.localdate() - timedelta(days=2), rating=5),
    )

    tandem.refresh_from_db()
    contact.refresh_from_db()
    assert (contact.rating, tandem.last_contact_on) == (5, contact.contacted_on)
    assert tandem.next_contact_due == due_before + timedelta(days=8)
    assert tandems_off_their_contacts() == []
    # the history keeps what the contact said before
    ratings = list(
        SupportContactEvent.objects.filter(pgh_obj=contact)
        .order_by("pgh_id")
        .values_list("rating", flat=True)
    )
    assert ratings == [3, 5]


@pytest.mark.parametrize(
    "days_ago, field",
    [(-1, "contacted_on"), (41, "contacted_on")],  # the future; before the start
)
def test_a_contact_correction_has_the_checks_of_a_new_contact(coordinator, days_ago, field):
    tandem, contact = a_contact(coordinator)
    with pytest.raises(ValidationError) as refused:
        support_contact_update(
            contact=contact,
            by=coordinator,
            data=corrected(contact, contacted_on=timezone.localdate() - timedelta(days=days_ago)),
        )
    assert field in refused.value.message_dict
    contact.refresh_from_db()
    assert contact.contacted_on == timezone.localdate() - timedelta(days=10)
    with pytest.raises(ValidationError):
        support_contact_update(contact=contact, by=coordinator, data=corrected(contact, rating=9))
    assert tandems_off_their_contacts() == []


def test_contacts_of_an_ended_tandem_are_not_corrected(coordinator_client, coordinator):
    tandem, contact = a_contact(coordinator)
    type(tandem).objects.filter(pk=tandem.pk).update(
        status="ended", ended_on=timezone.localdate(), end_reason="goals-reached"
    )
    tandem.refresh_from_db()
    tandem_schedule_store(tandem)
    with pytest.raises(ValidationError):
        support_contact_update(contact=contact, by=coordinator, data=corrected(contact, rating=5))
    url = reverse("newcomers:support_contact_edit", args=[tandem.pk, contact.pk])
    assert coordinator_client.get(url)["Location"] == tandem.get_absolute_url()
    assert url not in coordinator_client.get(tandem.get_absolute_url()).content.decode()
    assert tandems_off_their_contacts() == []


def test_coordinator_corrects_a_contact_on_its_page(coordinator_client, coordinator):
    tandem, contact = a_contact(coordinator)
    url = reverse("newcomers:support_contact_edit", args=[tandem.pk, contact.pk])
    assert url in coordinator_client.get(tandem.get_absolute_url()).content.decode()
    data = {"contacted_on": contact.contacted_on.isoformat(), "with_whom": "both",
            "channel": "video", "rating": "2", "concern": "on", "notes": "Sorgen"}  # fmt: skip
    response = coordinator_client.post(url, data)
    assert response["Location"] == tandem.get_absolute_url()
    contact.refresh_from_db()
    assert (contact.channel, contact.rating, contact.concern) == ("video", 2, True)
    bad = coordinator_client.post(url, {**data, "contacted_on": "2999-01-01", "rating": "5"})
    assert bad.status_code == 200 and "contacted_on" in bad.context["form"].errors
    contact.refresh_from_db()
    assert contact.rating == 2
    assert tandems_off_their_contacts() == []


def test_a_contact_of_another_tandem_is_not_found(coordinator_client, coordinator):
    tandem, contact = a_contact(coordinator)
    other = proposed_tandem()
    url = reverse("newcomers:support_contact_edit", args=[other.pk, contact.pk])
    assert coordinator_client.get(url).status_code == 404


# --- Notes -------------------------------------------------------------------------------------


def test_notes_on_a_referral_are_in_its_timeline_newest_first(client, coordinator, advisor):
    referral = ReferralFactory(advisor=advisor)
    client.force_login(coordinator)
    url = reverse("newcomers:referral_note", args=[referral.pk])
    client.post(url, {"note-text": "Beraterin angerufen."})
    client.post(url, {"note-text": "  Rückruf morgen.  "})
    timeline = client.get(referral.get_absolute_url()).context["timeline"]
    assert [(entry.kind, entry.text) for entry in timeline][:2] == [
        ("note", "Rückruf morgen."),
        ("note", "Beraterin angerufen."),
    ]
    assert timeline[0].created_by == coordinator
    client.force_login(advisor)  # the notes are the coordinators'
    page = client.get(reverse("newcomers:my_referral", args=[referral.pk])).content.decode()
    assert "Rückruf morgen." not in page


def test_an_empty_note_is_refused_with_a_message(coordinator_client, coordinator):
    referral = ReferralFactory()
    tandem = proposed_tandem()
    for url in (
        reverse("newcomers:referral_note", args=[referral.pk]),
        reverse("newcomers:tandem_note", args=[tandem.pk]),
    ):
        response = coordinator_client.post(url, {"note-text": "   "})
        assert response.status_code == 302
        assert messages_of(response)[-1].startswith("Note:")
    assert not ReferralActivity.objects.exists() and not TandemNote.objects.exists()
    with pytest.raises(ValidationError):
        referral_note_add(referral=referral, text=" ", by=coordinator)
    with pytest.raises(ValidationError):
        tandem_note_add(tandem=tandem, text="\n", by=coordinator)


def test_notes_on_a_tandem_are_shown_newest_first(coordinator_client, coordinator):
    tandem = proposed_tandem()
    url = reverse("newcomers:tandem_note", args=[tandem.pk])
    for text in ("Erstes Treffen vorbereitet.", "Patin ruft zurück."):
        response = coordinator_client.post(url, {"note-text": text})
        assert response["Location"] == tandem.get_absolute_url()
    page = coordinator_client.get(tandem.get_absolute_url())
    assert [note.text for note in page.context["notes"]] == [
        "Patin ruft zurück.",
        "Erstes Treffen vorbereitet.",
    ]
    html = page.content.decode()
    assert html.index("Patin ruft zurück.") < html.index("Erstes Treffen vorbereitet.")


# --- Data protection ---------------------------------------------------------------------------


def with_notes_and_follow_ups(referral, tandem, coordinator):
    referral_note_add(referral=referral, text="MARK-NOTE-REFERRAL", by=coordinator)
    tandem_note_add(tandem=tandem, text="MARK-NOTE-TANDEM", by=coordinator)
    today = timezone.localdate()
    for about in ({"referral": referral}, {"tandem": tandem}):
        follow_up_create(due_on=today, text="MARK-FOLLOW-UP", by=coordinator, **about)


def test_the_export_holds_the_notes_and_follow_ups(coordinator):
    referral, related = a_referral_with_everything()
    with_notes_and_follow_ups(referral, related["tandem"], coordinator)
    sections = {s["model"]: s for s in person_export("referral", referral)["sections"]}
    # one each came with the person's ended tandem (tests/overview/privacy_people.py)
    assert len(sections["newcomers.FollowUp"]["rows"]) == 2 + 1
    assert len(sections["newcomers.TandemNote"]["rows"]) == 1 + 1
    assert "newcomers.SupportContactEvent" in sections


def test_erasure_empties_notes_follow_ups_and_the_contacts_history(coordinator):
    referral, related = a_referral_with_everything()
    tandem = related["tandem"]
    with_notes_and_follow_ups(referral, tandem, coordinator)
    assert SupportContactEvent.objects.filter(tandem=tandem, notes__startswith="MARK").exists()

    person_anonymise(kind="referral", person=referral, reason="request", by=coordinator)

    assert not ReferralActivity.objects.filter(text__startswith="MARK").exists()
    assert not TandemNote.objects.exclude(text="").exists()
    assert not type(tandem).objects.get(pk=tandem.pk).follow_ups.exclude(text="").exists()
    assert not referral.follow_ups.exclude(text="").exists()
    assert not SupportContactEvent.objects.filter(notes__startswith="MARK").exists()
    assert tandem.status == TandemStatus.ENDED
