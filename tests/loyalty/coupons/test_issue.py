"""Issuing coupons by API and by service: validity from the template, stock, the per-member
limit, tier exclusivity, the member day, points exchange, idempotency and dedupe keys; every
refusal changes nothing."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.coupons.models import CouponSource
from memberops.loyalty.coupons.service import issue_coupon
from memberops.loyalty.points import ledger
from memberops.loyalty.points.service import grant_bonus
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import assert_problem, crm, phone, snapshot, upsert
from tests.loyalty.coupons.support import (
    START,
    counters,
    issue,
    issued,
    make_member,
    make_template,
    stats,
)
from tests.loyalty.tiers.support import buy

CODE = re.compile(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{12}")


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def test_a_coupon_is_valid_for_the_templates_days_from_issue(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    template = make_template(client, admin, stock=10)
    member = make_member(client, admin)
    coupon = issued(client, admin, member, template["id"])
    assert CODE.fullmatch(coupon["code"])
    assert coupon == {
        "code": coupon["code"],
        "member_id": member,
        "template_id": template["id"],
        "name": "满100减20",
        "kind": "amount_off",
        "status": "issued",
        "source": "api",
        "issued_at": "2026-03-10T02:00:00Z",
        "valid_from": "2026-03-10T02:00:00Z",
        "valid_until": "2026-04-09T02:00:00Z",
        "redeemed_at": None,
        "order_id": None,
        "order_amount": None,
    }
    assert counters(session, template["id"]) == (1, 0)
    read = client.get(f"/api/v1/coupon-templates/{template['id']}", headers=admin).json()
    assert (read["remaining"], read["stats"]["issued"]) == (9, 1)
    params = {"entity_type": "coupon", "entity_id": coupon["code"]}
    audit = client.get("/api/v1/audit", params=params, headers=admin).json()["items"]
    assert [(row["action"], row["after"]) for row in audit] == [
        (
            "coupon.issue",
            {"template_id": int(template["id"]), "member_id": int(member), "source": "api"},
        )
    ]


def test_a_fixed_window_coupon_takes_the_templates_window(
    client: TestClient, admin: dict[str, str]
) -> None:
    template = make_template(
        client,
        admin,
        valid_days=None,
        valid_from="2026-04-01T00:00:00+08:00",
        valid_until="2026-05-01T00:00:00+08:00",
    )
    coupon = issued(client, admin, make_member(client, admin), template["id"])
    assert (coupon["valid_from"], coupon["valid_until"]) == (
        "2026-03-31T16:00:00Z",
        "2026-04-30T16:00:00Z",
    )
    clock.advance(timedelta(days=52))  # 2026-05-01 10:00 in Shanghai: the window is over
    response = issue(client, admin, make_member(client, admin, "13800000002"), template["id"])
    assert_problem(response, 409, "coupons.template_ended")


def test_a_template_never_issues_past_its_stock(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template = make_template(client, admin, stock=2)
    members = [make_member(client, admin, f"1380000000{n}") for n in range(3)]
    for member in members[:2]:
        issued(client, admin, member, template["id"])
    before = snapshot(session, tenant.tenant_id)
    body = assert_problem(
        issue(client, admin, members[2], template["id"]), 409, "coupons.out_of_stock"
    )
    assert body["stock"] == 2
    assert snapshot(session, tenant.tenant_id) == before
    client.patch(f"/api/v1/coupon-templates/{template['id']}", json={"stock": 3}, headers=admin)
    issued(client, admin, members[2], template["id"])
    assert counters(session, template["id"]) == (3, 0)


def test_a_member_holds_at_most_the_per_member_limit(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    limited = make_template(client, admin, per_member_limit=2)
    unlimited = make_template(client, admin, per_member_limit=None)
    member = make_member(client, admin)
    for _ in range(2):
        issued(client, admin, member, limited["id"])
    before = snapshot(session, tenant.tenant_id)
    body = assert_problem(issue(client, admin, member, limited["id"]), 409, "coupons.limit_reached")
    assert body["limit"] == 2
    assert snapshot(session, tenant.tenant_id) == before
    issued(client, admin, make_member(client, admin, "13800000002"), limited["id"])
    for _ in range(3):
        issued(client, admin, member, unlimited["id"])
    assert counters(session, limited["id"]) == (3, 0)


def test_a_tier_exclusive_template_goes_only_to_those_tiers(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template = make_template(client, admin, tiers=["gold", "diamond"])
    member = buy(client, admin, "A1", "100.00", "13800000001")
    before = snapshot(session, tenant.tenant_id)
    body = assert_problem(
        issue(client, admin, member, template["id"]), 409, "coupons.tier_excluded"
    )
    assert (body["tier"], body["tiers"]) == ("silver", ["gold", "diamond"])
    assert snapshot(session, tenant.tenant_id) == before
    buy(client, admin, "A2", "1900.00", "13800000001")  # 2,000 in 365 days: gold
    assert issued(client, admin, member, template["id"])["status"] == "issued"


def test_a_member_day_template_needs_the_member_day_and_a_tier_with_access(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template = make_template(client, admin, member_day_only=True, per_member_limit=None)
    platinum = buy(client, admin, "A1", "8000.00", "13800000001")
    gold = buy(client, admin, "A2", "2000.00", "13800000002")
    before = snapshot(session, tenant.tenant_id)
    refused = assert_problem(
        issue(client, admin, platinum, template["id"]), 409, "coupons.not_member_day"
    )
    assert refused["member_day"] == 18
    with clock.frozen(datetime(2026, 3, 17, 15, 59, tzinfo=UTC)):  # 23:59 on the 17th locally
        assert_problem(
            issue(client, admin, platinum, template["id"]), 409, "coupons.not_member_day"
        )
    with clock.frozen(datetime(2026, 3, 17, 16, 0, tzinfo=UTC)):  # 00:00 on the 18th locally
        response = issue(client, admin, gold, template["id"])
        assert assert_problem(response, 409, "coupons.no_member_day_access")["tier"] == "gold"
        assert snapshot(session, tenant.tenant_id) == before
        assert issued(client, admin, platinum, template["id"])["status"] == "issued"


def test_an_inactive_template_issues_nothing(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template = make_template(client, admin)
    client.patch(
        f"/api/v1/coupon-templates/{template['id']}", json={"active": False}, headers=admin
    )
    member = make_member(client, admin)
    before = snapshot(session, tenant.tenant_id)
    assert_problem(issue(client, admin, member, template["id"]), 409, "coupons.template_inactive")
    assert snapshot(session, tenant.tenant_id) == before


def test_a_member_exchanges_points_for_a_coupon(
    client: TestClient,
    session: Session,
    headers: dict[Role, dict[str, str]],
    tenant: Principal,
) -> None:
    admin, pos = headers[Role.admin], headers[Role.pos]
    template = make_template(client, admin, points_price=500)
    free = make_template(client, admin)
    member = make_member(client, admin)
    before = snapshot(session, tenant.tenant_id)
    short = issue(client, pos, member, template["id"], pay_with_points=True)
    assert assert_problem(short, 409, "points.insufficient")["requested"] == 500
    not_for_sale = issue(client, pos, member, free["id"], pay_with_points=True)
    assert_problem(not_for_sale, 409, "coupons.not_exchangeable")
    by_hand = assert_problem(issue(client, pos, member, free["id"]), 403, "auth.forbidden")
    assert by_hand["permission"] == "loyalty:manage"
    assert snapshot(session, tenant.tenant_id) == before
    with session.begin():
        grant_bonus(session, tenant, int(member), 600, dedupe_key="gift", reason="test")
        balance = ledger.balance_of(session, tenant, int(member))  # with any welcome points
    bought = issue(client, pos, member, template["id"], pay_with_points=True)
    assert bought.status_code == 201, bought.text
    assert bought.json()["source"] == "points"
    with session.begin():
        assert ledger.balance_of(session, tenant, int(member)) == balance - 500
    analyst = issue(client, headers[Role.analyst], member, template["id"], pay_with_points=True)
    assert assert_problem(analyst, 403, "auth.forbidden")["permission"] == "loyalty:operate"


def test_an_idempotency_key_issues_once(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    template = make_template(client, admin, per_member_limit=None)
    other = make_template(client, admin)
    member = make_member(client, admin)
    keyed = {**admin, "Idempotency-Key": "issue-1"}
    first = issue(client, keyed, member, template["id"])
    again = issue(client, keyed, member, template["id"])
    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert again.json() == first.json()
    assert counters(session, template["id"]) == (1, 0)
    reused = issue(client, keyed, member, other["id"])
    assert_problem(reused, 409, "idempotency.key_reused")
    assert counters(session, other["id"]) == (0, 0)


def test_a_dedupe_key_returns_the_coupon_it_issued(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template = make_template(client, admin, per_member_limit=None)
    member = int(make_member(client, admin))
    with session.begin():
        first, again, other = (
            issue_coupon(
                session,
                tenant,
                member,
                int(template["id"]),
                source=CouponSource.check_in,
                dedupe_key=key,
            )
            for key in ("k1", "k1", "k2")
        )
    assert again.id == first.id
    assert other.id != first.id
    assert counters(session, template["id"]) == (2, 0)


def test_coupons_go_to_active_members_only(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template = make_template(client, admin)
    survivor = upsert(client, admin, crm("a"))["id"]
    absorbed = upsert(client, admin, crm("b"))["id"]
    upsert(client, admin, crm("a"), crm("b"))
    before = snapshot(session, tenant.tenant_id)
    body = assert_problem(
        issue(client, admin, absorbed, template["id"]), 409, "coupons.member_inactive"
    )
    assert (body["member_status"], body["merged_into"]) == ("merged", survivor)
    assert snapshot(session, tenant.tenant_id) == before


def test_another_tenants_member_or_template_is_not_found(
    client: TestClient,
    session: Session,
    admin: dict[str, str],
    other_headers: dict[Role, dict[str, str]],
) -> None:
    template = make_template(client, admin)
    member = make_member(client, admin)
    rival = other_headers[Role.admin]
    rivals_member = upsert(client, rival, phone("13900000000"))["id"]
    before = snapshot(session)
    assert_problem(issue(client, rival, member, template["id"]), 404, "members.not_found")
    assert_problem(
        issue(client, rival, rivals_member, template["id"]), 404, "coupons.template_not_found"
    )
    assert_problem(
        client.get(f"/api/v1/members/{member}/coupons", headers=rival), 404, "members.not_found"
    )
    assert snapshot(session) == before
    assert stats(client, admin, template["id"])["issued"] == 0
