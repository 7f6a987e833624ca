"""What activity adds to other rooms' member views: ``stats`` in ``GET /members/{id}`` and the
orders and events of a member export. Registered by :func:`memberops.activity.handlers.register`."""

from typing import Any

from sqlalchemy.orm import Session

from memberops.activity.behaviour import read_event
from memberops.activity.models import Event, Order
from memberops.activity.orders import read_orders
from memberops.activity.schemas import MemberStatsRead
from memberops.activity.stats import current_stats
from memberops.tenancy.access import Principal, tenant_scope


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def read_stats(row: dict[str, Any]) -> MemberStatsRead:
    """The API's view of a stats row: averages and shares derived from its integers."""
    return MemberStatsRead(
        **{k: row[k] for k in MemberStatsRead.model_fields if k in row},
        spend=row["spend_cents"],
        average_order_value=(
            row["spend_cents"] // row["kept_orders"] if row["kept_orders"] else None
        ),
        max_order_value=row["max_order_cents"],
        spend_365d=row["spend_365d_cents"],
        spend_2y=row["spend_2y_cents"],
        discount_order_share=_share(row["discounted_orders"], row["orders_count"]),
        special_price_share=_share(row["special_price_cents"], row["lines_cents"]),
        top_price_share=_share(row["top_price_cents"], row["lines_cents"]),
    )


def stats_section(session: Session, principal: Principal, member_id: int) -> Any:
    """The member's figures computed now (windows as of this moment); None without activity."""
    row = current_stats(session, principal.tenant_id, member_id)
    return None if row is None else read_stats(row).model_dump(mode="json")


def orders_section(session: Session, principal: Principal, member_id: int) -> Any:
    orders = tenant_scope(principal, Order).where(Order.member_id == member_id)
    found = list(session.scalars(orders.order_by(Order.id)))
    return [o.model_dump(mode="json") for o in read_orders(session, principal, found)]


def events_section(session: Session, principal: Principal, member_id: int) -> Any:
    events = tenant_scope(principal, Event).where(Event.member_id == member_id)
    return [
        read_event(e).model_dump(mode="json") for e in session.scalars(events.order_by(Event.id))
    ]
