"""Request and answer bodies of the points API. Points are integers; money is yuan strings."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from memberops.activity.money import MoneyIn, MoneyOut
from memberops.kernel.schemas import Input

#: Far beyond any programme, well inside 64 bits.
MAX_POINTS = 10**12


class RedeemIn(Input):
    """Spend points as a cash offset at checkout (or on anything a till sells for points)."""

    model_config = ConfigDict(extra="forbid")

    points: int = Field(ge=1, le=MAX_POINTS, examples=[500])
    order_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="The order the points pay for"
    )
    order_amount: MoneyIn | None = Field(
        default=None,
        description="The order's amount in yuan; when given, points may pay at most "
        "max_redeem_share of it",
    )
    reason: str = Field(min_length=1, max_length=500)


class AdjustIn(Input):
    """An operator's correction: positive adds a lot, negative takes points oldest first."""

    model_config = ConfigDict(extra="forbid")

    points: int = Field(ge=-MAX_POINTS, le=MAX_POINTS, examples=[200, -50])
    reason: str = Field(min_length=1, max_length=500)

    @field_validator("points")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("points must not be zero")
        return value


class EntryRead(BaseModel):
    id: str
    kind: str
    points: int
    balance_after: int
    order_id: str | None = Field(description="The order's external id, for earning and reversal")
    reference: str | None
    reason: str | None
    actor: str
    occurred_at: datetime


class LotRead(BaseModel):
    id: str
    points: int
    remaining: int
    earned_at: datetime
    expires_at: datetime


class ExpiringSoon(BaseModel):
    """Points of unexpired lots expiring before ``until`` (rules.expiring_soon_days ahead)."""

    points: int
    until: datetime
    first_expires_at: datetime | None


class PointsRead(BaseModel):
    """A member's balance (= the sum of the ledger), spendable lots and history, newest first."""

    member_id: str
    balance: int
    debt: int = Field(description="Points a refund took back beyond what was left; paid first")
    expiring_soon: ExpiringSoon
    lots: list[LotRead]
    history: list[EntryRead]
    next_cursor: str | None


class RedemptionRead(BaseModel):
    entry_id: str
    member_id: str
    points: int
    value: str = Field(description="What the points are worth, in yuan", examples=["5.00"])
    balance_after: int
    order_id: str | None
    reason: str
    redeemed_at: datetime


class ExpiringMember(BaseModel):
    member_id: str
    points: int
    first_expires_at: datetime


class ExpiringPage(BaseModel):
    until: datetime
    items: list[ExpiringMember]
    next_cursor: str | None


class LiabilityMonth(BaseModel):
    month: str = Field(description="Local month of expiry, YYYY-MM", examples=["2027-11"])
    points: int
    value: MoneyOut


class LiabilityRead(BaseModel):
    """Outstanding points (unexpired lots) and their worth; debts are reported apart."""

    as_of: datetime
    points: int
    value: MoneyOut
    debt_points: int
    points_per_yuan_redeemed: int
    by_expiry_month: list[LiabilityMonth]
