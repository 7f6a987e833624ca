"""The perks room's table: each perk granted, once per member and period."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId, JsonDoc
from memberops.tenancy.models import TenantOwned


class PerkKind(StrEnum):
    new_member_pack = "new_member_pack"
    birthday_gift = "birthday_gift"
    member_day = "member_day"


class PerkGrant(TenantOwned, Base):
    """A perk given to a member for ``period`` ("once", the birthday's year "2026", the member
    day's month "2026-11"): the unique key makes each happen once."""

    __tablename__ = "perk_grants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    kind: Mapped[PerkKind] = mapped_column(String(24))
    period: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(default=0)
    coupon_codes: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    granted_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (UniqueConstraint("tenant_id", "member_id", "kind", "period"),)
