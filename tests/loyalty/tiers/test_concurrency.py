"""A ladder change re-evaluating every member while their orders arrive, each request in its
own transaction with real commits: every member moves exactly once, nobody is placed twice,
no request fails.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from memberops.api.app import create_app
from memberops.kernel.db import make_session_factory
from memberops.kernel.settings import Settings
from memberops.loyalty.tiers.models import TierChange
from memberops.loyalty.tiers.rules import TierLadder
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.activity.support import ORDERS, order_body
from tests.conftest import _postgres_engine
from tests.loyalty.tiers.support import TIERS

pytestmark = pytest.mark.postgres_only
BUYERS = 6  # four orders each, their fifth sent in the race
NEWCOMERS = 4  # registered without orders, their first (gold) order sent in the race


@pytest.fixture(scope="module")
def fresh_engine() -> Iterator[Engine]:
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


def _send(client: TestClient, headers: dict[str, str], call: tuple[str, str, Any]) -> int:
    method, url, body = call
    return client.request(method, url, json=body, headers=headers).status_code


def test_a_ladder_change_racing_orders_moves_each_member_once(fresh_engine: Engine) -> None:
    settings = Settings(database_url="sqlite://", secret_key="test")
    with make_session_factory(fresh_engine)() as session, session.begin():
        created = tenancy.create_tenant(session, f"race-{uuid.uuid4().hex[:8]}", settings)
        key = tenancy.create_api_key(
            session, tenancy.principal_for(created, Role.admin, "test"), Role.admin
        )
    app = create_app(settings, fresh_engine)
    headers = {"Authorization": f"Bearer {key}"}
    setup = TestClient(app)
    for n in range(BUYERS):
        for i in range(4):
            body = order_body(f"B{n}-{i}", f"1380000010{n}", amount="10.00")
            assert setup.post(ORDERS, json=body, headers=headers).status_code == 201
    for n in range(NEWCOMERS):
        member = {"identities": [{"type": "phone", "value": f"1380000020{n}"}]}
        assert setup.post("/api/v1/members", json=member, headers=headers).status_code == 201
    ladder = TierLadder().model_dump(mode="json")
    ladder["levels"][1]["qualify_orders"] = 4  # every buyer qualifies for gold
    calls = [("PUT", TIERS, ladder)]
    calls += [("POST", ORDERS, order_body(f"B{n}-4", f"1380000010{n}")) for n in range(BUYERS)]
    calls += [
        ("POST", ORDERS, order_body(f"N{n}", f"1380000020{n}", amount="2000.00"))
        for n in range(NEWCOMERS)
    ]
    barrier = threading.Barrier(len(calls))

    def send(call: tuple[str, str, Any]) -> int:
        client = TestClient(app, raise_server_exceptions=False)
        barrier.wait()
        return _send(client, headers, call)

    with ThreadPoolExecutor(len(calls)) as pool:
        statuses = list(pool.map(send, calls))
    assert statuses == [200] + [201] * (BUYERS + NEWCOMERS)

    with make_session_factory(fresh_engine)() as session:
        rows = session.execute(
            select(TierChange.member_id, TierChange.kind, TierChange.from_tier, TierChange.to_tier)
            .where(TierChange.tenant_id == created.id)
            .order_by(TierChange.id)
        ).all()
    history: dict[int, list[tuple[str, str | None, str]]] = {}
    for member_id, *change in rows:
        history.setdefault(member_id, []).append(tuple(change))  # type: ignore[arg-type]
    assert len(history) == BUYERS + NEWCOMERS
    allowed = (
        [("joined", None, "silver"), ("upgrade", "silver", "gold")],
        [("joined", None, "gold")],
    )
    assert all(changes in allowed for changes in history.values()), history
    assert TestClient(app).get(f"{TIERS}/distribution", headers=headers).json()["levels"][1] == {
        "code": "gold",
        "name": "金卡会员",
        "members": BUYERS + NEWCOMERS,
    }
