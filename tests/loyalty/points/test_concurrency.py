"""Acceptance: 50 redemptions at once against a balance that covers 10 of them, each request in
its own transaction with real commits: exactly 10 succeed, 40 get a 409 problem document, and
the balance is exact and equals the sum of the ledger.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.api.app import create_app
from memberops.kernel.db import make_session_factory
from memberops.kernel.settings import Settings
from memberops.loyalty.points.models import PointsAccount, PointsEntry, PointsLot
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.api.support import PROBLEM_JSON
from tests.conftest import _postgres_engine

pytestmark = pytest.mark.postgres_only
REQUESTS = 50


@pytest.fixture(scope="module")
def fresh_engine() -> Iterator[Engine]:
    for engine in _postgres_engine():
        upgrade(engine)
        yield engine


def test_fifty_redemptions_at_once_spend_exactly_the_balance(fresh_engine: Engine) -> None:
    settings = Settings(database_url="sqlite://", secret_key="test")
    with make_session_factory(fresh_engine)() as session, session.begin():
        created = tenancy.create_tenant(session, f"race-{uuid.uuid4().hex[:8]}", settings)
        key = tenancy.create_api_key(
            session, tenancy.principal_for(created, Role.admin, "test"), Role.admin
        )
    app, headers = create_app(settings, fresh_engine), {"Authorization": f"Bearer {key}"}
    order = {
        "external_id": "T1",
        "member": {"identities": [{"type": "phone", "value": "13800000000"}]},
        "channel": "taobao",
        "paid_at": "2026-11-11T10:00:00+08:00",
        "amount": "900",
    }
    stored = TestClient(app).post("/api/v1/orders", json=order, headers=headers)
    assert stored.status_code == 201, stored.text
    member = stored.json()["member_id"]  # 900 + the 100 first-order bonus = 1,000 points
    barrier = threading.Barrier(REQUESTS)

    def post(n: int) -> httpx.Response:
        client = TestClient(app, raise_server_exceptions=False)
        barrier.wait()
        return client.post(
            f"/api/v1/members/{member}/points/redeem",
            json={"points": 100, "reason": "checkout"},
            headers={**headers, "Idempotency-Key": f"race-{n}"},
        )

    with ThreadPoolExecutor(REQUESTS) as pool:
        responses = list(pool.map(post, range(REQUESTS)))
    assert sorted(r.status_code for r in responses) == [201] * 10 + [409] * 40
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == PROBLEM_JSON
        body = refused.json()
        assert (body["code"], body["status"], body["requested"]) == (
            "points.insufficient",
            409,
            100,
        )
        assert body["balance"] < 100
        assert body["detail"]
    assert sorted(r.json()["balance_after"] for r in responses if r.status_code == 201) == list(
        range(0, 1000, 100)
    )
    with make_session_factory(fresh_engine)() as session:
        tenant = created.id
        account = session.scalars(
            select(PointsAccount).where(PointsAccount.tenant_id == tenant)
        ).one()
        entries = session.scalar(
            select(func.sum(PointsEntry.points)).where(PointsEntry.tenant_id == tenant)
        )
        lots = session.scalar(
            select(func.sum(PointsLot.remaining)).where(PointsLot.tenant_id == tenant)
        )
        assert (account.balance, account.debt, entries, lots) == (0, 0, 0, 0)
