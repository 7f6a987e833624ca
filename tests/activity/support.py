"""Helpers of the activity tests: request bodies and the stats rows of a tenant."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity.models import MemberStats

ORDERS = "/api/v1/orders"
EVENTS = "/api/v1/events"
PAID_AT = "2026-11-11T10:00:00+08:00"


def order_body(external_id: str = "T1001", phone: str = "13800000000", **overrides: Any) -> Any:
    """Issue 3's example order."""
    body = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": phone}]},
        "channel": "taobao",
        "store": "s1",
        "paid_at": PAID_AT,
        "amount": "199.00",
        "list_amount": "259.00",
        "lines": [
            {
                "sku": "A1",
                "name": "茶具",
                "category": "tea",
                "unit_price": "99.50",
                "list_price": "129.50",
                "quantity": 2,
            }
        ],
    }
    return {**body, **overrides}


def event_body(external_id: str = "E1", phone: str = "13800000000", **overrides: Any) -> Any:
    body = {
        "external_id": external_id,
        "member": {"identities": [{"type": "phone", "value": phone}]},
        "type": "cart_add",
        "occurred_at": PAID_AT,
        "channel": "taobao",
        "properties": {"sku": "A1"},
    }
    return {**body, **overrides}


def stats_rows(session: Session, tenant_id: int) -> list[tuple[Any, ...]]:
    """Every column of every member_stats row of the tenant, by member."""
    table = MemberStats.__table__
    query = select(table).where(table.c.tenant_id == tenant_id).order_by(table.c.member_id)
    with session.begin():
        return [tuple(row) for row in session.execute(query)]
