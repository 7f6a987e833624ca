"""Acceptance 1 (issue 9): concurrent spends against one balance, each request in its own
transaction with real commits: exactly the affordable ones succeed, the others get a 409
problem document, and both parts end exact and equal to the sum of the ledger. And one
request sent many times at once with the same Idempotency-Key happens once.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.kernel.db import make_session_factory
from memberops.loyalty.wallet.models import StoredValueAccount, StoredValueEntry
from tests.api.support import PROBLEM_JSON
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
REQUESTS = 50


def _member_with_balance(racer: Racer) -> str:
    """A member with order T1 (2,000.00) and 110.00 of stored value (100 paid in, 10 bonus)."""
    client = TestClient(racer.app)
    order = {
        "external_id": "T1",
        "member": {"identities": [{"type": "phone", "value": "13800000000"}]},
        "channel": "taobao",
        "paid_at": "2026-11-11T10:00:00+08:00",
        "amount": "2000",
    }
    stored = client.post("/api/v1/orders", json=order, headers=racer.headers)
    assert stored.status_code == 201, stored.text
    member: str = stored.json()["member_id"]
    rules = {"bonus_tiers": [{"min_amount": "100", "bonus": "10"}]}
    assert client.put("/api/v1/stored-value/rules", json=rules, headers=racer.headers).is_success
    top_up = client.post(
        f"/api/v1/members/{member}/stored-value/top-ups",
        json={"amount": "100"},
        headers={**racer.headers, "Idempotency-Key": "top-up"},
    )
    assert top_up.json()["balance"] == "110.00", top_up.text
    return member


def _totals(engine: Engine, tenant: int) -> tuple[Any, ...]:
    with make_session_factory(engine)() as session:
        account = session.scalars(
            select(StoredValueAccount).where(StoredValueAccount.tenant_id == tenant)
        ).one()
        sums = session.execute(
            select(
                func.sum(StoredValueEntry.principal_cents),
                func.sum(StoredValueEntry.bonus_cents),
                func.count(),
            ).where(StoredValueEntry.tenant_id == tenant)
        ).one()
        return account.principal_cents, account.bonus_cents, *sums


def test_fifty_spends_at_once_take_exactly_the_balance(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    member = _member_with_balance(app_and_key)
    calls = [
        Call(
            f"/api/v1/members/{member}/stored-value/spends",
            {"order_id": "T1", "amount": "11"},
            headers={"Idempotency-Key": f"race-{n}"},
        )
        for n in range(REQUESTS)
    ]
    responses = at_once(app_and_key, calls)
    assert sorted(r.status_code for r in responses) == [201] * 10 + [409] * 40
    for refused in (r for r in responses if r.status_code == 409):
        assert refused.headers["content-type"] == PROBLEM_JSON
        body = refused.json()
        assert (body["code"], body["requested"]) == ("stored_value.insufficient", "11.00")
        assert body["balance"] in {f"{n}.00" for n in range(0, 110, 11)}
    done = [r.json() for r in responses if r.status_code == 201]
    assert {(d["from_principal"], d["from_bonus"]) for d in done} == {("10.00", "1.00")}
    assert sorted(float(d["balance"]) for d in done) == [float(n) for n in range(0, 110, 11)]
    # top-up, bonus and ten spends; nothing left of either part
    assert _totals(fresh_engine, app_and_key.tenant_id) == (0, 0, 0, 0, 12)


def test_one_request_sent_twenty_times_at_once_happens_once(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    member = _member_with_balance(app_and_key)
    call = Call(
        f"/api/v1/members/{member}/stored-value/spends",
        {"order_id": "T1", "amount": "22"},
        headers={"Idempotency-Key": "the-same"},
    )
    responses = at_once(app_and_key, [call] * 20)
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    assert len({r.text for r in responses}) == 1
    assert _totals(fresh_engine, app_and_key.tenant_id) == (8_000, 800, 8_000, 800, 3)


def test_a_refund_racing_spends_of_its_order_gives_back_all_they_took(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    member = _member_with_balance(app_and_key)
    spends = [
        Call(
            f"/api/v1/members/{member}/stored-value/spends",
            {"order_id": "T1", "amount": "11"},
            headers={"Idempotency-Key": f"race-{n}"},
        )
        for n in range(10)
    ]
    full_refund = Call("/api/v1/orders/T1/refunds", {"refund_id": "R1"})
    *spent, refunded = at_once(app_and_key, [*spends, full_refund])
    assert refunded.status_code == 201, refunded.text
    codes = {r.status_code for r in spent}
    assert codes <= {201, 409}
    for refused in (r for r in spent if r.status_code == 409):
        assert refused.json()["code"] == "stored_value.order_refunded"
    # Whatever ran first, the full refund gave back exactly what the spends before it took.
    principal, bonus, *_ = _totals(fresh_engine, app_and_key.tenant_id)
    assert (principal, bonus) == (10_000, 1_000)
