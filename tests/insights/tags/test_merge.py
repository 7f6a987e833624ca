"""Merges and their undoing: the absorbed member's manual tags move to the survivor — exactly
those the survivor lacked, recorded — and undoing the merge moves exactly those back; rule and
behaviour tags are evaluated again for both members each time."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.insights.tags.models import MemberTag, MovedTag
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.insights.tags.support import (
    MEMBERS,
    NOW,
    create_tag,
    event,
    member,
    member_tags,
    ok,
    order,
    refresh,
)

ANN, BOB = "13800000001", "13800000002"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _tag(client: TestClient, admin: dict[str, str], member_id: str, tag: dict[str, str]) -> None:
    ok(client.post(f"{MEMBERS}/{member_id}/tags", json={"tag_id": int(tag["id"])}, headers=admin))


def _rows(session: Session, tenant: Principal) -> set[tuple[int, int]]:
    """(member, tag) of every member_tags row, visible or not."""
    with session.begin():
        query = select(MemberTag.member_id, MemberTag.tag_id).where(
            MemberTag.tenant_id == tenant.tenant_id
        )
        return {(m, t) for m, t in session.execute(query)}


def test_manual_tags_move_and_move_back_exactly(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    vip, gold = (
        create_tag(client, admin, code="vip", name="VIP"),
        create_tag(client, admin, code="gold", name="金"),
    )
    buyers = create_tag(
        client,
        admin,
        code="buyers",
        name="买过",
        kind="rule",
        condition={"field": "stats.orders_count", "op": ">=", "value": 1},
    )
    ann = member(client, admin, ANN)
    bob = order(client, admin, "T1", BOB, 3)
    event(client, admin, "E1", BOB, "competition_entry", 2)
    for who, tag in ((ann, vip), (bob, vip), (bob, gold)):
        _tag(client, admin, who, tag)
    refresh(client, admin)
    before = _rows(session, tenant)
    assert member_tags(client, admin, bob) == ["gold", "vip", "buyers", "honour"]

    merged = ok(
        client.post(
            MEMBERS,
            json={"identities": [{"type": "phone", "value": v} for v in (ANN, BOB)]},
            headers=admin,
        )
    )
    assert merged["id"] == ann
    assert member_tags(client, admin, ann) == ["gold", "vip", "buyers", "honour"]
    with session.begin():
        moved = list(session.execute(select(MovedTag.tag_id, MovedTag.member_id)))
    assert [(t, str(m)) for t, m in moved] == [(int(gold["id"]), bob)]  # vip: ann had it
    assert ok(client.get(f"/api/v1/tags/{vip['id']}", headers=admin))["members"] == 1
    assert ok(client.get(f"/api/v1/tags/{buyers['id']}", headers=admin))["members"] == 1

    ok(client.post(f"/api/v1/merges/{merged['merged'][0]}/undo", headers=admin))
    assert member_tags(client, admin, ann) == ["vip"]
    assert member_tags(client, admin, bob) == ["gold", "vip", "buyers", "honour"]
    assert _rows(session, tenant) == before


def test_a_merge_of_members_without_tags_changes_no_tags(
    client: TestClient, admin: dict[str, str], session: Session, tenant: Principal
) -> None:
    member(client, admin, ANN)
    member(client, admin, BOB)
    refresh(client, admin)
    ok(
        client.post(
            MEMBERS,
            json={"identities": [{"type": "phone", "value": v} for v in (ANN, BOB)]},
            headers=admin,
        )
    )
    assert _rows(session, tenant) == set()
