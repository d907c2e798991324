"""Choosing any mentor for a referral: beyond the top ten, with why someone may not take it;
who declined is not suggested again; proposing from the mentor's side too."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from mentors.models import Mentor
from newcomers.matching import candidates, explain, mentors_found, suggestions
from newcomers.models import Tandem, TandemStatus
from newcomers.services import tandem_answer, tandem_propose
from tests.factories import MentorFactory, ReferralFactory, certificate_seen

NOW = timezone.now()


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def detail(referral, query=None):
    url = reverse("newcomers:referral_detail", args=[referral.pk])
    return url + (f"?q={query}" if query is not None else "")


def ready(**fields):
    return MentorFactory(**{"status": "ready", "languages": [("de", "native")], **fields})


def declined(referral, mentor, coordinator, reason="Ich ziehe im Sommer um."):
    tandem = tandem_propose(referral=referral, mentor=mentor, by=coordinator)
    return tandem_answer(tandem=tandem, accept=False, reason=reason, by=coordinator)


@pytest.fixture
def referral(db):
    return ReferralFactory(status="waiting", languages=["ar"], german_level="none",
                           children_ages=[], district="west")  # fmt: skip


def proposable(response, mentor) -> bool:
    return f'name="mentor" value="{mentor.pk}"' in response.content.decode()


# --- Who declined --------------------------------------------------------------------------


def test_a_mentor_who_declined_is_not_suggested_again_but_listed_apart(
    coordinator_client, coordinator, referral
):
    no = ready(last_name="Nein", languages=[("ar", "native")])
    other = ready(last_name="Andere")
    tandem = declined(referral, no, coordinator)
    assert [m.pk for m in suggestions(referral, now=NOW)] == [other.pk]
    assert not candidates(referral).filter(pk=no.pk).exists()

    page = coordinator_client.get(detail(referral))
    assert list(page.context["declined"]) == [tandem]
    html = page.content.decode()
    assert 'id="declined-heading"' in html
    assert "Ich ziehe im Sommer um." in html
    assert f"{timezone.localtime(tandem.answered_at):%d.%m.%Y}" in html
    assert not proposable(page, no) and proposable(page, other)


def test_a_mentor_who_declined_is_refused_when_proposed_again(
    coordinator_client, coordinator, referral
):
    no = ready(last_name="Nein")
    declined(referral, no, coordinator)
    response = coordinator_client.post(
        reverse("newcomers:tandem_propose", args=[referral.pk]), {"mentor": no.pk}
    )
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    assert len(messages_of(response)) == 2  # the service's refusal, then the reason
    assert not Tandem.objects.filter(status=TandemStatus.PROPOSED).exists()


def test_the_mentors_side_leaves_out_referrals_they_declined(coordinator_client, coordinator,
                                                             referral):  # fmt: skip
    mentor = ready()
    declined(referral, mentor, coordinator)
    page = coordinator_client.get(reverse("newcomers:mentor_suited_referrals", args=[mentor.pk]))
    assert referral not in page.context["referrals"]


# --- Anyone, found by name -----------------------------------------------------------------


def test_a_mentor_outside_the_top_ten_can_be_found_and_proposed(coordinator_client, referral):
    for _ in range(10):
        ready(languages=[("ar", "native")])  # every one of them ranks higher
    far = ready(first_name="Zora", last_name="Zimmermann", district="plieningen")
    assert far.pk not in [m.pk for m in suggestions(referral, now=NOW)]

    page = coordinator_client.get(detail(referral, "zimmer"))
    [found] = page.context["found"]
    assert found.pk == far.pk and found.hindrances == []
    assert found.score == sum(factor.points for factor in found.factors)
    assert proposable(page, far)

    response = coordinator_client.post(
        reverse("newcomers:tandem_propose", args=[referral.pk]), {"mentor": far.pk}
    )
    tandem = Tandem.objects.get(referral=referral)
    assert tandem.mentor_id == far.pk and tandem.status == TandemStatus.PROPOSED
    assert response["Location"] == tandem.get_absolute_url()


def paused(referral, coordinator):
    return MentorFactory(status="paused")


def screening(referral, coordinator):
    return MentorFactory(status="screening")


def full(referral, coordinator):
    return MentorFactory(status="active", capacity=1)


def certificate_expired(referral, coordinator):
    referral.children_ages = [6]
    referral.save()
    mentor = MentorFactory(status="active", capacity=2, preferences=["families"])
    today = timezone.localdate()
    certificate_seen(mentor, done_on=today - timedelta(days=400),
                     valid_until=today - timedelta(days=1))  # fmt: skip
    return mentor


def not_for_families(referral, coordinator):
    referral.children_ages = [6]
    referral.save()
    return ready()


def declined_before(referral, coordinator):
    mentor = ready()
    declined(referral, mentor, coordinator)
    return mentor


@pytest.mark.parametrize(
    "make",
    [paused, screening, full, certificate_expired, not_for_families, declined_before],
)
def test_who_may_not_take_it_is_shown_with_why_and_refused(
    coordinator_client, coordinator, referral, make
):
    mentor = make(referral, coordinator)
    mentor.last_name = "Quast"
    mentor.save()
    page = coordinator_client.get(detail(referral, "quast"))
    [found] = page.context["found"]
    assert len(found.hindrances) == 1, found.hindrances
    assert found.hindrances[0] in page.content.decode()
    assert not proposable(page, mentor)

    proposed_before = Tandem.objects.filter(status=TandemStatus.PROPOSED).count()
    response = coordinator_client.post(  # crafted: the page offers no button
        reverse("newcomers:tandem_propose", args=[referral.pk]), {"mentor": mentor.pk}
    )
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    said = messages_of(response)
    assert said[0] == "Diese Patin oder dieser Pate kann diese Vermittlung gerade nicht übernehmen."
    assert found.hindrances[0] in said[1]
    assert Tandem.objects.filter(status=TandemStatus.PROPOSED).count() == proposed_before


def test_hindrances_are_the_hard_conditions_in_words(coordinator, referral):
    """`hindrances` and `candidates` name the same mentors, for households with and without
    children."""
    makers = [paused, screening, full, declined_before]
    for make in makers:
        make(referral, coordinator).save()
    ready()
    ready(preferences=["families"])
    MentorFactory(status="active", capacity=2)
    for children in ([], [3]):
        referral.children_ages = children
        referral.save()
        found, _more = mentors_found(referral, "@example.org", limit=100, now=NOW)
        assert len(found) == Mentor.objects.confirmed().count()
        may = {mentor.pk for mentor in found if not mentor.hindrances}
        assert may == set(candidates(referral).values_list("pk", flat=True)), children
        assert all(mentor.may_take == (not mentor.hindrances) for mentor in found)


def test_the_search_asks_for_two_letters_and_says_when_nobody_is_found(
    coordinator_client, referral
):
    page = coordinator_client.get(detail(referral, "x"))
    assert page.context["search_form"].errors and page.context["found"] == []
    page = coordinator_client.get(detail(referral, "Niemand"))
    assert page.context["searched"] and page.context["found"] == []
    assert "Niemand" in page.content.decode()


def test_the_search_shows_a_limited_number(coordinator_client, referral):
    for number in range(22):
        ready(last_name=f"Vielmann{number:02}")
    page = coordinator_client.get(detail(referral, "vielmann"))
    assert len(page.context["found"]) == 20 and page.context["more_found"]


def test_the_search_is_not_offered_once_a_proposal_is_open(
    coordinator_client, coordinator, referral
):
    tandem_propose(referral=referral, mentor=ready(), by=coordinator)
    page = coordinator_client.get(detail(referral, "ma"))
    assert "search_form" not in page.context and page.context["suggestions"] == []


def queries_for(client, url) -> int:
    client.get(url)  # sessions and caches settle
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_referral_page_query_count_does_not_grow(coordinator_client, coordinator, referral):
    def more(count):
        for _ in range(count):
            ready(last_name="Sucher", languages=[("ar", "B2"), ("de", "native")])
            MentorFactory(last_name="Sucher", status="paused")
            declined(referral, ready(last_name="Nein"), coordinator)

    more(1)
    few = queries_for(coordinator_client, detail(referral, "sucher"))
    more(12)
    many = queries_for(coordinator_client, detail(referral, "sucher"))
    assert few == many
    assert len(coordinator_client.get(detail(referral, "sucher")).context["found"]) == 20


# --- What is missing, in words ---------------------------------------------------------------


def test_the_explanation_says_what_is_missing(referral):
    referral.weekdays, referral.times_of_day = ["mon"], ["morning"]
    referral.save()
    referral.support_areas.set(referral.support_areas.model.objects.filter(slug="jobs"))
    mentor = ready(district="plieningen", weekdays=["fri"], times_of_day=["evening"],
                   support_areas=["german"])  # fmt: skip
    [mentor] = mentors_found(referral, mentor.last_name, now=NOW)[0]
    with translation.override("en"):
        factors = explain(mentor, referral, now=NOW)
    gaps = [factor.reason for factor in factors if not factor.fits]
    assert "speaks none of the household's languages" in gaps
    assert "no day in common" in gaps and "no time of day in common" in gaps
    assert "no support area in common" in gaps
    assert "another district (Plieningen)" in gaps
    assert sum(factor.points for factor in factors) == mentor.score


def test_a_household_whose_languages_no_suggested_mentor_speaks_is_told_so(
    coordinator_client, referral
):
    ready()
    ready(languages=[("ar", "A1")])
    page = coordinator_client.get(detail(referral))
    assert page.context["languages_nobody_speaks"] == referral.language_labels
    assert 'class="alert alert-warning" role="status"' in page.content.decode()
    ready(languages=[("ar", "C1")])
    assert coordinator_client.get(detail(referral)).context["languages_nobody_speaks"] == []


# --- From the mentor's side ------------------------------------------------------------------


def test_proposing_from_the_suited_referrals_page(coordinator_client, referral):
    mentor = ready(languages=[("ar", "native")])
    page_url = reverse("newcomers:mentor_suited_referrals", args=[mentor.pk])
    propose_url = reverse("newcomers:mentor_propose", args=[mentor.pk, referral.pk])
    assert f'action="{propose_url}"' in coordinator_client.get(page_url).content.decode()

    response = coordinator_client.post(propose_url)
    assert response["Location"] == page_url
    tandem = Tandem.objects.get(referral=referral)
    assert (tandem.mentor_id, tandem.status) == (mentor.pk, TandemStatus.PROPOSED)
    assert len(messages_of(response)) == 1
    assert referral not in coordinator_client.get(page_url).context["referrals"]

    again = coordinator_client.post(propose_url)  # a second click: refused, not a 500
    assert again["Location"] == page_url
    assert messages_of(again)[0] == (
        "Diese Vermittlung hat schon einen offenen Vorschlag oder ein Tandem."
    )
    assert Tandem.objects.count() == 1


def test_proposing_an_unconfirmed_mentor_or_an_unknown_referral_is_a_404(
    coordinator_client, referral
):
    unconfirmed = ready(email_confirmed_at=None)
    mentor = ready()
    for mentor_pk, referral_pk in ((unconfirmed.pk, referral.pk), (mentor.pk, 0)):
        url = reverse("newcomers:mentor_propose", args=[mentor_pk, referral_pk])
        assert coordinator_client.post(url).status_code == 404
    assert not Tandem.objects.exists()
