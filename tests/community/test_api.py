"""The community API end to end: groups, invitations, the roster, removal, the rules and the
review, and problem documents for bad input."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from memberops.kernel import clock
from tests.api.support import assert_invalid, assert_problem, crm, upsert
from tests.community.support import NOW

GROUPS = "/api/v1/community-groups"
RULES = GROUPS + "/rules"
WOMEN = {"field": "member.gender", "op": "=", "value": "female"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _group(client: TestClient, admin: dict[str, str], name: str, kind: str = "vip") -> str:
    response = client.post(GROUPS, json={"name": name, "kind": kind}, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_invite_read_and_remove(client: TestClient, admin: dict[str, str]) -> None:
    assert client.put(RULES, json={"group_size": 2}, headers=admin).status_code == 200
    vip = _group(client, admin, "VIP")
    ids = [int(upsert(client, admin, crm(f"c{n}"))["id"]) for n in range(3)]
    url = f"{GROUPS}/{vip}/members"
    invited = client.post(url, json={"member_ids": [*ids, ids[0], 999_999]}, headers=admin)
    assert invited.status_code == 200, invited.text
    body = invited.json()
    assert sorted(body["invited"]) == sorted(map(str, ids))
    assert body["already"] == []
    assert body["not_found"] == ["999999"]
    again = client.post(url, json={"member_ids": ids[:1]}, headers=admin).json()
    assert again == {"invited": {}, "already": [str(ids[0])], "not_found": []}

    listed = client.get(GROUPS, params={"limit": 1}, headers=admin).json()
    assert [(g["name"], g["size"], g["limit"]) for g in listed["items"]] == [("VIP #2", 1, 2)]
    assert listed["next_cursor"] is not None
    detail = client.get(f"{GROUPS}/{vip}", params={"limit": 1}, headers=admin).json()
    assert detail["size"] == 2
    assert [r["member_id"] for r in detail["roster"]] == [str(ids[1])]
    assert detail["roster"][0]["invited_by"].startswith("operator:")
    assert detail["next_cursor"] is not None

    assert client.delete(f"{url}/{ids[0]}", headers=admin).status_code == 204
    assert_problem(client.delete(f"{url}/{ids[0]}", headers=admin), 404, "community.not_in_group")
    assert client.get(f"{GROUPS}/{vip}", headers=admin).json()["size"] == 1


def test_rules_and_review(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get(RULES, headers=admin).json() == {
        "group_size": 400,
        "vip_rule": None,
        "vip_group_id": None,
    }
    vip = _group(client, admin, "Gold VIP")
    woman = upsert(client, admin, crm("w"), attributes={"gender": "female"})
    upsert(client, admin, crm("m"), attributes={"gender": "male"})
    saved = client.put(RULES, json={"vip_rule": WOMEN, "vip_group_id": int(vip)}, headers=admin)
    assert saved.status_code == 200, saved.text
    done = client.post(GROUPS + ":review", headers=admin)
    assert done.json() == {"qualified": 1, "invited": 1, "removed": 0}
    roster = client.get(f"{GROUPS}/{vip}", headers=admin).json()["roster"]
    assert [(r["member_id"], r["invited_by"]) for r in roster] == [(woman["id"], "review")]


def test_bad_input_is_a_problem(
    client: TestClient, admin: dict[str, str], other_headers: dict[object, dict[str, str]]
) -> None:
    basic = _group(client, admin, "Fans", "basic")
    assert_invalid(
        client.post(GROUPS, json={"name": "x", "kind": "gold"}, headers=admin),
        [
            "body",
            "kind",
        ],
    )
    assert_invalid(client.post(GROUPS, json={"name": ""}, headers=admin), ["body", "name"])
    assert_problem(
        client.post(GROUPS, json={"name": "Fans"}, headers=admin), 409, "community.name_taken"
    )
    url = f"{GROUPS}/{basic}/members"
    assert_invalid(client.post(url, json={"member_ids": []}, headers=admin), ["body", "member_ids"])
    assert_invalid(
        client.post(url, json={"member_ids": [0]}, headers=admin), ["body", "member_ids", 0]
    )
    assert_problem(client.get(f"{GROUPS}/999999", headers=admin), 404, "community.not_found")
    assert_invalid(client.get(f"{GROUPS}/0", headers=admin), ["path", "group_id"])
    assert_invalid(client.put(RULES, json={"group_size": 0}, headers=admin), ["body", "group_size"])
    bad_rule = {"vip_rule": {"field": "member.nope", "op": "=", "value": 1}}
    assert_invalid(
        client.put(RULES, json=bad_rule, headers=admin),
        ["body", "vip_rule", "field"],
        "conditions.invalid",
    )
    not_vip = {"vip_group_id": int(basic)}
    assert_invalid(
        client.put(RULES, json=not_vip, headers=admin),
        ["body", "vip_group_id"],
        "community.invalid",
    )
    assert client.get(RULES, headers=admin).json()["vip_group_id"] is None
