"""Acceptance: personal data is masked for roles that may not see it; erase removes it (and
scrubs the audit trail), export hands all of it over."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.identity.models import MemberMerge
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.api.support import MEMBERS, assert_problem, crm, phone, snapshot, upsert

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
IDENTITIES = [
    phone("13800000000"),
    {"type": "email", "value": "Alice@Example.com"},
    {"type": "platform_nick", "value": "tb_buyer", "channel": "taobao"},
    crm("C-1"),
]
ATTRIBUTES = {
    "name": "张三丰",
    "nickname": "小张",
    "gender": "male",
    "birthday": "1990-05-01",
    "province": "浙江",
    "city": "杭州",
    "custom": {"shoe": 42},
}
FULL = {
    "phone": "+8613800000000",
    "email": "alice@example.com",
    "platform_nick": "tb_buyer",
    "crm_id": "C-1",
}
MASKED = {
    "phone": "+86138****0000",
    "email": "a***@example.com",
    "platform_nick": "tb***",
    "crm_id": "C-1",
}


def _identities(member: dict[str, Any]) -> dict[str, str]:
    return {i["type"]: i["value"] for i in member["identities"]}


@pytest.fixture
def member(client: TestClient, admin: dict[str, str]) -> dict[str, Any]:
    with clock.frozen(START):
        return upsert(
            client,
            admin,
            *IDENTITIES,
            attributes=ATTRIBUTES,
            consent={"sms": True, "email": False},
            channel="taobao",
        )


@pytest.mark.parametrize("role", list(Role))
def test_member_is_masked_for_roles_without_pii_access(
    role: Role,
    client: TestClient,
    headers: dict[Role, dict[str, str]],
    member: dict[str, Any],
) -> None:
    masked = role == Role.analyst
    got = client.get(f"{MEMBERS}/{member['id']}", headers=headers[role]).json()
    assert _identities(got) == (MASKED if masked else FULL)
    expected_attributes = {
        **ATTRIBUTES,
        **({"name": "张**", "nickname": "小***"} if masked else {}),
    }
    assert got["attributes"] == expected_attributes
    lookup = client.get(
        MEMBERS, params={"identity": "phone:13800000000"}, headers=headers[role]
    ).json()
    assert [m["attributes"]["name"] for m in lookup["items"]] == [expected_attributes["name"]]


def test_lists_and_search_are_masked_for_the_analyst(
    client: TestClient, headers: dict[Role, dict[str, str]], member: dict[str, Any]
) -> None:
    analyst, operator = headers[Role.analyst], headers[Role.operator]
    for params in ({}, {"q": "138 0000 0000"}, {"q": "张三"}):
        seen = client.get(MEMBERS, params=params, headers=analyst).json()["items"]
        assert [(m["id"], m["attributes"]["name"]) for m in seen] == [(member["id"], "张**")]
        full = client.get(MEMBERS, params=params, headers=operator).json()["items"]
        assert [m["attributes"]["nickname"] for m in full] == ["小张"]


def test_export_hands_over_member_identities_consent_merges_and_audit(
    client: TestClient, admin: dict[str, str], member: dict[str, Any]
) -> None:
    with clock.frozen(START + timedelta(hours=1)):
        other = upsert(client, admin, crm("C-2"), attributes={"nickname": "旧号"})
        merged = upsert(client, admin, crm("C-1"), crm("C-2"))
        patched = client.patch(
            f"{MEMBERS}/{member['id']}", json={"attributes": {"city": "上海"}}, headers=admin
        )
    assert patched.status_code == 200
    response = client.get(f"{MEMBERS}/{member['id']}/export", headers=admin)
    assert response.status_code == 200
    document = response.json()
    rooms = [
        "benefit_cards",
        "check_ins",
        "coupons",
        "events",
        "growth",
        "orders",
        "perks",
        "points",
        "stored_value",
        "tags",
        "tier",
    ]
    assert sorted(document) == sorted(["audit", "member", *rooms])
    assert document["orders"] == document["events"] == []  # activity's sections: none yet
    assert document["tags"] == []
    exported = document["member"]
    assert exported["id"] == member["id"]
    assert _identities(exported) == {**FULL, "crm_id": "C-2"}  # the later C-2 wins the dict
    assert sorted(i["value"] for i in exported["identities"] if i["type"] == "crm_id") == [
        "C-1",
        "C-2",
    ]
    assert {k: v["granted"] for k, v in exported["consent"].items()} == {
        "email": False,
        "sms": True,
    }
    assert [m["id"] for m in exported["merges"]] == merged["merged"]
    assert exported["merges"][0]["absorbed_id"] == other["id"]
    assert exported["attributes"] == {**ATTRIBUTES, "city": "上海"}
    actor = f"api_key:{admin['Authorization'].split('_')[1]}"
    assert [(a["action"], a["actor"]) for a in document["audit"]] == [
        ("member.identities", actor),
        ("member.create", actor),
        ("member.update", actor),
        ("member.consent", actor),
        ("member.merge", actor),
        ("member.update", actor),
    ]
    assert document["audit"][-1]["before"] == {"city": "杭州"}
    assert document["audit"][-1]["after"] == {"city": "上海"}
    assert document["audit"][0]["after"] == {
        "added": ["crm_id:C-1", "email:alice@example.com", "phone:+8613800000000",
                  "platform_nick:taobao:tb_buyer"]
    }  # fmt: skip


def test_erase_removes_pii_keeps_aggregates_and_scrubs_the_audit_trail(
    client: TestClient, session: Session, admin: dict[str, str], member: dict[str, Any]
) -> None:
    absorbed = upsert(client, admin, crm("C-9"), attributes={"name": "李四"})
    merged = upsert(client, admin, crm("C-1"), crm("C-9"))
    assert merged["attributes"]["name"] == "张三丰"  # the survivor's own name stays

    response = client.delete(f"{MEMBERS}/{member['id']}/pii", headers=admin)
    assert response.status_code == 200, response.text
    erased = response.json()
    assert erased["status"] == "erased"
    assert erased["identities"] == []
    assert erased["attributes"] == {
        "name": None,
        "nickname": None,
        "gender": "male",
        "birthday": None,
        "province": "浙江",
        "city": "杭州",
        "custom": {},
    }
    assert {k: v["granted"] for k, v in erased["consent"].items()} == {"email": False, "sms": True}
    gone = client.get(f"{MEMBERS}/{absorbed['id']}", headers=admin).json()
    assert gone["attributes"]["name"] is None
    assert gone["status"] == "merged"

    trail = client.get(
        "/api/v1/audit", params={"entity_type": "member", "entity_id": member["id"]}, headers=admin
    ).json()["items"]
    erase_row, *history = trail
    assert erase_row["action"] == "member.erase"
    assert erase_row["after"] == {
        "identities_removed": 5,
        "fields_cleared": ["name", "nickname", "birthday", "custom"],
    }
    assert [row["action"] for row in history] == [
        "member.merge",
        "member.consent",
        "member.update",
        "member.create",
        "member.identities",
    ]
    for row in history:
        for doc in (row["before"], row["after"]):
            assert doc is None or set(doc.values()) == {"[erased]"}, row
    absorbed_trail = client.get(
        "/api/v1/audit",
        params={"entity_type": "member", "entity_id": absorbed["id"]},
        headers=admin,
    ).json()["items"]
    assert absorbed_trail
    for row in absorbed_trail:
        assert row["after"] is None or set(row["after"].values()) == {"[erased]"}, row
    for secret in ("13800000000", "alice", "张三丰", "小张", "tb_buyer", "李四", "1990-05-01"):
        assert secret not in str(trail) + str(absorbed_trail)
    with session.begin():
        fills = session.scalars(
            select(MemberMerge.filled).where(MemberMerge.survivor_id == int(member["id"]))
        )
        assert list(fills) == [{}]

    lookup = client.get(MEMBERS, params={"identity": "phone:13800000000"}, headers=admin)
    assert lookup.json()["items"] == []
    again = client.post(MEMBERS, json={"identities": [phone("13800000000")]}, headers=admin)
    assert again.status_code == 201
    assert again.json()["id"] != member["id"]


def test_erased_or_merged_members_refuse_changes(
    client: TestClient,
    session: Session,
    tenant: Principal,
    admin: dict[str, str],
    member: dict[str, Any],
) -> None:
    absorbed = upsert(client, admin, crm("C-9"))
    upsert(client, admin, crm("C-1"), crm("C-9"))
    assert client.delete(f"{MEMBERS}/{member['id']}/pii", headers=admin).status_code == 200
    before = snapshot(session, tenant.tenant_id)

    body = assert_problem(
        client.delete(f"{MEMBERS}/{absorbed['id']}/pii", headers=admin), 409, "members.erased"
    )
    assert body["detail"] == "Erase the surviving member instead."
    assert body["merged_into"] == member["id"]
    refusals = [
        (member["id"], "erased", None, f"Member {member['id']} was erased and cannot be changed."),
        (
            absorbed["id"],
            "merged",
            member["id"],
            f"Member {absorbed['id']} was merged into {member['id']}; change that member instead.",
        ),
    ]
    for target, status, merged_into, detail in refusals:
        response = client.patch(
            f"{MEMBERS}/{target}", json={"attributes": {"name": "回来"}}, headers=admin
        )
        body = assert_problem(response, 409, "members.erased")
        assert (body["member_status"], body["merged_into"]) == (status, merged_into)
        assert body["detail"] == detail
    assert snapshot(session, tenant.tenant_id) == before
