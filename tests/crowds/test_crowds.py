"""Crowds through the API: preview, saved dynamic and snapshot crowds, members page by page,
overlap, CSV export masked by role, refusals naming their place, and snapshots across merges."""

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry, Role
from tests.activity.support import ORDERS, order_body
from tests.api.support import MEMBERS, assert_invalid, assert_problem, snapshot

CROWDS = "/api/v1/crowds"
NOW = datetime(2026, 11, 20, 4, tzinfo=UTC)
BOUGHT = {"field": "stats.last_order_at", "op": "within_days", "value": 365}
FEMALE = {"field": "member.gender", "op": "=", "value": "female"}


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _member(client: TestClient, admin: dict[str, str], phone: str, **attributes: Any) -> str:
    body = {"identities": [{"type": "phone", "value": phone}], "attributes": attributes}
    answer = client.post(MEMBERS, json=body, headers=admin)
    assert answer.status_code in (200, 201), answer.text
    return str(answer.json()["id"])


def _order(
    client: TestClient, admin: dict[str, str], external_id: str, phone: str, days: int
) -> None:
    paid = (NOW - timedelta(days=days)).isoformat()
    answer = client.post(ORDERS, json=order_body(external_id, phone, paid_at=paid), headers=admin)
    assert answer.status_code == 201, answer.text


@pytest.fixture
def people(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    """Ann (female) bought 10 and 100 days ago, Bob (male) 200 days ago, Cai never."""
    ids = {
        "ann": _member(client, admin, "13800000001", name="李安", gender="female"),
        "bob": _member(client, admin, "13800000002", name="王波", gender="male"),
        "cai": _member(client, admin, "13800000003", name="张才"),
    }
    _order(client, admin, "A1", "13800000001", 10)
    _order(client, admin, "A2", "13800000001", 100)
    _order(client, admin, "B1", "13800000002", 200)
    return ids


def _create(
    client: TestClient, admin: dict[str, str], name: str, condition: Any, **more: Any
) -> Any:
    answer = client.post(CROWDS, json={"name": name, "condition": condition, **more}, headers=admin)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_preview_counts_and_shows_a_sample_masked_by_role(
    client: TestClient, headers: dict[Role, dict[str, str]], people: dict[str, str]
) -> None:
    body = {"condition": BOUGHT, "sample": 1}
    answer = client.post(f"{CROWDS}:preview", json=body, headers=headers[Role.admin]).json()
    assert answer["size"] == 2
    assert [m["member_id"] for m in answer["sample"]] == [people["ann"]]
    (ann,) = answer["sample"]
    assert (ann["name"], ann["phone"], ann["orders"], ann["spend"]) == (
        "李安",
        "+8613800000001",
        2,
        "398.00",
    )
    assert ann["last_order_at"] == (NOW - timedelta(days=10)).isoformat().replace("+00:00", "Z")
    seen = client.post(f"{CROWDS}:preview", json=body, headers=headers[Role.analyst]).json()
    assert (seen["sample"][0]["name"], seen["sample"][0]["phone"]) == ("李*", "+86138****0001")


def test_a_condition_that_cannot_be_evaluated_is_refused_naming_its_place(
    client: TestClient, admin: dict[str, str], session: Session, people: dict[str, str]
) -> None:
    before = snapshot(session)
    bad = {"all": [BOUGHT, {"field": "stats.nope", "op": "=", "value": 1}]}
    for url, body in (
        (f"{CROWDS}:preview", {"condition": bad}),
        (CROWDS, {"name": "坏", "condition": bad}),
    ):
        answer = client.post(url, json=body, headers=admin)
        assert_invalid(answer, ["body", "condition", "all", 1, "field"], "conditions.invalid")
    deep: dict[str, Any] = FEMALE
    for _ in range(9):
        deep = {"not": deep}
    answer = client.post(f"{CROWDS}:preview", json={"condition": deep}, headers=admin)
    assert_invalid(answer, ["body", "condition"], "conditions.invalid")
    assert snapshot(session) == before


def test_dynamic_crowds_follow_the_data_and_snapshots_keep_who_they_froze(
    client: TestClient, admin: dict[str, str], people: dict[str, str]
) -> None:
    dynamic = _create(client, admin, "近一年购买", BOUGHT)
    frozen = _create(client, admin, "近一年购买（快照）", BOUGHT, kind="snapshot")
    assert (dynamic["size"], frozen["size"]) == (2, 2)
    assert frozen["frozen_at"] is not None
    assert dynamic["frozen_at"] is None

    _order(client, admin, "C1", "13800000003", 1)  # cai buys

    def size(crowd: Any) -> int:
        return int(client.get(f"{CROWDS}/{crowd['id']}", headers=admin).json()["size"])

    assert (size(dynamic), size(frozen)) == (3, 2)
    listed = client.get(CROWDS, headers=admin).json()["items"]
    assert [(c["name"], c["size"]) for c in listed] == [
        ("近一年购买（快照）", 2),
        ("近一年购买", 3),
    ]
    again = client.post(f"{CROWDS}/{frozen['id']}:freeze", headers=admin)
    assert again.json()["size"] == 3
    refused = client.post(f"{CROWDS}/{dynamic['id']}:freeze", headers=admin)
    assert_problem(refused, 409, "crowds.not_a_snapshot")


def test_members_page_by_cursor(
    client: TestClient, admin: dict[str, str], people: dict[str, str]
) -> None:
    crowd = _create(
        client, admin, "全部", {"field": "identity.has_phone", "op": "=", "value": True}
    )
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{CROWDS}/{crowd['id']}/members", params=params, headers=admin).json()
        seen.append([m["member_id"] for m in page["items"]])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [[people["ann"], people["bob"]], [people["cai"]]]


def test_overlap_of_two_crowds(
    client: TestClient, admin: dict[str, str], people: dict[str, str]
) -> None:
    bought = _create(client, admin, "买过", BOUGHT)
    female = _create(client, admin, "女性", FEMALE)
    url = f"{CROWDS}/{bought['id']}/overlap"
    answer = client.get(url, params={"other": female["id"]}, headers=admin).json()
    assert {
        k: answer[k] for k in ("size", "other_size", "both", "only", "only_other", "either")
    } == {
        "size": 2,
        "other_size": 1,
        "both": 1,
        "only": 1,
        "only_other": 0,
        "either": 2,
    }
    assert answer["jaccard"] == 0.5


def _csv(answer: Any) -> list[list[str]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="crowd-')
    text = answer.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_is_csv_masked_by_role(
    client: TestClient, headers: dict[Role, dict[str, str]], people: dict[str, str]
) -> None:
    crowd = _create(client, headers[Role.admin], "买过", BOUGHT)
    url = f"{CROWDS}/{crowd['id']}/export"
    header, *rows = _csv(client.get(url, headers=headers[Role.admin]))
    assert header == [
        "member_id",
        "name",
        "phone",
        "gender",
        "city",
        "orders",
        "spend",
        "last_order_at",
    ]
    assert [row[:7] for row in rows] == [
        [people["ann"], "李安", "+8613800000001", "female", "", "2", "398.00"],
        [people["bob"], "王波", "+8613800000002", "male", "", "1", "199.00"],
    ]
    _, *masked = _csv(client.get(url, headers=headers[Role.analyst]))
    assert [row[1:3] for row in masked] == [["李*", "+86138****0001"], ["王*", "+86138****0002"]]


def test_names_are_unique_and_changes_are_audited(
    client: TestClient, admin: dict[str, str], session: Session, people: dict[str, str]
) -> None:
    crowd = _create(client, admin, "A", BOUGHT)
    _create(client, admin, "B", FEMALE)
    assert_problem(
        client.post(CROWDS, json={"name": "A", "condition": FEMALE}, headers=admin),
        409,
        "crowds.name_taken",
    )
    url = f"{CROWDS}/{crowd['id']}"
    assert_problem(client.patch(url, json={"name": "B"}, headers=admin), 409, "crowds.name_taken")
    changed = client.patch(url, json={"condition": FEMALE, "description": "女性"}, headers=admin)
    assert (changed.json()["size"], changed.json()["description"]) == (1, "女性")
    bad = client.patch(
        url, json={"condition": {"field": "member.gender", "op": ">", "value": "f"}}, headers=admin
    )
    assert_invalid(bad, ["body", "condition", "op"], "conditions.invalid")
    assert client.delete(url, headers=admin).status_code == 204
    assert_problem(client.get(url, headers=admin), 404, "crowds.not_found")
    with session.begin():
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "crowd", AuditEntry.entity_id == crowd["id"])
            .order_by(AuditEntry.id)
        ).all()
    assert actions == ["crowd.create", "crowd.update", "crowd.delete"]


def test_a_snapshot_follows_its_member_into_a_merge_and_back(
    client: TestClient, admin: dict[str, str], people: dict[str, str]
) -> None:
    """Dan, frozen among those who never bought, turns out to be Bob: Bob takes his place;
    undoing the merge gives it back."""
    dan = _member(client, admin, "13800000004", name="丹")
    never = {"field": "stats.orders_count", "op": "=", "value": 0}
    crowd = _create(client, admin, "未购", never, kind="snapshot")
    url = f"{CROWDS}/{crowd['id']}/members"

    def members() -> list[str]:
        return [m["member_id"] for m in client.get(url, headers=admin).json()["items"]]

    assert members() == [people["cai"], dan]
    phones = [{"type": "phone", "value": "13800000002"}, {"type": "phone", "value": "13800000004"}]
    merged = client.post(MEMBERS, json={"identities": phones}, headers=admin).json()
    assert members() == [people["bob"], people["cai"]]
    undone = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    assert members() == [people["cai"], dan]


def test_the_fields_list_holds_the_tenants_own_values(
    client: TestClient, admin: dict[str, str], tenant: Principal
) -> None:
    client.post("/api/v1/tags", json={"code": "vip", "name": "VIP"}, headers=admin)
    found = {f["name"]: f for f in client.get(f"{CROWDS}/fields", headers=admin).json()}
    assert found["loyalty.tier"]["choices"] == ["silver", "gold", "platinum", "diamond"]
    assert found["loyalty.tier"]["kind"] == "ordinal"
    assert "vip" in found["tags.tag"]["choices"]
    assert found["member.gender"]["choices"] == ["male", "female", "unknown"]
    assert found["stats.spend"]["labels"] == {"zh-CN": "累计消费金额", "en": "Total spend"}
    assert ">=" in found["stats.spend"]["ops"]
