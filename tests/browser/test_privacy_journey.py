"""A coordinator answers a data protection request: finds the person, prints the access
report, is told why a mentor in a tandem cannot be erased yet, erases another one, reads the
record of processing activities and the access log; a mentor withdraws by the mail's link -
with an axe scan of every page.

Labels are matched in German and English alike: the German texts of these pages arrive with
the next catalogue update."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from mentors.models import Mentor
from mentors.services import withdrawal_token
from tests.browser.conftest import assert_accessible, press, screenshot
from tests.factories import MentorFactory, UserFactory, proposed_tandem
from willkommen.core.models import ConsentWithdrawal
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role
from willkommen.overview.models import AccessLogEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.overview.privacy_urls"),
]


def either(english, german):
    return re.compile(f"^({re.escape(english)}|{re.escape(german)})$")


def test_access_and_erasure_request(live_server, page):
    coordinator = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=coordinator, role=Role.COORDINATOR)
    coordinator.user_permissions.add(Permission.objects.get(codename="view_accesslogentry"))
    AccessLogEntry.objects.create(user=coordinator, action="view", kind="mentor", object_id=1,
                                  path="/koordination/paten/1/")  # fmt: skip
    busy = proposed_tandem().mentor
    leaving = MentorFactory(first_name="Frieda", last_name="Fortgang")

    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")

    page.goto(live_server.url + "/koordination/datenschutz/")
    assert_accessible(page)
    main = page.locator("main")  # the header has a search of its own
    main.get_by_role("searchbox").fill("Fortgang")
    with page.expect_navigation():
        main.get_by_role("button", name=either("Find", "Finden")).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Frieda Fortgang").click()
    screenshot(page, "privacy-person")
    assert_accessible(page)

    page.goto(live_server.url + f"/koordination/datenschutz/paten/{leaving.pk}/auskunft.html")
    assert "Frieda" in page.content()
    assert_accessible(page)

    page.goto(live_server.url + f"/koordination/datenschutz/paten/{busy.pk}/loeschen/")
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)

    page.goto(live_server.url + f"/koordination/datenschutz/paten/{leaving.pk}/loeschen/")
    press(page, either("Erase the data now", "Daten jetzt löschen"))  # nothing chosen yet
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    page.locator("select[name=reason]").select_option("request")
    page.locator("input[name=confirm]").check()
    press(page, either("Erase the data now", "Daten jetzt löschen"))
    assert Mentor.objects.get(pk=leaving.pk).last_name == "anonymisiert"
    screenshot(page, "privacy-erased")
    assert_accessible(page)

    page.goto(live_server.url + "/koordination/datenschutz/verzeichnis/")
    assert_accessible(page)
    page.goto(live_server.url + "/koordination/datenschutz/zugriffe/")
    assert_accessible(page)
    page.goto(
        live_server.url + "/koordination/datenschutz/einwilligungstexte/privacy-notice/2026-11/"
    )
    assert_accessible(page)


def test_mentor_withdraws_by_the_link_in_a_mail(live_server, phone):
    mentor = MentorFactory(status="ready")
    phone.goto(
        live_server.url + reverse("mentors:withdraw_consent", args=[withdrawal_token(mentor)])
    )
    assert_accessible(phone)
    press(phone, either("Withdraw my consent", "Einwilligung widerrufen"))  # not ticked
    assert not ConsentWithdrawal.objects.exists()
    assert_accessible(phone)
    phone.locator("input[name=confirm]").check()
    press(phone, either("Withdraw my consent", "Einwilligung widerrufen"))
    assert ConsentWithdrawal.objects.get().via == "link"
    screenshot(phone, "privacy-withdrawn")
    assert_accessible(phone)
