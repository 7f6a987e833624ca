"""How a tenant's members earn and spend points (SPEC §6), a settings section whose defaults
are SPEC's: 1 point per yuan paid, 100 points = 1 yuan, lots expiring 12 months after earning.

Points for an order = floor(paid yuan × ``points_per_yuan`` × tier multiplier × member-day
multiplier (on the member day, in the tenant's timezone) × channel multiplier × the largest
running campaign multiplier), capped per order and per local day; the first-order bonus is a
separate entry outside the caps (``points.earn`` has the details).
"""

from datetime import datetime
from decimal import Decimal
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from memberops.tenancy.sections import SettingsSection

Multiplier = Field(ge=0, le=100, decimal_places=2)


class CampaignMultiplier(BaseModel):
    """Points × ``multiplier`` on orders paid within [starts_at, ends_at) in the channels given
    (every channel when empty)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    multiplier: Decimal = Multiplier
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    channels: list[str] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        return self

    def applies(self, paid_at: datetime, channel: str) -> bool:
        in_window = self.starts_at <= paid_at < self.ends_at
        return in_window and (not self.channels or channel in self.channels)


class EarnRules(SettingsSection):
    section = "loyalty.points"

    points_per_yuan: Decimal = Field(default=Decimal("1"), ge=0, le=1000, decimal_places=2)
    channel_multipliers: dict[str, Decimal] = Field(
        default_factory=lambda: {"mini_program": Decimal("2"), "app": Decimal("2")},
        description="Mobile channels earn double by default (SPEC §6)",
    )
    member_day: int | None = Field(
        default=18, ge=1, le=28, description="Day of the month of the member day (会员日)"
    )
    member_day_multiplier: Decimal = Field(default=Decimal("2"), ge=0, le=100, decimal_places=2)
    campaigns: list[CampaignMultiplier] = Field(default_factory=list, max_length=100)
    first_order_bonus: int = Field(default=100, ge=0, le=1_000_000)
    max_points_per_order: int | None = Field(default=None, ge=1)
    max_points_per_day: int | None = Field(default=None, ge=1)
    expiry_months: int = Field(default=12, ge=1, le=120)
    points_per_yuan_redeemed: int = Field(
        default=100, ge=1, le=100_000, description="Points worth one yuan at checkout"
    )
    max_redeem_share: Decimal = Field(
        default=Decimal("0.5"),
        gt=0,
        le=1,
        decimal_places=2,
        description="Largest share of an order that points may pay",
    )
    expiring_soon_days: int = Field(default=30, ge=1, le=365)
    expiry_reminder_days: int = Field(
        default=7,
        ge=0,
        le=365,
        description="The daily job announces points expiring within this many days (0: never)",
    )
