"""``members_by_id`` reads a page's members in one query, and only the tenant's own: a list
that names members (a roster, a leaderboard) never shows another tenant's."""

from sqlalchemy.orm import Session

from memberops.members.service import members_by_id
from memberops.tenancy.access import Principal
from tests.conditions.support import make_member


def test_members_are_read_by_id_within_the_tenant(
    session: Session, tenant: Principal, other_tenant: Principal
) -> None:
    with session.begin():
        ours = [make_member(session, tenant, name=f"ours {n}") for n in range(3)]
        theirs = make_member(session, other_tenant, name="theirs")
        found = members_by_id(session, tenant, [*ours, theirs, ours[0]])
        nothing = members_by_id(session, tenant, [])
    assert {id_: member.name for id_, member in found.items()} == {
        ours[0]: "ours 0",
        ours[1]: "ours 1",
        ours[2]: "ours 2",
    }
    assert nothing == {}
