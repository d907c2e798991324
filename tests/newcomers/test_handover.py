"""Handing referrals on to another advisor: one from the referral's page, all of an advisor's
from the account page, and when an advisor's account is deactivated. Afterwards only the new
advisor sees them."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from newcomers.models import Referral, ReferralActivity, ReferralStatus
from newcomers.services import advisor_deactivate, referrals_hand_over
from tests.factories import ReferralFactory, UserFactory
from willkommen.core.models import Organisation
from willkommen.core.reference_data import WELCOME_CENTER
from willkommen.core.roles import Role
from willkommen.core.services import organisation_create, user_set_role

pytestmark = pytest.mark.django_db

CLOSED = [
    {"status": ReferralStatus.DECLINED, "decline_reason": "other"},
    {"status": ReferralStatus.WITHDRAWN},
    {"status": ReferralStatus.ENDED},
]


@pytest.fixture
def caritas(coordinator):
    return organisation_create(name="Caritas Stuttgart", by=coordinator)


@pytest.fixture
def leaving(db):
    """The advisor whose referrals are handed on: of the Welcome Center."""
    return an_advisor(Organisation.objects.get(slug=WELCOME_CENTER), first_name="Lea")


@pytest.fixture
def colleague(caritas):
    """The advisor who takes them on: of a partner organisation."""
    return an_advisor(caritas, first_name="Kira")


def an_advisor(organisation=None, **fields):
    user = UserFactory(organisation=organisation, **fields)
    user_set_role(user=user, role=Role.ADVISOR)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def handed_over(referral) -> list[str]:
    kind = ReferralActivity.Kind.HANDED_OVER
    return list(referral.activities.filter(kind=kind).values_list("text", flat=True))


def in_words(advisor) -> str:
    return f"{advisor} ({advisor.organisation})"


# --- The service -------------------------------------------------------------------------------


def test_hand_over_moves_records_and_mails_once(
    leaving, colleague, coordinator, django_capture_on_commit_callbacks
):
    referrals = [ReferralFactory(advisor=leaving, last_name="Haddad") for _ in range(2)]
    matched = ReferralFactory(advisor=leaving, status=ReferralStatus.MATCHED)
    with django_capture_on_commit_callbacks(execute=True):
        count = referrals_hand_over(
            referrals=[*referrals, matched], to_advisor=colleague, by=coordinator
        )
    assert count == 3
    assert set(Referral.objects.filter(advisor=colleague)) == {*referrals, matched}
    text = gettext("from %(old)s to %(new)s") % {
        "old": in_words(leaving),
        "new": in_words(colleague),
    }
    for referral in (*referrals, matched):
        assert handed_over(referral) == [text]
        assert referral.activities.get(kind="handed-over").created_by == coordinator
    assert [message.to for message in mail.outbox] == [[colleague.email]]
    body = mail.outbox[0].body
    assert "3" in body
    assert "Haddad" not in body and referrals[0].first_name not in body  # no personal data
    assert reverse("newcomers:my_referrals") in body


def test_one_referral_mail_links_to_the_referral(
    leaving, colleague, coordinator, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(advisor=leaving)
    with django_capture_on_commit_callbacks(execute=True):
        referrals_hand_over(referrals=[referral], to_advisor=colleague, by=coordinator)
    assert reverse("newcomers:my_referral", args=[referral.pk]) in mail.outbox[0].body


@pytest.mark.parametrize("closed", CLOSED, ids=lambda fields: fields["status"])
def test_only_open_referrals_are_handed_on(leaving, colleague, coordinator, closed):
    open_one = ReferralFactory(advisor=leaving)
    closed_one = ReferralFactory(advisor=leaving, **closed)
    with pytest.raises(ValidationError):
        referrals_hand_over(referrals=[open_one, closed_one], to_advisor=colleague, by=coordinator)
    assert Referral.objects.filter(advisor=leaving).count() == 2  # nothing half done
    assert not ReferralActivity.objects.filter(kind="handed-over").exists()


def test_hand_over_needs_an_active_advisor_who_is_someone_else(leaving, coordinator, caritas):
    referral = ReferralFactory(advisor=leaving)
    gone = an_advisor(caritas, is_active=False)
    for to_advisor in (gone, coordinator, UserFactory(), leaving):
        with pytest.raises(ValidationError) as refused:
            referrals_hand_over(referrals=[referral], to_advisor=to_advisor, by=coordinator)
        assert "to_advisor" in refused.value.message_dict
    referral.refresh_from_db()
    assert referral.advisor == leaving
    assert handed_over(referral) == []
    assert mail.outbox == []


def test_hand_over_of_nothing_is_refused(colleague, coordinator):
    with pytest.raises(ValidationError):
        referrals_hand_over(referrals=[], to_advisor=colleague, by=coordinator)


def test_advisor_deactivate_without_a_colleague_changes_nothing(leaving, coordinator):
    referral = ReferralFactory(advisor=leaving)
    with pytest.raises(ValidationError):
        advisor_deactivate(advisor=leaving, to_advisor=None, by=coordinator)
    leaving.refresh_from_db()
    referral.refresh_from_db()
    assert leaving.is_active and referral.advisor == leaving


def test_advisor_deactivate_without_open_referrals_needs_no_colleague(leaving, coordinator):
    ReferralFactory(advisor=leaving, status=ReferralStatus.WITHDRAWN)
    assert advisor_deactivate(advisor=leaving, to_advisor=None, by=coordinator) == 0
    leaving.refresh_from_db()
    assert not leaving.is_active


def test_nobody_deactivates_themselves_by_handing_on(leaving, colleague):
    referral = ReferralFactory(advisor=leaving)
    with pytest.raises(ValidationError):
        advisor_deactivate(advisor=leaving, to_advisor=colleague, by=leaving)
    referral.refresh_from_db()
    assert referral.advisor == leaving
    assert handed_over(referral) == []


# --- One referral, from its page -----------------------------------------------------------------


def test_referral_page_shows_the_advisors_organisation_and_the_form(
    coordinator_client, leaving, colleague
):
    referral = ReferralFactory(advisor=leaving)
    page = coordinator_client.get(referral.get_absolute_url())
    html = page.content.decode()
    assert "Welcome Center Stuttgart" in html
    assert reverse("newcomers:referral_hand_over", args=[referral.pk]) in html
    offered = list(page.context["hand_over_form"].fields["to_advisor"].queryset)
    assert offered == [colleague]  # active advisors but the one who has it


def test_a_closed_referral_offers_no_hand_over(coordinator_client, leaving, colleague):
    referral = ReferralFactory(advisor=leaving, status=ReferralStatus.WITHDRAWN)
    assert coordinator_client.get(referral.get_absolute_url()).context["hand_over_form"] is None
    url = reverse("newcomers:referral_hand_over", args=[referral.pk])
    response = coordinator_client.post(url, {"to_advisor": colleague.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.advisor == leaving


def test_after_a_hand_over_only_the_new_advisor_sees_the_referral(
    coordinator_client, leaving, colleague, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(advisor=leaving)
    old, new = signed_in(leaving), signed_in(colleague)
    detail = reverse("newcomers:my_referral", args=[referral.pk])
    assert old.get(detail).status_code == 200
    assert new.get(detail).status_code == 404

    url = reverse("newcomers:referral_hand_over", args=[referral.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"to_advisor": colleague.pk})
    assert response.status_code == 302
    assert response["Location"] == referral.get_absolute_url()

    assert old.get(detail).status_code == 404
    assert list(old.get(reverse("newcomers:my_referrals")).context["page"].object_list) == []
    assert new.get(detail).status_code == 200
    listed = new.get(reverse("newcomers:my_referrals")).context["page"].object_list
    assert [r.pk for r in listed] == [referral.pk]
    link = re.search(r"http://\S+", mail.outbox[0].body).group(0)
    assert new.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200
    timeline = coordinator_client.get(referral.get_absolute_url()).content.decode()
    assert str(colleague) in timeline and gettext("handed over") in timeline


def test_hand_over_page_refuses_a_choice_not_offered(coordinator_client, leaving, caritas):
    referral = ReferralFactory(advisor=leaving)
    gone = an_advisor(caritas, is_active=False)
    url = reverse("newcomers:referral_hand_over", args=[referral.pk])
    for choice in ("", gone.pk, leaving.pk, "x"):
        response = coordinator_client.post(url, {"to_advisor": choice})
        assert response.status_code == 200
        assert "to_advisor" in response.context["form"].errors
    referral.refresh_from_db()
    assert referral.advisor == leaving


def test_advisors_cannot_hand_on(client, leaving, colleague):
    referral = ReferralFactory(advisor=leaving)
    client.force_login(leaving)
    url = reverse("newcomers:referral_hand_over", args=[referral.pk])
    assert client.post(url, {"to_advisor": colleague.pk}).status_code == 403
    url = reverse("accounts:referrals_hand_over", args=[leaving.pk])
    assert client.post(url, {"to_advisor": colleague.pk}).status_code == 403
    referral.refresh_from_db()
    assert referral.advisor == leaving


# --- All of an advisor's, from the account page --------------------------------------------------


def test_account_page_links_to_handing_on_for_advisors_only(coordinator_client, leaving):
    url = reverse("accounts:referrals_hand_over", args=[leaving.pk])
    page = coordinator_client.get(reverse("accounts:detail", args=[leaving.pk]))
    assert page.context["hand_on_url"] == url
    other = UserFactory()
    user_set_role(user=other, role=Role.COORDINATOR)
    page = coordinator_client.get(reverse("accounts:detail", args=[other.pk]))
    assert page.context["hand_on_url"] is None


def test_hand_on_all_open_referrals_of_an_advisor(
    coordinator_client, leaving, colleague, django_capture_on_commit_callbacks
):
    open_ones = [ReferralFactory(advisor=leaving, status=s) for s in ("received", "waiting")]
    closed = [ReferralFactory(advisor=leaving, **fields) for fields in CLOSED]
    url = reverse("accounts:referrals_hand_over", args=[leaving.pk])
    assert coordinator_client.get(url).context["open_count"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(url, {"to_advisor": colleague.pk})
    assert response["Location"] == reverse("accounts:detail", args=[leaving.pk])
    assert set(Referral.objects.filter(advisor=colleague)) == set(open_ones)
    assert set(Referral.objects.filter(advisor=leaving)) == set(closed)
    assert len(mail.outbox) == 1
    leaving.refresh_from_db()
    assert leaving.is_active  # handing on alone leaves the account as it is


def test_hand_on_page_without_open_referrals_says_so(coordinator_client, leaving, colleague):
    url = reverse("accounts:referrals_hand_over", args=[leaving.pk])
    page = coordinator_client.get(url)
    assert page.context["open_count"] == 0
    response = coordinator_client.post(url, {"to_advisor": colleague.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert mail.outbox == []


# --- Deactivating an advisor who has open referrals ----------------------------------------------


def test_deactivating_an_advisor_with_open_referrals_asks_who_takes_them_on(
    coordinator_client, leaving, colleague
):
    referrals = [ReferralFactory(advisor=leaving) for _ in range(3)]
    elsewhere = signed_in(leaving)
    url = reverse("accounts:deactivate", args=[leaving.pk])
    page = coordinator_client.get(url)
    assert page.context["open_count"] == 3
    assert page.context["deactivate"]

    refused = coordinator_client.post(url)  # the kernel's confirmation alone is not enough
    assert refused.status_code == 200
    assert "to_advisor" in refused.context["form"].errors
    leaving.refresh_from_db()
    assert leaving.is_active
    assert Referral.objects.filter(advisor=leaving).count() == 3

    response = coordinator_client.post(url, {"to_advisor": colleague.pk})
    assert response["Location"] == reverse("accounts:detail", args=[leaving.pk])
    leaving.refresh_from_db()
    assert not leaving.is_active
    assert set(Referral.objects.filter(advisor=colleague)) == set(referrals)
    assert elsewhere.get(reverse("newcomers:my_referrals")).status_code == 302  # logged out
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(leaving.pk) for s in Session.objects.all()
    )


def test_deactivating_an_advisor_without_open_referrals_is_the_usual_confirmation(
    coordinator_client, leaving
):
    ReferralFactory(advisor=leaving, status=ReferralStatus.ENDED)
    url = reverse("accounts:deactivate", args=[leaving.pk])
    page = coordinator_client.get(url)
    assert "step" in page.context  # willkommen.core.accounts' page
    coordinator_client.post(url)
    leaving.refresh_from_db()
    assert not leaving.is_active


def test_referrals_left_with_a_deactivated_advisor_can_still_be_handed_on(
    coordinator_client, leaving, colleague
):
    referral = ReferralFactory(advisor=leaving)
    leaving.is_active = False
    leaving.save()
    url = reverse("accounts:referrals_hand_over", args=[leaving.pk])
    coordinator_client.post(url, {"to_advisor": colleague.pk})
    referral.refresh_from_db()
    assert referral.advisor == colleague
