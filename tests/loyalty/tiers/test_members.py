"""A member's tier beyond single orders: history pages, the member view and export, 404s,
historical orders settled in bulk, merges and their undo, and the events published."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.activity.bulk import record_orders
from memberops.activity.schemas import OrderCreate
from memberops.kernel import clock
from memberops.loyalty.tiers import changes
from memberops.loyalty.tiers.events import TierChanged
from memberops.loyalty.tiers.service import current_level, evaluate_members
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.activity.support import order_body
from tests.api.support import MEMBERS, assert_invalid, assert_problem, crm, phone, upsert
from tests.loyalty.tiers.support import START, at, buy, kinds, tier_of, tier_rows


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def test_history_pages_newest_first(client: TestClient, admin: dict[str, str]) -> None:
    member = buy(client, admin, "A1", "10.00", "13800000001")
    buy(client, admin, "A2", "2000.00", "13800000001")
    buy(client, admin, "A3", "6000.00", "13800000001")
    first = tier_of(client, admin, member, limit=2)
    assert [h["to_tier"] for h in first["history"]] == ["platinum", "gold"]
    assert first["level"]["code"] == "platinum"
    second = tier_of(client, admin, member, limit=2, cursor=first["next_cursor"])
    assert [h["to_tier"] for h in second["history"]] == ["silver"]
    assert second["next_cursor"] is None


def test_a_member_never_evaluated_is_on_the_first_level(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = upsert(client, admin, crm("new"))
    answer = tier_of(client, admin, member["id"])
    assert answer["level"]["code"] == "silver"
    assert answer["level"]["since"] is None
    assert answer["history"] == []
    with session.begin():
        assert current_level(session, tenant, int(member["id"])).code == "silver"


def test_the_member_view_and_export_show_the_tier(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member = buy(client, admin, "A1", "2000.00", "13800000002")
    detail = client.get(f"{MEMBERS}/{member}", headers=admin).json()
    assert detail["tier"] == tier_of(client, admin, member)["level"]
    assert detail["tier"]["code"] == "gold"
    assert detail["tier"]["since"] == at(START)
    exported = client.get(f"{MEMBERS}/{member}/export", headers=admin).json()
    assert exported["tier"]["level"] == detail["tier"]
    assert exported["tier"]["history"] == tier_of(client, admin, member)["history"]
    with session.begin():
        level = current_level(session, tenant, int(member))
    assert (level.code, str(level.benefits.points_multiplier)) == ("gold", "1.2")


def test_unknown_and_other_tenants_members_are_404(
    client: TestClient,
    admin: dict[str, str],
    other_headers: dict[Role, dict[str, str]],
) -> None:
    member = buy(client, admin, "A1", "10.00", "13800000003")
    rival = other_headers[Role.admin]
    for member_id in (member, str(2**63 - 1)):
        response = client.get(f"{MEMBERS}/{member_id}/tier", headers=rival)
        assert_problem(response, 404, "members.not_found")
    for bad in ("0", "-1", str(2**63), "abc"):
        assert_invalid(client.get(f"{MEMBERS}/{bad}/tier", headers=admin), ["path", "member_id"])
    forged = client.get(f"{MEMBERS}/{member}/tier", params={"cursor": "!!"}, headers=admin)
    assert_invalid(forged, ["query", "cursor"], "invalid_input")


def test_historical_orders_upgrade_nobody_until_members_are_evaluated(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    bodies = [
        OrderCreate.model_validate(order_body(f"H{n}", "13800000004", paid_at=at(START)))
        for n in range(5)
    ]
    with session.begin():
        record_orders(session, tenant, bodies)
    with session.begin():
        assert tier_rows(session, tenant.tenant_id) == []
    with session.begin():
        assert evaluate_members(session, tenant) == 1
    member = client.get(MEMBERS, params={"identity": "phone:13800000004"}, headers=admin)
    member_id = member.json()["items"][0]["id"]
    assert kinds(client, admin, member_id) == [("joined", None, "gold")]


def test_a_merge_re_evaluates_and_its_undo_moves_nobody_down(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    by_phone = buy(client, admin, "P1", "1000.00", "13800000005")
    by_crm = upsert(client, admin, crm("c-5"))["id"]
    body = order_body("C1", amount="1000.00", list_amount=None, lines=[], paid_at=at(START))
    body["member"] = {"identities": [crm("c-5")]}
    assert client.post("/api/v1/orders", json=body, headers=admin).status_code == 201
    merged = upsert(client, admin, phone("13800000005"), crm("c-5"))
    survivor, absorbed = (by_phone, by_crm) if merged["id"] == by_phone else (by_crm, by_phone)
    assert kinds(client, admin, survivor)[0] == ("upgrade", "silver", "gold")
    assert kinds(client, admin, absorbed) == [("joined", None, "silver")]  # keeps its rows
    clock.advance(timedelta(days=1))
    undo = client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin)
    assert undo.status_code == 200, undo.text
    assert tier_of(client, admin, survivor)["level"]["code"] == "gold"
    assert tier_of(client, admin, absorbed)["level"]["code"] == "silver"


def test_every_move_is_published(
    client: TestClient, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch, tenant: Principal
) -> None:
    told: list[object] = []
    monkeypatch.setattr(changes, "publish", lambda session, event: told.append(event))
    member = int(buy(client, admin, "A1", "10.00", "13800000006"))
    buy(client, admin, "A2", "2000.00", "13800000006")
    assert told == [
        TierChanged(tenant.tenant_id, member, None, "silver", "joined"),
        TierChanged(tenant.tenant_id, member, "silver", "gold", "upgrade"),
    ]
