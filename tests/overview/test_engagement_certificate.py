"""The certificate of volunteering (Engagementnachweis): what it says, and nothing about any
newcomer; printed by coordinators, requested by mentors through the link in the hours mail."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone, translation

from mentors.models import MentorActivity
from newcomers.models import Tandem
from seminars.models import Event, Invitation
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.models import SupportArea
from willkommen.overview.engagement import (
    certificate,
    certificate_request,
    certificate_request_token,
    certificate_token,
)
from willkommen.overview.models import CertificateRequest, HoursReport
from willkommen.overview.reports import Period

pytestmark = pytest.mark.django_db

ZONE = timezone.get_default_timezone()
YEAR = Period(date(2025, 1, 1), date(2025, 12, 31))


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def a_mentor_with_a_year():
    """A mentor with two tandems in 2025 (one from 2024 into March, one from November on),
    hours reported in March and a reflection meeting in May; a third tandem after the year."""
    mentor = MentorFactory(first_name="Clara", last_name="Engel", language="en")
    newcomers = []
    for started, ended, areas in [
        (date(2024, 10, 5), date(2025, 3, 10), ["german"]),
        (date(2025, 11, 20), None, ["jobs"]),
        (date(2026, 2, 1), None, ["housing"]),
    ]:
        referral = ReferralFactory(first_name=f"Neu{len(newcomers)}", last_name="Zugezogen",
                                   district="ost", languages=["ti"])  # fmt: skip
        newcomers.append(referral)
        tandem = Tandem.objects.create(
            referral=referral, mentor=mentor, proposed_by=UserFactory(),
            status="ended" if ended else "active", started_on=started, ended_on=ended,
            end_reason="goals-reached" if ended else "",
        )  # fmt: skip
        tandem.agreement_areas.set(SupportArea.objects.filter(slug__in=areas))
    report = HoursReport.objects.create(
        mentor=mentor, month=date(2025, 3, 1), hours=Decimal("12.5"), answered_at=timezone.now()
    )
    report.areas.set(SupportArea.objects.filter(slug="authorities"))
    starts = datetime(2025, 5, 6, 18, 0, tzinfo=ZONE)
    event = Event.objects.create(title="Reflexionstreffen Mai", type="reflection",
                                 starts_at=starts, ends_at=starts + timedelta(hours=2),
                                 capacity=10)  # fmt: skip
    Invitation.objects.create(event=event, mentor=mentor, status="registered", attended=True)
    return mentor, newcomers


def test_the_certificate_says_period_tandems_areas_hours_and_seminars():
    mentor, _newcomers = a_mentor_with_a_year()
    content = certificate(mentor, YEAR, issued_on=date(2026, 1, 15))
    assert content["tandems"] == 2
    assert content["tandem_months"] == 5  # January to March, November and December
    assert sorted(content["areas"]) == [
        "Accompanying to authorities", "Job search and applications",
        "Speaking and practising German",
    ]  # fmt: skip
    assert content["hours"].total == Decimal("14.5")
    assert content["seminars"] == [
        {"date": date(2025, 5, 6), "type": "reflection meeting", "title": "Reflexionstreffen Mai"}
    ]


def test_the_printed_certificate_holds_no_newcomers_data(coordinator_client):
    mentor, newcomers = a_mentor_with_a_year()
    url = reverse("engagement_certificate", args=[mentor.pk]) + "?start=2025-01-01&end=2025-12-31"
    page = coordinator_client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Clara Engel" in text and "Landeshauptstadt Stuttgart" in text
    assert "Abteilung Integrationspolitik" in text and "14.5" in text
    for referral in newcomers:
        for value in (referral.first_name, referral.last_name, "Tigrinya", "Ost"):
            assert value not in text


def test_the_coordinators_certificate_covers_the_last_twelve_months_by_default(
    coordinator_client,
):
    mentor = MentorFactory()
    today = timezone.localdate()
    page = coordinator_client.get(reverse("engagement_certificate", args=[mentor.pk]))
    period = page.context["certificate"]["period"]
    assert period.end == today and period.start.day == 1
    assert (today.year - period.start.year) * 12 + today.month - period.start.month == 11


@pytest.mark.parametrize(
    "query", ["?start=2025-12-31&end=2025-01-01", "?start=1999-01-01&end=2000-01-01",
              "?start=2025-01-01&end=9999-12-31", "?start=x&end=", "?start=2025-01-01"],
)  # fmt: skip
def test_a_wrong_period_shows_the_error_and_the_default(coordinator_client, query):
    mentor = MentorFactory()
    page = coordinator_client.get(reverse("engagement_certificate", args=[mentor.pk]) + query)
    assert page.status_code == 200
    assert page.context["form"].errors
    assert page.context["certificate"]["period"].end == timezone.localdate()


def test_an_unknown_mentor_has_no_certificate(coordinator_client):
    assert (
        coordinator_client.get(reverse("engagement_certificate", args=[999999])).status_code == 404
    )


def test_a_mentor_requests_the_certificate_and_gets_a_link_by_mail(
    client, django_capture_on_commit_callbacks
):
    mentor, newcomers = a_mentor_with_a_year()
    url = reverse("engagement_certificate_request", args=[certificate_request_token(mentor)])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert CertificateRequest.objects.filter(mentor=mentor).count() == 1
    assert MentorActivity.objects.filter(mentor=mentor, kind="contact").exists()
    message = mail.outbox[-1]
    assert message.to == [mentor.email]
    link = next(line for line in message.body.splitlines() if "/engagement/nachweis/" in line)
    page = client.get(link.replace("http://127.0.0.1:8000", ""))
    assert page.status_code == 200
    assert "Clara Engel" in page.content.decode()
    assert newcomers[0].first_name not in page.content.decode()


def test_a_second_request_within_a_day_sends_nothing(django_capture_on_commit_callbacks):
    mentor = MentorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert certificate_request(mentor=mentor)
        assert not certificate_request(mentor=mentor)
    assert len(mail.outbox) == 1
    assert CertificateRequest.objects.count() == 1


def test_the_mentors_certificate_link_covers_twelve_months_up_to_its_day(client):
    mentor, _newcomers = a_mentor_with_a_year()
    today = timezone.localdate()
    page = client.get(reverse("engagement_certificate_link",
                              args=[certificate_token(mentor, today)]))  # fmt: skip
    assert page.context["certificate"]["issued_on"] == today
    assert page.context["certificate"]["period"].end == today


def test_certificate_links_are_refused_when_tampered_or_readdressed(client):
    mentor = MentorFactory()
    token = certificate_token(mentor, timezone.localdate())
    request_token = certificate_request_token(mentor)
    link = reverse(
        "engagement_certificate_link", args=[("X" if token[0] != "X" else "Y") + token[1:]]
    )
    assert client.get(link).status_code == 400
    swapped = reverse("engagement_certificate_link", args=[request_token])  # another salt
    assert client.get(swapped).status_code == 400
    type(mentor).objects.filter(pk=mentor.pk).update(email="neu@example.org")
    for name, value in (("engagement_certificate_link", token),
                        ("engagement_certificate_request", request_token)):  # fmt: skip
        assert client.get(reverse(name, args=[value])).status_code == 400


def test_an_expired_certificate_link_says_so(client, monkeypatch):
    mentor = MentorFactory()
    token = certificate_token(mentor, timezone.localdate())
    later = signing.time.time() + 61 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    page = client.get(reverse("engagement_certificate_link", args=[token]))
    assert page.status_code == 400 and "expired" in page.content.decode()
