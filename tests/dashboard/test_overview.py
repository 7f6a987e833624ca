"""The overview's figures, exact, on a small hand-built history written through the activity
services under a frozen clock, on both backends: the 30- and 365-day boundaries, refunds
(full and partial), local days in the tenant's timezone, merges, another tenant's rows."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.activity import behaviour, orders, refunds
from memberops.activity.schemas import EventCreate, OrderCreate, RefundCreate
from memberops.dashboard import service
from memberops.dashboard.periods import Bucket
from memberops.identity.schemas import MemberUpsert
from memberops.identity.service import upsert_member
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role

#: A Monday, 20:00 in Asia/Shanghai (the tenant's default timezone).
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
OVERVIEW = "/api/v1/dashboard/overview"


def _who(name: str) -> dict[str, Any]:
    return {"identities": [{"type": "crm_id", "value": name}]}


def _order(session: Session, p: Principal, ext: str, who: str, at: datetime, yuan: str) -> None:
    body = {"external_id": ext, "member": _who(who), "channel": "taobao", "paid_at": at.isoformat()}
    with clock.frozen(at), session.begin():
        orders.record_order(session, p, OrderCreate.model_validate({**body, "amount": yuan}))


def _refund(session: Session, p: Principal, ext: str, at: datetime, yuan: str | None) -> None:
    body = RefundCreate.model_validate({"refund_id": f"R-{ext}", "amount": yuan})
    with clock.frozen(at), session.begin():
        refunds.refund_order(session, p, ext, body)


def _event(session: Session, p: Principal, ext: str, who: str, kind: str, at: datetime) -> None:
    body = {"external_id": ext, "member": _who(who), "type": kind, "occurred_at": at.isoformat()}
    with clock.frozen(at), session.begin():
        behaviour.record_event(session, p, EventCreate.model_validate(body))


def _member(session: Session, p: Principal, at: datetime, *names: str, registered: bool) -> None:
    identities = [{"type": "crm_id", "value": name} for name in names]
    body = MemberUpsert.model_validate({"identities": identities, "registered": registered})
    with clock.frozen(at), session.begin():
        upsert_member(session, p, body)


def _history(session: Session, p: Principal, rival: Principal) -> None:
    """A: registered, two purchases (repeat, active) and a cart; B: exactly 30 days ago
    (active); C: a second more (dormant); D: exactly 365 days ago (buyer); E: a second more
    (no buyer), carted (interested, bought once: no prospect); F: fully refunded (no buyer),
    favourite item (prospect); G: partially refunded (active); H: favourite store exactly 30
    days ago and an unpaid order (prospect); I: favourite store a second too early; J: a page
    view only; K: 00:30 local today, still yesterday in UTC; L: registered today, nothing else;
    M1 + M2: one person, merged."""
    _member(session, p, NOW - 40 * DAY, "A", registered=True)
    _order(session, p, "T-A1", "A", NOW - 40 * DAY, "50.00")
    _order(session, p, "T-A2", "A", NOW - DAY, "100.00")
    _event(session, p, "E-A", "A", "cart_add", NOW - DAY)
    _order(session, p, "T-B", "B", NOW - 30 * DAY, "200.00")
    _order(session, p, "T-C", "C", NOW - 30 * DAY - SECOND, "80.00")
    _order(session, p, "T-D", "D", NOW - 365 * DAY, "60.00")
    _order(session, p, "T-E", "E", NOW - 365 * DAY - SECOND, "70.00")
    _event(session, p, "E-E", "E", "cart_add", NOW - 2 * DAY)
    _order(session, p, "T-F", "F", NOW - 5 * DAY, "30.00")
    _refund(session, p, "T-F", NOW - 4 * DAY, None)
    _event(session, p, "E-F", "F", "favorite_item", NOW - 3 * DAY)
    _order(session, p, "T-G", "G", NOW - 10 * DAY, "100.00")
    _refund(session, p, "T-G", NOW - 9 * DAY, "40.00")
    _event(session, p, "E-H1", "H", "favorite_store", NOW - 30 * DAY)
    _event(session, p, "E-H2", "H", "order_placed", NOW - DAY)
    _event(session, p, "E-I", "I", "favorite_store", NOW - 30 * DAY - SECOND)
    _event(session, p, "E-J", "J", "page_view", NOW - 2 * DAY)
    _order(session, p, "T-K", "K", datetime(2026, 11, 22, 16, 30, tzinfo=UTC), "10.00")
    _member(session, p, NOW, "L", registered=True)
    _member(session, p, NOW - DAY, "M1", registered=False)
    _member(session, p, NOW - DAY, "M2", registered=False)
    _member(session, p, NOW - DAY, "M1", "M2", registered=False)
    _order(session, rival, "T-A2", "A", NOW - DAY, "999.00")


@pytest.fixture
def history(session: Session, tenant: Principal, other_tenant: Principal) -> Principal:
    _history(session, tenant, other_tenant)
    return tenant


def _daily(day: int, orders: int = 0, gmv: str = "0.00", new: int = 0, reg: int = 0) -> Any:
    return {
        "start": date(2026, 11, day).isoformat(),
        "orders": orders,
        "gmv": gmv,
        "new_members": new,
        "new_registered": reg,
    }


EXPECTED = {
    "as_of": "2026-11-23T12:00:00Z",
    "timezone": "Asia/Shanghai",
    "has_orders": True,
    "buyers": {
        "buyers_365d": 6,
        "active_30d": 4,
        "dormant": 2,
        "repeat_buyers_365d": 1,
        "repurchase_rate": 0.1667,
    },
    "interest": {
        "interested_30d": 3,
        "prospects_30d": 2,
        "shop_favourites_30d": 1,
        "item_favourites_30d": 1,
        "cart_adders_30d": 2,
    },
    "value": {
        "members": {"orders": 2, "gmv": "150.00", "average_order_value": "75.00"},
        "customers": {"orders": 5, "gmv": "410.00", "average_order_value": "82.00"},
        "member_gmv_share": 0.2679,
    },
    "trend": {
        "days": 7,
        "bucket": "day",
        "points": [
            _daily(17),
            _daily(18, new=1),
            _daily(19),
            _daily(20),
            _daily(21, new=1),
            _daily(22, orders=1, gmv="100.00", new=1),
            _daily(23, orders=1, gmv="10.00", new=2, reg=1),
        ],
    },
}


def test_overview_figures_are_exact(session: Session, history: Principal) -> None:
    with clock.frozen(NOW), session.begin():
        shown = service.overview(session, history, days=7).model_dump(mode="json")
    assert shown == EXPECTED
    buyers = shown["buyers"]
    assert buyers["active_30d"] + buyers["dormant"] == buyers["buyers_365d"]


def test_a_second_later_the_boundaries_move(session: Session, history: Principal) -> None:
    """B (bought exactly 30 days ago) turns dormant, D (exactly 365) stops being a buyer, and
    H's favourite (exactly 30 days ago) leaves the window."""
    with clock.frozen(NOW + SECOND), session.begin():
        shown = service.overview(session, history, days=7)
    assert shown.buyers.model_dump() == {
        "buyers_365d": 5,
        "active_30d": 3,
        "dormant": 2,
        "repeat_buyers_365d": 1,
        "repurchase_rate": 0.2,
    }
    assert (shown.interest.interested_30d, shown.interest.shop_favourites_30d) == (3, 0)


def test_weekly_buckets_start_on_monday(session: Session, history: Principal) -> None:
    with clock.frozen(NOW), session.begin():
        trend = service.overview(session, history, days=14, bucket=Bucket.week).trend
    starts = [(p.start.isoformat(), p.orders, p.gmv) for p in trend.points]
    # 14 local days from Tue 11-10: that week (clipped), the week of 11-16, and Monday 11-23.
    assert starts == [("2026-11-09", 1, 6000), ("2026-11-16", 1, 10000), ("2026-11-23", 1, 1000)]


def test_an_empty_tenant(session: Session, tenant: Principal) -> None:
    with clock.frozen(NOW), session.begin():
        shown = service.overview(session, tenant, days=7)
    assert shown.has_orders is False
    assert shown.buyers.buyers_365d == 0
    assert shown.buyers.repurchase_rate is None
    assert shown.value.member_gmv_share is None
    assert shown.value.members.average_order_value is None
    assert [p.orders for p in shown.trend.points] == [0] * 7


def test_the_api_answers_the_same_figures_to_an_analyst(
    client: TestClient, history: Principal, headers: dict[Role, dict[str, str]]
) -> None:
    with clock.frozen(NOW):
        answer = client.get(OVERVIEW, params={"days": 7}, headers=headers[Role.analyst])
    assert answer.status_code == 200, answer.text
    assert answer.json() == EXPECTED


@pytest.mark.parametrize("params", [{"days": 6}, {"days": 367}, {"bucket": "month"}, {"days": "x"}])
def test_the_api_refuses_bad_ranges(
    client: TestClient, admin: dict[str, str], params: dict[str, Any]
) -> None:
    answer = client.get(OVERVIEW, params=params, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["code"] == "request.invalid"
