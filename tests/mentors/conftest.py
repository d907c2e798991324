import pytest

from tests.factories import MentorFactory


@pytest.fixture
def mentor(db):
    return MentorFactory()
