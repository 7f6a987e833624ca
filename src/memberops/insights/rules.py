"""The layering rules a tenant runs (SPEC §4), one settings section with SPEC's defaults:
the lifecycle thresholds of seed 003 and the RFM window and scoring.

Lifecycle (days before the as-of moment): ``new`` = first order within ``new_days``;
``active`` = an order within ``active_days``; ``dormant`` = last order within ``churn_days``;
``churned`` = none for longer; ``prospect`` = no order but interest (favourite, cart, unpaid
order) within ``interest_days``. RFM: F and M over the last ``rfm_window_days``; scores 1-5 by
quintile, or by the merchant's thresholds when ``rfm_scoring`` is ``thresholds``. Value
models: the daily job refits them in ``clv_unit`` once the latest fit is ``clv_refit_days`` old.
"""

from enum import StrEnum
from itertools import pairwise
from typing import Self

from pydantic import Field, model_validator

from memberops.activity.money import Money
from memberops.insights.clv.summary import Unit
from memberops.tenancy.sections import SettingsSection


class RfmScoring(StrEnum):
    quintile = "quintile"  # five equal groups, ties broken by member id
    thresholds = "thresholds"  # the merchant's four cut points per measure


def _ascending(values: list[int], name: str) -> None:
    if any(later <= earlier for earlier, later in pairwise(values)):
        raise ValueError(f"{name} must rise strictly")


class LayeringRules(SettingsSection):
    """Lifecycle thresholds and RFM settings; see the module docstring."""

    section = "insights.layering"

    new_days: int = Field(default=30, ge=1, le=3650)
    active_days: int = Field(default=30, ge=1, le=3650)
    churn_days: int = Field(default=365, ge=2, le=3650)
    interest_days: int = Field(default=30, ge=1, le=3650)
    rfm_window_days: int = Field(default=365, ge=7, le=3650)
    rfm_scoring: RfmScoring = RfmScoring.quintile
    #: R scores 5, 4, 3, 2 at or under these days since the last order; 1 above the last.
    recency_days: list[int] = Field(default=[30, 90, 180, 365], min_length=4, max_length=4)
    #: F scores 2, 3, 4, 5 from these orders in the window on; 1 below the first.
    frequency_orders: list[int] = Field(default=[2, 3, 5, 10], min_length=4, max_length=4)
    #: M scores 2, 3, 4, 5 from this spend in the window on (yuan strings; cents inside).
    monetary: list[Money] = Field(
        default=[10_000, 30_000, 100_000, 300_000], min_length=4, max_length=4
    )
    clv_unit: Unit = "week"
    clv_refit_days: int = Field(default=30, ge=1, le=366)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.active_days >= self.churn_days:
            raise ValueError("active_days must be below churn_days")
        _ascending(self.recency_days, "recency_days")
        _ascending(self.frequency_orders, "frequency_orders")
        _ascending(self.monetary, "monetary")
        return self
