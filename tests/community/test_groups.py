"""Groups fill to the tenant's size and the next of the series opens; inviting is idempotent
per kind; a removal frees a seat; a journey's key invites once."""

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from memberops.community import service
from memberops.community.models import CommunityGroup, GroupKind
from memberops.kernel import clock
from memberops.tenancy.access import Principal
from tests.community.support import NOW, group, layout, members, on_roster, rules


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def _invite(
    session: Session, principal: Principal, group_id: int, ids: list[int]
) -> dict[int, int]:
    with session.begin():
        found = session.get_one(CommunityGroup, group_id)
        return service.invite(session, principal, found, ids, "test")


def test_a_full_group_opens_the_next_of_its_series(session: Session, tenant: Principal) -> None:
    rules(session, tenant, group_size=3)
    vip = group(session, tenant, "VIP")
    ids = members(session, tenant, 7)
    seated = _invite(session, tenant, vip, ids)
    assert len(seated) == 7
    assert layout(session, tenant) == [("VIP", 3, 3), ("VIP #2", 3, 3), ("VIP #3", 1, 1)]
    assert [seated[m] for m in ids[:3]] == [vip] * 3


def test_the_default_size_is_400(session: Session, tenant: Principal) -> None:
    vip = group(session, tenant, "VIP")
    _invite(session, tenant, vip, members(session, tenant, 401))
    assert layout(session, tenant) == [("VIP", 400, 400), ("VIP #2", 1, 1)]


def test_inviting_twice_invites_once_per_kind(session: Session, tenant: Principal) -> None:
    rules(session, tenant, group_size=3)
    vip, other_vip = group(session, tenant, "VIP"), group(session, tenant, "VIP Beijing")
    basic = group(session, tenant, "Fans", "basic")
    ids = members(session, tenant, 2)
    assert len(_invite(session, tenant, vip, ids)) == 2
    assert _invite(session, tenant, vip, ids) == {}
    assert _invite(session, tenant, other_vip, ids) == {}  # already in a VIP group
    assert len(_invite(session, tenant, basic, ids)) == 2  # another kind
    assert layout(session, tenant) == [("VIP", 2, 2), ("VIP Beijing", 0, 0), ("Fans", 2, 2)]


def test_a_removal_frees_a_seat_the_next_invitation_takes(
    session: Session, tenant: Principal
) -> None:
    rules(session, tenant, group_size=2)
    vip = group(session, tenant, "VIP")
    first, second, third, fourth = members(session, tenant, 4)
    _invite(session, tenant, vip, [first, second, third])
    with session.begin():
        assert service.remove(session, tenant, GroupKind.vip, [first, fourth], "test") == 1
        assert service.remove(session, tenant, GroupKind.vip, [first], "test") == 0
    assert layout(session, tenant) == [("VIP", 1, 1), ("VIP #2", 1, 1)]
    seated = _invite(session, tenant, vip, [fourth, first])
    assert seated[fourth] == vip  # the lowest numbered group with room
    assert seated[first] != vip
    assert layout(session, tenant) == [("VIP", 2, 2), ("VIP #2", 2, 2)]


def test_inactive_and_foreign_members_are_not_invited(
    session: Session, tenant: Principal, other_tenant: Principal
) -> None:
    vip = group(session, tenant, "VIP")
    (gone,) = members(session, tenant, 1, status="merged")
    (foreign,) = members(session, other_tenant, 1)
    assert _invite(session, tenant, vip, [gone, foreign]) == {}
    assert on_roster(session, tenant) == set()


def test_a_journey_key_invites_once_even_after_a_removal(
    session: Session, tenant: Principal
) -> None:
    vip = group(session, tenant, "VIP")
    (member,) = members(session, tenant, 1)
    with session.begin():
        found = session.get_one(CommunityGroup, vip)
        assert service.invite(session, tenant, found, [member], "journey:1", source="k1")
        service.remove(session, tenant, GroupKind.vip, [member], "operator")
        assert service.invite(session, tenant, found, [member], "journey:1", source="k1") == {}
    assert on_roster(session, tenant) == set()
