"""Acceptance 2 of the registry: one member across formats and channels; merge and exact undo."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from memberops.kernel import clock

PHONE = {"type": "phone", "value": "13800000000"}


def _stable(member: dict[str, Any]) -> dict[str, Any]:
    """A member without the fields an undo legitimately changes (update time, merge history)."""
    return {k: v for k, v in member.items() if k not in {"updated_at", "merges"}}


def test_same_phone_in_any_format_is_one_member(client: TestClient, admin: dict[str, str]) -> None:
    first = client.post("/api/v1/members", json={"identities": [PHONE]}, headers=admin)
    assert first.status_code == 201, first.text
    member_id = first.json()["id"]
    assert isinstance(member_id, str)
    assert first.json()["identities"][0]["value"] == "+8613800000000"
    for written in ("138 0000 0000", "+86 138-0000-0000"):
        again = client.post(
            "/api/v1/members",
            json={"identities": [{"type": "phone", "value": written}]},
            headers=admin,
        )
        assert again.status_code == 200
        assert again.json()["id"] == member_id
        assert again.json()["created"] is False
    found = client.get(
        "/api/v1/members", params={"identity": "phone:+8613800000000"}, headers=admin
    )
    assert [m["id"] for m in found.json()["items"]] == [member_id]


def test_linking_two_members_merges_and_undo_restores_both(
    client: TestClient, admin: dict[str, str]
) -> None:
    start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    with clock.frozen(start):
        a = client.post(
            "/api/v1/members",
            headers=admin,
            json={
                "identities": [PHONE],
                "channel": "pos",
                "attributes": {"name": "张三", "city": "上海"},
                "consent": {"sms": True},
            },
        ).json()
        clock.advance(timedelta(days=1))
        b = client.post(
            "/api/v1/members",
            headers=admin,
            json={
                "identities": [{"type": "wechat_unionid", "value": "oU-union-1"}],
                "channel": "wechat_oa",
                "attributes": {"gender": "female", "birthday": "1990-05-01", "city": "杭州"},
                "consent": {"sms": False, "wechat": True},
            },
        ).json()
        before_a = client.get(f"/api/v1/members/{a['id']}", headers=admin).json()
        before_b = client.get(f"/api/v1/members/{b['id']}", headers=admin).json()
        clock.advance(timedelta(days=1))

        merged = client.post(
            "/api/v1/members",
            headers=admin,
            json={
                "identities": [PHONE, {"type": "wechat_unionid", "value": "oU-union-1"}],
            },
        )
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["id"] == a["id"]  # the older member survives
    assert len(body["merged"]) == 1
    assert sorted(i["type"] for i in body["identities"]) == ["phone", "wechat_unionid"]
    assert body["attributes"]["gender"] == "female"  # filled where empty
    assert body["attributes"]["city"] == "上海"  # the survivor's own value stays
    assert body["consent"]["sms"]["granted"] is False  # the more recent decision wins
    assert body["consent"]["wechat"]["granted"] is True

    gone = client.get(f"/api/v1/members/{b['id']}", headers=admin).json()
    assert gone["status"] == "merged"
    assert gone["merged_into"] == a["id"]
    history = client.get(f"/api/v1/members/{a['id']}/merges", headers=admin).json()
    assert [m["id"] for m in history] == body["merged"]

    undo = client.post(f"/api/v1/merges/{body['merged'][0]}/undo", headers=admin)
    assert undo.status_code == 200, undo.text
    after_a = client.get(f"/api/v1/members/{a['id']}", headers=admin).json()
    after_b = client.get(f"/api/v1/members/{b['id']}", headers=admin).json()
    assert _stable(after_a) == _stable(before_a)
    assert _stable(after_b) == _stable(before_b)
    again = client.post(f"/api/v1/merges/{body['merged'][0]}/undo", headers=admin)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
