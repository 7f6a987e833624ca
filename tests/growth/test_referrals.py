"""Referral (issue 9, acceptance 2): a newcomer who joins with an invite code rewards both
sides on its first paid order, exactly once even when that order is replayed or a second one
comes; no reward when the two share a phone, a shipping address or a payment account."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.activity.support import order_body
from tests.api.support import MEMBERS, assert_problem
from tests.growth.support import (
    LEADERBOARD,
    ORDERS,
    invite_code,
    join,
    order,
    referral_points,
    sign_up,
)
from tests.loyalty.checkin.support import coupons_of, template

NOW = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
REFERRER, NEWCOMER = "13800000001", "13800000002"
HOME = {"province": "浙江", "city": "杭州", "district": "西湖区", "detail": "文三路 1 号"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _referral(client: TestClient, admin: dict[str, str], member_id: str) -> Any:
    response = client.get(f"{MEMBERS}/{member_id}/referrals", headers=admin)
    assert response.status_code == 200, response.text
    (only,) = response.json()
    return only


def test_a_genuine_referral_rewards_both_sides_once(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    referrer = sign_up(client, admin, REFERRER)
    code = invite_code(client, admin, referrer)
    joined = join(client, admin, NEWCOMER, invite_code=code.lower())
    newcomer = joined["member"]["id"]
    assert joined["join"]["source"] == "referral"
    assert joined["join"]["referrer_id"] == referrer
    assert _referral(client, admin, newcomer)["status"] == "pending"

    first = order_body("N1", NEWCOMER, shipping_address={**HOME, "phone": NEWCOMER})
    assert client.post(ORDERS, json=first, headers=admin).status_code == 201
    referral = _referral(client, admin, newcomer)
    assert referral["status"] == "rewarded"
    assert referral["reason"] is None
    assert referral["rewards"]["referrer"] == {
        "member_id": referrer,
        "points": 500,
        "coupon_codes": [],
    }
    assert referral["rewards"]["newcomer"]["points"] == 200
    rewarded = (
        referral_points(session, tenant.tenant_id, referrer),
        referral_points(session, tenant.tenant_id, newcomer),
    )
    (referrer_entry,), (newcomer_entry,) = rewarded
    assert referrer_entry[1] == 500
    assert referrer_entry[0].endswith(":referrer")
    assert newcomer_entry[1] == 200
    assert newcomer_entry[0].endswith(":newcomer")

    replay = client.post(ORDERS, json=first, headers=admin)  # the first order, replayed
    assert replay.status_code == 200, replay.text
    order(client, admin, "N2", NEWCOMER)  # and a second order
    assert (
        referral_points(session, tenant.tenant_id, referrer),
        referral_points(session, tenant.tenant_id, newcomer),
    ) == rewarded
    assert _referral(client, admin, newcomer) == referral

    invite = client.get(f"{MEMBERS}/{referrer}/invite", headers=admin).json()
    assert (invite["invited"], invite["rewarded"], invite["refused"], invite["pending"]) == (
        1,
        1,
        0,
        0,
    )


ABUSES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    # The newcomer's parcel goes to the referrer's phone.
    "shared_phone": ({}, {"shipping_address": {**HOME, "phone": "138 0000 0001"}}),
    # Both ship to one address, written with other spacing and case.
    "shared_address": (
        {"shipping_address": HOME},
        {"shipping_address": {**HOME, "detail": " 文三路  1 号 "}},
    ),
    # Both pay from one account.
    "shared_payment": (
        {"payment_method": "alipay", "payment_account": "2088000000000001"},
        {"payment_method": "alipay", "payment_account": "2088000000000001"},
    ),
}


@pytest.mark.parametrize("reason", ABUSES)
def test_shared_traces_refuse_the_reward(
    reason: str,
    client: TestClient,
    admin: dict[str, str],
    session: Session,
    tenant: Principal,
) -> None:
    referrer_order, newcomer_order = ABUSES[reason]
    referrer = sign_up(client, admin, REFERRER)
    order(client, admin, "R1", REFERRER, **referrer_order)
    code = invite_code(client, admin, referrer)
    newcomer = join(client, admin, NEWCOMER, invite_code=code)["member"]["id"]
    first = order(client, admin, "N1", NEWCOMER, **newcomer_order)
    referral = _referral(client, admin, newcomer)
    assert (referral["status"], referral["reason"], referral["rewards"]) == (
        "refused",
        reason,
        {},
    )
    assert referral["order_id"] is not None
    assert first["external_id"] == "N1"
    order(client, admin, "N2", NEWCOMER)  # a later order changes nothing
    assert _referral(client, admin, newcomer) == referral
    assert referral_points(session, tenant.tenant_id, referrer) == []
    assert referral_points(session, tenant.tenant_id, newcomer) == []


def test_a_customer_who_bought_before_is_no_newcomer(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    referrer = sign_up(client, admin, REFERRER)
    order(client, admin, "OLD", NEWCOMER)  # known from an order, not registered
    joined = join(client, admin, NEWCOMER, invite_code=invite_code(client, admin, referrer))
    assert (joined["joined"], joined["created"]) == (True, False)
    referral = _referral(client, admin, joined["member"]["id"])
    assert (referral["status"], referral["reason"]) == ("refused", "existing_customer")
    order(client, admin, "N1", NEWCOMER)
    assert referral_points(session, tenant.tenant_id, referrer) == []


def test_the_leaderboard_ranks_referrers_by_rewarded_referrals(
    client: TestClient, admin: dict[str, str]
) -> None:
    one, two = sign_up(client, admin, "13800000011"), sign_up(client, admin, "13800000012")
    code_one, code_two = invite_code(client, admin, one), invite_code(client, admin, two)
    join(client, admin, "13800000021", invite_code=code_one)  # pending
    join(client, admin, "13800000022", invite_code=code_two)
    join(client, admin, "13800000023", invite_code=code_two)
    order(client, admin, "A", "13800000022")
    first = client.get(LEADERBOARD, params={"limit": 1}, headers=admin).json()
    assert first["items"] == [{"member_id": two, "rewarded": 1, "invited": 2}]
    rest = client.get(
        LEADERBOARD, params={"limit": 1, "cursor": first["next_cursor"]}, headers=admin
    ).json()
    assert rest == {"items": [{"member_id": one, "rewarded": 0, "invited": 1}], "next_cursor": None}


def test_refusals(
    client: TestClient,
    admin: dict[str, str],
    other_headers: dict[Role, dict[str, str]],
) -> None:
    referrer = sign_up(client, admin, REFERRER)
    code = invite_code(client, admin, referrer)
    body = {"identities": [{"type": "phone", "value": REFERRER}], "invite_code": code}
    assert_problem(
        client.post("/api/v1/joins", json=body, headers=admin), 409, "growth.self_referral"
    )
    unknown = {"identities": [{"type": "phone", "value": NEWCOMER}], "invite_code": "ZZZZ2222"}
    assert_problem(
        client.post("/api/v1/joins", json=unknown, headers=admin), 404, "growth.invite_not_found"
    )
    other = other_headers[Role.admin]
    crossing = {"identities": [{"type": "phone", "value": NEWCOMER}], "invite_code": code}
    assert_problem(
        client.post("/api/v1/joins", json=crossing, headers=other), 404, "growth.invite_not_found"
    )
    bad_cursor = client.get(LEADERBOARD, params={"cursor": "nope"}, headers=admin)
    assert_problem(bad_cursor, 422, "invalid_input")


def test_rewards_follow_the_rules_and_coupons_are_given_once(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    assert client.get("/api/v1/growth/rules", headers=admin).json() == {
        "referral": {
            "referrer": {"points": 500, "coupon_template_ids": []},
            "newcomer": {"points": 200, "coupon_template_ids": []},
        },
        "join_packs": {},
        "join_page_url": None,
    }
    gift = template(session, tenant)
    rules = {
        "referral": {
            "referrer": {"points": 0, "coupon_template_ids": [gift]},
            "newcomer": {"points": 50, "coupon_template_ids": [gift]},
        }
    }
    assert client.put("/api/v1/growth/rules", json=rules, headers=admin).status_code == 200
    referrer = sign_up(client, admin, REFERRER)
    newcomer = join(client, admin, NEWCOMER, invite_code=invite_code(client, admin, referrer))
    order(client, admin, "N1", NEWCOMER)
    referral = _referral(client, admin, newcomer["member"]["id"])
    (given,) = coupons_of(session, tenant.tenant_id, referrer)
    key = given[2].rsplit(":", 2)[0]
    assert given[:3] == (gift, "rule", f"{key}:referrer:{gift}")
    assert referral["rewards"]["referrer"] == {
        "member_id": referrer,
        "points": 0,
        "coupon_codes": [given[3]],
    }
    assert referral_points(session, tenant.tenant_id, referrer) == []
    assert referral_points(session, tenant.tenant_id, newcomer["member"]["id"]) == [
        (f"{key}:newcomer", 50)
    ]
    newcomer_coupons = coupons_of(session, tenant.tenant_id, newcomer["member"]["id"])
    assert [c[2] for c in newcomer_coupons] == [f"{key}:newcomer:{gift}"]
