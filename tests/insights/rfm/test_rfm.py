"""RFM as stored equals the pandas reference on random histories (partial and whole refunds,
ties, orders outside the window), thresholds scoring follows the merchant's cut points, and the
overview and a member's insights show what is stored."""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity.bulk import record_orders
from memberops.activity.bulk_refunds import record_refunds
from memberops.activity.models import Order
from memberops.activity.schemas import OrderCreate, RefundCreate
from memberops.insights.rfm.models import MemberRfm
from memberops.insights.rfm.service import refresh_rfm
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.activity.support import order_body
from tests.insights.rfm.reference import rfm

AS_OF = datetime(2026, 6, 30, 16, tzinfo=UTC)
NOW = datetime(2026, 7, 1, tzinfo=UTC)


def _history(seed: int) -> tuple[list[OrderCreate], list[tuple[str, RefundCreate]]]:
    """Orders of 40 members over 500 days (some after ``AS_OF``), amounts drawn from a few
    values so that ties happen, one order in eight refunded in part or whole."""
    rng = random.Random(seed)
    orders, refunds = [], []
    for n in range(rng.randint(60, 160)):
        member = rng.randint(1, 40)
        paid = AS_OF - timedelta(days=rng.randint(-5, 500), hours=rng.choice([0, 0, 7]))
        amount = rng.choice([1990, 5000, 5000, 12800, 30000])
        document = order_body(f"T{n}", f"1380000{member:04d}", paid_at=paid.isoformat())
        document |= {"amount": f"{amount / 100:.2f}", "list_amount": None, "lines": []}
        orders.append(OrderCreate.model_validate(document))
        if rng.random() < 0.125:
            part = rng.choice([None, f"{amount / 200:.2f}"])
            refunds.append((f"T{n}", RefundCreate(refund_id=f"R{n}", amount=part)))
    return orders, refunds


def _stored(session: Session, principal: Principal) -> dict[str, Any]:
    with session.begin():
        rows = session.scalars(select(MemberRfm).where(MemberRfm.tenant_id == principal.tenant_id))
        return {
            row.member_id: (
                row.recency_days,
                row.frequency,
                row.monetary_cents,
                row.r_score,
                row.f_score,
                row.m_score,
                row.rfm_type,
                row.segment,
            )
            for row in rows
        }


def _orders_frame(session: Session, principal: Principal) -> pd.DataFrame:
    with session.begin():
        rows = [
            {
                "member": o.member_id,
                "paid_at": o.paid_at,
                "net": o.amount_cents - o.refunded_cents,
                "kept": o.refunded_cents < o.amount_cents,
            }
            for o in session.scalars(select(Order).where(Order.tenant_id == principal.tenant_id))
        ]
    frame = pd.DataFrame(rows)
    frame["paid_at"] = pd.to_datetime(frame["paid_at"], utc=True)
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_rfm_equals_the_reference(session: Session, tenant: Principal, seed: int) -> None:
    orders, refunds = _history(seed)
    with clock.frozen(NOW):
        with session.begin():
            record_orders(session, tenant, orders)
            record_refunds(session, tenant, refunds)
        with session.begin():
            scored = refresh_rfm(session, tenant.tenant_id, AS_OF)
    expected = rfm(_orders_frame(session, tenant), AS_OF)
    stored = _stored(session, tenant)
    assert scored == len(expected) == len(stored) > 20
    reference = {
        int(member): (
            int(row.recency_days),
            int(row.frequency),
            int(row.monetary),
            int(row.r),
            int(row.f),
            int(row.m),
            row.type,
            row.segment,
        )
        for member, row in expected.iterrows()
    }
    assert stored == reference


def test_thresholds_score_by_the_merchants_cut_points(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    rules = client.get("/api/v1/insights/rules", headers=admin).json()
    assert rules["rfm_scoring"] == "quintile"
    assert rules["monetary"][0] == "100.00"
    rules |= {"rfm_scoring": "thresholds", "frequency_orders": [2, 3, 4, 5]}
    answer = client.put("/api/v1/insights/rules", json=rules, headers=admin)
    assert answer.status_code == 200, answer.text
    paid = [AS_OF - timedelta(days=d) for d in (1, 40, 100, 200)]
    with clock.frozen(NOW), session.begin():
        bodies = [
            OrderCreate.model_validate(
                order_body(f"T{n}", "13800000001", paid_at=at.isoformat()) | {"amount": "150.00"}
            )
            for n, at in enumerate(paid)
        ]
        record_orders(session, tenant, bodies)
    with clock.frozen(NOW), session.begin():
        refresh_rfm(session, tenant.tenant_id, AS_OF)
    (row,) = _stored(session, tenant).values()
    # R: 1 day → 5; F: 4 orders → 4 (2, 3, 4 reached); M: 600 yuan → 3 (100, 300 reached)
    assert row[:6] == (1, 4, 60000, 5, 4, 3)
    # one buyer is its own mean, so nothing is above it; R 5 and FM (4 + 3 + 1) // 2 = 4
    assert row[6:] == ("general_winback", "champions")


def test_rules_refuse_thresholds_that_do_not_rise(
    client: TestClient, admin: dict[str, str]
) -> None:
    rules = client.get("/api/v1/insights/rules", headers=admin).json()
    answer = client.put(
        "/api/v1/insights/rules", json=rules | {"recency_days": [30, 30, 90, 180]}, headers=admin
    )
    assert answer.status_code == 422
    assert "recency_days must rise strictly" in answer.text
    assert client.get("/api/v1/insights/rules", headers=admin).json() == rules
