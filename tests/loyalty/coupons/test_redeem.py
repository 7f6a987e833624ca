"""Redeeming coupons against orders: what each kind gives, every refusal (changing nothing),
replays, validity as the clock moves, the expiry job and exact stats."""

from collections.abc import Iterator
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.coupons.models import CouponKind, CouponTemplate
from memberops.loyalty.coupons.redemption import discount_cents
from memberops.loyalty.coupons.service import expire_due
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import assert_problem, snapshot
from tests.loyalty.coupons.support import (
    START,
    TEMPLATES,
    counters,
    coupon_rows,
    issued,
    make_member,
    make_template,
    redeem,
    stats,
)


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def _coupon(client: TestClient, admin: dict[str, str], **template: Any) -> tuple[str, str]:
    """(template id, code) of a coupon issued to a new member."""
    made = make_template(client, admin, **template)
    member = make_member(client, admin, f"1380000{int(made['id']):04d}")
    return made["id"], issued(client, admin, member, made["id"])["code"]


def test_an_amount_off_coupon_is_used_on_an_order(
    client: TestClient, session: Session, headers: dict[Role, dict[str, str]]
) -> None:
    admin, pos = headers[Role.admin], headers[Role.pos]
    template, code = _coupon(client, admin)
    clock.advance(timedelta(hours=1))
    response = redeem(client, pos, code, "T1", "150.00", channel="pos", store="s1")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer == {
        "code": code,
        "member_id": answer["member_id"],
        "template_id": template,
        "kind": "amount_off",
        "order_id": "T1",
        "order_amount": "150.00",
        "discount": "20.00",
        "free_shipping": False,
        "gift": None,
        "redeemed_at": "2026-03-10T03:00:00Z",
    }
    read = client.get(f"/api/v1/coupons/{code.lower()}", headers=pos).json()
    assert (read["status"], read["order_id"], read["order_amount"]) == ("redeemed", "T1", "150.00")
    assert counters(session, template) == (1, 1)


@pytest.mark.parametrize(
    ("template", "amount", "discount", "free_shipping", "gift"),
    [
        ({"amount_off": "30", "threshold": "0"}, "25.00", "25.00", False, None),
        (
            {"kind": "percent_off", "amount_off": None, "threshold": "0", "percent_off": 15},
            "99.99",
            "15.00",
            False,
            None,
        ),  # 14.9985 yuan: 1,499.85 cents → 1,500
        (
            {"kind": "percent_off", "amount_off": None, "threshold": "0", "percent_off": 10},
            "0.05",
            "0.01",
            False,
            None,
        ),  # half a cent rounds up
        (
            {"kind": "percent_off", "amount_off": None, "threshold": "0", "percent_off": 15},
            "0.03",
            "0.00",
            False,
            None,
        ),  # 0.45 cents rounds down
        ({"kind": "free_shipping", "amount_off": None}, "100.00", "0.00", True, None),
        (
            {"kind": "gift", "amount_off": None, "gift": "茶具一套"},
            "120.00",
            "0.00",
            False,
            "茶具一套",
        ),
    ],
    ids=["amount_capped", "percent", "percent_half_up", "percent_down", "shipping", "gift"],
)
def test_what_each_kind_gives(
    client: TestClient,
    admin: dict[str, str],
    template: dict[str, Any],
    amount: str,
    discount: str,
    free_shipping: bool,
    gift: str | None,
) -> None:
    _, code = _coupon(client, admin, **template)
    answer = redeem(client, admin, code, "T1", amount).json()
    assert (answer["discount"], answer["free_shipping"], answer["gift"]) == (
        discount,
        free_shipping,
        gift,
    )


@settings(max_examples=60, deadline=None)
@given(amount=st.integers(0, 10**13), percent=st.integers(1, 99))
def test_a_percentage_is_the_amount_times_percent_rounded_half_up(
    amount: int, percent: int
) -> None:
    template = CouponTemplate(kind=CouponKind.percent_off, percent_off=percent)
    expected = (Decimal(amount) * percent / 100).quantize(Decimal(1), ROUND_HALF_UP)
    assert discount_cents(template, amount) == int(expected) <= amount


def test_the_same_order_again_answers_the_same_and_another_is_refused(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template, code = _coupon(client, admin)
    first = redeem(client, admin, code, "T1", "150.00").json()
    clock.advance(timedelta(days=60))  # past its validity: a replay still answers
    before = snapshot(session, tenant.tenant_id)
    again = redeem(client, admin, code, "T1", "150.00")
    assert (again.status_code, again.json()) == (200, first)
    other = assert_problem(
        redeem(client, admin, code, "T2", "150.00"), 409, "coupons.already_redeemed"
    )
    assert other["redeemed_at"] == "2026-03-10T02:00:00+00:00"
    assert other["coupon_code"] == code
    assert snapshot(session, tenant.tenant_id) == before
    assert counters(session, template) == (1, 1)


REFUSALS: list[tuple[dict[str, Any], dict[str, Any], str, str]] = [
    ({"channels": ["mini_program"]}, {"channel": "pos"}, "coupons.wrong_channel", "channels"),
    ({"channels": ["mini_program"]}, {}, "coupons.wrong_channel", "channels"),
    ({"stores": ["s1", "s2"]}, {"store": "s3"}, "coupons.wrong_store", "stores"),
    ({}, {"order_amount": "99.99"}, "coupons.threshold_not_met", "threshold"),
]


@pytest.mark.parametrize(("template", "order", "error", "field"), REFUSALS)
def test_a_coupon_that_does_not_apply_to_the_order_is_refused(
    client: TestClient,
    session: Session,
    admin: dict[str, str],
    tenant: Principal,
    template: dict[str, Any],
    order: dict[str, Any],
    error: str,
    field: str,
) -> None:
    _, code = _coupon(client, admin, **template)
    before = snapshot(session, tenant.tenant_id)
    body = {"order_amount": "150.00", **order}
    response = redeem(client, admin, code, "T1", body.pop("order_amount"), **body)
    refused = assert_problem(response, 409, error)
    assert refused[field] == {"threshold": "100.00"}.get(field, template.get(field))
    assert snapshot(session, tenant.tenant_id) == before
    fits = {"channel": "mini_program", "store": "s2"}
    assert redeem(client, admin, code, "T1", "100.00", **fits).status_code == 200


def test_a_coupon_is_usable_only_within_its_validity(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    _, later = _coupon(
        client,
        admin,
        valid_days=None,
        valid_from="2026-03-12T00:00:00+08:00",
        valid_until="2026-03-13T00:00:00+08:00",
    )
    before = snapshot(session, tenant.tenant_id)
    early = assert_problem(redeem(client, admin, later, "T1", "150"), 409, "coupons.not_yet_valid")
    assert early["valid_from"] == "2026-03-11T16:00:00+00:00"
    assert snapshot(session, tenant.tenant_id) == before
    clock.advance(timedelta(days=2))  # 2026-03-12 10:00 locally
    _, soon = _coupon(client, admin, valid_days=1)
    clock.advance(timedelta(days=1))  # both ended: 2026-03-13 10:00 locally, exactly a day on
    for code in (later, soon):
        assert_problem(redeem(client, admin, code, "T1", "150"), 409, "coupons.expired")
    assert client.get(f"/api/v1/coupons/{soon}", headers=admin).json()["status"] == "expired"
    clock.advance(timedelta(seconds=-1))
    assert redeem(client, admin, soon, "T1", "150").status_code == 200
    assert [row[2] for row in coupon_rows(session, tenant.tenant_id)] == ["issued", "redeemed"]


def test_codes_of_another_tenant_are_not_found(
    client: TestClient,
    session: Session,
    admin: dict[str, str],
    other_headers: dict[Role, dict[str, str]],
) -> None:
    _, code = _coupon(client, admin)
    rival = other_headers[Role.admin]
    before = snapshot(session)
    for headers, sent in ((rival, code), (admin, "NOSUCHCODE22")):
        assert_problem(redeem(client, headers, sent, "T1", "150"), 404, "coupons.not_found")
        assert_problem(
            client.get(f"/api/v1/coupons/{sent}", headers=headers), 404, "coupons.not_found"
        )
    assert snapshot(session) == before


def test_a_deactivated_templates_coupons_stay_usable(
    client: TestClient, admin: dict[str, str]
) -> None:
    template, code = _coupon(client, admin)
    client.patch(f"{TEMPLATES}/{template}", json={"active": False}, headers=admin)
    assert redeem(client, admin, code, "T1", "150").json()["discount"] == "20.00"


def test_the_expiry_job_marks_what_redemption_already_refuses(
    client: TestClient, session: Session, admin: dict[str, str], tenant: Principal
) -> None:
    template = make_template(client, admin, per_member_limit=None, valid_days=10)
    member = make_member(client, admin)
    codes = [issued(client, admin, member, template["id"])["code"] for _ in range(3)]
    clock.advance(timedelta(days=5))
    late = issued(client, admin, member, template["id"])["code"]
    assert redeem(client, admin, codes[0], "T1", "180.00").status_code == 200
    clock.advance(timedelta(days=5))  # the first three ended just now; the late one has 5 days
    figures = {"issued": 4, "redeemed": 1, "expired": 2, "redemption_rate": 0.25, "gmv": "180.00"}
    assert stats(client, admin, template["id"]) == figures
    with session.begin():
        assert expire_due(session, tenant) == 2
    with session.begin():
        assert expire_due(session, tenant) == 0
    assert [row[2] for row in coupon_rows(session, tenant.tenant_id)] == [
        "redeemed",
        "expired",
        "expired",
        "issued",
    ]
    assert stats(client, admin, template["id"]) == figures
    before = snapshot(session, tenant.tenant_id)
    assert_problem(redeem(client, admin, codes[1], "T2", "150"), 409, "coupons.expired")
    assert snapshot(session, tenant.tenant_id) == before
    assert redeem(client, admin, late, "T3", "100.50").status_code == 200
    assert stats(client, admin, template["id"]) == {
        **figures,
        "redeemed": 2,
        "redemption_rate": 0.5,
        "gmv": "280.50",
    }
