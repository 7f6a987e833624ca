"""Response shapes of the check-in room. Dates are the tenant's local days."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from memberops.loyalty.checkin.rules import DayReward


class CheckInRead(BaseModel):
    """One check-in and what it rewarded; ``created`` is false when the member had already
    checked in that local day and this answer repeats the first."""

    member_id: str
    local_date: date
    streak: int = Field(description="Consecutive local days up to and including this one")
    points: int = Field(description="Points this check-in rewarded")
    coupon_code: str | None = Field(description="The coupon it rewarded, if any")
    checked_in_at: datetime
    created: bool


class CheckInDay(BaseModel):
    local_date: date
    streak: int
    points: int
    coupon_code: str | None


class CheckInStatus(BaseModel):
    """A member's check-in standing today (in the tenant's timezone) and the month asked for."""

    member_id: str
    today: date
    streak: int = Field(description="Current streak: 0 when the last check-in is before yesterday")
    last_date: date | None
    checked_in_today: bool
    next_reward: DayReward | None = Field(
        description="What the next check-in earns (today's, or tomorrow's when done today)"
    )
    month: str = Field(description="The calendar's month, YYYY-MM")
    days: list[CheckInDay] = Field(description="The month's check-ins, oldest first")
