"""The condition tests' world: three members of one tenant (and one merged away), one rival."""

import pytest
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from tests.conditions.support import World, build_world


@pytest.fixture
def world(session: Session, tenant: Principal, other_tenant: Principal) -> World:
    return build_world(session, tenant, other_tenant)
