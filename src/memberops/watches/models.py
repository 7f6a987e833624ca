"""Tables of the watches room."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class Figure(StrEnum):
    dormant_share = "dormant_share"  # % of staged members in the dormant stage
    daily_gmv = "daily_gmv"  # yuan paid (less refunds) on the last whole local day
    redemption_rate = "redemption_rate"  # % of coupons issued in 30 days that were redeemed
    crowd_size = "crowd_size"  # members in a saved crowd now


class Direction(StrEnum):
    above = "above"  # notify when the figure is above the threshold
    below = "below"  # notify when it is below


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class Watch(TenantOwned, Base):
    """A figure, its threshold and whom to tell. ``threshold`` and ``last_value`` are scaled
    integers: hundredths of a percent for shares and rates, cents for GMV, members for a
    crowd's size."""

    __tablename__ = "watches"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        Index("ix_watches_due", "active", "checked_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    figure: Mapped[Figure] = mapped_column(String(24))
    crowd_id: Mapped[int | None] = mapped_column(BigInteger)  # no key: a crowd may go
    threshold: Mapped[int] = mapped_column(BigInteger)
    direction: Mapped[Direction] = mapped_column(String(8))
    period: Mapped[Period] = mapped_column(String(8), default=Period.day)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    checked_at: Mapped[datetime | None]
    last_value: Mapped[int | None] = mapped_column(BigInteger)
    notified_at: Mapped[datetime | None]
    notified_period: Mapped[str | None] = mapped_column(String(16))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)
