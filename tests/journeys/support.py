"""What the journeys tests share: a frozen clock at 18:00 in Shanghai (outside the quiet
hours), members who can be sent an SMS, journeys built through the service, and the worker's
passes with everything due run."""

import itertools
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.events import OrderPaid
from memberops.journeys import service
from memberops.journeys.handlers import on_order_paid
from memberops.journeys.jobs import advance_due
from memberops.journeys.models import Journey, JourneyPosition
from memberops.journeys.schemas import JourneyCreate
from memberops.kernel import clock
from memberops.messaging.models import Message
from memberops.tenancy.access import Principal

#: 18:00 in Shanghai (the tenants' timezone): outside the quiet hours (22:00–08:00).
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
WELCOME = [
    {"type": "wait", "days": 1},
    {"type": "send", "channel": "sms", "body": "Welcome {{ name }}"},
    {
        "type": "branch",
        "condition": {"field": "member.gender", "op": "=", "value": "female"},
        "no": 4,
    },
    {"type": "issue_coupon", "coupon_template_id": 0},
]

_serial = itertools.count(1)


def journey(
    session: Session, principal: Principal, steps: list[dict[str, Any]], **fields: Any
) -> Journey:
    """An active journey started by paid orders (holdout 0 unless given)."""
    body = {"name": f"journey {next(_serial)}", "trigger": {"type": "order_paid"}}
    body |= {"steps": steps, "holdout_percent": 0, **fields}
    with session.begin():
        created = service.create_journey(session, principal, JourneyCreate.model_validate(body))
        return service.activate(session, principal, created.id)


def pay(session: Session, principal: Principal, member_ids: list[int], order: int = 1) -> None:
    """Hand journeys the ``OrderPaid`` of an order of each member, and commit (the order
    itself is left out: the points and stats rooms would look for it)."""
    with session.begin():
        for member_id in member_ids:
            event = OrderPaid(principal.tenant_id, member_id, order * 10**9 + member_id, "x", 100)
            on_order_paid(session, event)


def run(factory: sessionmaker[Session], batch: int = 1000) -> int:
    """Advance every position due now; how many were claimed in all."""
    total = 0
    while True:
        claimed = advance_due(factory, clock.now(), batch)
        total += claimed
        if claimed < batch:
            return total


def messages(session: Session, tenant_id: int) -> Counter[str]:
    """The tenant's journey messages by idempotency key."""
    with session.begin():
        rows = session.scalars(
            select(Message.idempotency_key).where(
                Message.tenant_id == tenant_id, Message.idempotency_key.startswith("journey:")
            )
        )
        return Counter(rows)


def statuses(session: Session, journey_id: int) -> Counter[tuple[int, str, int]]:
    """(version, status, step) of the journey's positions, counted."""
    with session.begin():
        rows = session.execute(
            select(
                JourneyPosition.version, JourneyPosition.status, JourneyPosition.step, func.count()
            )
            .where(JourneyPosition.journey_id == journey_id)
            .group_by(JourneyPosition.version, JourneyPosition.status, JourneyPosition.step)
        )
        return Counter({(v, str(s), step): n for v, s, step, n in rows})
