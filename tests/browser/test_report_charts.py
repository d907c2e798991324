"""The report's charts with data in them: grouped bars for "asked / offered", accessible."""

from datetime import datetime

import pytest
from django.utils import timezone

from newcomers.models import Referral
from tests.browser.conftest import assert_accessible, press, screenshot
from tests.factories import MentorFactory, ReferralFactory, UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_report_draws_asked_and_offered_side_by_side(live_server, page):
    user = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=user, role=Role.COORDINATOR)
    spring = datetime(2021, 5, 3, 10, 0, tzinfo=timezone.get_default_timezone())
    for languages, district in ((["ti"], "mitte"), (["ti", "ar"], "west"), (["fa"], "west")):
        referral = ReferralFactory(languages=languages, district=district)
        Referral.objects.filter(pk=referral.pk).update(created_at=spring)
    MentorFactory(status="ready", languages=[("ar", "native"), ("de", "native")])
    MentorFactory(status="ready", district="sued", support_areas=["jobs"])

    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")
    page.goto(live_server.url + "/koordination/berichte/?year=2021")

    chart = page.locator("svg[aria-labelledby^='chart-languages-title']")
    assert chart.locator("text", has_text="gefragt").count() == 1
    assert chart.locator("text", has_text="angeboten").count() == 1
    offered = chart.locator("rect.bar-offered").nth(1)
    assert "hatch-languages" in offered.evaluate("bar => getComputedStyle(bar).fill")
    assert offered.evaluate("bar => getComputedStyle(bar).stroke") != "none"
    screenshot(page, "report-grouped-bars")
    assert_accessible(page)
