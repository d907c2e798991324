"""The rate limiter that the public form and the password reset share: one count per key in the
database, the same for every process on every host, and exact when requests arrive at once."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from tests.newcomers.test_tandems import race
from tests.willkommen.test_mail_worker import this_database_url
from willkommen.core.clients import rate_limit_exceeded
from willkommen.core.models import RateLimit

ROOT = Path(__file__).resolve().parents[2]


def hit(key="203.0.113.9", scope="test", limit=3):
    return rate_limit_exceeded(scope, key, limit=limit, seconds=60)


def test_rate_limit_counts_per_key_within_the_window(db):
    assert [not hit("a@example.org") for _ in range(5)] == [True, True, True, False, False]
    assert not hit("b@example.org")
    assert not hit("a@example.org", scope="other")


def test_rate_limit_starts_afresh_when_its_window_is_over(db):
    for _ in range(4):
        hit()
    RateLimit.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not hit()
    assert RateLimit.objects.get().count == 1


def test_rate_limit_stores_neither_address_nor_client(db):
    hit("lena@example.org")
    hit("203.0.113.9")
    stored = " ".join(str(value) for row in RateLimit.objects.values() for value in row.values())
    assert "lena" not in stored and "203.0.113" not in stored


def test_rate_limit_takes_back_a_count_that_is_rolled_back(db):
    for _ in range(3):
        with transaction.atomic():
            hit()
            transaction.set_rollback(True)
    assert [hit() for _ in range(4)] == [False, False, False, True]


def test_rate_limit_forgets_closed_windows_after_the_commit(db, django_capture_on_commit_callbacks):
    hit("old")
    RateLimit.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        hit("new")
    assert RateLimit.objects.count() == 1
    assert not hit("old")  # a forgotten key starts with a fresh count


@pytest.mark.django_db(transaction=True)
def test_rate_limit_lets_exactly_the_limit_through_when_requests_arrive_at_once():
    outcomes = race(lambda _: hit(limit=5), range(20))
    assert sorted(outcomes) == [False] * 5 + [True] * 15


@pytest.mark.django_db(transaction=True)
def test_rate_limit_is_shared_by_processes_on_other_hosts():
    """A second gunicorn host against the same database counts on the same limit."""
    for _ in range(3):
        assert not hit()
    other_host = subprocess.run(
        [sys.executable, "-c",
         "import django; django.setup(); "
         "from willkommen.core.clients import rate_limit_exceeded as hit; "
         "print(hit('test', '203.0.113.9', limit=3, seconds=60))"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
             "DATABASE_URL": this_database_url()},
    )  # fmt: skip
    assert other_host.stdout.strip() == "True", other_host.stderr
