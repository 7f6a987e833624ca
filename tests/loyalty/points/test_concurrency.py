"""Acceptance: 50 redemptions at once against a balance that covers 10 of them, each request in
its own transaction with real commits: exactly 10 succeed, 40 get a 409 problem document, and
the balance is exact and equals the sum of the ledger.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.kernel.db import make_session_factory
from memberops.loyalty.points.models import PointsAccount, PointsEntry, PointsLot
from tests.api.support import PROBLEM_JSON
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
REQUESTS = 50


def test_fifty_redemptions_at_once_spend_exactly_the_balance(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, tenant = app_and_key
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
    calls = [
        Call(
            f"/api/v1/members/{member}/points/redeem",
            {"points": 100, "reason": "checkout"},
            headers={"Idempotency-Key": f"race-{n}"},
        )
        for n in range(REQUESTS)
    ]
    responses = at_once(app_and_key, calls)
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
