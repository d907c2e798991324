import pytest

from tests.browser.conftest import assert_accessible, press, screenshot
from tests.factories import UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_opens_dashboard_and_report(live_server, page):
    user = UserFactory(email="koordination@example.org", password="demo-passwort")
    user_set_role(user=user, role=Role.COORDINATOR)
    page.goto(live_server.url + "/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse").fill("koordination@example.org")
    page.get_by_label("Passwort").fill("demo-passwort")
    press(page, "Anmelden")
    screenshot(page, "dashboard-empty")
    assert_accessible(page)
    page.get_by_role("link", name="Berichte").click()
    page.get_by_label("Jahr", exact=True).fill("2026")
    press(page, "Anzeigen")
    assert "Zeitraum: 01.01.2026 bis 31.12.2026" in page.content()
    assert page.locator("svg.bar-chart title").count() >= 5
    screenshot(page, "report")
    assert_accessible(page)
