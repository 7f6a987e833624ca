"""Coupon templates by API: each kind's fields checked (422 naming the field, nothing
written), reads with stats, paging, and the changes allowed after coupons exist."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import assert_invalid, assert_problem, snapshot
from tests.loyalty.coupons.support import (
    START,
    TEMPLATES,
    counters,
    issued,
    make_member,
    make_template,
    template_body,
)

INVALID = "coupons.invalid_template"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def test_an_amount_off_template_reads_back_with_empty_stats(
    client: TestClient, admin: dict[str, str]
) -> None:
    created = make_template(client, admin, stock=100, channels=["taobao"], tiers=["gold"])
    assert created == {
        "id": created["id"],
        "name": "满100减20",
        "kind": "amount_off",
        "amount_off": "20.00",
        "percent_off": None,
        "threshold": "100.00",
        "gift": None,
        "valid_from": None,
        "valid_until": None,
        "valid_days": 30,
        "stock": 100,
        "remaining": 100,
        "per_member_limit": 1,
        "channels": ["taobao"],
        "stores": [],
        "tiers": ["gold"],
        "points_price": None,
        "member_day_only": False,
        "active": True,
        "created_at": "2026-03-10T02:00:00Z",
        "stats": {"issued": 0, "redeemed": 0, "expired": 0, "redemption_rate": None, "gmv": "0.00"},
    }
    assert client.get(f"{TEMPLATES}/{created['id']}", headers=admin).json() == created


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "percent_off", "amount_off": None, "threshold": "0", "percent_off": 20},
        {"kind": "free_shipping", "amount_off": None, "threshold": "99"},
        {"kind": "gift", "amount_off": None, "gift": "茶具一套"},
        {
            "valid_days": None,
            "valid_from": "2026-03-01T00:00:00+08:00",
            "valid_until": "2026-04-01T00:00:00+08:00",
        },
    ],
    ids=["percent_off", "free_shipping", "gift", "fixed_window"],
)
def test_each_kind_and_validity_is_stored(
    client: TestClient, admin: dict[str, str], overrides: dict[str, Any]
) -> None:
    created = make_template(client, admin, **overrides)
    for name, value in overrides.items():
        if name in ("valid_from", "valid_until"):
            assert created[name] is not None
        elif name not in ("threshold", "amount_off"):
            assert created[name] == value


# (overrides, error code, location of the first error)
REFUSED: list[tuple[dict[str, Any], str, list[Any]]] = [
    ({"amount_off": None}, INVALID, ["body", "amount_off"]),
    ({"amount_off": "0"}, INVALID, ["body", "amount_off"]),
    ({"percent_off": 10}, INVALID, ["body", "percent_off"]),
    ({"gift": "杯子"}, INVALID, ["body", "gift"]),
    ({"amount_off": 20}, "request.invalid", ["body", "amount_off"]),
    ({"amount_off": "20.005"}, "request.invalid", ["body", "amount_off"]),
    ({"kind": "percent_off", "amount_off": None}, INVALID, ["body", "percent_off"]),
    (
        {"kind": "percent_off", "amount_off": None, "percent_off": 0},
        "request.invalid",
        ["body", "percent_off"],
    ),
    (
        {"kind": "percent_off", "amount_off": None, "percent_off": 100},
        "request.invalid",
        ["body", "percent_off"],
    ),
    ({"kind": "percent_off", "percent_off": 20}, INVALID, ["body", "amount_off"]),
    ({"kind": "free_shipping"}, INVALID, ["body", "amount_off"]),
    ({"kind": "gift", "amount_off": None}, INVALID, ["body", "gift"]),
    ({"kind": "gift", "amount_off": None, "gift": ""}, INVALID, ["body", "gift"]),
    ({"kind": "coffee"}, "request.invalid", ["body", "kind"]),
    ({"valid_days": None}, INVALID, ["body", "valid_days"]),
    ({"valid_days": 0}, "request.invalid", ["body", "valid_days"]),
    ({"valid_from": "2026-03-01T00:00:00+08:00"}, INVALID, ["body", "valid_days"]),
    (
        {"valid_days": None, "valid_from": "2026-03-01T00:00:00+08:00"},
        INVALID,
        ["body", "valid_until"],
    ),
    (
        {"valid_days": None, "valid_until": "2026-04-01T00:00:00+08:00"},
        INVALID,
        ["body", "valid_from"],
    ),
    (
        {
            "valid_days": None,
            "valid_from": "2026-04-01T00:00:00Z",
            "valid_until": "2026-04-01T00:00:00Z",
        },
        INVALID,
        ["body", "valid_until"],
    ),
    (
        {
            "valid_days": None,
            "valid_from": "2026-01-01T00:00:00Z",
            "valid_until": "2026-03-10T02:00:00Z",
        },
        INVALID,
        ["body", "valid_until"],
    ),
    (
        {
            "valid_days": None,
            "valid_from": "2026-03-01T00:00:00",
            "valid_until": "2026-04-01T00:00:00Z",
        },
        "request.invalid",
        ["body", "valid_from"],
    ),
    (
        {
            "valid_days": None,
            "valid_from": "0001-01-01T00:00:00+05:00",
            "valid_until": "2026-04-01T00:00:00Z",
        },
        "request.invalid",
        ["body", "valid_from"],
    ),
    ({"kind": "gift", "amount_off": None, "gift": "  "}, INVALID, ["body", "gift"]),
    ({"stock": 0}, "request.invalid", ["body", "stock"]),
    ({"stock": 2**31}, "request.invalid", ["body", "stock"]),
    ({"per_member_limit": 0}, "request.invalid", ["body", "per_member_limit"]),
    ({"points_price": 0}, "request.invalid", ["body", "points_price"]),
    ({"tiers": ["gold", "bronze"]}, INVALID, ["body", "tiers", 1]),
    ({"channels": [""]}, "request.invalid", ["body", "channels", 0]),
    ({"name": ""}, "request.invalid", ["body", "name"]),
    ({"surprise": True}, "request.invalid", ["body", "surprise"]),
]


@pytest.mark.parametrize(("overrides", "code", "loc"), REFUSED)
def test_a_template_that_does_not_hold_together_is_refused_naming_the_field(
    client: TestClient,
    session: Session,
    admin: dict[str, str],
    overrides: dict[str, Any],
    code: str,
    loc: list[Any],
) -> None:
    before = snapshot(session)
    response = client.post(TEMPLATES, json=template_body(**overrides), headers=admin)
    assert_invalid(response, loc, code)
    assert snapshot(session) == before


def test_every_problem_of_a_template_is_named_at_once(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = template_body(kind="gift", valid_days=None, tiers=["nope"])
    errors = assert_invalid(
        client.post(TEMPLATES, json=body, headers=admin), ["body", "amount_off"], INVALID
    )["errors"]
    assert [e["loc"] for e in errors] == [
        ["body", "amount_off"],
        ["body", "gift"],
        ["body", "valid_days"],
        ["body", "tiers", 0],
    ]


def test_templates_are_listed_newest_first_a_page_at_a_time(
    client: TestClient, admin: dict[str, str], headers: dict[Role, dict[str, str]]
) -> None:
    ids = [make_template(client, admin, name=f"T{n}")["id"] for n in range(3)]
    first = client.get(TEMPLATES, params={"limit": 2}, headers=headers[Role.analyst]).json()
    assert [t["id"] for t in first["items"]] == ids[:0:-1]
    rest = client.get(
        TEMPLATES, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json()
    assert ([t["id"] for t in rest["items"]], rest["next_cursor"]) == ([ids[0]], None)


def test_a_template_is_renamed_deactivated_and_restocked(
    client: TestClient, admin: dict[str, str]
) -> None:
    template = make_template(client, admin, stock=5)
    url = f"{TEMPLATES}/{template['id']}"
    changed = client.patch(
        url, json={"name": "春季满减", "active": False, "stock": 8}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["name"], changed.json()["active"], changed.json()["stock"]) == (
        "春季满减",
        False,
        8,
    )
    unlimited = client.patch(url, json={"stock": None}, headers=admin).json()
    assert (unlimited["stock"], unlimited["remaining"], unlimited["name"]) == (
        None,
        None,
        "春季满减",
    )
    audit = client.get(
        "/api/v1/audit",
        params={"entity_type": "coupon_template", "entity_id": template["id"]},
        headers=admin,
    )
    actions = [row["action"] for row in audit.json()["items"]]
    assert sorted(actions) == [
        "coupon_template.create",
        "coupon_template.update",
        "coupon_template.update",
    ]


def test_stock_never_goes_below_what_was_issued(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    template = make_template(client, admin, stock=5, per_member_limit=None)
    member = make_member(client, admin)
    for _ in range(3):
        issued(client, admin, member, template["id"])
    url = f"{TEMPLATES}/{template['id']}"
    before = snapshot(session)
    body = assert_problem(
        client.patch(url, json={"stock": 2, "name": "x"}, headers=admin),
        409,
        "coupons.stock_below_issued",
    )
    assert body["issued"] == 3
    assert snapshot(session) == before
    assert client.patch(url, json={"stock": 3}, headers=admin).json()["remaining"] == 0
    assert counters(session, template["id"]) == (3, 0)


def test_another_tenants_template_is_not_found(
    client: TestClient, admin: dict[str, str], other_headers: dict[Role, dict[str, str]]
) -> None:
    template = make_template(client, admin)
    rival = other_headers[Role.admin]
    url = f"{TEMPLATES}/{template['id']}"
    assert_problem(client.get(url, headers=rival), 404, "coupons.template_not_found")
    assert_problem(
        client.patch(url, json={"active": False}, headers=rival), 404, "coupons.template_not_found"
    )
    assert client.get(TEMPLATES, headers=rival).json()["items"] == []
    assert client.get(url, headers=admin).json()["active"] is True


def test_the_principal_fixture_is_an_admin(tenant: Principal) -> None:
    assert tenant.role == Role.admin
