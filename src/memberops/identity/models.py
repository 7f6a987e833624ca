"""Tables of the identity room."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class IdentityType(StrEnum):
    phone = "phone"
    email = "email"
    wechat_unionid = "wechat_unionid"
    wechat_openid = "wechat_openid"
    alipay_uid = "alipay_uid"
    platform_nick = "platform_nick"
    crm_id = "crm_id"
    pos_card = "pos_card"
    external_id = "external_id"


#: Types whose values are only unique within a channel (nick, external id) or an app (openid).
SCOPED_TYPES = frozenset(
    {IdentityType.wechat_openid, IdentityType.platform_nick, IdentityType.external_id}
)
#: Types whose values identify a person and are masked for roles without PII access.
PII_TYPES = frozenset({IdentityType.phone, IdentityType.email, IdentityType.platform_nick})


class Identity(TenantOwned, Base):
    """One key a customer is known by; ``scope`` is the channel or app for scoped types."""

    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("tenant_id", "type", "scope", "value"),
        Index("ix_identities_tenant_member", "tenant_id", "member_id"),
        # Who holds a kind of key (has a phone, is a WeChat fan): an index-only scan.
        Index("ix_identities_tenant_type_member", "tenant_id", "type", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    type: Mapped[IdentityType] = mapped_column(String(24))
    scope: Mapped[str] = mapped_column(String(64), default="")
    value: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class MemberMerge(TenantOwned, Base):
    """One merge of ``absorbed`` into ``survivor``: what it filled in, so undo can put it back."""

    __tablename__ = "member_merges"
    __table_args__ = (Index("ix_member_merges_tenant_members", "tenant_id", "survivor_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    absorbed_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    filled: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[str | None] = mapped_column(String(300))


class MergeMovedRow(TenantOwned, Base):
    """A row of some room's table that a merge moved from the absorbed member to the survivor."""

    __tablename__ = "merge_moved_rows"
    __table_args__ = (Index("ix_merge_moved_rows_merge", "merge_id", "table_name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("member_merges.id"))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column(BigId)
