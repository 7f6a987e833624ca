"""The thresholds of the built-in behaviour tags (seed 004), one settings section per tenant with
these defaults. What each threshold means is in ``catalogue`` (each tag's definition is
written from them) and ``behaviour`` (the SQL that applies them).

Shares are decimals from 0 to 1 (``0.80`` = 80 %), money is yuan strings (cents inside), gift
seasons are local days of the tenant: ``MM-DD`` every year or ``YYYY-MM-DD`` that year only
(for holidays on the lunar calendar).
"""

from datetime import date
from decimal import Decimal
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from memberops.activity.money import Money
from memberops.kernel.schemas import Text
from memberops.tenancy.sections import SettingsSection

Share = Annotated[Decimal, Field(ge=0, le=1, decimal_places=4)]
Count = Annotated[int, Field(ge=1, le=100_000)]
Days = Annotated[int, Field(ge=1, le=3650)]
_DAY = r"^([0-9]{4}-)?[0-9]{2}-[0-9]{2}$"


def parse_day(text: str, year: int) -> date:
    """A season's ``MM-DD`` in ``year``, or its ``YYYY-MM-DD`` as written."""
    return date.fromisoformat(text if len(text) == 10 else f"{year:04d}-{text}")


class GiftSeason(BaseModel):
    """Days when orders count as gifts (both days included). A recurring season whose end
    comes before its start runs over the new year (``12-25`` to ``01-01``)."""

    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=40)
    start: str = Field(pattern=_DAY, examples=["02-07", "2027-02-06"])
    end: str = Field(pattern=_DAY, examples=["02-14", "2027-02-12"])

    @model_validator(mode="after")
    def _days_exist(self) -> Self:
        if len(self.start) != len(self.end):
            raise ValueError("start and end are both MM-DD or both YYYY-MM-DD")
        try:
            first, last = parse_day(self.start, 2024), parse_day(self.end, 2024)  # a leap year
        except ValueError as exc:
            raise ValueError("no such day") from exc
        if len(self.start) == 10 and last < first:
            raise ValueError("a dated season ends on or after its start")
        return self


def default_seasons() -> list[GiftSeason]:
    """Gift-giving days of the Gregorian calendar; merchants add 春节 and 中秋 per year."""
    return [
        GiftSeason(name="情人节", start="02-07", end="02-14"),
        GiftSeason(name="520", start="05-13", end="05-20"),
        GiftSeason(name="七夕前后", start="08-01", end="08-31"),
        GiftSeason(name="圣诞", start="12-18", end="12-25"),
    ]


class BehaviourRules(SettingsSection):
    """The thresholds of the behaviour tags; see the module docstring and ``catalogue``."""

    section = "insights.behaviour"

    #: Orders and events count when they happened in these days up to the evaluation time.
    window_days: Days = 365
    #: 折扣型: at least this many orders in the window, and this share of them discounted.
    discount_min_orders: Count = 2
    discount_share: Share = Decimal("0.80")
    #: What counts as a high order value (屯货型, 活动型).
    high_order_value: Money = 30_000
    #: 屯货型: this many orders at most in the window, this many at least ever (a habit),
    #: averaging at least ``high_order_value``.
    stock_up_max_orders: Count = 2
    stock_up_min_orders: Count = 2
    #: 活动型: at least this many orders in the window, this share of them in promotions,
    #: the promotion orders averaging at least ``high_order_value``.
    promotion_min_orders: Count = 2
    promotion_share: Share = Decimal("0.50")
    #: 尝鲜型: orders with a new product in the window.
    novelty_min_orders: Count = 2
    #: 从众型: cart adds since the last purchase, within these days.
    herd_min_carts: Count = 2
    herd_days: Days = 30
    #: 礼赠型: distinct shipping addresses and gift orders (gift wrap, or paid in a season).
    gift_min_addresses: Count = 2
    gift_min_orders: Count = 1
    gift_seasons: list[GiftSeason] = Field(default_factory=default_seasons, max_length=50)
    #: 荣誉型: competition entries in the window.
    honour_min_entries: Count = 1
    #: 圈子型: reviews and survey answers in the window.
    circle_min_events: Count = 2
    #: Price tolerance: at least this many orders not refunded, and this share of line spend
    #: on the shop's top-priced items (high) or on special-price items (low).
    price_min_orders: Count = 2
    price_high_share: Share = Decimal("0.30")
    price_low_share: Share = Decimal("0.60")
