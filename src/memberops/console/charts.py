"""ECharts options of the overview, built from the dashboard's figures.

Plain functions returning option dicts, so what a chart shows is testable without a browser;
the page only hands them to ``ui.echart``. Labels come from the viewer's catalogue, money is
shown in yuan with the console's formatting.
"""

from typing import Any

from memberops.console.i18n import Translate
from memberops.dashboard.schemas import Overview, Trend

#: Buyers, active, dormant, interested: one colour each, the same as their figure cards.
FIGURE_COLOURS = {
    "buyers_365d": "#1d4ed8",
    "active_30d": "#16a34a",
    "dormant": "#94a3b8",
    "interested_30d": "#f59e0b",
}
_GRID = {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True}
_TOOLTIP = {"trigger": "axis"}
#: A JavaScript formatter (NiceGUI evaluates keys starting with ":"): yuan with separators.
_YUAN_JS = (
    "v => '¥' + Number(v).toLocaleString('zh-CN', "
    "{minimumFractionDigits: 2, maximumFractionDigits: 2})"
)


def funnel(overview: Overview, t: Translate) -> dict[str, Any]:
    """Buyers → active / dormant → interested, as horizontal bars (largest on top)."""
    values = {
        "buyers_365d": overview.buyers.buyers_365d,
        "active_30d": overview.buyers.active_30d,
        "dormant": overview.buyers.dormant,
        "interested_30d": overview.interest.interested_30d,
    }
    names = list(reversed(values))
    return {
        "grid": {**_GRID, "top": 8},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "splitLine": {"lineStyle": {"type": "dashed"}}},
        "yAxis": {"type": "category", "data": [t(f"figure.{n}") for n in names]},
        "series": [
            {
                "type": "bar",
                "barWidth": "55%",
                "label": {"show": True, "position": "right"},
                "data": [
                    {"value": values[n], "itemStyle": {"color": FIGURE_COLOURS[n]}} for n in names
                ],
            }
        ],
    }


def _days(trend: Trend) -> list[str]:
    return [point.start.strftime("%m-%d") for point in trend.points]


def sales(trend: Trend, t: Translate) -> dict[str, Any]:
    """Net sales (yuan, bars on the left axis) and purchases (a line on the right axis) per day
    or week: bars stay readable when most days have no sale."""
    return {
        "grid": _GRID,
        "tooltip": _TOOLTIP,
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": _days(trend)},
        "yAxis": [
            {"type": "value", "name": "¥", "splitLine": {"lineStyle": {"type": "dashed"}}},
            {"type": "value", "minInterval": 1, "splitLine": {"show": False}},
        ],
        "series": [
            {
                "name": t("chart.gmv_series"),
                "type": "bar",
                "barMaxWidth": 14,
                "tooltip": {":valueFormatter": _YUAN_JS},
                "color": "#1d4ed8",
                "data": [p.gmv / 100 for p in trend.points],
            },
            {
                "name": t("chart.orders"),
                "type": "line",
                "yAxisIndex": 1,
                "showSymbol": False,
                "color": "#f59e0b",
                "data": [p.orders for p in trend.points],
            },
        ],
    }


def new_members(trend: Trend, t: Translate) -> dict[str, Any]:
    """Member records created per day or week, and the registered among them, side by side."""
    return {
        "grid": _GRID,
        "tooltip": _TOOLTIP,
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": _days(trend)},
        "yAxis": {
            "type": "value",
            "minInterval": 1,
            "splitLine": {"lineStyle": {"type": "dashed"}},
        },
        "series": [
            {
                "name": name,
                "type": "bar",
                "barMaxWidth": 10,
                "color": colour,
                "data": values,
            }
            for name, colour, values in (
                (t("chart.new_all"), "#0891b2", [p.new_members for p in trend.points]),
                (t("chart.new_registered"), "#16a34a", [p.new_registered for p in trend.points]),
            )
        ],
    }
