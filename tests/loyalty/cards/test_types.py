"""Card types through the API: created, listed with how many members hold each now, patched,
and refused (422 naming each field, 409 for a taken code, 403 without the permission)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import assert_problem, snapshot
from tests.loyalty.cards.support import (
    CARDS,
    bought,
    card_body,
    make_card,
    make_member,
    make_template,
)


def _locs(body: Any) -> list[list[Any]]:
    return [error["loc"] for error in body["errors"]]


def test_a_card_type_is_created_listed_and_patched(
    client: TestClient, admin: dict[str, str], headers: dict[Role, dict[str, str]]
) -> None:
    template = make_template(client, admin)
    monthly = {"monthly_coupons": [{"template_id": template, "quantity": 2}]}
    card = make_card(client, admin, benefits={**card_body()["benefits"], **monthly})
    assert {k: card[k] for k in ("code", "price_kind", "price", "price_points", "holders")} == {
        "code": "plus",
        "price_kind": "points",
        "price": None,
        "price_points": 1000,
        "holders": 0,
    }
    assert card["benefits"] == {
        "discount_rate": "0.88",
        "free_shipping": True,
        "points_multiplier": "2.00",
        "monthly_coupons": [{"template_id": template, "quantity": 2}],
    }
    black = make_card(
        client, admin, code="black", price_kind="money", price="88", price_points=None
    )
    assert (black["price"], black["benefits"]["points_multiplier"]) == ("88.00", "2.00")
    for number in ("13800000001", "13800000002"):
        bought(client, admin, make_member(client, admin, number, points=1000), card["id"])
    listed = client.get(CARDS, headers=headers[Role.analyst]).json()
    assert [(c["code"], c["holders"]) for c in listed["items"]] == [("black", 0), ("plus", 2)]
    page = client.get(f"{CARDS}?limit=1", headers=admin).json()
    assert [c["code"] for c in page["items"]] == ["black"]
    rest = client.get(f"{CARDS}?limit=1&cursor={page['next_cursor']}", headers=admin).json()
    assert ([c["code"] for c in rest["items"]], rest["next_cursor"]) == (["plus"], None)

    patch = {"name": "PLUS年卡", "active": False, "benefits": {"discount_rate": "0.9"}}
    changed = client.patch(f"{CARDS}/{card['id']}", json=patch, headers=admin).json()
    assert (changed["name"], changed["active"], changed["holders"]) == ("PLUS年卡", False, 2)
    assert changed["benefits"] == {
        "discount_rate": "0.90",
        "free_shipping": False,
        "points_multiplier": "1.00",
        "monthly_coupons": [],
    }
    assert client.get(f"{CARDS}/{card['id']}", headers=admin).json() == changed


def test_card_types_that_do_not_hold_together_are_refused(
    client: TestClient,
    admin: dict[str, str],
    headers: dict[Role, dict[str, str]],
    session: Session,
    tenant: Principal,
) -> None:
    make_card(client, admin)
    before = snapshot(session, tenant.tenant_id)
    no_price = client.post(CARDS, json=card_body(code="a", price_points=None), headers=admin)
    assert _locs(assert_problem(no_price, 422, "cards.invalid_type")) == [["body", "price_points"]]
    both = card_body(code="b", price_kind="money", price="0")
    assert _locs(
        assert_problem(client.post(CARDS, json=both, headers=admin), 422, "cards.invalid_type")
    ) == [
        ["body", "price_points"],
        ["body", "price"],
    ]
    long = card_body(code="c", validity_unit="months", validity_length=121)
    months = assert_problem(client.post(CARDS, json=long, headers=admin), 422, "cards.invalid_type")
    assert _locs(months) == [["body", "validity_length"]]
    ghost = card_body(code="d", benefits={"monthly_coupons": [{"template_id": 999999}]})
    missing = assert_problem(
        client.post(CARDS, json=ghost, headers=admin), 422, "cards.invalid_type"
    )
    assert _locs(missing) == [["body", "benefits", "monthly_coupons", 0, "template_id"]]
    rate = card_body(code="e", benefits={"discount_rate": "1.5"})
    assert_problem(client.post(CARDS, json=rate, headers=admin), 422, "request.invalid")
    taken = assert_problem(
        client.post(CARDS, json=card_body(), headers=admin), 409, "cards.type_exists"
    )
    assert taken["code"] == "cards.type_exists"
    forbidden = client.post(CARDS, json=card_body(code="f"), headers=headers[Role.pos])
    assert_problem(forbidden, 403, "auth.forbidden")
    bad_patch = {"benefits": {"monthly_coupons": [{"template_id": 999999}]}}
    response = client.patch(f"{CARDS}/999999", json=bad_patch, headers=admin)
    assert_problem(response, 404, "cards.type_not_found")
    plus = client.get(CARDS, headers=admin).json()["items"][0]["id"]
    response = client.patch(f"{CARDS}/{plus}", json=bad_patch, headers=admin)
    assert_problem(response, 422, "cards.invalid_type")
    assert snapshot(session, tenant.tenant_id) == before
