"""Coordinators add, rename, reorder, retire and restore support areas; retired areas stay on the
records that have them but are offered for no new choice."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from mentors.forms.detail import MentorForm
from mentors.forms.interest import InterestForm
from newcomers.forms import AgreementForm, ReferralForm
from tests.factories import MentorFactory, ReferralFactory, proposed_tandem
from willkommen.core.models import SupportArea
from willkommen.core.reference_data import SUPPORT_AREAS, create_support_areas
from willkommen.core.services import (
    support_area_create,
    support_area_restore,
    support_area_retire,
    support_area_update,
)

LIST = reverse("support_areas:list")
NAME_TAKEN = "There is already a support area with this name."
NAME_RETIRED = (
    "There is already a support area with this name that is no longer offered. "
    "Offer that one again instead."
)
LAST_ONE = "This is the last support area still offered. Add or offer another one first."

pytestmark = pytest.mark.django_db


def area(slug) -> SupportArea:
    return SupportArea.objects.get(slug=slug)


def offered_in(form, field="support_areas") -> set[str]:
    return {choice.slug for choice in form.fields[field].queryset}


# --- Services ----------------------------------------------------------------------------------


def test_create_makes_a_slug_from_the_german_name_and_comes_last(coordinator):
    last = max(SupportArea.objects.values_list("position", flat=True))
    created = support_area_create(
        name="  Behördenbriefe   verstehen ", name_en="Understanding official letters",
        by=coordinator,
    )  # fmt: skip
    created.refresh_from_db()
    assert created.slug == "behoerdenbriefe-verstehen"
    assert created.name == "Behördenbriefe verstehen"
    assert created.position == last + 1
    assert created.active
    assert "behoerdenbriefe-verstehen" in offered_in(InterestForm())


def test_create_keeps_slugs_unique(coordinator):
    first = support_area_create(name="Schüle", name_en="A", by=coordinator)
    second = support_area_create(name="Schuele", name_en="B", by=coordinator)
    third = support_area_create(name="!!!", name_en="C", position=3, by=coordinator)
    assert (first.slug, second.slug, third.slug) == ("schuele", "schuele-2", "bereich")
    assert third.position == 3


@pytest.mark.parametrize(
    "names, field",
    [
        ({"name": "deutsch sprechen und ÜBEN", "name_en": "New"}, "name"),
        ({"name": "Neu", "name_en": " speaking and  practising german"}, "name_en"),
    ],
)
def test_create_refuses_a_name_taken_ignoring_case(coordinator, names, field):
    before = SupportArea.objects.count()
    with pytest.raises(ValidationError) as refused:
        support_area_create(**names, by=coordinator)
    assert refused.value.message_dict == {field: [gettext(NAME_TAKEN)]}
    assert SupportArea.objects.count() == before


def test_a_name_taken_by_a_retired_area_says_so(coordinator):
    support_area_retire(area=area("leisure"), by=coordinator)
    with pytest.raises(ValidationError) as refused:
        support_area_create(name="Freizeit und Kontakte", name_en="Leisure", by=coordinator)
    assert refused.value.message_dict == {"name": [gettext(NAME_RETIRED)]}


def test_rename_and_move_keep_the_slug_and_show_on_records(coordinator_client, coordinator):
    mentor = MentorFactory(support_areas=["jobs"])
    support_area_update(
        area=area("jobs"), name="Arbeit und Ausbildung", name_en="Work and training",
        position=0, by=coordinator,
    )  # fmt: skip
    jobs = area("jobs")
    assert (jobs.name, jobs.name_en, jobs.position) == (
        "Arbeit und Ausbildung", "Work and training", 0
    )  # fmt: skip
    assert (
        "Arbeit und Ausbildung"
        in coordinator_client.get(mentor.get_absolute_url()).content.decode()
    )


def test_rename_may_change_only_the_case_of_its_own_name(coordinator):
    support_area_update(
        area=area("jobs"), name="JOBSUCHE und Bewerbungen", name_en="Job search and applications",
        position=2, by=coordinator,
    )  # fmt: skip
    assert area("jobs").name == "JOBSUCHE und Bewerbungen"


def test_rename_refuses_another_areas_name_and_saves_nothing(coordinator):
    with pytest.raises(ValidationError) as refused:
        support_area_update(
            area=area("jobs"), name="Wohnungssuche", name_en="Finding a home",
            position=9, by=coordinator,
        )  # fmt: skip
    assert refused.value.message_dict == {
        "name": [gettext(NAME_TAKEN)], "name_en": [gettext(NAME_TAKEN)]
    }  # fmt: skip
    jobs = area("jobs")
    assert (jobs.name, jobs.position) == ("Jobsuche und Bewerbungen", 2)


def test_retired_area_stays_on_records_but_is_not_offered_for_new_choices(
    coordinator_client, coordinator
):
    mentor = MentorFactory(support_areas=["jobs", "german"])
    referral = ReferralFactory(support_areas=["jobs"])
    tandem = proposed_tandem()
    tandem.agreement_areas.set([area("jobs")])
    support_area_retire(area=area("jobs"), by=coordinator)

    assert not area("jobs").active
    assert {a.slug for a in mentor.support_areas.all()} == {"jobs", "german"}
    assert [a.slug for a in referral.support_areas.all()] == ["jobs"]
    for page in (mentor.get_absolute_url(), referral.get_absolute_url()):
        assert "Jobsuche und Bewerbungen" in coordinator_client.get(page).content.decode()
    # new choices: the public form, a new referral, a mentor or tandem without it
    assert "jobs" not in offered_in(InterestForm())
    assert "jobs" not in offered_in(ReferralForm())
    assert "jobs" not in offered_in(MentorForm(instance=MentorFactory(support_areas=["german"])))
    assert "jobs" not in offered_in(AgreementForm(instance=proposed_tandem()), "agreement_areas")
    # the records that have it keep it when they are edited
    assert "jobs" in offered_in(ReferralForm(instance=referral))
    assert "jobs" in offered_in(MentorForm(instance=mentor))
    assert "jobs" in offered_in(AgreementForm(instance=tandem), "agreement_areas")
    assert offered_in(MentorForm(instance=mentor)) - {"jobs"} == offered_in(InterestForm())


def test_a_new_referral_cannot_choose_a_retired_area(coordinator):
    support_area_retire(area=area("jobs"), by=coordinator)
    form = ReferralForm({"support_areas": [area("jobs").pk]})
    assert "support_areas" in form.errors


def test_an_edited_referral_keeps_its_retired_area(advisor_client, advisor, coordinator):
    referral = ReferralFactory(advisor=advisor, support_areas=["jobs"])
    support_area_retire(area=area("jobs"), by=coordinator)
    edit = reverse("newcomers:referral_edit", args=[referral.pk])
    form = advisor_client.get(edit).context["form"]
    data = {
        name: form[name].value() for name in form.fields if form[name].value() not in (None, "")
    }
    data.update(
        arrived_on=referral.arrived_on.strftime("%Y-%m"), children_ages="4, 9", consent="on",
        consent_on=referral.consent_on.isoformat(), description="Jetzt auch Deutsch üben.",
    )  # fmt: skip
    response = advisor_client.post(edit, data)
    assert response.status_code == 302, response.context["form"].errors
    referral.refresh_from_db()
    assert referral.description == "Jetzt auch Deutsch üben."
    assert [a.slug for a in referral.support_areas.all()] == ["jobs"]


def test_the_last_offered_area_cannot_be_retired(coordinator):
    *others, last = SupportArea.objects.all()
    for other in others:
        support_area_retire(area=other, by=coordinator)
    with pytest.raises(ValidationError) as refused:
        support_area_retire(area=last, by=coordinator)
    assert refused.value.messages == [gettext(LAST_ONE)]
    assert area(last.slug).active


def test_restore_offers_the_area_again(coordinator):
    support_area_retire(area=area("school"), by=coordinator)
    support_area_retire(area=area("school"), by=coordinator)  # twice changes nothing
    support_area_restore(area=area("school"), by=coordinator)
    assert area("school").active
    assert "school" in offered_in(InterestForm())
    assert "school" in offered_in(ReferralForm())


def test_reference_data_keeps_what_coordinators_changed(coordinator):
    support_area_update(area=area("german"), name="Deutsch", name_en="German", position=7,
                        by=coordinator)  # fmt: skip
    support_area_retire(area=area("leisure"), by=coordinator)
    create_support_areas()
    assert SupportArea.objects.count() == len(SUPPORT_AREAS)
    german = area("german")
    assert (german.name, german.name_en, german.position) == ("Deutsch", "German", 7)
    assert not area("leisure").active


def test_reference_data_does_not_clash_with_a_coordinators_area(coordinator):
    # IT deleted an area in the admin, a coordinator added one of the same name since
    area("housing").delete()
    support_area_create(name="Wohnungssuche", name_en="Housing", by=coordinator)
    create_support_areas()
    assert not SupportArea.objects.filter(slug="housing").exists()
    assert SupportArea.objects.filter(name="Wohnungssuche").count() == 1


# --- Pages -------------------------------------------------------------------------------------


def test_list_shows_each_area_with_how_many_records_have_it(coordinator_client):
    MentorFactory(support_areas=["jobs", "german"])
    MentorFactory(support_areas=["jobs"])
    ReferralFactory(support_areas=["jobs"])
    rows = {row.slug: row for row in coordinator_client.get(LIST).context["page"].object_list}
    assert (rows["jobs"].mentors, rows["jobs"].referrals) == (2, 1)
    assert (rows["german"].mentors, rows["german"].referrals) == (1, 0)
    assert (rows["housing"].mentors, rows["housing"].referrals) == (0, 0)


def test_list_shows_retired_areas_last(coordinator_client, coordinator):
    support_area_retire(area=area("authorities"), by=coordinator)
    rows = list(coordinator_client.get(LIST).context["page"].object_list)
    assert rows[-1].slug == "authorities"
    assert gettext("not offered any more") in coordinator_client.get(LIST).content.decode()


@pytest.mark.parametrize("records", [1, 25])
def test_list_query_count_does_not_grow(coordinator_client, django_assert_num_queries, records):
    for number in range(records):
        MentorFactory(support_areas=["jobs", "german"])
        ReferralFactory(support_areas=["jobs"])
        SupportArea.objects.create(slug=f"extra-{number}", name=f"Extra {number}",
                                   name_en=f"Extra {number}", position=20 + number)  # fmt: skip
    # session, user, device of the second factor, permissions (2), count, page
    with django_assert_num_queries(7):
        coordinator_client.get(LIST)


def test_pages_are_for_coordinators_only(advisor_client):
    jobs = area("jobs")
    for name, args in [("list", []), ("create", []), ("edit", [jobs.pk]),
                       ("retire", [jobs.pk])]:  # fmt: skip
        url = reverse(f"support_areas:{name}", args=args)
        assert advisor_client.get(url).status_code == 403
        assert advisor_client.post(url).status_code == 403
        assert Client().get(url)["Location"].startswith(reverse("login"))
    assert area("jobs").active


def test_add_page_adds_an_area(coordinator_client):
    response = coordinator_client.post(
        reverse("support_areas:create"),
        {"name": "Ärztinnen und Ärzte", "name_en": "Doctors", "position": "8"},
    )
    assert response.status_code == 302
    added = SupportArea.objects.get(slug="aerztinnen-und-aerzte")
    assert (added.name_en, added.position, added.active) == ("Doctors", 8, True)


def test_add_page_shows_a_taken_name_and_saves_nothing(coordinator_client):
    before = SupportArea.objects.count()
    response = coordinator_client.post(
        reverse("support_areas:create"),
        {"name": "wohnungssuche", "name_en": "Flat hunting", "position": "8"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [gettext(NAME_TAKEN)]}
    assert gettext(NAME_TAKEN) in response.content.decode()
    assert SupportArea.objects.count() == before


def test_add_page_suggests_the_next_position(coordinator_client):
    form = coordinator_client.get(reverse("support_areas:create")).context["form"]
    assert (
        form.initial["position"] == max(SupportArea.objects.values_list("position", flat=True)) + 1
    )


def test_edit_page_renames_and_reorders(coordinator_client):
    jobs = area("jobs")
    url = reverse("support_areas:edit", args=[jobs.pk])
    assert coordinator_client.get(url).context["form"].initial["name"] == jobs.name
    response = coordinator_client.post(url, {"name": "Arbeit", "name_en": "Work", "position": "0"})
    assert response.status_code == 302
    jobs.refresh_from_db()
    assert (jobs.slug, jobs.name, jobs.name_en, jobs.position) == ("jobs", "Arbeit", "Work", 0)


def test_retire_and_restore_pages(coordinator_client):
    jobs = area("jobs")
    retire = reverse("support_areas:retire", args=[jobs.pk])
    restore = reverse("support_areas:restore", args=[jobs.pk])
    assert coordinator_client.get(retire).status_code == 200
    assert coordinator_client.post(retire).status_code == 302
    assert not area("jobs").active
    assert coordinator_client.get(retire).status_code == 302  # nothing to retire
    assert coordinator_client.get(restore).status_code == 200
    assert coordinator_client.post(restore).status_code == 302
    assert area("jobs").active


def test_retire_page_refuses_the_last_area(coordinator_client, coordinator):
    *others, last = SupportArea.objects.all()
    for other in others:
        support_area_retire(area=other, by=coordinator)
    response = coordinator_client.post(reverse("support_areas:retire", args=[last.pk]))
    assert response.status_code == 200
    assert gettext(LAST_ONE) in response.content.decode()
    assert area(last.slug).active


def test_unknown_area_is_not_found(coordinator_client):
    for name in ("edit", "retire", "restore"):
        assert (
            coordinator_client.get(reverse(f"support_areas:{name}", args=[999999])).status_code
            == 404
        )


def test_navigation_names_the_page(coordinator_client):
    assert LIST in coordinator_client.get(reverse("dashboard")).content.decode()
