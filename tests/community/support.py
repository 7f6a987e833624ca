"""What the community tests share: a frozen clock, members made directly, a small group size
and the groups' rosters read back."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.community import service
from memberops.community.models import CommunityGroup, GroupKind, GroupMember
from memberops.community.rules import CommunityRules
from memberops.community.schemas import GroupCreate
from memberops.tenancy.access import Principal
from memberops.tenancy.sections import save_section
from tests.conditions.support import make_member

#: 18:00 in Shanghai on 3 December 2026.
NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)


def members(session: Session, principal: Principal, count: int, **fields: Any) -> list[int]:
    with session.begin():
        return [make_member(session, principal, **fields) for _ in range(count)]


def rules(session: Session, principal: Principal, **fields: Any) -> None:
    with session.begin():
        save_section(session, principal, CommunityRules(**fields))


def group(session: Session, principal: Principal, name: str, kind: str = "vip") -> int:
    with session.begin():
        body = GroupCreate(name=name, kind=GroupKind(kind))
        return service.create_group(session, principal, body).id


def layout(session: Session, principal: Principal) -> list[tuple[str, int, int]]:
    """(name, stored size, counted roster) of the tenant's groups by id."""
    with session.begin():
        current = (
            select(func.count())
            .where(GroupMember.group_id == CommunityGroup.id, GroupMember.left_at.is_(None))
            .scalar_subquery()
        )
        rows = session.execute(
            select(CommunityGroup.name, CommunityGroup.size, current)
            .where(CommunityGroup.tenant_id == principal.tenant_id)
            .order_by(CommunityGroup.id)
        )
        return [(name, size, counted) for name, size, counted in rows]


def on_roster(session: Session, principal: Principal, kind: str = "vip") -> set[int]:
    with session.begin():
        query = select(GroupMember.member_id).where(
            GroupMember.tenant_id == principal.tenant_id,
            GroupMember.kind == kind,
            GroupMember.left_at.is_(None),
        )
        return set(session.scalars(query))
