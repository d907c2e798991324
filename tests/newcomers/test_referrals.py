import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from newcomers.models import Referral, ReferralActivity, ReferralStatus
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.models import SupportArea
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role


def referral_data(**changes):
    data = {
        "first_name": "Amal",
        "last_name": "Haddad",
        "phone": "",
        "email": "",
        "languages": ["ar", "fr"],
        "german_level": "none",
        "country_of_origin": "Syrien",
        "arrived_on": (timezone.localdate() - timedelta(days=60)).strftime("%Y-%m"),
        "district": "bad-cannstatt",
        "postal_code": "",
        "adults": "2",
        "children_ages": "4, 9",
        "to_accompany": "die Mutter",
        "support_areas": [SupportArea.objects.get(slug="authorities").pk],
        "description": "Termine bei der Ausländerbehörde, Kita-Platz.",
        "urgency": "normal",
        "weekdays": ["mon"],
        "interpreter_language": "ar",
        "notes_for_mentor": "",
        "consent": "on",
        "consent_on": timezone.localdate().isoformat(),
        "consent_form_kept": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_advisor_refers_a_family(advisor_client, advisor):
    response = advisor_client.post(reverse("newcomers:referral_create"), referral_data())
    referral = Referral.objects.get()
    assert response["Location"] == reverse("newcomers:my_referral", args=[referral.pk])
    assert referral.advisor == advisor
    assert referral.children_ages == [4, 9]
    assert referral.arrived_on.day == 1
    assert referral.consent_form_version == "2026-11"
    assert referral.activities.get().kind == ReferralActivity.Kind.SUBMITTED


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"consent": None}, "consent"),
        ({"support_areas": None}, "support_areas"),
        ({"languages": None}, "languages"),
        ({"children_ages": "4, neun"}, "children_ages"),
        ({"children_ages": "4, 19"}, "children_ages"),
        ({"arrived_on": "2999-01"}, "arrived_on"),
        ({"consent_on": "2999-01-01"}, "consent_on"),
        ({"adults": "0"}, "adults"),
        ({"district": "umgebung"}, "postal_code"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_bad_input_gets_a_message_and_saves_nothing(advisor_client, changes, field):
    response = advisor_client.post(reverse("newcomers:referral_create"), referral_data(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Referral.objects.exists()


def test_advisors_never_see_each_others_referrals(advisor_client, advisor):
    mine = ReferralFactory(advisor=advisor)
    theirs = ReferralFactory()
    page = advisor_client.get(reverse("newcomers:my_referrals"))
    assert list(page.context["page"].object_list) == [mine]
    for name in ("my_referral", "referral_edit"):
        assert advisor_client.get(reverse(f"newcomers:{name}", args=[theirs.pk])).status_code == 404
    for name in ("referral_answer", "referral_withdraw"):
        url = reverse(f"newcomers:{name}", args=[theirs.pk])
        assert advisor_client.post(url, {"text": "x", "confirm": "on"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ReferralStatus.RECEIVED


def test_question_answer_accept(client, advisor, coordinator, django_capture_on_commit_callbacks):
    referral = ReferralFactory(advisor=advisor)
    triage = reverse("newcomers:referral_triage", args=[referral.pk])
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(triage, {"to_status": "info-needed", "question": "Wie alt ist die Mutter?"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.INFO_NEEDED
    assert mail.outbox[0].to == [advisor.email]
    assert referral.last_name not in mail.outbox[0].body  # no personal data in the mail
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)

    client.force_login(advisor)
    page = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert "Wie alt ist die Mutter?" in page.content.decode()
    client.post(reverse("newcomers:referral_answer", args=[referral.pk]), {"text": "34 Jahre"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED

    client.force_login(coordinator)
    client.post(triage, {"to_status": "waiting"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WAITING
    kinds = list(referral.activities.values_list("kind", flat=True))
    assert kinds.count("status") == 3 and "question" in kinds and "answer" in kinds


def test_invalid_triage_is_refused(coordinator_client):
    referral = ReferralFactory()
    triage = reverse("newcomers:referral_triage", args=[referral.pk])
    coordinator_client.post(triage, {"to_status": "declined"})  # no reason
    coordinator_client.post(triage, {"to_status": "info-needed"})  # no question
    coordinator_client.post(triage, {"to_status": "matched"})  # not a triage step
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    coordinator_client.post(triage, {"to_status": "declined", "decline_reason": "other-service"})
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "other-service")


def test_withdraw_needs_confirmation(advisor_client, advisor):
    referral = ReferralFactory(advisor=advisor)
    url = reverse("newcomers:referral_withdraw", args=[referral.pk])
    advisor_client.post(url)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    advisor_client.post(url, {"confirm": "on"})
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN


def test_possible_duplicates_are_flagged(coordinator_client):
    first = ReferralFactory(first_name="Mohammed", last_name="Al-Hassan")
    second = ReferralFactory(first_name="Mohamed", last_name="Al Hassan")
    ReferralFactory(first_name="Olena", last_name="Kovalenko")
    page = coordinator_client.get(reverse("newcomers:referral_detail", args=[second.pk]))
    assert page.context["duplicates"] == [first]


def test_queue_puts_new_referrals_first_then_the_oldest(coordinator_client):
    old_waiting = ReferralFactory(status="waiting")
    new = ReferralFactory()
    Referral.objects.filter(pk=old_waiting.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    ReferralFactory(status="withdrawn")
    page = coordinator_client.get(reverse("newcomers:referral_list"))
    assert list(page.context["page"].object_list) == [new, old_waiting]


def test_queue_filters(coordinator_client):
    advisor = UserFactory()
    user_set_role(user=advisor, role=Role.ADVISOR)
    match = ReferralFactory(advisor=advisor, languages=["uk"], district="ost", urgency="urgent")
    ReferralFactory()
    url = reverse("newcomers:referral_list")
    for query in ("language=uk", "district=ost", "urgency=urgent", f"advisor={advisor.pk}",
                  f"q={match.last_name[:4]}"):  # fmt: skip
        assert match in coordinator_client.get(f"{url}?{query}").context["page"].object_list
        assert len(coordinator_client.get(f"{url}?{query}").context["page"].object_list) >= 1


@pytest.mark.parametrize("count", [1, 30])
def test_queue_query_count_does_not_grow(coordinator_client, django_assert_num_queries, count):
    ReferralFactory.create_batch(count)
    with django_assert_num_queries(10):
        assert coordinator_client.get(reverse("newcomers:referral_list")).status_code == 200
    with django_assert_num_queries(8):
        assert coordinator_client.get(reverse("newcomers:referral_export")).status_code == 200


def test_a_waiting_referral_shows_explained_suggestions(coordinator_client):
    referral = ReferralFactory(status="waiting", children_ages=[], german_level="none")
    mentor = MentorFactory(status="ready", languages=[("ar", "native")])
    page = coordinator_client.get(reverse("newcomers:referral_detail", args=[referral.pk]))
    assert page.context["suggestions"] == [mentor]
    assert "spricht Arabisch, und die Person spricht noch wenig Deutsch" in page.content.decode()
