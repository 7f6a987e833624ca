"""Acceptance: identity resolution details — normal forms, scopes, multi-member merges with
undo, undo refused when the survivor moved on, PATCH, and how a merged-away member reads."""

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.api.support import MEMBERS, assert_problem, counts, crm, phone, snapshot, upsert

START = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)


def _stable(member: dict[str, Any]) -> dict[str, Any]:
    """A member without what an undo legitimately changes (update time, merge history)."""
    return {k: v for k, v in member.items() if k not in {"updated_at", "merges"}}


def _get(client: TestClient, admin: dict[str, str], member_id: str) -> dict[str, Any]:
    response = client.get(f"{MEMBERS}/{member_id}", headers=admin)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _lookup(client: TestClient, admin: dict[str, str], query: str) -> list[str]:
    response = client.get(MEMBERS, params={"identity": query}, headers=admin)
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["items"]]


def test_email_is_one_identity_in_any_case(client: TestClient, admin: dict[str, str]) -> None:
    first = upsert(client, admin, {"type": "email", "value": "Alice@Example.COM"})
    again = upsert(client, admin, {"type": "email", "value": " alice@example.com "})
    assert first["created"] is True
    assert (again["id"], again["created"]) == (first["id"], False)
    assert [i["value"] for i in again["identities"]] == ["alice@example.com"]
    assert _lookup(client, admin, "email:ALICE@example.com") == [first["id"]]


def test_openid_is_scoped_by_app_and_nick_by_channel(
    client: TestClient, admin: dict[str, str]
) -> None:
    ids = {}
    for type_, scope_field, scope in (
        ("wechat_openid", "app", "wx-shop"),
        ("wechat_openid", "app", "wx-club"),
        ("platform_nick", "channel", "taobao"),
        ("platform_nick", "channel", "jd"),
    ):
        identity = {"type": type_, "value": "same-value", scope_field: scope}
        member = upsert(client, admin, identity)
        assert member["created"] is True
        stored = [(i["type"], i["value"], i["channel"], i["app"]) for i in member["identities"]]
        expected = (scope, None) if scope_field == "channel" else (None, scope)
        assert stored == [(type_, "same-value", *expected)]
        assert upsert(client, admin, identity)["id"] == member["id"]
        ids[(type_, scope)] = member["id"]
    assert len(set(ids.values())) == 4
    assert _lookup(client, admin, "wechat_openid:wx-club:same-value") == [
        ids[("wechat_openid", "wx-club")]
    ]
    assert _lookup(client, admin, "platform_nick:jd:same-value") == [ids[("platform_nick", "jd")]]
    assert _lookup(client, admin, "platform_nick:tmall:same-value") == []


def test_three_members_linked_at_once_merge_into_the_oldest_and_each_undo(
    client: TestClient, admin: dict[str, str]
) -> None:
    with clock.frozen(START):
        a = upsert(client, admin, crm("A"), attributes={"city": "上海"})
        clock.advance(timedelta(hours=1))
        b = upsert(client, admin, crm("B"), attributes={"name": "乙", "city": "北京"})
        clock.advance(timedelta(hours=1))
        c = upsert(client, admin, crm("C"), attributes={"nickname": "丙"}, consent={"sms": True})
        before = {m["id"]: _get(client, admin, m["id"]) for m in (a, b, c)}
        clock.advance(timedelta(hours=1))
        linked = upsert(client, admin, crm("C"), phone("13700000000"), crm("B"), crm("A"))
    assert linked["id"] == a["id"]
    assert linked["created"] is False
    assert len(linked["merged"]) == 2
    assert sorted(i["value"] for i in linked["identities"]) == ["+8613700000000", "A", "B", "C"]
    assert linked["attributes"]["city"] == "上海"
    assert (linked["attributes"]["name"], linked["attributes"]["nickname"]) == ("乙", "丙")
    merges = client.get(f"{MEMBERS}/{a['id']}/merges", headers=admin).json()
    assert [(m["id"], m["survivor_id"], m["absorbed_id"]) for m in merges] == [
        (linked["merged"][0], a["id"], b["id"]),
        (linked["merged"][1], a["id"], c["id"]),
    ]
    for gone in (b, c):
        read = _get(client, admin, gone["id"])
        assert (read["status"], read["merged_into"], read["identities"]) == ("merged", a["id"], [])

    # undo the later merge first, then the earlier one
    for merge_id, back in ((linked["merged"][1], c), (linked["merged"][0], b)):
        response = client.post(f"/api/v1/merges/{merge_id}/undo", headers=admin)
        assert response.status_code == 200, response.text
        assert response.json()["undone_at"] is not None
        assert _stable(_get(client, admin, back["id"])) == _stable(before[back["id"]])
    restored = _get(client, admin, a["id"])
    assert sorted(i["value"] for i in restored["identities"]) == ["+8613700000000", "A"]
    assert restored["attributes"] == before[a["id"]]["attributes"]


def test_undo_is_refused_while_the_survivor_is_merged_into_another(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    with clock.frozen(START):
        z = upsert(client, admin, crm("Z"))
        clock.advance(timedelta(hours=1))
        a = upsert(client, admin, crm("A"))
        clock.advance(timedelta(hours=1))
        b = upsert(client, admin, crm("B"))
        first = upsert(client, admin, crm("A"), crm("B"))["merged"][0]
        second = upsert(client, admin, crm("Z"), crm("A"))["merged"][0]
    assert _get(client, admin, a["id"])["merged_into"] == z["id"]
    before = snapshot(session, tenant.tenant_id)
    body = assert_problem(
        client.post(f"/api/v1/merges/{first}/undo", headers=admin), 409, "merges.not_undoable"
    )
    assert body["detail"] == "The survivor has since been merged or erased; undo that first."
    assert (body["merge_id"], body["survivor_status"], body["merged_into"]) == (
        first,
        "merged",
        z["id"],
    )
    assert snapshot(session, tenant.tenant_id) == before

    assert client.post(f"/api/v1/merges/{second}/undo", headers=admin).status_code == 200
    assert client.post(f"/api/v1/merges/{first}/undo", headers=admin).status_code == 200
    assert [_lookup(client, admin, f"crm_id:{v}") for v in "ZAB"] == [
        [z["id"]],
        [a["id"]],
        [b["id"]],
    ]


def test_patch_updates_attributes_and_consent_and_idles_without_change(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    with clock.frozen(START):
        member = upsert(client, admin, crm("P"), attributes={"name": "甲", "custom": {"a": 1}})
    url = f"{MEMBERS}/{member['id']}"
    with clock.frozen(START + timedelta(days=1)):
        response = client.patch(
            url,
            json={
                "attributes": {"gender": "female", "birthday": "1991-02-03", "custom": {"b": 2}},
                "consent": {"wechat": True, "email": False},
                "consent_source": "store-qr",
            },
            headers=admin,
        )
    assert response.status_code == 200, response.text
    patched = response.json()
    assert patched["attributes"] == {
        "name": "甲",
        "nickname": None,
        "gender": "female",
        "birthday": "1991-02-03",
        "province": None,
        "city": None,
        "custom": {"a": 1, "b": 2},
    }
    assert patched["consent"] == {
        "email": {"granted": False, "source": "store-qr", "at": "2026-11-04T02:00:00Z"},
        "wechat": {"granted": True, "source": "store-qr", "at": "2026-11-04T02:00:00Z"},
    }
    assert patched["updated_at"] == "2026-11-04T02:00:00Z"
    assert _get(client, admin, member["id"]) == patched

    before = counts(session, tenant.tenant_id)
    with clock.frozen(START + timedelta(days=2)):
        for idle in (
            {},
            {"attributes": {"name": "甲", "custom": {"a": 1}}},
            {"consent": {"wechat": True}, "consent_source": "elsewhere"},
            {"attributes": {"name": None}},
        ):
            again = client.patch(url, json=idle, headers=admin)
            assert again.status_code == 200
            assert again.json() == patched
    assert counts(session, tenant.tenant_id) == before
