"""What the overview draws and how the console writes money and counts, without a browser:
the chart options built from the dashboard's figures, CNY and thousands separators, and the
labels the overview and the timeline build from domain values."""

from datetime import UTC, date, datetime

import pytest

from memberops.activity.models import EventType, OrderStatus
from memberops.console import charts
from memberops.console.formatting import BLANK, number, percent, yuan
from memberops.console.i18n import LOCALES, catalogue, translate
from memberops.dashboard.periods import Bucket
from memberops.dashboard.schemas import (
    Buyers,
    Interest,
    Overview,
    Side,
    Trend,
    TrendPoint,
    Value,
)


def _t(key: str, **values: object) -> str:
    return translate("en", key, **values)


def _overview() -> Overview:
    point = TrendPoint(
        start=date(2026, 11, 23), orders=2, gmv=12345, new_members=3, new_registered=1
    )
    return Overview(
        as_of=datetime(2026, 11, 23, tzinfo=UTC),
        timezone="Asia/Shanghai",
        has_orders=True,
        buyers=Buyers(
            buyers_365d=38688,
            active_30d=4469,
            dormant=34219,
            repeat_buyers_365d=100,
            repurchase_rate=0.0026,
        ),
        interest=Interest(
            interested_30d=14082,
            prospects_30d=9000,
            shop_favourites_30d=785,
            item_favourites_30d=6577,
            cart_adders_30d=7389,
        ),
        value=Value(
            members=Side(orders=1, gmv=100, average_order_value=100),
            customers=Side(orders=0, gmv=0, average_order_value=None),
            member_gmv_share=1.0,
        ),
        trend=Trend(days=7, bucket=Bucket.day, points=[point]),
    )


def test_the_bars_show_seed_003s_figures_largest_on_top() -> None:
    option = charts.funnel(_overview(), _t)
    assert option["yAxis"]["data"] == ["Interested", "Dormant buyers", "Active buyers", "Buyers"]
    assert [bar["value"] for bar in option["series"][0]["data"]] == [14082, 34219, 4469, 38688]


def test_trends_are_in_yuan_and_counts() -> None:
    trend = _overview().trend
    sales = charts.sales(trend, _t)
    assert sales["xAxis"]["data"] == ["11-23"]
    assert [s["data"] for s in sales["series"]] == [[123.45], [2]]
    members = charts.new_members(trend, _t)
    assert [s["data"] for s in members["series"]] == [[3], [1]]


@pytest.mark.parametrize(
    ("cents", "shown"),
    [(0, "¥0.00"), (5, "¥0.05"), (123456789, "¥1,234,567.89"), (-4000, "-¥40.00"), (None, BLANK)],
)
def test_money_is_written_as_cny(cents: int | None, shown: str) -> None:
    assert yuan(cents) == shown


def test_counts_and_rates() -> None:
    assert number(38688) == "38,688"
    assert percent(0.1667) == "16.7%"
    assert percent(None) == BLANK


@pytest.mark.parametrize(
    "key",
    [
        *(f"event.{kind.value}" for kind in EventType),
        *(f"order.status.{status.value}" for status in OrderStatus),
        *(f"bucket.{bucket.value}" for bucket in Bucket),
    ],
)
def test_labels_built_from_domain_values_exist(key: str) -> None:
    for locale in LOCALES:
        assert catalogue(locale)[key]
