"""Tables of the members room."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class MemberStatus(StrEnum):
    active = "active"
    merged = "merged"
    erased = "erased"


class Gender(StrEnum):
    male = "male"
    female = "female"
    unknown = "unknown"


class ConsentChannel(StrEnum):
    """Channels a member can agree (or refuse) to be messaged on."""

    sms = "sms"
    wechat = "wechat"
    email = "email"
    wecom = "wecom"


#: Attribute columns a request may set; ``custom`` holds the merchant's own keys.
ATTRIBUTE_FIELDS = ("name", "nickname", "gender", "birthday", "province", "city", "custom")
#: Attributes that identify a person and are masked for roles without PII access.
PII_ATTRIBUTES = ("name", "nickname")


#: Which rows are a tenant's members now (the partial index below holds exactly these).
ACTIVE = "status = 'active'"
INACTIVE = "status <> 'active'"


class Member(TenantOwned, Base):
    """A customer of a tenant: a registered member or a buyer known only by identities."""

    __tablename__ = "members"
    __table_args__ = (
        Index("ix_members_tenant_id_id", "tenant_id", "id"),
        # A tenant's active members, the subject of every condition: a crowd's count reads
        # this index alone (an index-only scan), not the table.
        Index(
            "ix_members_active",
            "tenant_id",
            "id",
            postgresql_where=text(ACTIVE),
            sqlite_where=text(ACTIVE),
        ),
        # The few that are not (merged away, erased): a crowd counted from another member-owned
        # table excludes these instead of reading every member (conditions.anchor).
        Index(
            "ix_members_inactive",
            "tenant_id",
            "id",
            postgresql_where=text(INACTIVE),
            sqlite_where=text(INACTIVE),
        ),
        # New members per day (the dashboard's trend).
        Index("ix_members_tenant_created_at", "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    status: Mapped[MemberStatus] = mapped_column(String(16), default=MemberStatus.active)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    first_channel: Mapped[str | None] = mapped_column(String(32))
    is_registered: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str | None] = mapped_column(String(200))
    nickname: Mapped[str | None] = mapped_column(String(200))
    gender: Mapped[Gender | None] = mapped_column(String(8))
    birthday: Mapped[date | None]
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))
    custom: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
    erased_at: Mapped[datetime | None]


class Consent(TenantOwned, Base):
    """Whether a member agreed to messages on one channel, where that was said, and when."""

    __tablename__ = "member_consents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id", "channel"),
        # Who agreed on a channel (a condition, a campaign's audience): an index-only scan.
        Index("ix_member_consents_channel", "tenant_id", "channel", "granted", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    channel: Mapped[ConsentChannel] = mapped_column(String(16))
    granted: Mapped[bool]
    source: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=clock.now)
