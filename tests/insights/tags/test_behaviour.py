"""Each built-in behaviour tag on hand-built histories (through the API, the clock held at
``NOW``): exactly the members its definition selects, as of now or a past date, with the
tenant's thresholds; each shown with its definition and lever in both languages."""

from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.insights.tags.catalogue import BEHAVIOURS
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.insights.tags.support import (
    NOW,
    TAGS,
    days_ago,
    event,
    holders,
    ok,
    order,
    refresh,
    tags_by_code,
)

_ids = count(1)
ADDRESS_A = {"province": "浙江", "city": "杭州", "detail": "文三路 1 号"}
ADDRESS_B = {"province": "上海", "city": "上海", "detail": "南京路 2 号"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _orders(client: TestClient, admin: dict[str, str], phone: str, *orders: dict[str, Any]) -> str:
    member = ""
    for index, fields in enumerate(orders):
        fields = {"ago": 10 + 20 * index, **fields}
        member = order(client, admin, f"O{next(_ids)}", phone, **fields)
    return member


def _events(
    client: TestClient, admin: dict[str, str], phone: str, *events: tuple[str, float]
) -> str:
    return [event(client, admin, f"E{next(_ids)}", phone, kind, ago) for kind, ago in events][-1]


def _line(sku: str, unit: str, listed: str | None = None, **flags: bool) -> dict[str, Any]:
    return {"sku": sku, "unit_price": unit, "list_price": listed or unit, "quantity": 1, **flags}


DISCOUNTED = {"list_amount": "150.00"}  # paid 100.00 of 150.00
PROMOTION = {"is_promotion": True, "amount": "350.00"}


def _discount_and_stock_up(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    plain: dict[str, Any] = {}
    return {
        "d1": _orders(client, admin, "13900000001", DISCOUNTED, DISCOUNTED, DISCOUNTED),
        "d2": _orders(client, admin, "13900000002", *[DISCOUNTED] * 3, plain, plain),  # 60 %
        "d3": _orders(client, admin, "13900000003", DISCOUNTED),  # one order
        "d4": _orders(client, admin, "13900000004", *[DISCOUNTED] * 4, plain),  # 80 % exactly
        "s1": _orders(client, admin, "13900000011", {"amount": "400"}, {"amount": "400"}),
        "s2": _orders(
            client, admin, "13900000012", {"amount": "500"}, {"amount": "80", "ago": 700}
        ),
        "s3": _orders(client, admin, "13900000013", *[{"amount": "400"}] * 3),  # too often
        "s4": _orders(client, admin, "13900000014", plain, plain),  # too little
        "s5": _orders(client, admin, "13900000015", {"amount": "1000"}),  # once: no habit
    }


def _promotion_and_novelty(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    promo_300 = {"is_promotion": True, "amount": "300.00"}
    new = {"lines": [_line("NEW1", "50", is_new_product=True)]}
    return {
        "p1": _orders(client, admin, "13900000021", PROMOTION, PROMOTION, PROMOTION),
        "p2": _orders(client, admin, "13900000022", {**PROMOTION, "amount": "500"}, {}, {}, {}),
        "p3": _orders(client, admin, "13900000023", *[{"is_promotion": True}] * 2),  # cheap
        "p4": _orders(client, admin, "13900000024", promo_300, {}),  # 50 %, ¥300: both exact
        "n1": _orders(client, admin, "13900000031", new, new),
        "n2": _orders(client, admin, "13900000032", new, {}),
    }


def _herd_gift_and_voices(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    wrap = {"lines": [_line("WRAP", "10", is_gift_wrap=True)], "shipping_address": ADDRESS_A}
    valentine = {"ago": (NOW - NOW.replace(month=2, day=10)).days, "shipping_address": ADDRESS_B}
    cart = "cart_add"
    found = {
        "h1": _orders(client, admin, "13900000041", {"ago": 40}),
        "h2": _orders(client, admin, "13900000042", {"ago": 2}),
        "h3": _events(client, admin, "13900000043", (cart, 3), (cart, 4), (cart, 5)),
        "h4": _orders(client, admin, "13900000044", {"ago": 40}),
        "h5": _orders(client, admin, "13900000045", {"ago": 100}),
        "g1": _orders(client, admin, "13900000051", wrap, {"shipping_address": ADDRESS_B}),
        "g2": _orders(client, admin, "13900000052", {"shipping_address": ADDRESS_A}, valentine),
        "g3": _orders(client, admin, "13900000053", wrap, {"shipping_address": ADDRESS_A}),
        "g4": _orders(
            client, admin, "13900000054", *[{"shipping_address": a} for a in (ADDRESS_A, ADDRESS_B)]
        ),
        "o1": _events(client, admin, "13900000061", ("competition_entry", 5)),
        "c1": _events(client, admin, "13900000071", ("review", 3), ("survey_answer", 200)),
        "c2": _events(client, admin, "13900000072", ("review", 3), ("review", 400)),  # one in
    }
    _events(client, admin, "13900000041", (cart, 10), (cart, 5))  # after buying, not since
    _events(client, admin, "13900000042", (cart, 10), (cart, 5))  # then bought
    _events(client, admin, "13900000044", (cart, 5))  # once
    _events(client, admin, "13900000045", (cart, 60), (cart, 50))  # too long ago
    return found


def _price(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    lux = {"lines": [_line("LUX", "999")]}
    sale = {"lines": [_line("SALE", "50", "100")]}
    return {
        "t1": _orders(client, admin, "13900000081", lux, lux),
        "l1": _orders(client, admin, "13900000091", sale, sale),
    }


@pytest.fixture
def shop(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> dict[str, str]:
    """Member ids by name of the histories above; stats rebuilt as the nightly job does."""
    found = {
        **_discount_and_stock_up(client, admin),
        **_promotion_and_novelty(client, admin),
        **_herd_gift_and_voices(client, admin),
        **_price(client, admin),
    }
    with session.begin():
        stats.refresh(session, tenant.tenant_id)
    return found


EXPECTED = {
    "discount_driven": {"d1", "d4", "p1", "p3"},  # promotion orders are discounted orders
    "stock_up": {"s1", "s2"},
    "promotion_driven": {"p1", "p4"},
    "novelty_seeker": {"n1"},
    "herd": {"h1"},
    "gift_giver": {"g1", "g2"},
    "honour": {"o1"},
    "circle": {"c1"},
    "price_tolerance_high": {"t1"},
    "price_tolerance_low": {"l1"},
}


def _held(client: TestClient, admin: dict[str, str], shop: dict[str, str]) -> dict[str, set[str]]:
    names = {member_id: name for name, member_id in shop.items()}
    tags = tags_by_code(client, admin)
    return {code: {names[m] for m in holders(client, admin, tags[code]["id"])} for code in EXPECTED}


def test_each_behaviour_tag_holds_exactly_its_members(
    client: TestClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    counts = refresh(client, admin)
    assert counts == {code: len(names) for code, names in EXPECTED.items()}
    assert _held(client, admin, shop) == EXPECTED
    tags = tags_by_code(client, admin)
    assert {code: tags[code]["members"] for code in EXPECTED} == counts
    assert all(
        tags[code]["evaluated_at"] == NOW.isoformat().replace("+00:00", "Z") for code in EXPECTED
    )


def test_a_past_date_counts_only_what_happened_by_then(
    client: TestClient, admin: dict[str, str], shop: dict[str, str]
) -> None:
    refresh(client, admin)
    refresh(client, admin, as_of=days_ago(30))
    held = _held(client, admin, shop)
    assert held["honour"] == set()  # the entry came 5 days ago
    assert held["herd"] == {"h5"}  # h1's carts came after that date; h5's in its 30 days
    assert held["circle"] == set()  # c1's review too
    # s3 and p1 had bought twice by then (their orders 30 and 50 days ago); s1 once, and
    # s2 only its order 700 days ago, outside the window.
    assert held["stock_up"] == {"s3", "p1"}


def test_thresholds_are_the_tenants(
    client: TestClient,
    admin: dict[str, str],
    shop: dict[str, str],
    headers: dict[Role, dict[str, str]],
) -> None:
    rules = ok(client.get(f"{TAGS}/behaviour-rules", headers=headers[Role.analyst]))
    assert rules["discount_share"] == "0.80"
    changed = {**rules, "discount_share": "0.6", "circle_min_events": 1, "gift_seasons": []}
    ok(client.put(f"{TAGS}/behaviour-rules", json=changed, headers=admin))
    refresh(client, admin)
    held = _held(client, admin, shop)
    assert held["discount_driven"] == EXPECTED["discount_driven"] | {"d2"}
    assert held["circle"] == {"c1", "c2"}
    assert held["gift_giver"] == {"g1"}  # no gift seasons: g2's Valentine order is plain
    definition = tags_by_code(client, admin)["discount_driven"]["definition"]
    assert "60%" in definition["zh-CN"]
    assert "at least 60%" in definition["en"]


def test_every_behaviour_tag_shows_its_definition_and_lever(
    client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    tags = tags_by_code(client, headers[Role.analyst])
    assert [code for code, tag in tags.items() if tag["kind"] == "behaviour"] == [
        b.code for b in BEHAVIOURS
    ]
    for behaviour in BEHAVIOURS:
        tag = tags[behaviour.code]
        assert tag["name"] == behaviour.names["zh-CN"]
        assert tag["lever"] == behaviour.lever
        assert set(tag["definition"]) == {"zh-CN", "en"}
        assert "{" not in tag["definition"]["en"] + tag["definition"]["zh-CN"]
        assert tag["members"] == 0
    assert "80%" in tags["discount_driven"]["definition"]["en"]
    assert "情人节 02-07~02-14" in tags["gift_giver"]["definition"]["zh-CN"]
    assert "降价通知" in tags["discount_driven"]["lever"]["zh-CN"]


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"discount_share": "1.5"}, ["body", "discount_share"]),
        ({"high_order_value": 300}, ["body", "high_order_value"]),
        (
            {"gift_seasons": [{"name": "x", "start": "02-30", "end": "03-01"}]},
            ["body", "gift_seasons", 0],
        ),
        (
            {"gift_seasons": [{"name": "x", "start": "2027-02-10", "end": "02-12"}]},
            ["body", "gift_seasons", 0],
        ),
        (
            {"gift_seasons": [{"name": "x", "start": "2027-02-10", "end": "2027-02-01"}]},
            ["body", "gift_seasons", 0],
        ),
        ({"window_days": 0}, ["body", "window_days"]),
    ],
)
def test_bad_thresholds_are_refused_and_change_nothing(
    change: dict[str, Any], loc: list[Any], client: TestClient, admin: dict[str, str]
) -> None:
    rules = ok(client.get(f"{TAGS}/behaviour-rules", headers=admin))
    answer = client.put(f"{TAGS}/behaviour-rules", json={**rules, **change}, headers=admin)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == loc
    assert ok(client.get(f"{TAGS}/behaviour-rules", headers=admin)) == rules
