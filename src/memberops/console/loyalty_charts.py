"""ECharts options of the loyalty page: members per tier, the points liability by month of
expiry and stored value's movements by month, built from the tiers, points and wallet rooms'
reads.

Plain functions returning option dicts, like ``charts``, so what a chart shows is testable
without a browser. Money is drawn in yuan.
"""

from typing import Any

from memberops.console.i18n import Translate
from memberops.loyalty.points.schemas import LiabilityRead
from memberops.loyalty.tiers.schemas import Distribution
from memberops.loyalty.wallet.schemas import LiabilityRead as StoredValueLiability

#: One colour per rung, lowest first (silver, gold, platinum, diamond, then any further).
TIER_COLOURS = ("#94a3b8", "#d97706", "#0891b2", "#7c3aed", "#1d4ed8", "#16a34a")
_GRID = {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True}
_DASHED = {"lineStyle": {"type": "dashed"}}


def tier_colour(rank: int) -> str:
    return TIER_COLOURS[rank % len(TIER_COLOURS)]


def tier_distribution(distribution: Distribution) -> dict[str, Any]:
    """Members holding each level, lowest level on the left, each bar in its rung's colour."""
    return {
        "grid": {**_GRID, "top": 16},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "category", "data": [level.name for level in distribution.levels]},
        "yAxis": {"type": "value", "minInterval": 1, "splitLine": _DASHED},
        "series": [
            {
                "type": "bar",
                "barMaxWidth": 48,
                "label": {"show": True, "position": "top"},
                "data": [
                    {"value": level.members, "itemStyle": {"color": tier_colour(rank)}}
                    for rank, level in enumerate(distribution.levels)
                ],
            }
        ],
    }


def liability(report: LiabilityRead, t: Translate) -> dict[str, Any]:
    """Outstanding points by local month of expiry (bars, left axis) and what they are worth
    at checkout in yuan (bars, right axis), so the months that will cost most stand out."""
    months = report.by_expiry_month
    return {
        "grid": _GRID,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": [m.month for m in months]},
        "yAxis": [
            {"type": "value", "minInterval": 1, "splitLine": _DASHED},
            {"type": "value", "name": "¥", "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": t("liability.points_series"),
                "type": "bar",
                "barMaxWidth": 24,
                "color": "#1d4ed8",
                "data": [m.points for m in months],
            },
            {
                "name": t("liability.value_series"),
                "type": "bar",
                "yAxisIndex": 1,
                "barMaxWidth": 24,
                "color": "#f59e0b",
                "data": [m.value / 100 for m in months],
            },
        ],
    }


#: Stored value's monthly movements drawn, in order: the report's field and its colour.
STORED_VALUE_SERIES = (
    ("topped_up", "#1d4ed8"),
    ("bonus_given", "#f59e0b"),
    ("spent", "#16a34a"),
    ("refunded", "#94a3b8"),
)


def stored_value_by_month(report: StoredValueLiability, t: Translate) -> dict[str, Any]:
    """Money topped up, bonus given, spent and given back by refunds in each local month
    (yuan, side by side), oldest first: whether prepaid money comes in faster than it is
    used is the question a merchant asks of it."""
    months = report.by_month
    return {
        "grid": _GRID,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": [m.month for m in months]},
        "yAxis": {"type": "value", "name": "¥", "splitLine": _DASHED},
        "series": [
            {
                "name": t(f"stored_value.series.{name}"),
                "type": "bar",
                "barMaxWidth": 14,
                "color": colour,
                "data": [getattr(m, name) / 100 for m in months],
            }
            for name, colour in STORED_VALUE_SERIES
        ],
    }
