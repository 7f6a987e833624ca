"""Acceptance 3: tiers with a moving clock, through the API. A qualifying order upgrades at
once; refunds mid-period never move anyone down; at a period's end a member below retention is
moved down and one meeting it renews."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.tiers.review import review_due
from memberops.loyalty.tiers.service import evaluate_members
from memberops.tenancy.access import Principal
from tests.api.support import snapshot
from tests.loyalty.tiers.support import START, at, buy, kinds, level_code, refund, tier_of

YEAR = timedelta(days=365)
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def test_the_fifth_order_upgrades_at_once(client: TestClient, admin: dict[str, str]) -> None:
    member = buy(client, admin, "A1", "100.00", "13800000001")
    joined = clock.now()
    for n in range(2, 5):
        clock.advance(DAY)
        buy(client, admin, f"A{n}", "100.00", "13800000001")
        assert level_code(client, admin, member) == "silver"
    clock.advance(DAY)
    buy(client, admin, "A5", "100.00", "13800000001")
    upgraded = clock.now()
    answer = tier_of(client, admin, member)
    assert answer["member_id"] == member
    assert answer["level"] == {
        "code": "gold",
        "name": "金卡会员",
        "since": at(upgraded),
        "period_ends_at": at(upgraded + YEAR),
        "benefits": {
            "discount_rate": "0.98",
            "points_multiplier": "1.2",
            "free_shipping": False,
            "birthday_points": 200,
            "birthday_coupon_template_ids": [],
            "exclusive_coupon_template_ids": [],
            "member_day_access": False,
        },
    }
    assert answer["history"] == [
        {
            "from_tier": "silver",
            "to_tier": "gold",
            "kind": "upgrade",
            "spend_365d": "500.00",
            "orders_365d": 5,
            "changed_at": at(upgraded),
        },
        {
            "from_tier": None,
            "to_tier": "silver",
            "kind": "joined",
            "spend_365d": "100.00",
            "orders_365d": 1,
            "changed_at": at(joined),
        },
    ]
    assert answer["next_cursor"] is None


def test_spend_qualifies_and_one_order_can_climb_several_levels(
    client: TestClient, admin: dict[str, str]
) -> None:
    spender = buy(client, admin, "S1", "1500.00", "13800000002")
    assert level_code(client, admin, spender) == "silver"
    buy(client, admin, "S2", "500.00", "13800000002")
    assert kinds(client, admin, spender) == [
        ("upgrade", "silver", "gold"),
        ("joined", None, "silver"),
    ]
    big = buy(client, admin, "B1", "10.00", "13800000003")
    buy(client, admin, "B2", "8000.00", "13800000003")
    assert kinds(client, admin, big) == [
        ("upgrade", "silver", "platinum"),
        ("joined", None, "silver"),
    ]
    first = buy(client, admin, "D1", "20000.00", "13800000004")
    assert kinds(client, admin, first) == [("joined", None, "diamond")]


def test_refunds_mid_period_never_move_a_member_down(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = buy(client, admin, "G1", "2000.00", "13800000005")
    assert level_code(client, admin, member) == "gold"
    clock.advance(timedelta(days=100))
    refund(client, admin, "G1")
    assert tier_of(client, admin, member)["level"]["code"] == "gold"
    assert kinds(client, admin, member) == [("joined", None, "gold")]
    before = snapshot(session, tenant.tenant_id)
    with session.begin():
        assert evaluate_members(session, tenant) == 0
        assert review_due(session, tenant) == 0
    assert snapshot(session, tenant.tenant_id) == before
    assert level_code(client, admin, member) == "gold"


def test_at_period_end_a_member_below_retention_goes_down_and_one_meeting_it_renews(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    lapsed = buy(client, admin, "L1", "2000.00", "13800000006")
    kept = buy(client, admin, "K1", "2000.00", "13800000007")
    slipped = buy(client, admin, "P1", "8000.00", "13800000008")
    placed = clock.now()
    clock.advance(timedelta(days=200))
    for n in range(4):  # gold's retention: 1,500 yuan or 4 orders in 365 days
        buy(client, admin, f"K{n + 2}", "10.00", "13800000007")
    buy(client, admin, "P2", "1600.00", "13800000008")  # gold's retention, not platinum's
    clock.advance(timedelta(days=165) - timedelta(seconds=1))
    with session.begin():
        assert review_due(session, tenant) == 0  # one second before the period ends
    assert [level_code(client, admin, m) for m in (lapsed, kept, slipped)] == [
        "gold",
        "gold",
        "platinum",
    ]
    clock.advance(timedelta(hours=1))  # the daily review runs a little after the end
    with session.begin():
        assert review_due(session, tenant) == 3
    assert kinds(client, admin, lapsed)[0] == ("downgrade", "gold", "silver")
    assert kinds(client, admin, kept)[0] == ("renewal", "gold", "gold")
    assert kinds(client, admin, slipped)[0] == ("downgrade", "platinum", "gold")
    renewed = tier_of(client, admin, kept)
    assert renewed["level"]["since"] == at(placed)
    assert renewed["level"]["period_ends_at"] == at(placed + 2 * YEAR)
    assert renewed["history"][0]["orders_365d"] == 4  # K1 left the window with the period
    assert renewed["history"][0]["spend_365d"] == "40.00"
    down = tier_of(client, admin, lapsed)
    assert down["level"]["since"] == at(clock.now())
    assert down["level"]["period_ends_at"] == at(placed + 2 * YEAR)
    assert down["history"][0]["orders_365d"] == 0
    with session.begin():
        assert review_due(session, tenant) == 0  # each period is reviewed once


def test_a_late_review_starts_the_next_period_now(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = buy(client, admin, "Z1", "2000.00", "13800000009")
    clock.advance(3 * YEAR)
    with session.begin():
        assert review_due(session, tenant) == 1
    level = tier_of(client, admin, member)["level"]
    assert level["code"] == "silver"
    assert level["period_ends_at"] == at(clock.now() + YEAR)
