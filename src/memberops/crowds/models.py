"""Tables of the crowds room: the saved crowds and the members of snapshot crowds."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class CrowdKind(StrEnum):
    dynamic = "dynamic"  # the condition, evaluated at each use
    snapshot = "snapshot"  # the members selected when frozen


class Crowd(TenantOwned, Base):
    """A saved crowd; ``size`` is how many it held when last counted (``counted_at``)."""

    __tablename__ = "crowds"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[CrowdKind] = mapped_column(String(16))
    condition: Mapped[dict[str, Any]]
    size: Mapped[int] = mapped_column(default=0)
    counted_at: Mapped[datetime]
    frozen_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class CrowdMember(TenantOwned, Base):
    """A member of a snapshot crowd, as frozen (``id`` lets merges move the row and undo)."""

    __tablename__ = "crowd_members"
    __table_args__ = (
        UniqueConstraint("tenant_id", "crowd_id", "member_id"),
        Index("ix_crowd_members_member", "tenant_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    crowd_id: Mapped[int] = mapped_column(ForeignKey("crowds.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
