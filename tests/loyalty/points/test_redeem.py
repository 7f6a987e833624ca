"""Redemption and adjustment: exact answers, idempotent replays, refusals that change
nothing, oldest-expiry-first spending and the order's redeemable share."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.loyalty.points import service
from memberops.loyalty.points.errors import PointsInsufficient
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import assert_invalid, assert_problem, snapshot
from tests.loyalty.points.support import adjust, balance, order, points, redeem

REDEEM = "/api/v1/members/{}/points/redeem"


def test_a_redemption_spends_points_as_cash(client: TestClient, admin: dict[str, str]) -> None:
    member = order(client, admin, "T1", "1000")
    response = redeem(client, admin, member, 550, order_id="T9")
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("member_id", "points", "value", "balance_after", "order_id")} == {
        "member_id": member,
        "points": 550,
        "value": "5.50",
        "balance_after": 550,
        "order_id": "T9",
    }
    got = points(client, admin, member)
    assert got["balance"] == 550
    assert got["history"][0] == {
        "id": body["entry_id"],
        "kind": "redeem",
        "points": -550,
        "balance_after": 550,
        "order_id": None,
        "reference": "T9",
        "reason": "checkout",
        "actor": got["history"][0]["actor"],
        "occurred_at": "2026-11-11T04:00:00Z",
    }
    # oldest expiry first (equal expiry: the earlier lot)
    assert [(lot["points"], lot["remaining"]) for lot in got["lots"]] == [(1000, 450), (100, 100)]


def test_a_replay_answers_the_same_and_changes_nothing(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    member = order(client, admin, "T1", "1000")
    first = redeem(client, admin, member, 300, key="k1")
    assert first.status_code == 201
    before = snapshot(session)
    again = redeem(client, admin, member, 300, key="k1")
    assert (again.status_code, again.json()) == (200, first.json())
    assert snapshot(session) == before
    other = redeem(client, admin, member, 301, key="k1")
    assert_problem(other, 409, "idempotency.key_reused")
    assert snapshot(session) == before
    assert balance(client, admin, member) == 800


def test_refusals_change_nothing(
    client: TestClient, admin: dict[str, str], headers: dict[Role, dict[str, str]], session: Session
) -> None:
    member = order(client, admin, "T1", "100")  # 200 points
    before = snapshot(session)
    body = assert_problem(redeem(client, admin, member, 201), 409, "points.insufficient")
    assert (body["balance"], body["requested"]) == (200, 201)
    share = redeem(client, admin, member, 102, order_amount="2.03")  # half of 2.03 yuan
    body = assert_problem(share, 409, "points.over_order_share")
    assert (body["max_points"], body["requested"]) == (101, 102)
    assert_problem(redeem(client, admin, "999999", 1), 404, "members.not_found")
    no_key = client.post(REDEEM.format(member), json={"points": 1, "reason": "x"}, headers=admin)
    assert_invalid(no_key, ["header", "Idempotency-Key"])
    zero = redeem(client, admin, member, 0)
    assert_invalid(zero, ["body", "points"])
    assert_problem(adjust(client, admin, member, -201), 409, "points.insufficient")
    assert_problem(adjust(client, headers[Role.pos], member, 5), 403, "auth.forbidden")
    assert snapshot(session) == before
    assert redeem(client, admin, member, 101, order_amount="2.03").status_code == 201
    assert redeem(client, headers[Role.pos], member, 99).status_code == 201
    assert balance(client, admin, member) == 0


def test_adjustments_add_lots_and_take_oldest_first(
    client: TestClient, admin: dict[str, str]
) -> None:
    member = order(client, admin, "T1", "10")  # 10 + 100
    added = adjust(client, admin, member, 40)
    assert added.status_code == 201, added.text
    assert {k: added.json()[k] for k in ("kind", "points", "balance_after", "reason")} == {
        "kind": "adjust",
        "points": 40,
        "balance_after": 150,
        "reason": "goodwill",
    }
    assert adjust(client, admin, member, -105).json()["balance_after"] == 45
    lots = [(lot["points"], lot["remaining"]) for lot in points(client, admin, member)["lots"]]
    assert lots == [(100, 5), (40, 40)]
    assert adjust(client, admin, member, -45).status_code == 201
    assert balance(client, admin, member) == 0


def test_bonuses_are_granted_once_per_key_and_spend_never_overdraws(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = int(order(client, admin, "T1", "10"))  # 110 points
    with session.begin():
        first = service.grant_bonus(
            session, tenant, member, 25, dedupe_key="checkin:1:2026-11-11", reason="check_in"
        )
        assert first is not None
        assert (first.kind, first.points, first.balance_after) == ("bonus", 25, 135)
    with session.begin():
        again = service.grant_bonus(
            session, tenant, member, 25, dedupe_key="checkin:1:2026-11-11", reason="check_in"
        )
        assert again is None
    before = snapshot(session)
    with pytest.raises(PointsInsufficient), session.begin():
        service.spend(session, tenant, member, 136, reason="coupon exchange")
    assert snapshot(session) == before
    with session.begin():
        spent = service.spend(session, tenant, member, 135, reason="coupon", reference="coupon:X")
        assert (spent.kind, spent.points, spent.balance_after, spent.reference) == (
            "redeem",
            -135,
            0,
            "coupon:X",
        )
