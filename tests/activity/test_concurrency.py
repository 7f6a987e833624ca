"""Concurrent writes of orders and refunds, each request in its own transaction with real
commits: one order per external id, refunds never past the paid amount, no 500.

PostgreSQL only: SQLite takes one writer at a time (``BEGIN IMMEDIATE``), so nothing races.
"""

import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from memberops.activity import stats
from memberops.activity.models import MemberStats, Order, Refund
from memberops.kernel.db import make_session_factory
from tests.activity.support import ORDERS, order_body
from tests.races import Call, Racer, at_once

pytestmark = pytest.mark.postgres_only
THREADS = 8


def _statuses(racer: Racer, calls: list[Call]) -> list[int]:
    return sorted(r.status_code for r in at_once(racer, calls))


def _count(engine: Engine, model: Any, tenant_id: int) -> int:
    with make_session_factory(engine)() as session:
        query = select(func.count()).select_from(model).where(model.tenant_id == tenant_id)
        return session.scalar(query) or 0


def test_the_same_order_at_once_is_stored_once(fresh_engine: Engine, app_and_key: Racer) -> None:
    tenant_id = app_and_key.tenant_id
    statuses = _statuses(app_and_key, [Call(ORDERS, order_body())] * THREADS)
    assert statuses == [200] * (THREADS - 1) + [201]
    assert _count(fresh_engine, Order, tenant_id) == 1


def test_refunds_at_once_never_pass_the_paid_amount(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, tenant_id = app_and_key
    created = TestClient(app).post(ORDERS, json=order_body(amount="100"), headers=headers)
    assert created.status_code == 201
    calls = [
        Call(f"{ORDERS}/T1001/refunds", {"refund_id": f"R{n}", "amount": "30"})
        for n in range(THREADS)
    ]
    assert _statuses(app_and_key, calls) == [201] * 3 + [409] * (THREADS - 3)
    same = [Call(f"{ORDERS}/T1001/refunds", {"refund_id": "RX", "amount": "10"})] * THREADS
    assert _statuses(app_and_key, same) == [200] * (THREADS - 1) + [201]
    with make_session_factory(fresh_engine)() as session:
        order = session.scalar(select(Order).where(Order.tenant_id == tenant_id))
        assert order is not None
        assert (order.refunded_cents, order.status) == (10000, "refunded")
        stored = session.scalar(select(MemberStats).where(MemberStats.tenant_id == tenant_id))
        assert stored is not None
        assert (stored.refunds_count, stored.spend_cents) == (4, 0)
    assert _count(fresh_engine, Refund, tenant_id) == 4


def test_orders_of_one_member_at_once_leave_exact_stats(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    app, headers, tenant_id = app_and_key
    TestClient(app).post(ORDERS, json=order_body("T0"), headers=headers)
    calls = [Call(ORDERS, order_body(f"T{n}", amount="1")) for n in range(1, THREADS + 1)]
    assert _statuses(app_and_key, calls) == [201] * THREADS
    with make_session_factory(fresh_engine)() as session, session.begin():
        stored = session.scalar(select(MemberStats).where(MemberStats.tenant_id == tenant_id))
        assert stored is not None
        assert (stored.orders_count, stored.spend_cents) == (THREADS + 1, 19900 + 100 * THREADS)
        stats.refresh(session, tenant_id)
        rebuilt = session.scalar(select(MemberStats).where(MemberStats.tenant_id == tenant_id))
        assert rebuilt is not None
        assert rebuilt.orders_count == THREADS + 1


def test_batches_naming_the_same_people_in_other_orders_do_not_deadlock(
    fresh_engine: Engine, app_and_key: Racer
) -> None:
    """Four batches over one pool of new customers, each in its own order: every batch first
    resolves its members in one global order, so all are stored without a lock cycle."""
    tenant_id = app_and_key.tenant_id
    phones = [f"1380013{n:04d}" for n in range(40)]
    batches = []
    for client in range(4):
        order = random.Random(client).sample(phones, len(phones))
        items = [order_body(f"B{client}-{i}", phone) for i, phone in enumerate(order)]
        batches.append(Call("/api/v1/orders:batch", {"items": items}))
    statuses = []
    for response in at_once(app_and_key, batches):
        assert response.status_code == 200, response.text
        statuses += [item["status"] for item in response.json()["items"]]
    assert statuses == [201] * 160
    assert _count(fresh_engine, Order, tenant_id) == 160
