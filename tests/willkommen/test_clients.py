"""The client's address: from the connection, or from X-Forwarded-For only behind our proxies."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import PASSWORD
from willkommen.core.clients import client_address

PROXY = "10.20.0.5"


def a_request(peer, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/16"]


def test_client_address_without_proxy_setting_ignores_the_header():
    assert client_address(a_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_client_address_ignores_a_spoofed_header_from_an_untrusted_peer(behind_proxy):
    assert client_address(a_request("203.0.113.9", "198.51.100.1, 10.20.0.7")) == "203.0.113.9"


def test_client_address_is_the_rightmost_hop_that_is_not_our_proxy(behind_proxy):
    # The client sent "6.6.6.6" itself; our proxy appended the address it saw.
    assert client_address(a_request(PROXY, "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    # Two proxies of ours in a row.
    assert client_address(a_request(PROXY, "6.6.6.6, 198.51.100.7, 10.20.0.9")) == "198.51.100.7"


def test_client_address_from_our_proxy_without_header_is_the_proxy(behind_proxy):
    assert client_address(a_request(PROXY)) == PROXY
    # Garbage where our proxy should have written an address: keep what we know.
    assert client_address(a_request(PROXY, "not-an-address")) == PROXY


def test_client_address_by_hop_count(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(a_request(PROXY, "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(a_request(PROXY, "6.6.6.6, 198.51.100.7, 10.20.0.9")) == "198.51.100.7"
    # Fewer hops than proxies: the request did not come through them.
    assert client_address(a_request("203.0.113.9", "6.6.6.6")) == "203.0.113.9"


def test_client_address_normalises_and_knows_when_there_is_none(behind_proxy):
    assert client_address(a_request("::ffff:203.0.113.9")) == "203.0.113.9"
    assert client_address(a_request(PROXY, "2001:DB8::1")) == "2001:db8::1"
    assert client_address(a_request("")) is None


def login(client, email, password=PASSWORD, forwarded="198.51.100.1"):
    return client.post(
        reverse("login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_lockout_behind_the_proxy_locks_only_the_guessing_client(client, coordinator, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/16"]
    for _ in range(5):
        login(client, coordinator.email, "wrong-password", forwarded="198.51.100.66")
    assert login(client, coordinator.email, forwarded="198.51.100.66").status_code == 429
    # The real person, at another address behind the same proxy, is not locked out.
    assert login(client, coordinator.email, forwarded="198.51.100.1")["Location"] == "/start/"


def test_lockout_ignores_forwarded_addresses_that_a_guesser_makes_up(client, coordinator, settings):
    settings.TRUSTED_PROXIES = ["10.20.0.0/16"]
    for number in range(5):
        client.post(
            reverse("login"),
            {"username": coordinator.email, "password": "wrong-password"},
            REMOTE_ADDR="203.0.113.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
    response = client.post(
        reverse("login"),
        {"username": coordinator.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429
