"""A form sent with mistakes comes back with the focus on its error summary and a title that
says so first - on a phone, with the public interest form."""

import pytest

from tests.browser.conftest import assert_accessible, press, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_empty_interest_form_focuses_the_error_summary(live_server, phone):
    phone.goto(live_server.url + "/mitmachen/")
    assert not phone.title().startswith("Fehler")

    press(phone, "Bewerbung absenden")

    summary = phone.locator("#fehler")
    summary.wait_for()
    assert phone.evaluate("document.activeElement.id") == "fehler"
    assert phone.title().startswith("Fehler: ")
    top = summary.bounding_box()["y"]  # scrolled into view (to a fraction of a pixel)
    assert -1 < top < phone.viewport_size["height"] / 2
    # Its links lead to the fields: the first one names a required field.
    summary.get_by_role("link").first.click()
    assert phone.evaluate("document.activeElement.id").startswith("id_")
    screenshot(phone, "interest-form-errors")
    assert_accessible(phone)
