"""Behaviour events through the API: stored once per external id, replays change nothing,
batches answer each event, and events move with merges."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from tests.activity.support import EVENTS, event_body
from tests.api.support import MEMBERS, assert_invalid, assert_problem, snapshot, upsert


def test_an_event_is_stored_once_and_replays_change_nothing(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    first = client.post(EVENTS, json=event_body(), headers=admin)
    assert first.status_code == 201, first.text
    assert first.json()["type"] == "cart_add"
    assert first.json()["occurred_at"] == "2026-11-11T02:00:00Z"
    before = snapshot(session, tenant.tenant_id)
    for _ in range(3):
        again = client.post(EVENTS, json=event_body(), headers=admin)
        assert again.status_code == 200
        assert again.json() == first.json()
    assert snapshot(session, tenant.tenant_id) == before
    other = client.post(EVENTS, json=event_body(type="review"), headers=admin)
    assert assert_problem(other, 409, "events.conflict")["external_id"] == "E1"
    assert snapshot(session, tenant.tenant_id) == before


def test_unknown_types_and_naive_times_are_refused(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert_invalid(
        client.post(EVENTS, json=event_body(type="dance"), headers=admin), ["body", "type"]
    )
    naive = client.post(EVENTS, json=event_body(occurred_at="2026-11-11T10:00:00"), headers=admin)
    assert_invalid(naive, ["body", "occurred_at"])


def test_an_event_batch_answers_each_event(client: TestClient, admin: dict[str, str]) -> None:
    items = [event_body("E1"), event_body("E2", type="nope"), event_body("E3", type="store_visit")]
    response = client.post(f"{EVENTS}:batch", json={"items": items}, headers=admin)
    assert response.status_code == 200, response.text
    assert [a["status"] for a in response.json()["items"]] == [201, 422, 201]
    member_id = response.json()["items"][0]["body"]["member_id"]
    listed = client.get(f"{MEMBERS}/{member_id}/events", headers=admin).json()
    assert [e["external_id"] for e in listed["items"]] == ["E3", "E1"]


def test_events_move_with_a_merge_and_back_with_its_undo(
    client: TestClient, admin: dict[str, str]
) -> None:
    crm = {"type": "crm_id", "value": "C1"}
    kept = upsert(client, admin, {"type": "phone", "value": "13800000000"})
    moved = upsert(client, admin, crm)
    created = client.post(
        EVENTS, json={**event_body("E9"), "member": {"identities": [crm]}}, headers=admin
    )
    assert created.json()["member_id"] == moved["id"]
    merged = upsert(client, admin, {"type": "phone", "value": "13800000000"}, crm)
    events = client.get(f"{MEMBERS}/{kept['id']}/events", headers=admin).json()["items"]
    assert [e["external_id"] for e in events] == ["E9"]
    undo = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
    assert undo.status_code == 200
    events = client.get(f"{MEMBERS}/{moved['id']}/events", headers=admin).json()["items"]
    assert [e["external_id"] for e in events] == ["E9"]
    assert client.get(f"{MEMBERS}/{kept['id']}/events", headers=admin).json()["items"] == []
