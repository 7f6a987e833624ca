"""Tables of the lifecycle sub-room: each member's stage now, and every change of it."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class Stage(StrEnum):
    """Seed 003's stages; ``unengaged`` is a member with no order and no recent interest."""

    unengaged = "unengaged"
    prospect = "prospect"  # 兴趣客户: no order, interest within the interest window
    new = "new"  # first order within the new window
    active = "active"  # an order within the active window
    dormant = "dormant"  # 沉睡: last order within the churn window
    churned = "churned"  # 流失: no order for longer


#: The stages in funnel order, from stranger to lost.
FUNNEL = (
    Stage.unengaged,
    Stage.prospect,
    Stage.new,
    Stage.active,
    Stage.dormant,
    Stage.churned,
)


class MemberStage(TenantOwned, Base):
    """A member's stage as last computed; ``since`` is when it entered it (as computed)."""

    __tablename__ = "member_stages"
    __table_args__ = (Index("ix_member_stages_stage", "tenant_id", "stage"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    stage: Mapped[Stage] = mapped_column(String(16))
    reactivated: Mapped[bool]
    since: Mapped[datetime]
    computed_at: Mapped[datetime]


class StageChange(TenantOwned, Base):
    """One move between stages (``from_stage`` None for a member's first stage)."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_member", "tenant_id", "member_id", "changed_at"),
        Index("ix_stage_changes_changed_at", "tenant_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    from_stage: Mapped[Stage | None] = mapped_column(String(16))
    to_stage: Mapped[Stage] = mapped_column(String(16))
    changed_at: Mapped[datetime]
