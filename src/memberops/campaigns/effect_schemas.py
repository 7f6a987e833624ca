"""Response shapes of a campaign's effect: the results after launch and the forecast before.

Money is a yuan string like everywhere in the API; incremental revenue and net value can be
negative, so they are signed (``"-2.50"``). Rates and intervals are fractions (0.02 = 2 %).
"""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PlainSerializer

from memberops.activity.money import MoneyOut, to_yuan


def signed_yuan(cents: int) -> str:
    """-250 → ``"-2.50"``; 250 → ``"2.50"``."""
    return f"-{to_yuan(-cents)}" if cents < 0 else to_yuan(cents)


#: An amount that may be negative, in an answer.
SignedMoneyOut = Annotated[int, PlainSerializer(signed_yuan, return_type=str, when_used="always")]


class UpliftRead(BaseModel):
    """A group against the holdout (``campaigns/uplift.py``: Newcombe's hybrid score interval)."""

    difference: float = Field(description="Conversion rate minus the holdout's (absolute)")
    low: float = Field(description="Lower end of the interval of the difference")
    high: float = Field(description="Upper end of the interval of the difference")
    relative: float | None = Field(description="Difference over the holdout's rate")
    significant: bool = Field(description="The interval lies wholly above 0")
    incremental_conversions: float
    incremental_revenue: SignedMoneyOut


class GroupResults(BaseModel):
    """One variant, all variants together (``name`` ``"all"``) or the holdout."""

    name: str
    variant_id: str | None
    members: int = Field(description="Recipients in the group, whatever a guard rail decided")
    sent: int = Field(description="Messages put in the outbox (sent now or after quiet hours)")
    delivered: int
    clicked: int = Field(description="Members who clicked a tracked link of their message")
    converted: int = Field(description="Members with an order kept in the attribution window")
    conversion_rate: float
    revenue: MoneyOut = Field(description="Paid minus refunded, orders in the window")
    cost: MoneyOut = Field(description="Messages sent, points granted, coupons redeemed")
    uplift: UpliftRead | None = Field(description="Against the holdout; null for the holdout")
    roi: float | None = Field(description="(incremental revenue - cost) / cost")


class CampaignResults(BaseModel):
    """``GET /campaigns/{id}/results``. ``measurable`` is ``"no_holdout"`` when the campaign
    kept no holdout: the groups' counts stand, but there is nothing to measure uplift against."""

    campaign_id: str
    window_start: datetime
    window_end: datetime
    confidence: float
    measurable: Literal["yes", "no_holdout"]
    variants: list[GroupResults]
    overall: GroupResults
    holdout: GroupResults
    winner: str | None = Field(description="The winning variant's name (docs/campaigns.md)")


class ForecastRead(BaseModel):
    """``POST /campaigns/{id}/forecast``: what the campaign is expected to do if launched now."""

    campaign_id: str
    crowd_members: int
    reach: int = Field(description="Members who would be sent a message (holdout, rails out)")
    holdout: int
    chosen_by_budget: bool
    without_prediction: int = Field(description="Reached members with no CLV prediction")
    lift_source: Literal["measured", "prior"]
    relative_lift: float
    measured_campaigns: int
    baseline_buyers: float = Field(description="Expected buyers among the reach unsent")
    expected_buyers: float
    incremental_buyers: float
    expected_revenue: MoneyOut
    incremental_revenue: SignedMoneyOut
    cost: MoneyOut
    roi: float | None
