from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from newcomers.models import ReferralStatus, SupportContact, Tandem, TandemStatus
from newcomers.services import ANSWER_SALT, tandem_answer_token
from tests.factories import MentorFactory, ReferralFactory, active_tandem, proposed_tandem


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def step(client, tandem, name, **data):
    return client.post(reverse("newcomers:tandem_detail", args=[tandem.pk]), {"step": name, **data})


def test_coordinator_proposes_from_the_suggestions(coordinator_client):
    referral = ReferralFactory(status="waiting", children_ages=[])
    mentor = MentorFactory(status="ready")
    url = reverse("newcomers:tandem_propose", args=[referral.pk])
    response = coordinator_client.post(url, {"mentor": mentor.pk})
    tandem = Tandem.objects.get()
    assert response["Location"] == tandem.get_absolute_url()
    again = coordinator_client.post(url, {"mentor": MentorFactory(status="ready").pk})
    assert messages_of(again)[-1] == (
        "Diese Vermittlung hat schon einen offenen Vorschlag oder ein Tandem."
    )
    assert Tandem.objects.count() == 1


def test_the_tandem_page_walks_through_the_life_cycle(coordinator_client):
    tandem = proposed_tandem()
    step(coordinator_client, tandem, "answer", accept="yes")
    past = (timezone.localtime() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    step(coordinator_client, tandem, "meeting", at=past, place="Welcome Center",
         attendees=["coordinator", "interpreter"])  # fmt: skip
    response = step(coordinator_client, tandem, "start", agreement_contents="Ämter, Deutsch",
                    frequency="wöchentlich")  # fmt: skip
    assert messages_of(response)[-1] == "Das Tandem ist aktiv. Viel Erfolg!"
    # a month later (contacts cannot be dated before the start)
    Tandem.objects.filter(pk=tandem.pk).update(started_on=timezone.localdate() - timedelta(days=30))
    for days_ago in (20, 5):
        step(coordinator_client, tandem, "contact",
             contacted_on=(timezone.localdate() - timedelta(days=days_ago)).isoformat(),
             with_whom="both", channel="phone", rating="4")  # fmt: skip
    assert tandem.contacts.count() == 2
    end = {"ended_on": timezone.localdate().isoformat(), "reason": "goals-reached",
           "closing_conversation": "on"}  # fmt: skip
    asked = step(coordinator_client, tandem, "end", **end)
    assert asked.templates[0].name == "newcomers/tandem_step_confirm.html"  # asks first
    step(coordinator_client, tandem, "end", **end, confirmed="True")
    tandem.refresh_from_db()
    tandem.referral.refresh_from_db()
    assert tandem.status == TandemStatus.ENDED
    assert tandem.referral.status == ReferralStatus.ENDED


@pytest.mark.parametrize(
    "name, data, field",
    [
        ("answer", {}, "accept"),
        ("end", {"ended_on": "2999-01-01", "reason": "other"}, "ended_on"),
        ("end", {"ended_on": "2026-01-01"}, "reason"),
    ],
)
def test_bad_input_on_the_tandem_page_is_shown_and_nothing_changes(
    coordinator_client, name, data, field
):
    tandem = proposed_tandem()
    response = step(coordinator_client, tandem, name, **data)
    assert response.status_code == 200
    assert field in response.context["forms"][name].errors
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.PROPOSED


def test_a_contact_rated_out_of_range_is_refused(coordinator_client):
    tandem = active_tandem(started_days_ago=0)
    response = step(coordinator_client, tandem, "contact", contacted_on=timezone.localdate(),
                    with_whom="mentor", channel="phone", rating="9")  # fmt: skip
    assert "rating" in response.context["forms"]["contact"].errors
    assert not SupportContact.objects.exists()


def test_the_mentor_answers_by_link_and_sees_no_contact_data(client, db):
    tandem = proposed_tandem()
    url = reverse("newcomers:tandem_answer", args=[tandem_answer_token(tandem)])
    page = client.get(url).content.decode()
    assert tandem.referral.first_name in page
    assert tandem.referral.last_name not in page
    client.post(url, {"accept": "no", "reason": "keine Zeit"})
    tandem.refresh_from_db()
    assert (tandem.status, tandem.decline_reason) == (TandemStatus.DECLINED, "keine Zeit")
    tandem.mentor.refresh_from_db()
    assert tandem.mentor.places_taken == 0
    client.post(url, {"accept": "yes"})  # a second answer changes nothing
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.DECLINED


def test_a_tampered_answer_link_is_refused(client, db):
    tandem = proposed_tandem()
    forged = signing.dumps({"tandem": tandem.pk}, salt="other") + "x"
    assert client.get(reverse("newcomers:tandem_answer", args=[forged])).status_code == 404
    assert signing.loads(tandem_answer_token(tandem), salt=ANSWER_SALT)["tandem"] == tandem.pk


def test_the_overdue_list_follows_the_contact_schedule(coordinator_client):
    fresh = active_tandem(started_days_ago=10)  # first contact due after 14 days
    no_first = active_tandem(started_days_ago=20)
    one_of_two = active_tandem(started_days_ago=40, contacts_days_ago=[30])
    monthly_ok = active_tandem(started_days_ago=90, contacts_days_ago=[80, 70, 10])
    monthly_late = active_tandem(started_days_ago=120, contacts_days_ago=[110, 100, 45])
    response = coordinator_client.get(reverse("newcomers:tandem_list") + "?ansicht=overdue")
    overdue = list(response.context["page"].object_list)
    assert overdue == [monthly_late, one_of_two, no_first]  # the longest overdue first
    assert fresh not in overdue and monthly_ok not in overdue


@pytest.mark.parametrize("count", [1, 25])
def test_tandem_list_query_count_does_not_grow(
    coordinator_client, django_assert_num_queries, count
):
    for _ in range(count):
        active_tandem(started_days_ago=40, contacts_days_ago=[30])
    with django_assert_num_queries(7):
        coordinator_client.get(reverse("newcomers:tandem_list"))
