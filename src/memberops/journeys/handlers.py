"""The journeys room's subscriptions, installed by :func:`register` (``memberops.wiring``).

A domain event enters its member into every active journey of the tenant that it triggers, in
the publishing transaction: the entry commits with the order, the sign-up or the check-in, or
not at all. Historical orders and refunds (a bulk load of the past) enter nobody. A merge moves
the absorbed member's positions to the survivor, except where the survivor already has that
entry of that journey.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, and_, exists
from sqlalchemy.orm import Session, aliased

from memberops.activity.events import OrderDelivered, OrderPaid, OrderRefunded, OrderShipped
from memberops.identity.events import MemberRegistered, MembersMerged
from memberops.identity.merge import move_member_rows
from memberops.insights.lifecycle.events import StageChanged
from memberops.journeys.entry import enter
from memberops.journeys.models import JourneyPosition
from memberops.journeys.service import active_triggers
from memberops.kernel import clock
from memberops.kernel.events import subscribe
from memberops.loyalty.checkin.events import CheckedIn
from memberops.loyalty.tiers.events import TierChanged

_POSITIONS: Table = JourneyPosition.__table__  # type: ignore[assignment]
Accepts = Callable[[dict[str, Any]], bool]


def _any(_trigger: dict[str, Any]) -> bool:
    return True


def enter_triggered(
    session: Session,
    tenant_id: int,
    trigger_type: str,
    member_id: int,
    occurrence: str,
    accepts: Accepts = _any,
) -> int:
    """Enter the member into the tenant's active journeys of ``trigger_type`` whose trigger
    ``accepts`` the event; how many they entered."""
    now, entered = clock.now(), 0
    for journey, trigger in active_triggers(session, tenant_id):
        if journey.trigger_type == trigger_type and accepts(trigger):
            entered += enter(session, journey, member_id, occurrence, now)
    return entered


def on_registered(session: Session, event: MemberRegistered) -> None:
    enter_triggered(session, event.tenant_id, "member_registered", event.member_id, "registered")


def on_order_paid(session: Session, event: OrderPaid) -> None:
    if not event.historical:
        occurrence = f"order:{event.order_id}"
        enter_triggered(session, event.tenant_id, "order_paid", event.member_id, occurrence)


def on_order_shipped(session: Session, event: OrderShipped) -> None:
    occurrence = f"shipped:{event.order_id}"
    enter_triggered(session, event.tenant_id, "order_shipped", event.member_id, occurrence)


def on_order_delivered(session: Session, event: OrderDelivered) -> None:
    occurrence = f"delivered:{event.order_id}"
    enter_triggered(session, event.tenant_id, "order_delivered", event.member_id, occurrence)


def on_order_refunded(session: Session, event: OrderRefunded) -> None:
    if not event.historical:
        occurrence = f"refund:{event.refund_id}"
        enter_triggered(session, event.tenant_id, "order_refunded", event.member_id, occurrence)


def on_checked_in(session: Session, event: CheckedIn) -> None:
    occurrence = f"checkin:{event.local_date.isoformat()}"
    enter_triggered(session, event.tenant_id, "checked_in", event.member_id, occurrence)


def on_stage_changed(session: Session, event: StageChanged) -> None:
    to = str(event.to_stage)
    occurrence = f"stage:{to}:{clock.now().date().isoformat()}"
    enter_triggered(
        session,
        event.tenant_id,
        "stage_changed",
        event.member_id,
        occurrence,
        lambda trigger: trigger.get("to_stage") in (None, to),
    )


def on_tier_changed(session: Session, event: TierChanged) -> None:
    to, kind = event.to_tier, str(event.kind)
    occurrence = f"tier:{to}:{clock.now().date().isoformat()}"
    enter_triggered(
        session,
        event.tenant_id,
        "tier_changed",
        event.member_id,
        occurrence,
        lambda trigger: (
            trigger.get("to_tier") in (None, to) and trigger.get("kind") in (None, kind)
        ),
    )


def on_members_merged(session: Session, event: MembersMerged) -> None:
    survivors = aliased(JourneyPosition)
    already = exists().where(
        and_(
            survivors.tenant_id == event.tenant_id,
            survivors.member_id == event.survivor_id,
            survivors.journey_id == _POSITIONS.c.journey_id,
            survivors.entry_key == _POSITIONS.c.entry_key,
        )
    )
    move_member_rows(session, event, _POSITIONS, keep=already)


def register() -> None:
    subscribe(MemberRegistered, on_registered)
    subscribe(OrderPaid, on_order_paid)
    subscribe(OrderShipped, on_order_shipped)
    subscribe(OrderDelivered, on_order_delivered)
    subscribe(OrderRefunded, on_order_refunded)
    subscribe(CheckedIn, on_checked_in)
    subscribe(StageChanged, on_stage_changed)
    subscribe(TierChanged, on_tier_changed)
    subscribe(MembersMerged, on_members_merged)
