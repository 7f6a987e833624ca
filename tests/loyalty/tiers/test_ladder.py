"""The ladder through the API: read, replace (members re-evaluated in bulk at once), refusals
that name the field and store nothing, and members per level."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.tiers.rules import TierLadder
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry, Role
from tests.api.support import assert_invalid, snapshot
from tests.loyalty.tiers.support import START, TIERS, buy, kinds, level_code


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


def _default() -> dict[str, Any]:
    return TierLadder().model_dump(mode="json")


def _put(client: TestClient, admin: dict[str, str], ladder: dict[str, Any]) -> Any:
    response = client.put(TIERS, json=ladder, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_default_ladder_is_specs(client: TestClient, headers: dict[Role, Any]) -> None:
    answer = client.get(TIERS, headers=headers[Role.pos])
    assert answer.status_code == 200
    ladder = answer.json()
    assert ladder == _default()
    assert ladder["period_days"] == 365
    assert [(lv["code"], lv["qualify_spend"], lv["qualify_orders"]) for lv in ladder["levels"]] == [
        ("silver", None, None),
        ("gold", "2000.00", 5),
        ("platinum", "8000.00", 15),
        ("diamond", "20000.00", 30),
    ]


def test_a_new_ladder_upgrades_members_in_bulk_and_never_moves_anyone_down(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    three = [
        buy(client, admin, f"T{n}-{i}", "10.00", f"1380000001{n}")
        for n in range(3)
        for i in range(3)
    ][::3]
    rich = buy(client, admin, "R1", "2000.00", "13800000020")
    ladder = _default()
    ladder["levels"][1]["qualify_orders"] = 3
    ladder["levels"][1]["qualify_spend"] = "5000.00"
    saved = _put(client, admin, ladder)
    assert saved == {"ladder": ladder, "members_changed": 3}
    assert client.get(TIERS, headers=admin).json() == ladder
    for member in three:
        assert kinds(client, admin, member) == [
            ("upgrade", "silver", "gold"),
            ("joined", None, "silver"),
        ]
    assert level_code(client, admin, rich) == "gold"  # no longer qualifies, not moved down
    assert _put(client, admin, ladder)["members_changed"] == 0
    with session.begin():
        audits = session.query(AuditEntry).filter_by(
            tenant_id=tenant.tenant_id, action="settings.update"
        )
        assert audits.count() == 2


def test_members_of_a_removed_level_move_to_the_level_they_qualify_for(
    client: TestClient, admin: dict[str, str]
) -> None:
    gold = buy(client, admin, "G1", "2000.00", "13800000030")
    small = buy(client, admin, "S1", "10.00", "13800000031")
    ladder = _default()
    ladder["levels"][0]["code"] = "basic"
    del ladder["levels"][1]
    assert _put(client, admin, ladder)["members_changed"] == 2
    assert kinds(client, admin, gold)[0] == ("rules", "gold", "basic")
    assert kinds(client, admin, small)[0] == ("rules", "silver", "basic")


def test_members_per_level(client: TestClient, admin: dict[str, str], tenant: Principal) -> None:
    buy(client, admin, "G1", "2000.00", "13800000040")
    buy(client, admin, "P1", "8000.00", "13800000041")
    buy(client, admin, "P2", "9000.00", "13800000042")
    client.post(
        "/api/v1/members", json={"identities": [{"type": "crm_id", "value": "c1"}]}, headers=admin
    )  # never evaluated: counts on the first level
    answer = client.get(f"{TIERS}/distribution", headers=admin)
    assert answer.status_code == 200
    assert answer.json() == {
        "levels": [
            {"code": "silver", "name": "银卡会员", "members": 1},
            {"code": "gold", "name": "金卡会员", "members": 1},
            {"code": "platinum", "name": "白金卡会员", "members": 2},
            {"code": "diamond", "name": "钻石卡会员", "members": 0},
        ],
        "total": 4,
    }


def _with(change: Any) -> dict[str, Any]:
    ladder = _default()
    change(ladder["levels"])
    return ladder


BAD = [
    (
        lambda levels: levels[1].update(code="silver"),
        ["body", "levels", 1, "code"],
        "code 'silver' is already used by levels.0",
    ),
    (
        lambda levels: levels[0].update(qualify_spend="100.00"),
        ["body", "levels", 0, "qualify_spend"],
        "the first level is every member's: it has no thresholds",
    ),
    (
        lambda levels: levels[0].update(retain_orders=2),
        ["body", "levels", 0, "retain_orders"],
        "the first level is every member's: it has no thresholds",
    ),
    (
        lambda levels: levels[2].update(qualify_spend=None, qualify_orders=None),
        ["body", "levels", 2, "qualify_spend"],
        "level 'platinum' needs qualify_spend or qualify_orders",
    ),
    (
        lambda levels: levels[3].update(qualify_spend=2000),
        ["body", "levels", 3, "qualify_spend"],
        None,
    ),
    (lambda levels: levels[1].update(name="金\x00"), ["body", "levels", 1, "name"], None),
    (lambda levels: levels.clear(), ["body", "levels"], None),
]


@pytest.mark.parametrize(("change", "loc", "msg"), BAD)
def test_an_invalid_ladder_is_refused_naming_the_field_and_nothing_is_saved(
    change: Any,
    loc: list[Any],
    msg: str | None,
    client: TestClient,
    admin: dict[str, str],
    session: Session,
) -> None:
    buy(client, admin, "A1", "2000.00", "13800000050")
    before = snapshot(session)
    body = assert_invalid(client.put(TIERS, json=_with(change), headers=admin), loc)
    if msg is not None:
        assert body["errors"][0]["msg"] == msg
    assert snapshot(session) == before
    assert client.get(TIERS, headers=admin).json() == _default()
