"""``GET /api/v1/members/{id}/recommendations`` on the hand-made shop of ``support``: the
blended list with its reasons, nothing the member bought, the behaviour tags' lists, limits,
access, on both backends."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.recommendations.support import SHOP, buy, open_shop, rebuild, tag

NEW = "2026-11-25T10:00:00+08:00"  # six days before the clock: a new arrival's first sale


def _items(client: TestClient, headers: dict[str, str], member_id: int, **query: Any) -> Any:
    url = f"/api/v1/members/{member_id}/recommendations"
    response = client.get(url, params=query, headers=headers)
    assert response.status_code == 200, response.text
    return [(i["sku"], i["reason"], i["score"]) for i in response.json()["items"]]


def test_bought_together_first_then_favourite_categories_then_top_sellers(
    client: TestClient, admin: dict[str, str]
) -> None:
    members = open_shop(client, admin)
    rebuild(client, admin)
    assert _items(client, admin, members["m2"]) == [
        ("C", "bought_together", 0.816497),  # A→C; B's only neighbour A is theirs
        ("D", "top_seller", 2.0),  # tea, their category, has nothing left but C
        ("E", "top_seller", 1.0),
    ]
    assert _items(client, admin, members["m4"]) == [
        ("A", "bought_together", 0.666667),
        ("C", "favourite_category", 2.0),  # snack and tea tie; C is tea's best left
        ("E", "top_seller", 1.0),
    ]
    full = client.get(f"/api/v1/members/{members['m4']}/recommendations", headers=admin).json()
    assert full["items"][0] == {
        "sku": "A",
        "name": "商品A",
        "category": "tea",
        "reason": "bought_together",
        "score": 0.666667,
    }
    assert full["member_id"] == str(members["m4"])
    assert full["computed_at"] == "2026-12-01T04:00:00Z"


def test_nothing_a_member_bought_is_recommended(client: TestClient, admin: dict[str, str]) -> None:
    members = open_shop(client, admin)
    everything = buy(client, admin, "13800000007", "ABCDE", "T7")
    rebuild(client, admin)
    for n, skus in enumerate(SHOP.values(), start=1):
        listed = {sku for sku, _, _ in _items(client, admin, members[f"m{n}"])}
        assert listed == set("ABCDE") - set(skus)
    assert _items(client, admin, everything) == []


def test_novelty_seekers_get_new_arrivals_and_herd_buyers_top_sellers(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    members = open_shop(client, admin)
    buy(client, admin, "13800000001", "N", "T9", paid_at=NEW, is_new_product=True)
    rebuild(client, admin)
    m5 = members["m5"]
    untagged = _items(client, admin, m5)
    assert untagged == [
        ("A", "top_seller", 3.0),
        ("B", "top_seller", 3.0),
        ("C", "top_seller", 2.0),
        ("D", "top_seller", 2.0),
        ("N", "top_seller", 1.0),
    ]
    tag(session, tenant, m5, "novelty_seeker")
    tag(session, tenant, m5, "herd")
    assert _items(client, admin, m5) == [
        ("N", "new_arrival", 1.0),  # dealt in turn with the top sellers
        ("A", "top_seller", 3.0),
        ("B", "top_seller", 3.0),
        ("C", "top_seller", 2.0),
        ("D", "top_seller", 2.0),
    ]
    assert _items(client, admin, m5, limit=2) == [
        ("N", "new_arrival", 1.0),
        ("A", "top_seller", 3.0),
    ]


def test_before_any_rebuild_the_list_is_empty(client: TestClient, admin: dict[str, str]) -> None:
    members = open_shop(client, admin)
    response = client.get(f"/api/v1/members/{members['m1']}/recommendations", headers=admin)
    assert response.json() == {"member_id": str(members["m1"]), "computed_at": None, "items": []}


@pytest.mark.parametrize("limit", [0, 51, "ten"])
def test_a_limit_outside_1_to_50_is_refused(
    client: TestClient, admin: dict[str, str], limit: int | str
) -> None:
    members = open_shop(client, admin)
    url = f"/api/v1/members/{members['m1']}/recommendations"
    response = client.get(url, params={"limit": limit}, headers=admin)
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_members_of_another_tenant_and_unknown_members_are_not_found(
    client: TestClient, admin: dict[str, str], other_headers: dict[Role, dict[str, str]]
) -> None:
    members = open_shop(client, admin)
    rival = other_headers[Role.admin]
    for member_id in (members["m1"], 999_999):
        response = client.get(f"/api/v1/members/{member_id}/recommendations", headers=rival)
        assert response.status_code == 404
        assert response.json()["code"] == "members.not_found"


def test_every_role_that_reads_members_may_read_them(
    client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    members = open_shop(client, headers[Role.admin])
    for role in Role:
        url = f"/api/v1/members/{members['m1']}/recommendations"
        assert client.get(url, headers=headers[role]).status_code == 200, role
    assert client.get(url).status_code == 401
