"""The data protection pages: who may open them, the access log, consents and their
withdrawal (by a coordinator, and by the mentor's link)."""

import pytest
from django.contrib.auth.models import Permission
from django.template.loader import render_to_string
from django.urls import reverse

from mentors.models import Mentor
from mentors.services import withdrawal_token, withdrawal_url
from newcomers.models import Referral
from tests.factories import MentorFactory, ReferralFactory, an_invitation, proposed_tandem
from tests.willkommen.test_access import LOGIN, check, url_names
from willkommen.core.models import ConsentWithdrawal, QueuedMail
from willkommen.overview.models import AccessLogEntry

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.overview.privacy_urls")]


@pytest.fixture(autouse=True)
def in_english(settings):
    """Messages are compared in English, the language of the code."""
    settings.LANGUAGE_CODE = "en"


ACCESS_LOG_MIDDLEWARE = "willkommen.overview.privacy.access_log.access_log"


@pytest.fixture(autouse=True)
def access_log_on(settings):
    """The project's middleware with the access log, as willkommen/settings.py will have it."""
    if ACCESS_LOG_MIDDLEWARE not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("pghistory.middleware.HistoryMiddleware") + 1
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[:at],
            ACCESS_LOG_MIDDLEWARE,
            *settings.MIDDLEWARE[at:],
        ]


def a_mentor(user):
    return {"pk": MentorFactory().pk}


def a_referral(user):
    return {"pk": ReferralFactory().pk}


# The lines for tests/willkommen/test_access.py: name: (anonymous, advisor, coordinator)
EXPECTED = {
    "privacy:index": (LOGIN, 403, 200),
    "privacy:register": (LOGIN, 403, 200),
    "privacy:access_log": (LOGIN, 403, 403),  # a permission of its own, see below
    "privacy:consent_text": (LOGIN, 403, 200),
    "privacy:mentor": (LOGIN, 403, 200),
    "privacy:mentor_export": (LOGIN, 403, 200),
    "privacy:mentor_erase": (LOGIN, 403, 200),
    "privacy:mentor_withdraw": (LOGIN, 403, 200),  # POST without the tick: the page again
    "privacy:referral": (LOGIN, 403, 200),
    "privacy:referral_export": (LOGIN, 403, 200),
    "privacy:referral_erase": (LOGIN, 403, 200),
    "privacy:referral_withdraw": (LOGIN, 403, 200),
    "mentors:withdraw_consent": (200, 200, 200),
}
POST_ONLY = {"privacy:mentor_withdraw", "privacy:referral_withdraw"}
SAMPLE_KWARGS = {
    "privacy:consent_text": lambda user: {"kind": "privacy-notice", "version": "2026-11"},
    "privacy:mentor": a_mentor,
    "privacy:mentor_export": lambda user: {**a_mentor(user), "fmt": "html"},
    "privacy:mentor_erase": a_mentor,
    "privacy:mentor_withdraw": a_mentor,
    "privacy:referral": a_referral,
    "privacy:referral_export": lambda user: {**a_referral(user), "fmt": "json"},
    "privacy:referral_erase": a_referral,
    "privacy:referral_withdraw": a_referral,
    "mentors:withdraw_consent": lambda user: {"token": withdrawal_token(MentorFactory())},
}


def fetch(client, name, user=None):
    kwargs = SAMPLE_KWARGS[name](user) if name in SAMPLE_KWARGS else None
    url = reverse(name, kwargs=kwargs)
    return client.post(url) if name in POST_ONLY else client.get(url)


def test_every_new_url_is_classified():
    new = {name for name, _pattern in url_names() if name.startswith("privacy:")}
    assert new | {"mentors:withdraw_consent"} == EXPECTED.keys()


@pytest.mark.parametrize("name", EXPECTED)
def test_anonymous_access(client, name):
    check(fetch(client, name), EXPECTED[name][0])


@pytest.mark.parametrize("name", EXPECTED)
def test_advisor_access(advisor_client, advisor, name):
    check(fetch(advisor_client, name, advisor), EXPECTED[name][1])


@pytest.mark.parametrize("name", EXPECTED)
def test_coordinator_access(coordinator_client, coordinator, name):
    check(fetch(coordinator_client, name, coordinator), EXPECTED[name][2])


def can_read_access_log(user):
    user.user_permissions.add(Permission.objects.get(codename="view_accesslogentry"))


# --- the access log ---------------------------------------------------------------------


def test_opening_a_mentor_page_is_logged(coordinator_client, coordinator):
    mentor = MentorFactory()
    coordinator_client.get(reverse("mentors:detail", args=[mentor.pk]))
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.kind, entry.object_id, entry.path) == (
        coordinator,
        "view",
        "mentor",
        mentor.pk,
        f"/koordination/paten/{mentor.pk}/",
    )


def test_opening_a_referral_page_and_exports_are_logged(coordinator_client):
    referral = ReferralFactory()
    coordinator_client.get(reverse("newcomers:referral_detail", args=[referral.pk]))
    coordinator_client.get(reverse("privacy:referral_export", args=[referral.pk, "json"]))
    coordinator_client.get(reverse("newcomers:referral_export") + "?q=Name")
    rows = list(
        AccessLogEntry.objects.order_by("pk").values_list("action", "kind", "object_id", "path")
    )
    assert rows == [
        ("view", "referral", referral.pk, f"/koordination/vermittlungen/{referral.pk}/"),
        (
            "export",
            "referral",
            referral.pk,
            f"/koordination/datenschutz/vermittlungen/{referral.pk}/auskunft.json",
        ),
        ("list-export", "referral", None, "/koordination/vermittlungen/export.csv"),
    ]


def test_what_was_not_shown_is_not_logged(coordinator_client, advisor_client):
    coordinator_client.get(reverse("mentors:detail", args=[999999]))  # 404
    advisor_client.get(reverse("mentors:detail", args=[MentorFactory().pk]))  # 403
    coordinator_client.get(reverse("mentors:list"))  # not a person's page
    assert not AccessLogEntry.objects.exists()


def test_access_log_needs_its_own_permission(coordinator_client, coordinator):
    AccessLogEntry.objects.create(
        user=coordinator, action="view", kind="mentor", object_id=7, path="/koordination/paten/7/"
    )
    url = reverse("privacy:access_log")
    assert coordinator_client.get(url).status_code == 403
    can_read_access_log(coordinator)
    response = coordinator_client.get(url + "?kind=mentor&number=7")
    assert response.status_code == 200
    assert "/koordination/paten/7/" in response.content.decode()
    assert list(coordinator_client.get(url + "?number=8").context["page"].object_list) == []


@pytest.mark.parametrize("rows", [1, 60])
def test_access_log_page_costs_the_same_queries_for_any_number_of_rows(
    coordinator_client, coordinator, django_assert_num_queries, rows
):
    can_read_access_log(coordinator)
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(user=coordinator, action="view", kind="mentor", object_id=n, path="/")
        for n in range(rows)
    )
    coordinator_client.get(reverse("privacy:access_log"))  # sessions and permissions warm
    with django_assert_num_queries(7):
        coordinator_client.get(reverse("privacy:access_log"))


def test_access_log_page_offers_no_way_to_change_it(coordinator_client, coordinator):
    can_read_access_log(coordinator)
    response = coordinator_client.post(reverse("privacy:access_log"))
    assert (
        '<form method="post"'
        not in coordinator_client.get(reverse("privacy:access_log")).content.decode()
    )
    assert response.status_code in (200, 405)
    assert not AccessLogEntry.objects.exclude(path__startswith="/koordination/datenschutz").exists()


# --- the person's page and consents ----------------------------------------------------


def test_person_page_shows_consents_with_time_version_and_text(coordinator_client):
    mentor = MentorFactory()
    page = coordinator_client.get(reverse("privacy:mentor", args=[mentor.pk])).content.decode()
    assert "2026-11" in page
    assert reverse("privacy:consent_text", args=["privacy-notice", "2026-11"]) in page
    assert f"{mentor.consent_at:%d.%m.%Y}" in page


def test_consent_text_page_shows_the_archived_notice(coordinator_client):
    response = coordinator_client.get(
        reverse("privacy:consent_text", args=["privacy-notice", "2026-11"])
    )
    assert "Datenschutzhinweise" in response.content.decode()
    assert "Privacy notice" in response.content.decode()
    missing = reverse("privacy:consent_text", args=["privacy-notice", "1999-01"])
    assert coordinator_client.get(missing).status_code == 404


def test_coordinator_records_a_mentors_withdrawal(coordinator_client, coordinator):
    mentor = MentorFactory(status="ready")
    url = reverse("privacy:mentor_withdraw", args=[mentor.pk])
    response = coordinator_client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    withdrawal = ConsentWithdrawal.objects.get()
    assert (withdrawal.subject, withdrawal.object_id, withdrawal.via, withdrawal.recorded_by) == (
        "mentor",
        mentor.pk,
        "coordinator",
        coordinator,
    )
    assert Mentor.objects.get(pk=mentor.pk).status == "left"
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "consent withdrawn" in page or "Einwilligung widerrufen" in page


def test_withdrawal_needs_the_tick(coordinator_client):
    mentor = MentorFactory()
    response = coordinator_client.post(reverse("privacy:mentor_withdraw", args=[mentor.pk]))
    assert response.status_code == 200
    assert response.context["withdrawal_form"].errors.keys() == {"confirm"}
    assert not ConsentWithdrawal.objects.exists()


def test_coordinator_records_a_newcomers_withdrawal_and_the_referral_is_declined(
    coordinator_client,
):
    referral = ReferralFactory(status="waiting")
    coordinator_client.post(
        reverse("privacy:referral_withdraw", args=[referral.pk]), {"confirm": "on"}
    )
    referral.refresh_from_db()
    assert (referral.status, referral.decline_reason) == ("declined", "no-consent")
    assert ConsentWithdrawal.objects.get().subject == "referral"


def test_withdrawal_during_an_open_tandem_is_recorded_and_the_tandem_stays(coordinator_client):
    tandem = proposed_tandem()
    coordinator_client.post(
        reverse("privacy:mentor_withdraw", args=[tandem.mentor.pk]), {"confirm": "on"}
    )
    assert ConsentWithdrawal.objects.filter(object_id=tandem.mentor.pk).exists()
    assert Mentor.objects.get(pk=tandem.mentor.pk).stage != "left"
    page = coordinator_client.get(reverse("privacy:mentor", args=[tandem.mentor.pk]))
    assert "still in an open proposal or tandem" in page.content.decode()


# --- the mentor's withdrawal link ------------------------------------------------------


def test_every_mail_footer_carries_the_withdrawal_link():
    mentor = MentorFactory()
    footer = render_to_string("mentors/emails/consent_footer.txt", {"mentor": mentor})
    assert withdrawal_url(mentor) in footer
    assert mentor.email not in withdrawal_url(mentor)


# Every mail to a mentor but the confirmation link's, which says to ignore it (the data are
# deleted unconfirmed after MENTOR_CONFIRMATION_DAYS anyway).
MAILS_TO_MENTORS = [
    *[f"mentors/emails/{name}.txt" for name in ("applied_again", "thank_you")],
    "newcomers/emails/proposal.txt",
    *[f"seminars/emails/{name}.txt" for name in
      ("invitation", "registered", "waiting", "moved_up", "reminder", "cancelled")],
]  # fmt: skip


@pytest.mark.parametrize("template", MAILS_TO_MENTORS)
def test_every_mail_to_a_mentor_carries_the_withdrawal_link(template):
    from django.template import Context, engines

    invitation = an_invitation()
    mentor = invitation.mentor
    context = {"mentor": mentor, "invitation": invitation, "event": invitation.event,
               "referral": ReferralFactory(), "link": "https://example.org/x", "days": 5,
               "needs": "", "languages": ""}  # fmt: skip
    body = engines["django"].engine.get_template(template).render(Context(context, False))
    assert withdrawal_url(mentor) in body


def test_withdrawal_link_asks_first_then_withdraws(client):
    mentor = MentorFactory(status="ready")
    QueuedMail.objects.create(to=mentor.email, subject="Erinnerung", body="...")
    url = reverse("mentors:withdraw_consent", args=[withdrawal_token(mentor)])
    page = client.get(url)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and not ConsentWithdrawal.objects.exists()
    assert mentor.last_name not in page.content.decode()
    client.post(url, {"confirm": "on"})
    withdrawal = ConsentWithdrawal.objects.get()
    assert (withdrawal.via, withdrawal.recorded_by) == ("link", None)
    assert Mentor.objects.get(pk=mentor.pk).status == "left"
    assert not QueuedMail.objects.filter(to=mentor.email, sent_at=None).exists()
    assert "has been withdrawn" in client.get(url).content.decode()


def test_withdrawal_link_that_was_tampered_with_does_not_work(client):
    mentor = MentorFactory()
    token = withdrawal_token(mentor)
    response = client.post(
        reverse("mentors:withdraw_consent", args=[token[:-2] + "xy"]), {"confirm": "on"}
    )
    assert response.status_code == 404
    assert not ConsentWithdrawal.objects.exists()


def test_privacy_index_finds_people_by_name_and_number(coordinator_client):
    mentor = MentorFactory(last_name="Quast")
    referral = ReferralFactory(last_name="Quastmann")
    page = coordinator_client.get(reverse("privacy:index") + "?q=quast").content.decode()
    assert reverse("privacy:mentor", args=[mentor.pk]) in page
    assert reverse("privacy:referral", args=[referral.pk]) in page
    page = coordinator_client.get(reverse("privacy:index") + f"?q={referral.pk}").content.decode()
    assert reverse("privacy:referral", args=[referral.pk]) in page
    assert Referral.objects.count() == 1


def test_privacy_index_costs_the_same_queries_for_any_number_of_rows(coordinator_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from willkommen.overview.models import ErasureRecord

    url = reverse("privacy:index") + "?q=quast"

    def queries_for_the_page():
        with CaptureQueriesContext(connection) as queries:
            assert coordinator_client.get(url).status_code == 200
        return len(queries)

    def add_rows(count):
        for _ in range(count):
            mentor = MentorFactory(last_name="Quast")
            ErasureRecord.objects.create(kind="mentor", object_id=mentor.pk, reason="retention")

    add_rows(1)
    queries_for_the_page()  # the first request of a session may write the session
    with_one = queries_for_the_page()
    add_rows(15)
    assert queries_for_the_page() == with_one
