"""A refund takes back the points its order earned: proportionally, from the order's own lot
first, and as debt when they were spent; the debt is paid by the next points earned."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from tests.loyalty.points.support import (
    ledger_totals,
    order,
    points,
    redeem,
    refund,
)


def _kinds(got: dict[str, object]) -> list[tuple[str, int, int]]:
    history = got["history"]
    assert isinstance(history, list)
    return [(e["kind"], e["points"], e["balance_after"]) for e in reversed(history)]


def test_partial_refunds_reverse_proportionally_and_a_full_one_the_bonus_too(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "199")
    refund(client, admin, "T1", "R1", "100")  # floor(199 x 100 / 199) = 100
    assert points(client, admin, member)["balance"] == 199
    refund(client, admin, "T1", "R2", "0.50")  # floor(199 x 100.5 / 199) = 100: nothing more
    refund(client, admin, "T1", "R3", "98.50")  # the rest: 99 and the 100 bonus
    got = points(client, admin, member)
    assert _kinds(got) == [
        ("earn", 199, 199),
        ("bonus", 100, 299),
        ("reverse", -100, 199),
        ("reverse", -199, 0),
    ]
    assert got["lots"] == []
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (0, 0, 0, 0)
    order(client, admin, "T2", "10")  # no second first-order bonus
    assert points(client, admin, member)["balance"] == 10


def test_a_refund_takes_the_orders_own_lot_first(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "100")  # lots: 100 (T1), 100 (bonus of T1)
    order(client, admin, "T2", "50", paid_at="2026-11-12T10:00:00+08:00")
    refund(client, admin, "T2", "R1", "50")
    got = points(client, admin, member)
    assert got["balance"] == 200
    # oldest first would have taken T1's lot (same expiry, lower id)
    assert [(lot["points"], lot["remaining"]) for lot in got["lots"]] == [(100, 100), (100, 100)]
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (200, 200, 200, 0)


def test_points_already_spent_become_debt_paid_by_the_next_earning(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = order(client, admin, "T1", "199")
    assert redeem(client, admin, member, 250).status_code == 201
    refund(client, admin, "T1", "R1", "199")
    got = points(client, admin, member)
    assert (got["balance"], got["debt"]) == (-250, 250)
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (-250, -250, 0, 250)
    body = redeem(client, admin, member, 1).json()
    assert (body["code"], body["balance"], body["requested"]) == ("points.insufficient", -250, 1)
    order(client, admin, "T2", "100")
    got = points(client, admin, member)
    assert (got["balance"], got["debt"]) == (-150, 150)
    assert ledger_totals(session, tenant.tenant_id, int(member)) == (-150, -150, 0, 150)
    order(client, admin, "T3", "300")
    got = points(client, admin, member)
    assert (got["balance"], got["debt"]) == (150, 0)
    assert [(lot["points"], lot["remaining"]) for lot in got["lots"]] == [(300, 150)]
