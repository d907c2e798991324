"""The data protection forms under the fuzz test of tests/test_fuzz.py: no request answers 500,
and a refused request saves nothing. Its TARGETS take these lines once the URLs are in the
project's URLconf; until then they run here, on the test URLconf."""

import random
import time
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from mentors.services import withdrawal_token
from tests.test_fuzz import (
    CASES,
    FORM,
    SLOW_SECONDS,
    Target,
    _refused,
    _signature,
    endpoint_of,
    fast_rendering,  # noqa: F401 - a fixture
    forms_on,
    the_world,
    variation,
    writes,
)

pytestmark = pytest.mark.urls("tests.overview.privacy_urls")


def erase_filled():
    return {"reason": "request", "confirm": "on"}


def withdraw_filled():
    return {"confirm": "on"}


TARGETS = {
    "privacy:mentor_erase": Target(
        "coordinator",
        lambda w: [reverse("privacy:mentor_erase", args=[w["mentor"].pk])],
        erase_filled,
    ),
    "privacy:referral_erase": Target(
        "coordinator",
        lambda w: [reverse("privacy:referral_erase", args=[w["received"].pk])],
        erase_filled,
    ),
    "privacy:mentor_withdraw": Target(
        "coordinator", lambda w: [reverse("privacy:mentor", args=[w["mentor"].pk])], withdraw_filled
    ),
    "privacy:referral_withdraw": Target(
        "coordinator",
        lambda w: [reverse("privacy:referral", args=[w["received"].pk])],
        withdraw_filled,
    ),
    "mentors:withdraw_consent": Target(
        None,
        lambda w: [reverse("mentors:withdraw_consent", args=[withdrawal_token(w["mentor"])])],
        withdraw_filled,
    ),
}


@pytest.mark.parametrize("endpoint", TARGETS)
def test_no_request_answers_500_or_saves_half(db, fast_rendering, endpoint):  # noqa: F811
    rng = random.Random(f"privacy-{endpoint}")
    world = the_world()
    target = TARGETS[endpoint]
    client = Client(raise_request_exception=False)
    if target.who:
        client.force_login(world[target.who])
    pages = target.pages(world)
    forms = [
        form
        for page in pages
        for form in forms_on(client, page)
        if endpoint_of(form.action) == endpoint
    ]
    assert forms, f"no form posts to {endpoint} on {pages}"
    failures, accepted = {}, 0
    for case in range(CASES // 5):
        form = rng.choice(forms)
        data = variation(rng, form, target.filled())
        client.cookies.pop("messages", None)
        with transaction.atomic():
            before = writes()
            started = time.perf_counter()
            response = client.post(form.action, urlencode(data, doseq=True), content_type=FORM)
            if time.perf_counter() - started > SLOW_SECONDS:
                failures.setdefault("slow", (case, data))
            if response.status_code >= 500:
                failures.setdefault(_signature(response), (case, data))
            elif _refused(response):
                written = {table for table, n in writes().items() if n != before.get(table, 0)}
                assert not written, (case, form.action, data, response.status_code, written)
            else:
                accepted += 1
            transaction.set_rollback(True)
    assert accepted, "no case got through: the filled-in values are not valid"
    assert not failures, failures


def test_crafted_urls_answer_no_500(db, fast_rendering):  # noqa: F811
    world = the_world()
    client = Client(raise_request_exception=False)
    client.force_login(world["coordinator"])
    tokens = ["\x00", "a" * 3000, "²", ":", "..", "%", "abc:def:ghi", "١٢", "9" * 30, "-1"]
    urls = [
        *(f"/datenschutz/widerruf/{t}/" for t in tokens),
        *(f"/koordination/datenschutz/einwilligungstexte/privacy-notice/{t}/" for t in tokens),
        *(f"/koordination/datenschutz/paten/{n}/auskunft.json" for n in ("0", "9" * 30)),
        *(f"/koordination/datenschutz/zugriffe/?number={t}&kind={t}" for t in tokens),
        *(f"/koordination/datenschutz/?q={t}" for t in tokens),
    ]
    for url in urls:
        for method in (client.get, client.post):
            assert method(url).status_code < 500, url
