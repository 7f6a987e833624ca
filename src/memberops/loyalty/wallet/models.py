"""Tables of the stored-value room: one account per member and the append-only ledger.

Every change of an account is an entry, and an account changes only together with its entry,
by SQL expression. The balance is kept in two parts: ``principal`` (money the member paid in:
the merchant's prepaid liability) and ``bonus`` (what top-up rules and goodwill added: a
promise, not money received), so ``principal`` = the sum of the entries' ``principal_cents``
and ``bonus`` = the sum of their ``bonus_cents``.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class EntryKind(StrEnum):
    top_up = "top_up"  # money paid in (principal)
    bonus = "bonus"  # a top-up rule's bonus (bonus part)
    spend = "spend"  # paid part of an order (both parts, in proportion)
    refund = "refund"  # an order's refund gave back what it had spent
    adjustment = "adjustment"  # by an operator, with a reason, of one part


class StoredValueAccount(TenantOwned, Base):
    """A member's balance in its two parts, never negative."""

    __tablename__ = "stored_value_accounts"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    principal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    bonus_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class StoredValueEntry(TenantOwned, Base):
    """One change of an account: signed cents of each part and the balance after it.
    ``dedupe_key`` makes automatic entries happen once (a refund's give-back)."""

    __tablename__ = "stored_value_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[EntryKind] = mapped_column(String(16))
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    bonus_cents: Mapped[int] = mapped_column(BigInteger)
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    reference: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_stored_value_entries_member", "tenant_id", "member_id", "id"),
        Index("ix_stored_value_entries_order", "tenant_id", "order_id"),
        Index("ix_stored_value_entries_month", "tenant_id", "occurred_at"),
    )
