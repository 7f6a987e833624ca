"""Bulk refunds store what one ``refund_order`` per refund stores (refund rows, order totals and
statuses, stats), refuse what it refuses with the same reasons, and replays change nothing."""

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity import bulk_refunds
from memberops.activity.bulk_refunds import RefundItem, record_refunds
from memberops.activity.events import OrderRefunded
from memberops.activity.models import Order, Refund
from memberops.activity.orders import record_order
from memberops.activity.refunds import refund_order
from memberops.activity.schemas import OrderCreate, RefundCreate
from memberops.kernel import clock
from memberops.kernel.errors import DomainError
from memberops.kernel.events import DomainEvent
from memberops.tenancy.access import Principal
from tests.activity.support import order_body, stats_rows
from tests.api.support import snapshot

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _refund(refund_id: str, amount: str | None = None, **more: Any) -> RefundCreate:
    return RefundCreate.model_validate({"refund_id": refund_id, "amount": amount, **more})


#: Each kind of refund once: partial, the rest (no amount), two of one order, one too many,
#: an unknown order, a repeat within the batch, the same id with another amount.
ITEMS: list[RefundItem] = [
    ("T1", _refund("R1", "50.00", refunded_at="2026-11-12T10:00:00+08:00")),
    ("T1", _refund("R2")),
    ("T1", _refund("R3", "0.01")),
    ("T2", _refund("R1", "10.00", reason="damaged")),
    ("T2", _refund("R1", "10.00", reason="damaged")),
    ("T2", _refund("R1", "11.00")),
    ("T3", _refund("R9", "1.00")),
    ("T4", _refund("R4", "199.01")),
]


def _orders(session: Session, principal: Principal) -> None:
    with session.begin():
        for external_id, phone in [("T1", "13800000000"), ("T2", "13900000000")]:
            body = OrderCreate.model_validate(order_body(external_id, phone))
            record_order(session, principal, body)
        record_order(session, principal, OrderCreate.model_validate(order_body("T4")))


def _one_by_one(session: Session, principal: Principal) -> list[tuple[int, str]]:
    """``refund_order`` per item, each in its own savepoint; the refusals by position."""
    refused: list[tuple[int, str]] = []
    with session.begin():
        for position, (order_id, body) in enumerate(ITEMS):
            try:
                with session.begin_nested():
                    refund_order(session, principal, order_id, body)
            except DomainError as refusal:
                refused.append((position, refusal.detail))
    return refused


def _state(session: Session, principal: Principal) -> dict[str, Any]:
    """Refunds and orders by external ids (row ids differ between tenants), and the stats."""
    tenant = principal.tenant_id
    with session.begin():
        names = {
            row.id: row.external_id for row in session.execute(select(Order.id, Order.external_id))
        }
        refunds = sorted(
            (
                names[r.order_id],
                r.external_id,
                r.amount_cents,
                r.content_hash,
                r.refunded_at,
                r.reason,
                r.created_at,
            )
            for r in session.scalars(select(Refund).where(Refund.tenant_id == tenant))
        )
        orders = sorted(
            (o.external_id, o.refunded_cents, str(o.status))
            for o in session.scalars(select(Order).where(Order.tenant_id == tenant))
        )
    stats = [row[2:] for row in stats_rows(session, tenant)]
    return {"refunds": refunds, "orders": orders, "stats": stats}


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list[DomainEvent]:
    """The domain events the bulk writer publishes."""
    seen: list[DomainEvent] = []
    real = bulk_refunds.publish

    def spy(session: Session, event: DomainEvent) -> None:
        seen.append(event)
        real(session, event)

    monkeypatch.setattr(bulk_refunds, "publish", spy)
    return seen


def test_bulk_refunds_store_and_refuse_what_one_by_one_does(
    session: Session,
    tenant: Principal,
    other_tenant: Principal,
    published: list[DomainEvent],
) -> None:
    with clock.frozen(NOW):
        _orders(session, tenant)
        _orders(session, other_tenant)
        refused_one_by_one = _one_by_one(session, other_tenant)
        with session.begin():
            result = record_refunds(session, tenant, ITEMS)
    assert (result.created, result.replayed) == (3, 1)
    assert result.refused == refused_one_by_one
    assert result.refused == [
        (2, "Order 'T1' has 0.00 left to refund."),
        (5, "Refund 'R1' was already recorded with different content."),
        (6, "No order 'T3' in this tenant."),
        (7, "Order 'T4' has 199.00 left to refund."),
    ]
    bulk = _state(session, tenant)
    assert bulk == _state(session, other_tenant)
    assert bulk["orders"] == [
        ("T1", 19900, "refunded"),
        ("T2", 1000, "partially_refunded"),
        ("T4", 0, "paid"),
    ]
    assert [r[2] for r in bulk["refunds"]] == [5000, 14900, 1000]
    refunded = [e for e in published if isinstance(e, OrderRefunded)]
    assert [(e.amount_cents, e.historical) for e in refunded] == [
        (5000, True),
        (14900, True),
        (1000, True),
    ]


def test_a_replayed_batch_changes_nothing(
    session: Session, tenant: Principal, published: list[DomainEvent]
) -> None:
    with clock.frozen(NOW):
        _orders(session, tenant)
        with session.begin():
            record_refunds(session, tenant, ITEMS)
        before = snapshot(session, tenant.tenant_id)
        published.clear()
        with session.begin():
            again = record_refunds(session, tenant, ITEMS[:2] + ITEMS[3:5])
    assert (again.created, again.replayed, again.refused) == (0, 4, [])
    assert published == []
    assert snapshot(session, tenant.tenant_id) == before
