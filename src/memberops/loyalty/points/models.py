"""Tables of the points room: the ledger, the lots it is spent from, and one account per member.

The ledger (``points_entries``) is append-only: every change of a balance is an entry, so the
account's ``balance`` always equals the sum of the member's entries. Points arrive in lots
(``points_lots``), each with its expiry; spending and expiry take from lots oldest-expiry first
(FIFO). A refund may take back points already spent: what the lots cannot cover becomes
``debt``, paid off first by the next points earned, so ``balance = sum(lot remaining) - debt``.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class EntryKind(StrEnum):
    earn = "earn"  # an order's points
    bonus = "bonus"  # first order, check-in, new-member pack, birthday…
    redeem = "redeem"  # spent: cash offset at checkout, or exchanged for a coupon
    adjust = "adjust"  # by an operator, with a reason
    expire = "expire"  # a lot reached its expiry
    reverse = "reverse"  # a refund took back its order's points


class PointsAccount(TenantOwned, Base):
    """A member's balance, changed only together with an entry and only by SQL expression."""

    __tablename__ = "points_accounts"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    debt: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class PointsEntry(TenantOwned, Base):
    """One change of a balance. ``dedupe_key`` makes automatic entries happen once (an
    order's earning, a refund's reversal, a lot's expiry, a check-in's bonus)."""

    __tablename__ = "points_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[EntryKind] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    reference: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_points_entries_member", "tenant_id", "member_id", "id"),
        Index("ix_points_entries_order", "tenant_id", "order_id"),
    )


class PointsLot(TenantOwned, Base):
    """Points that arrived together and expire together; ``remaining`` is what is left."""

    __tablename__ = "points_lots"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("points_entries.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    points: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    earned_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_points_lots_member", "tenant_id", "member_id", "expires_at"),
        Index("ix_points_lots_expiry", "tenant_id", "expires_at"),
    )
