"""A card seen from the member's side: the crowd conditions on holding one, the
``benefit_cards`` section of ``GET /members/{id}``, and merges moving holdings to the survivor
(and an undo moving them back)."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from memberops.kernel import clock
from tests.api.support import MEMBERS, phone, upsert
from tests.loyalty.cards.support import benefits, bought, combined, make_card, make_member

PREVIEW = "/api/v1/crowds:preview"


def _size(client: TestClient, admin: dict[str, str], condition: Any) -> int:
    response = client.post(PREVIEW, json={"condition": condition}, headers=admin)
    assert response.status_code == 200, response.text
    size: int = response.json()["size"]
    return size


def test_holding_a_card_is_a_crowd_condition_while_it_is_valid(
    client: TestClient, admin: dict[str, str]
) -> None:
    plus = make_card(client, admin)
    black = make_card(client, admin, code="black", validity_length=60)
    ann = make_member(client, admin, "13800000001", points=5000)
    bob = make_member(client, admin, "13800000002", points=5000)
    make_member(client, admin, "13800000003")
    bought(client, admin, ann, plus["id"])
    bought(client, admin, bob, black["id"])
    any_card = {"field": "cards.holds_any", "op": "=", "value": True}
    assert _size(client, admin, any_card) == 2
    assert _size(client, admin, {"field": "cards.holds_any", "op": "=", "value": False}) == 1
    assert _size(client, admin, {"field": "cards.card", "op": "=", "value": "plus"}) == 1
    both = {"field": "cards.card", "op": "in", "value": ["plus", "black"]}
    assert _size(client, admin, both) == 2
    assert _size(client, admin, {"field": "cards.card", "op": "!=", "value": "plus"}) == 2
    clock.advance(timedelta(days=30))  # plus ended (no job run): ann holds nothing valid
    assert _size(client, admin, any_card) == 1
    assert _size(client, admin, {"field": "cards.card", "op": "=", "value": "plus"}) == 0


def test_the_member_detail_shows_valid_cards_and_a_merge_moves_them(
    client: TestClient, admin: dict[str, str]
) -> None:
    card = make_card(client, admin)
    ann = make_member(client, admin, "13800000001", points=1000)
    bob = make_member(client, admin, "13800000002")
    holding = bought(client, admin, ann, card["id"])
    detail = client.get(f"{MEMBERS}/{ann}", headers=admin).json()
    assert [h["id"] for h in detail["benefit_cards"]] == [holding["id"]]
    exported = client.get(f"{MEMBERS}/{ann}/export", headers=admin).json()["benefit_cards"]
    assert [(h["id"], len(h["payments"])) for h in exported] == [(holding["id"], 1)]
    merged = upsert(client, admin, phone("13800000002"), phone("13800000001"))
    survivor = merged["id"]
    absorbed = ann if str(survivor) == bob else bob
    moved = client.get(f"{MEMBERS}/{survivor}/benefit-cards", headers=admin).json()["items"]
    assert [(h["id"], h["member_id"]) for h in moved] == [(holding["id"], str(survivor))]
    assert combined(benefits(client, admin, str(survivor)))[1] is True
    assert client.get(f"{MEMBERS}/{absorbed}/benefit-cards", headers=admin).json()["items"] == []
    (merge,) = merged["merged"]
    assert client.post(f"/api/v1/merges/{merge}/undo", headers=admin).status_code == 200
    back = client.get(f"{MEMBERS}/{ann}/benefit-cards", headers=admin).json()["items"]
    assert [(h["id"], h["member_id"]) for h in back] == [(holding["id"], ann)]
