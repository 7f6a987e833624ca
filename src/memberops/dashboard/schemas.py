"""The overview as the API answers it and the console draws it. Money is yuan strings, as
everywhere in the API (``activity.money``); rates are fractions 0–1 with 4 places, None when
there is nothing to divide by."""

from datetime import date, datetime

from pydantic import BaseModel

from memberops.activity.money import MoneyOut
from memberops.dashboard.periods import Bucket


class Buyers(BaseModel):
    """Seed 003's buyer figures; ``active_30d + dormant == buyers_365d``."""

    buyers_365d: int
    active_30d: int
    dormant: int
    repeat_buyers_365d: int
    repurchase_rate: float | None


class Interest(BaseModel):
    """Members who showed interest in the last 30 days (distinct)."""

    interested_30d: int
    prospects_30d: int
    shop_favourites_30d: int
    item_favourites_30d: int
    cart_adders_30d: int


class Side(BaseModel):
    """Purchases, net sales and average order value of one side over 365 days."""

    orders: int
    gmv: MoneyOut
    average_order_value: MoneyOut | None


class Value(BaseModel):
    """Registered members against customer records (``members.is_registered``)."""

    members: Side
    customers: Side
    member_gmv_share: float | None


class TrendPoint(BaseModel):
    """One local day (or week, labelled by its Monday)."""

    start: date
    orders: int
    gmv: MoneyOut
    new_members: int
    new_registered: int


class Trend(BaseModel):
    days: int
    bucket: Bucket
    points: list[TrendPoint]


class Overview(BaseModel):
    as_of: datetime
    timezone: str
    has_orders: bool
    buyers: Buyers
    interest: Interest
    value: Value
    trend: Trend
