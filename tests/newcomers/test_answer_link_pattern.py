"""The mentor's answer link follows the one action pattern: form, service, then a redirect (so
a reload sends nothing twice) or the form again with its message."""

from django.urls import reverse

from newcomers.models import TandemStatus
from newcomers.services import tandem_answer_token
from tests.factories import proposed_tandem


def test_an_answer_by_link_redirects_to_the_link(client, db):
    tandem = proposed_tandem()
    url = reverse("newcomers:tandem_answer", args=[tandem_answer_token(tandem)])
    response = client.post(url, {"accept": "yes"})
    assert (response.status_code, response["Location"]) == (302, url)
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.ACCEPTED


def test_an_answer_by_link_without_a_choice_shows_the_form_again(client, db, settings):
    settings.LANGUAGE_CODE = "en"
    tandem = proposed_tandem()
    url = reverse("newcomers:tandem_answer", args=[tandem_answer_token(tandem)])
    response = client.post(url, {"accept": "\x00"})
    assert response.status_code == 200
    assert response.context["form"].errors["accept"]
    tandem.refresh_from_db()
    assert tandem.status == TandemStatus.PROPOSED
