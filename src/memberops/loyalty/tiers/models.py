"""Tables of the tiers room: each member's current tier and its history."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class TierChangeKind(StrEnum):
    joined = "joined"  # first placed on the ladder
    upgrade = "upgrade"  # qualified for a higher level (at once)
    renewal = "renewal"  # kept the level at the end of its period
    downgrade = "downgrade"  # missed retention at the end of its period
    rules = "rules"  # the ladder changed and the member's level no longer exists


class MemberTier(TenantOwned, Base):
    """A member's level now; ``period_ends_at`` is when it is next reviewed."""

    __tablename__ = "member_tiers"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tier: Mapped[str] = mapped_column(String(32))
    since: Mapped[datetime]
    period_ends_at: Mapped[datetime]
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    __table_args__ = (Index("ix_member_tiers_review", "tenant_id", "period_ends_at"),)


class TierChange(TenantOwned, Base):
    """One move on the ladder, with the figures it was decided on."""

    __tablename__ = "tier_changes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    from_tier: Mapped[str | None] = mapped_column(String(32))
    to_tier: Mapped[str] = mapped_column(String(32))
    kind: Mapped[TierChangeKind] = mapped_column(String(16))
    spend_365d_cents: Mapped[int] = mapped_column(BigInteger)
    orders_365d: Mapped[int]
    changed_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (Index("ix_tier_changes_member", "tenant_id", "member_id", "changed_at"),)
