"""Lots expire 12 calendar months after earning (by the job, or before any spending), the
'expiring soon' figures, the liability report, the rules and merges."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.points.expiry import expire_due
from memberops.tenancy.access import Principal
from tests.api.support import MEMBERS, assert_problem, phone, upsert
from tests.loyalty.points.support import (
    RULES,
    adjust,
    balance,
    ledger_totals,
    order,
    points,
    redeem,
    set_rules,
)


def test_expired_points_are_never_spendable(client: TestClient, admin: dict[str, str]) -> None:
    member = order(client, admin, "T1", "100")  # 100 + 100, expiring 2027-11-11 12:00 local
    clock.advance(timedelta(days=200))
    assert adjust(client, admin, member, 50).status_code == 201  # expires 2028-05-30
    assert redeem(client, admin, member, 30).status_code == 201  # from the oldest lot
    clock.advance(timedelta(days=165) - timedelta(seconds=1))
    assert points(client, admin, member)["expiring_soon"]["points"] == 170
    clock.advance(timedelta(seconds=1))  # 2027-11-11 12:00 local: the first lots expire
    body = assert_problem(redeem(client, admin, member, 51), 409, "points.insufficient")
    assert body["balance"] == 50
    got = points(client, admin, member)
    assert [(e["kind"], e["points"], e["balance_after"]) for e in got["history"][:2]] == [
        ("expire", -100, 50),
        ("expire", -70, 150),
    ]
    assert [(lot["points"], lot["remaining"]) for lot in got["lots"]] == [(50, 50)]


def test_the_job_expires_every_due_lot_once(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    first = order(client, admin, "T1", "100")
    second = order(client, admin, "T2", "20", phone="13900000000")
    clock.advance(timedelta(days=365))
    with session.begin():
        assert expire_due(session, tenant) == 320
    with session.begin():
        assert expire_due(session, tenant) == 0
    for member in (first, second):
        assert ledger_totals(session, tenant.tenant_id, int(member)) == (0, 0, 0, 0)


def test_members_with_points_expiring(client: TestClient, admin: dict[str, str]) -> None:
    first = order(client, admin, "T1", "100")
    clock.advance(timedelta(days=20))
    second = order(client, admin, "T2", "20", phone="13900000000")
    clock.advance(timedelta(days=320))  # the first's lots expire in 25 days, the second's in 45
    assert points(client, admin, first)["expiring_soon"] == {
        "points": 200,
        "until": "2027-11-16T04:00:00Z",
        "first_expires_at": "2027-11-11T04:00:00Z",
    }
    page = client.get("/api/v1/points/expiring", params={"days": 30}, headers=admin).json()
    assert [(i["member_id"], i["points"]) for i in page["items"]] == [(first, 200)]
    page = client.get(
        "/api/v1/points/expiring", params={"days": 50, "limit": 1}, headers=admin
    ).json()
    assert [(i["member_id"], i["points"]) for i in page["items"]] == [(first, 200)]
    rest = client.get(
        "/api/v1/points/expiring",
        params={"days": 50, "cursor": page["next_cursor"]},
        headers=admin,
    ).json()
    assert [(i["member_id"], i["points"]) for i in rest["items"]] == [(second, 120)]
    assert rest["next_cursor"] is None


def test_liability_by_local_expiry_month(client: TestClient, admin: dict[str, str]) -> None:
    member = order(client, admin, "T1", "200")  # 300 points expiring 2027-11
    clock.advance(timedelta(days=50, hours=16))  # 2027-01-01 04:00 local, 2026-12-31 UTC
    assert adjust(client, admin, member, 250).status_code == 201  # expiring 2028-01 (local)
    debtor = order(client, admin, "T2", "20", phone="13900000000")
    assert redeem(client, admin, debtor, 120).status_code == 201
    client.post("/api/v1/orders/T2/refunds", json={"refund_id": "R1"}, headers=admin)
    assert balance(client, admin, debtor) == -120
    set_rules(client, admin, points_per_yuan_redeemed=200)
    report = client.get("/api/v1/points/liability", headers=admin).json()
    assert report == {
        "as_of": "2026-12-31T20:00:00Z",
        "points": 550,
        "value": "2.75",
        "debt_points": 120,
        "points_per_yuan_redeemed": 200,
        "by_expiry_month": [
            {"month": "2027-11", "points": 300, "value": "1.50"},
            {"month": "2028-01", "points": 250, "value": "1.25"},
        ],
    }


def test_rules_are_read_and_replaced(client: TestClient, admin: dict[str, str]) -> None:
    rules = client.get(RULES, headers=admin).json()
    assert (rules["points_per_yuan"], rules["expiry_months"], rules["member_day"]) == (
        "1",
        12,
        18,
    )
    bad = client.put(RULES, json={**rules, "expiry_months": 0}, headers=admin)
    assert bad.status_code == 422
    changed = set_rules(client, admin, expiry_months=6, points_per_yuan="2")
    assert (changed["expiry_months"], changed["points_per_yuan"]) == (6, "2")
    member = order(client, admin, "T1", "10")
    assert points(client, admin, member)["lots"][0]["expires_at"] == "2027-05-11T04:00:00Z"


def test_a_merge_moves_points_and_an_undo_moves_them_back(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    kept = order(client, admin, "T1", "100", phone="13800000001")
    absorbed = order(client, admin, "T2", "30", phone="13800000002")
    merged = upsert(client, admin, phone("+8613800000001"), phone("+8613800000002"))
    survivor = merged["id"]
    assert survivor in (kept, absorbed)
    other = absorbed if survivor == kept else kept
    assert balance(client, admin, survivor) == 330
    assert client.get(f"{MEMBERS}/{survivor}", headers=admin).json()["points"] == {
        "balance": 330,
        "expiring_soon": {"points": 0, "days": 30, "first_expires_at": None},
    }
    assert ledger_totals(session, tenant.tenant_id, int(other)) == (0, 0, 0, 0)
    exported = client.get(f"{MEMBERS}/{survivor}/export", headers=admin).json()
    assert exported["points"]["balance"] == 330
    assert sorted(e["points"] for e in exported["points"]["entries"]) == [30, 100, 100, 100]
    undone = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    assert balance(client, admin, kept) == 200
    assert balance(client, admin, absorbed) == 130
