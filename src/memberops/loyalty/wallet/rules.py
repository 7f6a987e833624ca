"""How a tenant's top-ups earn a bonus (充值送), a settings section.

A top-up of at least ``min_amount`` gets ``bonus`` (both in yuan) from the highest tier it
reaches; one tier applies, never a sum. The default is no tiers: a bonus is a promise the
merchant must choose to make (docs/stored-value.md gives a common shape: 1,000 → 100,
500 → 40).
"""

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memberops.activity.money import Money
from memberops.tenancy.sections import SettingsSection


class BonusTier(BaseModel):
    """Top up at least ``min_amount``, get ``bonus`` on top."""

    model_config = ConfigDict(extra="forbid")

    min_amount: Money = Field(description="Smallest top-up of the tier, in yuan")
    bonus: Money = Field(description="What the tier adds, in yuan")

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.min_amount <= 0 or self.bonus <= 0:
            raise ValueError("min_amount and bonus must be above zero")
        return self


class TopUpRules(SettingsSection):
    section = "loyalty.stored_value"

    bonus_tiers: list[BonusTier] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        amounts = [tier.min_amount for tier in self.bonus_tiers]
        if len(set(amounts)) != len(amounts):
            raise ValueError("each tier needs its own min_amount")
        return self

    def bonus_for(self, amount_cents: int) -> int:
        """The bonus of the highest tier ``amount_cents`` reaches, or 0."""
        reached = [t for t in self.bonus_tiers if amount_cents >= t.min_amount]
        return max(reached, key=lambda t: t.min_amount).bonus if reached else 0
