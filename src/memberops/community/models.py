"""Tables of the community room: groups and their rosters."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class GroupKind(StrEnum):
    basic = "basic"  # 基础群: any member
    vip = "vip"  # VIP 群: kept by the monthly review's rule


#: A roster row still current (the member has not left).
CURRENT = "left_at IS NULL"


class CommunityGroup(TenantOwned, Base):
    """A group: its kind, the series it belongs to (the first group's name) and its number
    in it; ``size`` counts the current roster."""

    __tablename__ = "community_groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("tenant_id", "kind", "series", "number"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[GroupKind] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    series: Mapped[str] = mapped_column(String(100))
    number: Mapped[int] = mapped_column(default=1)
    size: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class GroupMember(TenantOwned, Base):
    """A member's time in a group: ``left_at`` is None while they are in it. ``kind`` repeats
    the group's, so one current row per (tenant, kind, member) is a unique index; ``source``
    is the journey effect key that invited them, if one did (a step run twice invites once)."""

    __tablename__ = "community_members"
    __table_args__ = (
        Index(
            "ux_community_members_current",
            "tenant_id",
            "kind",
            "member_id",
            unique=True,
            postgresql_where=text(CURRENT),
            sqlite_where=text(CURRENT),
        ),
        Index("ix_community_members_group", "group_id", "left_at", "id"),
        Index("ix_community_members_member", "tenant_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("community_groups.id"))
    kind: Mapped[GroupKind] = mapped_column(String(16))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    joined_at: Mapped[datetime] = mapped_column(default=clock.now)
    left_at: Mapped[datetime | None]
    invited_by: Mapped[str] = mapped_column(String(200))
    removed_by: Mapped[str | None] = mapped_column(String(200))
    source: Mapped[str | None] = mapped_column(String(120))
