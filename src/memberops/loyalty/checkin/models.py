"""The check-in room's table: one row per member per local day."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class CheckIn(TenantOwned, Base):
    """A member's check-in on ``local_date`` (the tenant's timezone), the streak it makes and
    what it rewarded."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    local_date: Mapped[date]
    streak: Mapped[int]
    points: Mapped[int] = mapped_column(default=0)
    coupon_id: Mapped[int | None] = mapped_column(ForeignKey("coupons.id"))
    checked_in_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (UniqueConstraint("tenant_id", "member_id", "local_date"),)
