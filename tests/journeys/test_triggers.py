"""The triggers of issue 8's second part: the monthly member day, a fixed date, a cart left
without a purchase for N hours, and an order shipped or delivered — each occurrence entered once
however often the worker passes."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.models import Event, EventType, Order
from memberops.journeys.jobs import enter_scheduled
from memberops.journeys.models import Journey, JourneyPosition
from memberops.kernel import clock
from memberops.loyalty.points.rules import EarnRules
from memberops.tenancy.access import Principal
from memberops.tenancy.sections import save_section
from tests.api.support import assert_invalid
from tests.conditions.support import make_member
from tests.journeys.support import NOW, journey
from tests.journeys.test_engine import LOG

HOUR = timedelta(hours=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _entered(session: Session, entered: Journey) -> dict[int, str]:
    with session.begin():
        query = select(JourneyPosition.member_id, JourneyPosition.entry_key).where(
            JourneyPosition.journey_id == entered.id
        )
        return {row.member_id: row.entry_key for row in session.execute(query)}


def _pass_at(factory: sessionmaker[Session], moment: datetime) -> int:
    clock.advance(moment - clock.now())
    return enter_scheduled(factory, clock.now())


def test_member_day_on_its_day_from_its_time_for_the_condition(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    with session.begin():
        woman = make_member(session, tenant, gender="female")
        make_member(session, tenant, gender="male")
    trigger = {
        "type": "member_day",
        "day": 8,
        "at": "10:00",
        "condition": {"field": "member.gender", "op": "=", "value": "female"},
    }
    day = journey(session, tenant, [LOG], trigger=trigger, entry_rule="every_time")
    assert _pass_at(session_factory, local(12, 7, 10)) == 0
    assert _pass_at(session_factory, local(12, 8, 9, 40)) == 0
    assert _pass_at(session_factory, local(12, 8, 10)) == 1
    assert _pass_at(session_factory, local(12, 8, 23, 59)) == 0
    assert _pass_at(session_factory, local(12, 9, 10)) == 0
    assert _entered(session, day) == {woman: "member_day:2026-12"}


def test_member_day_needs_a_day_when_the_tenant_has_none(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    with session.begin():
        save_section(session, tenant, EarnRules(member_day=None))
    body: dict[str, Any] = {
        "name": "member day",
        "trigger": {"type": "member_day"},
        "steps": [LOG],
    }
    response = client.post("/api/v1/journeys", json=body, headers=admin)
    assert_invalid(response, ["body", "trigger", "day"], "journeys.invalid")
    body["trigger"]["condition"] = {"field": "member.shoe_size", "op": "=", "value": 1}
    body["trigger"]["day"] = 1
    bad = client.post("/api/v1/journeys", json=body, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"][:3] == ["body", "trigger", "condition"]
    naive = {**body, "trigger": {"type": "fixed_date", "at": "2026-12-12T10:00:00+08:00"}}
    response = client.post("/api/v1/journeys", json=naive, headers=admin)
    assert_invalid(response, ["body", "trigger", "fixed_date"])


def test_a_fixed_date_enters_once_from_its_moment_for_a_day(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    with session.begin():
        first = make_member(session, tenant)
    trigger = {"type": "fixed_date", "at": "2026-12-12T10:00:00"}
    launch = journey(session, tenant, [LOG], trigger=trigger)
    assert _pass_at(session_factory, local(12, 12, 9, 40)) == 0
    assert _pass_at(session_factory, local(12, 12, 10)) == 1
    with session.begin():
        second = make_member(session, tenant)
    assert _pass_at(session_factory, local(12, 13, 9, 59)) == 1  # within the day after
    with session.begin():
        make_member(session, tenant)
    assert _pass_at(session_factory, local(12, 13, 10)) == 0  # the day is over
    assert _entered(session, launch) == {first: "once", second: "once"}


def _cart(session: Session, tenant: Principal, member_id: int, at: datetime, n: int) -> None:
    session.add(
        Event(
            tenant_id=tenant.tenant_id,
            member_id=member_id,
            external_id=f"cart-{member_id}-{n}",
            content_hash="x",
            type=EventType.cart_add,
            occurred_at=at,
            properties={},
        )
    )


def _order(session: Session, tenant: Principal, member_id: int, at: datetime) -> None:
    session.add(
        Order(
            tenant_id=tenant.tenant_id,
            member_id=member_id,
            external_id=f"order-{member_id}",
            content_hash="x",
            channel="taobao",
            paid_at=at,
            amount_cents=100,
            list_amount_cents=100,
        )
    )


def test_a_cart_left_for_hours_without_an_order_enters_once(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    with session.begin():
        left, bought, fresh, stale = (make_member(session, tenant) for _ in range(4))
        _cart(session, tenant, left, NOW - 5 * HOUR, 1)
        _cart(session, tenant, left, NOW - 3 * HOUR, 2)  # its latest cart add counts
        _cart(session, tenant, bought, NOW - 3 * HOUR, 1)
        _order(session, tenant, bought, NOW - 2 * HOUR)
        _cart(session, tenant, fresh, NOW - HOUR, 1)
        _cart(session, tenant, stale, NOW - 30 * HOUR, 1)  # over a day past due: left alone
    carts = journey(
        session,
        tenant,
        [LOG],
        trigger={"type": "cart_abandoned", "hours": 2},
        entry_rule="every_time",
    )
    assert enter_scheduled(session_factory, clock.now()) == 1
    assert list(_entered(session, carts)) == [left]
    assert _pass_at(session_factory, NOW + HOUR) == 1  # `fresh` is 2 hours old now
    assert _pass_at(session_factory, NOW + 2 * HOUR) == 0
    with session.begin():  # `left` carts again: a new occurrence, once it is 2 hours old
        _cart(session, tenant, left, NOW + 2 * HOUR, 3)
    assert _pass_at(session_factory, NOW + 4 * HOUR) == 1
    entered = _entered(session, carts)
    assert set(entered) == {left, fresh}
    with session.begin():
        count = len(
            session.scalars(
                select(JourneyPosition.id).where(JourneyPosition.journey_id == carts.id)
            ).all()
        )
    assert count == 3
