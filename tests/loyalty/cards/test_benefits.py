"""Issue 9, acceptance 3, on a moving clock: a card's benefits apply only while it is valid
(the combined benefits, and the points multiplier on orders paid in its term), its monthly
coupons are issued once per local calendar month however often the job runs, and lapse
removes the benefit (before the job marks it, which then publishes ``CardLapsed`` once)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock, events
from memberops.loyalty.cards.events import CardLapsed
from memberops.tenancy.access import Principal
from tests.loyalty.cards.support import (
    NOW,
    balance,
    benefits,
    bought,
    combined,
    coupons,
    earned,
    holdings,
    make_card,
    make_member,
    make_template,
    order,
    run_daily,
)

END = NOW + timedelta(days=30)
PLAIN = (Decimal("1"), False, Decimal("1"))


def test_benefits_and_the_points_multiplier_apply_only_while_the_card_is_valid(
    client: TestClient, admin: dict[str, str]
) -> None:
    card = make_card(client, admin)
    member = make_member(client, admin, points=5000)
    assert combined(benefits(client, admin, member)) == PLAIN
    opening = balance(client, admin, member)  # 5,000 and the new-member pack's points
    holding = bought(client, admin, member, card["id"])
    assert (holding["starts_at"], holding["ends_at"]) == (
        "2026-11-11T04:00:00Z",
        "2026-12-11T04:00:00Z",
    )
    assert balance(client, admin, member) == opening - 1000  # paid through the points ledger
    now = benefits(client, admin, member)
    assert combined(now) == (Decimal("0.88"), True, Decimal("2"))
    assert [(s["source"], s["code"]) for s in now["sources"]] == [
        ("tier", "silver"),
        ("card", "plus"),
    ]

    order(client, admin, "in-term", "100.00", NOW)
    assert earned(client, admin, member, "in-term") == 200
    clock.advance(END - NOW - timedelta(seconds=1))  # the last second of the term
    assert combined(benefits(client, admin, member)) == (Decimal("0.88"), True, Decimal("2"))
    order(client, admin, "last-second", "100.00", clock.now())
    assert earned(client, admin, member, "last-second") == 200

    clock.advance(timedelta(seconds=1))  # the end instant: no job has run, the card is over
    assert combined(benefits(client, admin, member)) == PLAIN
    (seen,) = holdings(client, admin, member)
    assert (seen["status"], seen["valid"]) == ("active", False)
    order(client, admin, "after-end", "100.00", clock.now())
    assert earned(client, admin, member, "after-end") == 100
    # An order paid in the term but recorded late earns as it was paid: doubled.
    order(client, admin, "late-sync", "100.00", END - timedelta(days=1))
    assert earned(client, admin, member, "late-sync") == 200


def test_monthly_coupons_are_issued_once_per_local_month(
    client: TestClient,
    admin: dict[str, str],
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    template = make_template(client, admin)
    monthly = {
        "discount_rate": "0.95",
        "monthly_coupons": [{"template_id": template, "quantity": 2}],
    }
    card = make_card(client, admin, validity_unit="months", validity_length=3, benefits=monthly)
    member = make_member(client, admin, points=1000)
    holding = bought(client, admin, member, card["id"])
    assert holding["ends_at"] == "2027-02-11T04:00:00Z"  # three calendar months
    assert len(coupons(client, admin, member)) == 2  # November's, at purchase
    assert run_daily(session_factory, tenant).monthly_grants == 0
    clock.advance(timedelta(days=5))
    assert run_daily(session_factory, tenant).monthly_grants == 0  # twice in November: nothing
    assert len(coupons(client, admin, member)) == 2

    # 00:30 on December 1 in Shanghai is still November 30 in UTC: a new local month.
    clock.advance(clock.now().replace(month=11, day=30, hour=16, minute=30) - clock.now())
    assert run_daily(session_factory, tenant).monthly_grants == 1
    assert run_daily(session_factory, tenant).monthly_grants == 0
    found = coupons(client, admin, member)
    assert len(found) == 4
    assert {c["source"] for c in found} == {"benefit_card"}
    clock.advance(timedelta(days=31))  # January
    assert run_daily(session_factory, tenant).monthly_grants == 1
    clock.advance(timedelta(days=45))  # mid-February 2027: the card ended on the 11th
    assert run_daily(session_factory, tenant).monthly_grants == 0
    assert len(coupons(client, admin, member)) == 6


def test_lapse_removes_the_benefit_and_is_announced_once(
    client: TestClient,
    admin: dict[str, str],
    session_factory: sessionmaker[Session],
    tenant: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lapsed: list[CardLapsed] = []
    monkeypatch.setitem(events._handlers, CardLapsed, [lambda _, event: lapsed.append(event)])
    card = make_card(client, admin)
    member = make_member(client, admin, points=1000)
    holding = bought(client, admin, member, card["id"])
    assert run_daily(session_factory, tenant).lapsed == 0
    clock.advance(END - NOW)
    assert combined(benefits(client, admin, member)) == PLAIN
    report = run_daily(session_factory, tenant)
    assert (report.lapsed, run_daily(session_factory, tenant).lapsed) == (1, 0)
    (seen,) = holdings(client, admin, member)
    assert (seen["status"], seen["valid"], seen["lapsed_at"]) == (
        "lapsed",
        False,
        "2026-12-11T04:00:00Z",
    )
    assert [(e.holding_id, e.member_id, e.ended_at) for e in lapsed] == [
        (int(holding["id"]), int(member), END)
    ]
    assert combined(benefits(client, admin, member)) == PLAIN


def test_a_month_whose_coupon_template_refuses_is_completed_by_a_later_run(
    client: TestClient,
    admin: dict[str, str],
    session_factory: sessionmaker[Session],
    tenant: Principal,
) -> None:
    template = make_template(client, admin)
    patched = client.patch(f"/api/v1/coupon-templates/{template}", json={"stock": 1}, headers=admin)
    assert patched.status_code == 200, patched.text
    monthly = {"monthly_coupons": [{"template_id": template, "quantity": 2}]}
    card = make_card(client, admin, benefits=monthly)
    member = make_member(client, admin, points=1000)
    bought(client, admin, member, card["id"])
    assert len(coupons(client, admin, member)) == 1  # the second is out of stock
    assert run_daily(session_factory, tenant).monthly_grants == 0
    restock = {"stock": 10}
    response = client.patch(f"/api/v1/coupon-templates/{template}", json=restock, headers=admin)
    assert response.status_code == 200, response.text
    assert run_daily(session_factory, tenant).monthly_grants == 1  # the missing one only
    assert run_daily(session_factory, tenant).monthly_grants == 0
    assert len(coupons(client, admin, member)) == 2


def test_tier_and_card_combine_as_the_earn_rules_do(
    client: TestClient, admin: dict[str, str]
) -> None:
    ladder = client.get("/api/v1/loyalty/tiers", headers=admin).json()
    first = ladder["levels"][0]["benefits"]
    first.update(discount_rate="0.95", points_multiplier="1.5", free_shipping=True)
    assert client.put("/api/v1/loyalty/tiers", json=ladder, headers=admin).status_code == 200
    card = make_card(client, admin, benefits={"discount_rate": "0.9", "points_multiplier": "2"})
    rich = make_card(
        client, admin, code="rich", benefits={"discount_rate": "0.98", "points_multiplier": "3"}
    )
    member = make_member(client, admin, points=5000)
    assert combined(benefits(client, admin, member)) == (Decimal("0.95"), True, Decimal("1.5"))
    bought(client, admin, member, card["id"])
    bought(client, admin, member, rich["id"])
    # The best discount of all; free shipping from the tier; tier × the largest card multiplier.
    now = benefits(client, admin, member)
    assert combined(now) == (Decimal("0.90"), True, Decimal("4.5"))
    assert [s["code"] for s in now["sources"]] == ["silver", "plus", "rich"]
    order(client, admin, "both", "100.00", NOW)
    assert earned(client, admin, member, "both") == 450
