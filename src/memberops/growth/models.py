"""Tables of the growth room: invite codes, join scenes (the QR codes of parcel cards, stores
and the official account's menu), one join record per registration, and referrals."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class JoinSource(StrEnum):
    """Where a registration came from (SPEC §6, seeds 000 and 003)."""

    parcel_card = "parcel_card"  # 包裹卡: the QR card in a parcel
    store_qr = "store_qr"  # the QR code at a store's till
    official_account_menu = "official_account_menu"  # 公众号菜单
    referral = "referral"  # 老带新: an invite code or link
    import_ = "import"  # a merchant's system moving members over
    api = "api"  # POST /members, or a join naming no source


#: Sources a join scene (a printed QR code) can stand for.
SCENE_SOURCES = (JoinSource.parcel_card, JoinSource.store_qr, JoinSource.official_account_menu)


class ReferralStatus(StrEnum):
    pending = "pending"  # the newcomer has not paid an order yet
    rewarded = "rewarded"
    refused = "refused"  # ``reason`` says why


class InviteCode(TenantOwned, Base):
    """A member's invite code (``member_id`` is the member who invites). ``clicks`` counts
    follows of its tracked link (``/j/{code}``)."""

    __tablename__ = "invite_codes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_invite_codes_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    code: Mapped[str] = mapped_column(String(16))
    clicks: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class JoinScene(TenantOwned, Base):
    """A QR code's scene: scanning ``/s/{code}`` leads to the join page, and a join naming the
    scene records its source, campaign and store. ``scans`` counts the scans."""

    __tablename__ = "join_scenes"
    __table_args__ = (UniqueConstraint("tenant_id", "code"), UniqueConstraint("tenant_id", "name"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    source: Mapped[JoinSource] = mapped_column(String(24))
    campaign: Mapped[str] = mapped_column(String(64), default="")
    store: Mapped[str | None] = mapped_column(String(32))
    scans: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class MemberJoin(TenantOwned, Base):
    """How a member registered: source, campaign, store and scene (one row per member)."""

    __tablename__ = "member_joins"
    __table_args__ = (
        UniqueConstraint("tenant_id", "member_id"),
        # The join-source report: registrations in a time window.
        Index("ix_member_joins_tenant_joined_at", "tenant_id", "joined_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    source: Mapped[JoinSource] = mapped_column(String(24))
    campaign: Mapped[str] = mapped_column(String(64), default="")
    store: Mapped[str | None] = mapped_column(String(32))
    scene_id: Mapped[int | None] = mapped_column(ForeignKey("join_scenes.id"))
    joined_at: Mapped[datetime] = mapped_column(default=clock.now)


class Referral(TenantOwned, Base):
    """A newcomer who joined with ``member_id``'s invite code, and what became of the reward:
    decided once, on the newcomer's first paid order (``order_id``)."""

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("tenant_id", "newcomer_id"),
        # The leaderboard and a member's counts: referrals by referrer and status.
        Index("ix_referrals_tenant_member", "tenant_id", "member_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    newcomer_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    code: Mapped[str] = mapped_column(String(16))
    status: Mapped[ReferralStatus] = mapped_column(String(16), default=ReferralStatus.pending)
    reason: Mapped[str | None] = mapped_column(String(32))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    rewards: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    decided_at: Mapped[datetime | None]
