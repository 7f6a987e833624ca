"""Acceptance: every change made through the API writes an audit row naming the key, with the
state before and after; the audit log pages by cursor and shows each tenant only its own."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import MEMBERS, assert_problem, counts, crm, phone, upsert

AUDIT = "/api/v1/audit"


def _actor(headers: dict[str, str]) -> str:
    return f"api_key:{headers['Authorization'].split('_')[1]}"


def _all(client: TestClient, admin: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = client.get(AUDIT, params={"limit": "500", **params}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["next_cursor"] is None
    items: list[dict[str, Any]] = response.json()["items"]
    return items


class Trail:
    """The audit rows written since the last look, oldest first, as comparable tuples."""

    def __init__(self, client: TestClient, admin: dict[str, str]) -> None:
        self.client, self.admin = client, admin
        self.seen = max((int(r["id"]) for r in _all(client, admin)), default=0)

    def new(self) -> list[tuple[Any, ...]]:
        rows = [r for r in _all(self.client, self.admin) if int(r["id"]) > self.seen]
        self.seen = max((int(r["id"]) for r in rows), default=self.seen)
        return [
            (r["actor"], r["action"], r["entity_type"], r["entity_id"], r["before"], r["after"])
            for r in reversed(rows)
        ]


def test_tenancy_changes_are_audited_with_the_key(
    client: TestClient, headers: dict[Role, dict[str, str]], tenant: Principal
) -> None:
    admin = headers[Role.admin]
    by, tid = _actor(admin), str(tenant.tenant_id)
    trail = Trail(client, admin)
    old_name = client.get("/api/v1/tenant", headers=admin).json()["display_name"]

    client.patch("/api/v1/tenant", json={"display_name": "Acme 旗舰店"}, headers=admin)
    assert trail.new() == [
        (by, "tenant.update", "tenant", tid, {"display_name": old_name},
         {"display_name": "Acme 旗舰店"}),
    ]  # fmt: skip
    channel = client.post(
        "/api/v1/channels", json={"code": "douyin", "name": "抖音"}, headers=admin
    )
    assert channel.status_code == 201
    [(actor, action, kind, _, before, after)] = trail.new()
    assert (actor, action, kind, before) == (by, "channel.create", "channel", None)
    assert after == {"code": "douyin", "name": "抖音"}
    store = {"code": "sh-01", "name": "上海一店", "channel": "pos"}
    assert client.post("/api/v1/stores", json=store, headers=admin).status_code == 201
    [(actor, action, kind, _, before, after)] = trail.new()
    assert (actor, action, kind, before, after) == (by, "store.create", "store", None, store)
    key = client.post("/api/v1/api-keys", json={"scope": "pos", "name": "till 1"}, headers=admin)
    [(actor, action, kind, _, before, after)] = trail.new()
    assert (actor, action, kind, before) == (by, "apikey.create", "api_key", None)
    assert after == {"prefix": key.json()["key"].split("_")[1], "scope": "pos", "name": "till 1"}
    grant = {"email": "Li@Example.com", "password": "correct horse", "role": "analyst"}
    user_id = client.post("/api/v1/users", json=grant, headers=admin).json()["id"]
    client.post("/api/v1/users", json={**grant, "role": "operator"}, headers=admin)
    assert trail.new() == [
        (by, "user.grant", "user", user_id, None, {"email": "li@example.com", "role": "analyst"}),
        (by, "user.grant", "user", user_id, {"role": "analyst"},
         {"email": "li@example.com", "role": "operator"}),
    ]  # fmt: skip


def test_member_changes_are_audited_with_the_key(
    client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    admin, pos, operator = headers[Role.admin], headers[Role.pos], headers[Role.operator]
    trail = Trail(client, admin)
    created = upsert(
        client, pos, phone("13900000000"), attributes={"name": "赵六"}, consent={"sms": True}
    )
    mid, by_pos = created["id"], _actor(pos)
    assert trail.new() == [
        (by_pos, "member.identities", "member", mid, None, {"added": ["phone:+8613900000000"]}),
        (by_pos, "member.create", "member", mid, None, {"first_channel": None}),
        (by_pos, "member.update", "member", mid, {"name": None}, {"name": "赵六"}),
        (by_pos, "member.consent", "member", mid, {"sms": None}, {"sms": True}),
    ]
    upsert(client, operator, phone("13900000000"), crm("V-1"), registered=True)
    by_op = _actor(operator)
    assert trail.new() == [
        (by_op, "member.identities", "member", mid, None, {"added": ["crm_id:V-1"]}),
        (by_op, "member.register", "member", mid, {"registered": False}, {"registered": True}),
    ]
    response = client.patch(
        f"{MEMBERS}/{mid}",
        json={"attributes": {"name": "赵六六", "custom": {"vip": 1}}, "consent": {"sms": False}},
        headers=operator,
    )
    assert response.status_code == 200
    assert trail.new() == [
        (by_op, "member.update", "member", mid, {"name": "赵六", "custom": {}},
         {"name": "赵六六", "custom": {"vip": 1}}),
        (by_op, "member.consent", "member", mid, {"sms": True}, {"sms": False}),
    ]  # fmt: skip
    other = upsert(client, pos, crm("V-2"))
    trail.new()
    merge_id = upsert(client, operator, crm("V-1"), crm("V-2"))["merged"][0]
    assert trail.new() == [
        (by_op, "member.merge", "member", mid, None,
         {"merge_id": int(merge_id), "absorbed_id": int(other["id"]), "filled": []}),
    ]  # fmt: skip
    assert client.post(f"/api/v1/merges/{merge_id}/undo", headers=operator).status_code == 200
    assert trail.new() == [
        (by_op, "member.unmerge", "member", mid, None,
         {"merge_id": int(merge_id), "absorbed_id": int(other["id"])}),
    ]  # fmt: skip
    assert client.delete(f"{MEMBERS}/{other['id']}/pii", headers=admin).status_code == 200
    assert [row[:4] for row in trail.new()] == [
        (_actor(admin), "member.erase", "member", other["id"])
    ]


def test_refused_or_idle_writes_leave_no_audit_row(
    client: TestClient, session: Session, tenant: Principal, admin: dict[str, str]
) -> None:
    member = upsert(client, admin, crm("I-1"), attributes={"city": "苏州"}, consent={"sms": True})
    before = counts(session, tenant.tenant_id)
    idle = client.patch(
        f"{MEMBERS}/{member['id']}",
        json={"attributes": {"city": "苏州"}, "consent": {"sms": True}},
        headers=admin,
    )
    assert idle.status_code == 200
    assert idle.json()["updated_at"] == member["updated_at"]
    again = upsert(client, admin, crm("I-1"), attributes={"city": "苏州"})
    assert again["updated_at"] == member["updated_at"]
    client.post("/api/v1/channels", json={"code": "dup", "name": "A"}, headers=admin)
    after_channel = counts(session, tenant.tenant_id)
    assert after_channel["audit_log"] == before["audit_log"] + 1
    duplicate = client.post("/api/v1/channels", json={"code": "dup", "name": "B"}, headers=admin)
    body = assert_problem(duplicate, 409, "tenancy.code_exists")
    assert body["channel"] == "dup"
    assert body["detail"] == "Channel 'dup' already exists."
    assert counts(session, tenant.tenant_id) == after_channel


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_audit_pages_by_cursor_and_is_tenant_isolated(
    limit: int,
    client: TestClient,
    admin: dict[str, str],
    other_headers: dict[Role, dict[str, str]],
) -> None:
    rival = other_headers[Role.admin]
    for n in range(4):
        upsert(client, admin, crm(f"A-{n}"))
        upsert(client, rival, crm(f"R-{n}"))
    ours, theirs = _all(client, admin), _all(client, rival)
    assert [int(r["id"]) for r in ours] == sorted((int(r["id"]) for r in ours), reverse=True)
    assert not {r["id"] for r in ours} & {r["id"] for r in theirs}
    assert all(r["actor"] == _actor(admin) for r in ours if r["entity_type"] == "member")
    assert "R-0" not in str(ours)
    assert "A-0" not in str(theirs)

    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        params = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        page = client.get(AUDIT, params=params, headers=admin).json()
        pages.append(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
        # a rival holding our cursor still sees only its own rows
        stolen = client.get(AUDIT, params={"cursor": cursor}, headers=rival).json()["items"]
        assert {r["id"] for r in stolen} <= {r["id"] for r in theirs}
    assert [r for page in pages for r in page] == ours
    assert all(len(page) == limit for page in pages[:-1])
    assert 1 <= len(pages[-1]) <= limit

    member_id = ours[0]["entity_id"]
    only = _all(client, admin, entity_type="member", entity_id=member_id)
    assert only == [r for r in ours if (r["entity_type"], r["entity_id"]) == ("member", member_id)]
    assert _all(client, rival, entity_type="member", entity_id=member_id) == []
