"""A tenant's check-in rewards (SPEC §6, 签到), as a settings section.

Day *n* of a streak earns the reward of day ((n - 1) mod ``cycle_days``) + 1 of the schedule:
by default 5 points a day, 10 on days 3 and 5, and 50 points (and the coupon template set for
it, none by default) on day 7, after which the cycle starts again while the streak goes on.
"""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memberops.kernel.pagination import MAX_KEY
from memberops.tenancy.sections import SettingsSection


class DayReward(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: int = Field(ge=1, le=366)
    points: int = Field(default=0, ge=0, le=1_000_000)
    coupon_template_id: int | None = Field(default=None, ge=1, le=MAX_KEY)


def _default_schedule() -> list[DayReward]:
    points = {1: 5, 2: 5, 3: 10, 4: 5, 5: 10, 6: 5, 7: 50}
    return [DayReward(day=day, points=value) for day, value in points.items()]


class CheckInRules(SettingsSection):
    section = "loyalty.checkin"

    enabled: bool = True
    cycle_days: int = Field(default=7, ge=1, le=366)
    schedule: list[DayReward] = Field(default_factory=_default_schedule, max_length=366)

    @model_validator(mode="after")
    def _days_in_cycle(self) -> Self:
        days = [reward.day for reward in self.schedule]
        if len(set(days)) != len(days):
            raise ValueError("each day of the schedule appears once")
        if any(day > self.cycle_days for day in days):
            raise ValueError("schedule days must be within cycle_days")
        return self

    def reward_for(self, streak: int) -> DayReward | None:
        day = (streak - 1) % self.cycle_days + 1
        return next((reward for reward in self.schedule if reward.day == day), None)
