import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the process's cache, which outlives a test's transaction."""
    cache.clear()
    yield
    cache.clear()
