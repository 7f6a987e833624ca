"""Manual and rule tags through the API: creating, changing and deactivating them (audited),
tagging members by hand, a rule tag's exact member set from its condition, the refusals —
which change nothing — and another tenant's tags out of reach."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry, Role
from tests.api.support import assert_problem, snapshot
from tests.insights.tags.support import (
    MEMBERS,
    NOW,
    TAGS,
    create_tag,
    holders,
    member,
    member_tags,
    ok,
    order,
    refresh,
    tags_by_code,
)

BIG_SPENDERS = {"field": "stats.spend", "op": ">=", "value": "500.00"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _actions(session: Session, tenant: Principal) -> list[str]:
    with session.begin():
        query = select(AuditEntry.action).where(AuditEntry.tenant_id == tenant.tenant_id)
        return [
            a
            for a in session.scalars(query.order_by(AuditEntry.id))
            if a.startswith(("tag", "member.tag", "member.untag"))
        ]


def test_a_manual_tag_is_set_and_taken_by_hand(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP 客户", description="门店推荐")
    assert (vip["kind"], vip["members"], vip["condition"], vip["definition"]) == (
        "manual",
        0,
        None,
        None,
    )
    ann = member(client, admin, "13800000001", attributes={"name": "王小安"})
    url = f"{MEMBERS}/{ann}/tags"
    first = client.post(url, json={"tag_id": int(vip["id"])}, headers=admin)
    assert first.status_code == 201, first.text
    assert [(t["code"], t["source"], t["kind"]) for t in first.json()] == [
        ("vip", "operator", "manual")
    ]
    again = client.post(url, json={"tag_id": int(vip["id"])}, headers=admin)
    assert (again.status_code, again.json()) == (200, first.json())
    assert ok(client.get(f"{TAGS}/{vip['id']}", headers=admin))["members"] == 1
    page = ok(client.get(f"{TAGS}/{vip['id']}/members", headers=admin))
    assert [(m["member_id"], m["name"], m["phone"]) for m in page["items"]] == [
        (ann, "王小安", "+8613800000001")
    ]
    assert client.delete(f"{url}/{vip['id']}", headers=admin).status_code == 204
    assert client.delete(f"{url}/{vip['id']}", headers=admin).status_code == 204
    assert member_tags(client, admin, ann) == []
    assert _actions(session, tenant) == ["tag.create", "member.tag", "member.untag"]


def test_an_analyst_reads_holders_masked(
    client: TestClient, admin: dict[str, str], headers: dict[Role, dict[str, str]]
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    ann = member(client, admin, "13800000001", attributes={"name": "王小安"})
    ok(client.post(f"{MEMBERS}/{ann}/tags", json={"tag_id": int(vip["id"])}, headers=admin))
    page = ok(client.get(f"{TAGS}/{vip['id']}/members", headers=headers[Role.analyst]))
    assert [(m["name"], m["phone"]) for m in page["items"]] == [("王**", "+86138****0001")]
    assert member_tags(client, headers[Role.analyst], ann) == ["vip"]


def test_a_rule_tag_holds_exactly_the_members_its_condition_selects(
    client: TestClient, admin: dict[str, str]
) -> None:
    big = order(client, admin, "T1", "13800000001", 3, "600.00")
    order(client, admin, "T2", "13800000002", 3, "499.99")
    condition = {
        "all": [BIG_SPENDERS, {"not": {"field": "member.gender", "op": "=", "value": "male"}}]
    }
    rule = create_tag(client, admin, code="big", name="高消费", kind="rule", condition=condition)
    assert rule["condition"] == {
        "all": [BIG_SPENDERS, {"not": {"field": "member.gender", "op": "=", "value": "male"}}]
    }
    assert (rule["members"], holders(client, admin, rule["id"])) == (1, {big})
    late = order(client, admin, "T3", "13800000003", 1, "800.00")
    assert holders(client, admin, rule["id"]) == {big}  # until the next evaluation
    assert refresh(client, admin)["big"] == 2
    assert holders(client, admin, rule["id"]) == {big, late}
    ok(client.patch(f"{MEMBERS}/{late}", json={"attributes": {"gender": "male"}}, headers=admin))
    refresh(client, admin)
    assert holders(client, admin, rule["id"]) == {big}
    assert member_tags(client, admin, big) == ["big"]


def test_changing_a_rule_evaluates_it_again_and_deactivating_empties_it(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    a = order(client, admin, "T1", "13800000001", 3, "600.00")
    b = order(client, admin, "T2", "13800000002", 3, "100.00")
    rule = create_tag(client, admin, code="big", name="高消费", kind="rule", condition=BIG_SPENDERS)
    url = f"{TAGS}/{rule['id']}"
    lower = {"field": "stats.spend", "op": ">=", "value": "100"}
    changed = ok(client.patch(url, json={"condition": lower, "name": "消费过百"}, headers=admin))
    assert (changed["name"], changed["members"]) == ("消费过百", 2)
    assert holders(client, admin, rule["id"]) == {a, b}
    assert ok(client.patch(url, json={"active": False}, headers=admin))["members"] == 0
    assert "big" not in refresh(client, admin)
    assert ok(client.patch(url, json={"active": True}, headers=admin))["members"] == 2
    assert _actions(session, tenant) == ["tag.create", "tag.update", "tag.update", "tag.update"]


def test_an_inactive_manual_tag_keeps_its_members_but_shows_on_nobody(
    client: TestClient, admin: dict[str, str]
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    ann = member(client, admin, "13800000001")
    ok(client.post(f"{MEMBERS}/{ann}/tags", json={"tag_id": int(vip["id"])}, headers=admin))
    ok(client.patch(f"{TAGS}/{vip['id']}", json={"active": False}, headers=admin))
    assert member_tags(client, admin, ann) == []
    answer = client.post(f"{MEMBERS}/{ann}/tags", json={"tag_id": int(vip["id"])}, headers=admin)
    assert_problem(answer, 409, "tags.inactive")
    ok(client.patch(f"{TAGS}/{vip['id']}", json={"active": True}, headers=admin))
    assert member_tags(client, admin, ann) == ["vip"]


def _refused(
    client: TestClient, session: Session, method: str, url: str, body: Any, admin: dict[str, str]
) -> dict[str, Any]:
    before = snapshot(session)
    answer = client.request(method, url, json=body, headers=admin)
    assert snapshot(session) == before
    result: dict[str, Any] = answer.json()
    result["status"] = answer.status_code
    return result


@pytest.mark.parametrize(
    ("body", "code", "loc"),
    [
        ({"code": "vip", "name": "again"}, "tags.code_taken", None),
        ({"code": "herd", "name": "taken by a behaviour tag"}, "tags.code_taken", None),
        ({"code": "Bad Code", "name": "x"}, "request.invalid", ["body", "code"]),
        ({"code": "r", "name": "x", "kind": "rule"}, "request.invalid", ["body"]),
        ({"code": "r", "name": "x", "kind": "behaviour"}, "request.invalid", ["body", "kind"]),
        ({"code": "m", "name": "x", "condition": BIG_SPENDERS}, "request.invalid", ["body"]),
        (
            {
                "code": "r",
                "name": "x",
                "kind": "rule",
                "condition": {
                    "all": [BIG_SPENDERS, {"field": "stats.spend", "op": "in", "value": ["1"]}]
                },
            },
            "conditions.invalid",
            ["body", "condition", "all", 1, "op"],
        ),
        (
            {"code": "r", "name": "x", "kind": "rule", "condition": {"any": []}},
            "conditions.invalid",
            ["body", "condition", "any"],
        ),
    ],
)
def test_bad_tags_are_refused_and_change_nothing(
    body: dict[str, Any],
    code: str,
    loc: list[Any] | None,
    client: TestClient,
    admin: dict[str, str],
    session: Session,
) -> None:
    create_tag(client, admin, code="vip", name="VIP")
    refused = _refused(client, session, "POST", TAGS, body, admin)
    assert (refused["status"], refused["code"]) == (409 if code == "tags.code_taken" else 422, code)
    if loc is not None:
        assert refused["errors"][0]["loc"] == loc


def test_changes_a_kind_cannot_take_are_refused(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    herd = tags_by_code(client, admin)["herd"]
    vip = create_tag(client, admin, code="vip", name="VIP")
    for tag, body, field in [
        (herd, {"name": "跟风"}, "name"),
        (herd, {"condition": BIG_SPENDERS}, "condition"),
        (vip, {"condition": BIG_SPENDERS}, "condition"),
    ]:
        refused = _refused(client, session, "PATCH", f"{TAGS}/{tag['id']}", body, admin)
        assert (refused["status"], refused["code"]) == (422, "tags.fixed_field")
        assert refused["errors"][0]["loc"] == ["body", field]
    assert (
        ok(client.patch(f"{TAGS}/{herd['id']}", json={"active": False}, headers=admin))["active"]
        is False
    )


def test_only_manual_tags_are_set_by_hand(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    ann = member(client, admin, "13800000001")
    herd = tags_by_code(client, admin)["herd"]
    for method, url, body in [
        ("POST", f"{MEMBERS}/{ann}/tags", {"tag_id": int(herd["id"])}),
        ("DELETE", f"{MEMBERS}/{ann}/tags/{herd['id']}", None),
    ]:
        refused = _refused(client, session, method, url, body, admin)
        assert (refused["status"], refused["code"], refused["kind"]) == (
            409,
            "tags.not_manual",
            "behaviour",
        )


def test_a_merged_away_member_is_not_tagged(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    old = member(client, admin, "13800000001")
    new = member(client, admin, "13800000002")
    identities = [{"type": "phone", "value": v} for v in ("13800000001", "13800000002")]
    ok(client.post(MEMBERS, json={"identities": identities}, headers=admin))
    refused = _refused(
        client, session, "POST", f"{MEMBERS}/{new}/tags", {"tag_id": int(vip["id"])}, admin
    )
    assert (refused["status"], refused["code"], refused["merged_into"]) == (
        409,
        "members.erased",
        old,
    )


def test_another_tenants_tags_are_out_of_reach(
    client: TestClient,
    admin: dict[str, str],
    other_headers: dict[Role, dict[str, str]],
    session: Session,
) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    ann = member(client, admin, "13800000001")
    rival = other_headers[Role.admin]
    theirs = member(client, rival, "13800000009")
    assert "vip" not in tags_by_code(client, rival)
    for method, url, body, code in [
        ("GET", f"{TAGS}/{vip['id']}", None, "tags.not_found"),
        ("PATCH", f"{TAGS}/{vip['id']}", {"name": "x"}, "tags.not_found"),
        ("GET", f"{TAGS}/{vip['id']}/members", None, "tags.not_found"),
        ("POST", f"{MEMBERS}/{theirs}/tags", {"tag_id": int(vip["id"])}, "tags.not_found"),
        ("POST", f"{MEMBERS}/{ann}/tags", {"tag_id": int(vip["id"])}, "members.not_found"),
        ("DELETE", f"{MEMBERS}/{theirs}/tags/{vip['id']}", None, "tags.not_found"),
    ]:
        refused = _refused(client, session, method, url, body, rival)
        assert (refused["status"], refused["code"]) == (404, code), (method, url)


def test_tags_are_listed_a_page_at_a_time(client: TestClient, admin: dict[str, str]) -> None:
    for n in range(3):
        create_tag(client, admin, code=f"t{n}", name=f"T{n}")
    seen, cursor = [], None
    while True:
        params = {"limit": "4", **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(TAGS, params=params, headers=admin))
        seen += [tag["code"] for tag in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen[-3:] == ["t0", "t1", "t2"]
    assert len(seen) == 13  # ten behaviour tags first


def test_a_members_tags_are_in_its_export(client: TestClient, admin: dict[str, str]) -> None:
    vip = create_tag(client, admin, code="vip", name="VIP")
    ann = member(client, admin, "13800000001")
    ok(client.post(f"{MEMBERS}/{ann}/tags", json={"tag_id": int(vip["id"])}, headers=admin))
    exported = ok(client.get(f"{MEMBERS}/{ann}/export", headers=admin))["tags"]
    assert exported == [
        {
            "id": vip["id"],
            "code": "vip",
            "name": "VIP",
            "kind": "manual",
            "source": "operator",
            "added_at": "2026-11-01T04:00:00Z",
        }
    ]
