"""A member's coupons: the list with its status filter, the ``coupons`` section of the member
view and export, and coupons moving with merges and back on undo."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from memberops.kernel import clock
from memberops.tenancy.models import Role
from tests.api.support import MEMBERS, assert_invalid, crm, upsert
from tests.loyalty.coupons.support import START, issued, make_member, make_template, redeem


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def _codes(client: TestClient, headers: dict[str, str], member: str, **params: str) -> list[str]:
    response = client.get(f"{MEMBERS}/{member}/coupons", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [c["code"] for c in response.json()["items"]]


def test_a_members_coupons_by_status_a_page_at_a_time(
    client: TestClient, headers: dict[Role, dict[str, str]]
) -> None:
    admin, analyst = headers[Role.admin], headers[Role.analyst]
    short = make_template(client, admin, valid_days=1)
    long = make_template(client, admin, valid_days=30, per_member_limit=None)
    member = make_member(client, admin)
    soon = issued(client, admin, member, short["id"])["code"]
    kept, used, last = (issued(client, admin, member, long["id"])["code"] for _ in range(3))
    redeem(client, admin, used, "T1", "100")
    clock.advance(timedelta(days=2))
    assert _codes(client, analyst, member) == [last, used, kept, soon]
    assert _codes(client, analyst, member, status="issued") == [last, kept]
    assert _codes(client, analyst, member, status="redeemed") == [used]
    assert _codes(client, analyst, member, status="expired") == [soon]
    page = client.get(f"{MEMBERS}/{member}/coupons", params={"limit": 3}, headers=admin).json()
    rest = _codes(client, admin, member, cursor=page["next_cursor"])
    assert ([c["code"] for c in page["items"]], rest) == ([last, used, kept], [soon])
    refused = client.get(f"{MEMBERS}/{member}/coupons", params={"status": "lost"}, headers=admin)
    assert_invalid(refused, ["query", "status"])


def test_the_member_view_counts_coupons_and_shows_the_next_to_expire(
    client: TestClient, admin: dict[str, str]
) -> None:
    short = make_template(client, admin, valid_days=3, per_member_limit=None)
    long = make_template(client, admin, valid_days=30, per_member_limit=None)
    member = make_member(client, admin)
    assert client.get(f"{MEMBERS}/{member}", headers=admin).json()["coupons"] == {
        "issued": 0,
        "redeemed": 0,
        "expired": 0,
        "expiring": [],
    }
    later = issued(client, admin, member, long["id"])
    gone = issued(client, admin, member, short["id"])
    clock.advance(timedelta(days=1))
    sooner = issued(client, admin, member, short["id"])
    used = issued(client, admin, member, long["id"])
    redeem(client, admin, used["code"], "T1", "100")
    clock.advance(timedelta(days=2, hours=12))
    section = client.get(f"{MEMBERS}/{member}", headers=admin).json()["coupons"]
    assert {k: section[k] for k in ("issued", "redeemed", "expired")} == {
        "issued": 2,
        "redeemed": 1,
        "expired": 1,
    }
    assert [c["code"] for c in section["expiring"]] == [sooner["code"], later["code"]]
    exported = client.get(f"{MEMBERS}/{member}/export", headers=admin).json()["coupons"]
    assert [c["code"] for c in exported] == [
        later["code"],
        gone["code"],
        sooner["code"],
        used["code"],
    ]
    assert [c["status"] for c in exported] == ["issued", "expired", "issued", "redeemed"]


def test_coupons_move_with_a_merge_and_back_on_undo(
    client: TestClient, admin: dict[str, str]
) -> None:
    template = make_template(client, admin)
    survivor = upsert(client, admin, crm("a"))["id"]
    absorbed = upsert(client, admin, crm("b"))["id"]
    ours = issued(client, admin, survivor, template["id"])["code"]
    theirs = issued(client, admin, absorbed, template["id"])["code"]
    merge = upsert(client, admin, crm("a"), crm("b"))["merged"][0]
    assert _codes(client, admin, survivor) == [theirs, ours]
    assert _codes(client, admin, absorbed) == []
    redeemed = redeem(client, admin, theirs, "T1", "100").json()
    assert redeemed["member_id"] == survivor
    undone = client.post(f"/api/v1/merges/{merge}/undo", headers=admin)
    assert undone.status_code == 200, undone.text
    assert (_codes(client, admin, survivor), _codes(client, admin, absorbed)) == ([ours], [theirs])
