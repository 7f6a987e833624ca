"""Tables of the tags room: the tenant's tags, which members hold which, and which manual tags
a merge moved (so undoing it moves exactly those back)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class TagKind(StrEnum):
    manual = "manual"  # set by operators
    rule = "rule"  # defined by a condition
    behaviour = "behaviour"  # built in (seed 004), thresholds in the tenant's behaviour rules


class TagSource(StrEnum):
    """How a member came to hold a tag."""

    operator = "operator"  # by hand, one member at a time
    upload = "upload"  # in an uploaded list
    rule = "rule"
    behaviour = "behaviour"


class Tag(TenantOwned, Base):
    """A tag of one tenant. ``condition`` is a rule tag's tree; ``evaluated_at`` the moment a
    computed tag's members were last worked out as of."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500), default="")
    kind: Mapped[TagKind] = mapped_column(String(16))
    condition: Mapped[dict[str, Any] | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    evaluated_at: Mapped[datetime | None]


class MemberTag(TenantOwned, Base):
    """One member holding one tag."""

    __tablename__ = "member_tags"
    __table_args__ = (Index("ix_member_tags_tag", "tenant_id", "tag_id", "member_id"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    source: Mapped[TagSource] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(default=clock.now)


class MovedTag(TenantOwned, Base):
    """A manual tag merge ``merge_id`` moved from the absorbed ``member_id`` to the survivor
    (``member_tags`` rows have no id of their own for ``merge_moved_rows`` to name)."""

    __tablename__ = "merge_moved_tags"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("member_merges.id"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
