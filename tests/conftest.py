import pytest

from tests.factories import UserFactory
from willkommen.core.roles import Role
from willkommen.core.services import user_set_role

PASSWORD = "a-long-test-password"


@pytest.fixture
def coordinator(db):
    user = UserFactory(first_name="Katrin")
    user_set_role(user=user, role=Role.COORDINATOR)
    return user


@pytest.fixture
def advisor(db):
    user = UserFactory(first_name="Bora")
    user_set_role(user=user, role=Role.ADVISOR)
    return user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def advisor_client(client, advisor):
    client.force_login(advisor)
    return client
