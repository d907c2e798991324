"""A mentor answers the monthly hours question on a phone, from the link in the mail; the
coordinator opens the mentor's page and prints the certificate of volunteering."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import MentorFactory, UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role
from willkommen.overview.engagement import hours_questions_send
from willkommen.overview.models import HoursReport

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_mentor_gives_hours_on_a_phone_and_the_coordinator_prints_the_certificate(
    live_server, browser, phone
):
    coordinator = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    mentor = MentorFactory(first_name="Mara", last_name="Stunden", status="active")
    assert hours_questions_send(timezone.localdate()) == 1
    message = next(m for m in mail.outbox if m.to == [mentor.email])
    link = re.search(r"http://\S+/engagement/stunden/\S+/", message.body).group(0)

    # The mentor, on a phone.
    phone.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    assert_accessible(phone)
    phone.locator("#id_hours").fill("7,5")
    phone.locator("input[name=areas]").first.check()
    phone.locator("#id_note").fill("Begleitung zur Ausländerbehörde")
    with phone.expect_navigation():
        phone.locator("form.engagement-form button[type=submit]").click()
    assert phone.locator(".alert-success").count() >= 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(phone)
    screenshot(phone, "engagement-hours-phone")
    report = HoursReport.objects.get(mentor=mentor)
    assert str(report.hours) == "7.5" and report.areas.count() == 1

    # The coordinator prints the certificate from the mentor's page.
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden").click()
    page.goto(live_server.url + mentor.get_absolute_url())
    assert_accessible(page)
    with page.expect_navigation():
        page.locator("#engagement-heading ~ p a.btn").first.click()
    assert_accessible(page)
    certificate = page.locator("article.certificate")
    text = certificate.inner_text()
    assert "Landeshauptstadt Stuttgart" in text and "Abteilung Integrationspolitik" in text
    assert "Mara Stunden" in text and "7,5" in text
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator("form").first.is_hidden()
    assert certificate.is_visible()
    screenshot(page, "engagement-certificate-print")
    context.close()
