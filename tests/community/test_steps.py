"""The journeys' group steps: a paying member is put in the VIP group's series and taken off
a basic group; a step run twice for one position invites once; a group that is not the
tenant's is refused when the journey is saved."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from memberops.community import service
from memberops.community.models import CommunityGroup, GroupKind, GroupMember
from memberops.journeys.errors import JourneyInvalid
from memberops.journeys.models import JourneyPosition, PositionStatus
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.community.support import group, layout, members, on_roster, rules
from tests.journeys.support import NOW, journey, pay, run, statuses


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def test_a_journey_moves_members_between_groups(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    rules(session, tenant, group_size=2)
    vip = group(session, tenant, "VIP")
    fans = group(session, tenant, "Fans", "basic")
    ids = members(session, tenant, 3)
    with session.begin():
        service.invite(session, tenant, session.get_one(CommunityGroup, fans), ids, "operator")
    steps = [
        {"type": "add_to_group", "kind": "vip", "group_id": vip},
        {"type": "remove_from_group", "kind": "basic"},
    ]
    moved = journey(session, tenant, steps)
    pay(session, tenant, ids)
    run(session_factory)
    assert statuses(session, moved.id) == {(1, "done", 2): 3}
    assert on_roster(session, tenant) == set(ids)
    assert on_roster(session, tenant, "basic") == set()
    assert layout(session, tenant) == [
        ("VIP", 2, 2),
        ("Fans", 0, 0),
        ("Fans #2", 0, 0),  # the third fan overflowed
        ("VIP #2", 1, 1),
    ]
    with session.begin():
        query = select(GroupMember.invited_by).where(GroupMember.tenant_id == tenant.tenant_id)
        by = set(session.scalars(query.where(GroupMember.kind == GroupKind.vip)))
        assert by == {f"journey:{moved.id}"}


def test_a_group_step_run_twice_invites_once(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    (member,) = members(session, tenant, 1)
    steps = [{"type": "add_to_group", "kind": "vip"}, {"type": "wait", "days": 1}]
    joined = journey(session, tenant, steps)
    pay(session, tenant, [member])
    run(session_factory)
    assert layout(session, tenant) == [("VIP", 1, 1)]  # opened: the tenant had none
    with session.begin():  # an operator takes the member off; then the step runs again
        service.remove(session, tenant, GroupKind.vip, [member], "operator")
        session.execute(
            update(JourneyPosition)
            .where(JourneyPosition.journey_id == joined.id)
            .values(step=0, status=PositionStatus.active, due_at=NOW)
        )
    run(session_factory)
    assert on_roster(session, tenant) == set()


def test_a_group_not_of_the_tenant_or_kind_is_refused(
    session: Session, tenant: Principal, other_tenant: Principal
) -> None:
    theirs = group(session, other_tenant, "VIP")
    basic = group(session, tenant, "Fans", "basic")
    for step in (
        {"type": "add_to_group", "kind": "vip", "group_id": theirs},
        {"type": "remove_from_group", "kind": "vip", "group_id": basic},
    ):
        with pytest.raises(JourneyInvalid) as refused:
            journey(session, tenant, [step])
        assert refused.value.fields["errors"][0]["loc"] == ["body", "steps", 0, "group_id"]
