"""The ECharts option of a campaign's results: each group's conversion rate as a bar with its
95 % interval as an error bar.

A plain function returning an option dict, so what the chart shows is testable without a
browser. The interval of each group is Wilson's score interval of its own rate
(``campaigns.uplift.wilson``, the interval Newcombe's difference interval is built from), so
bars whose error bars barely overlap read as the measurement says.
"""

from collections.abc import Sequence
from typing import Any

from memberops.campaigns.effect_schemas import GroupResults
from memberops.campaigns.uplift import wilson
from memberops.console.i18n import Translate

#: Variants in blue, the holdout in grey: the bar the others are measured against.
VARIANT_COLOUR, HOLDOUT_COLOUR, ERROR_BAR_COLOUR = "#1d4ed8", "#94a3b8", "#0f172a"
#: Draws each error bar (a vertical line with caps) from [x, low, high] in percent; a
#: JavaScript function, which NiceGUI evaluates for keys starting with ":".
_ERROR_BAR_JS = """(params, api) => {
  const x = api.value(0), low = api.coord([x, api.value(1)]), high = api.coord([x, api.value(2)]);
  const half = api.size([1, 0])[0] * 0.12;
  const style = {stroke: api.visual('color'), lineWidth: 1.5};
  return {type: 'group', children: [
    {type: 'line', shape: {x1: low[0], y1: low[1], x2: high[0], y2: high[1]}, style},
    {type: 'line', shape: {x1: low[0] - half, y1: low[1], x2: low[0] + half, y2: low[1]}, style},
    {type: 'line', shape: {x1: high[0] - half, y1: high[1], x2: high[0] + half, y2: high[1]}, style}
  ]};
}"""


def interval(group: GroupResults) -> tuple[float, float]:
    """The 95 % interval of the group's conversion rate (0–0 for an empty group)."""
    if group.members == 0:
        return 0.0, 0.0
    return wilson(group.converted, group.members)


def _pct(rate: float) -> float:
    return round(rate * 100, 2)


def conversion(groups: Sequence[GroupResults], holdout_name: str, t: Translate) -> dict[str, Any]:
    """Bars of the groups' conversion rates in percent (the holdout last, named
    ``holdout_name``), with their intervals."""
    names = [holdout_name if g.variant_id is None else g.name for g in groups]
    bounds = [interval(g) for g in groups]
    return {
        "animation": False,  # the figures are read once; a screenshot shows them whole
        "grid": {"left": 8, "right": 24, "top": 40, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "legend": {
            "top": 0,
            "data": [t("campaigns.results.rate"), t("campaigns.results.interval")],
        },
        "xAxis": {"type": "category", "data": names},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%"}},
        "series": [
            {
                "name": t("campaigns.results.rate"),
                "type": "bar",
                "barWidth": "45%",
                "label": {"show": True, "position": "top", "formatter": "{c}%"},
                "data": [
                    {
                        "value": _pct(g.conversion_rate),
                        "itemStyle": {
                            "color": HOLDOUT_COLOUR if g.variant_id is None else VARIANT_COLOUR
                        },
                    }
                    for g in groups
                ],
            },
            {
                "name": t("campaigns.results.interval"),
                "type": "custom",
                "itemStyle": {"color": ERROR_BAR_COLOUR},
                ":renderItem": _ERROR_BAR_JS,
                "encode": {"x": 0, "y": [1, 2]},
                "data": [[i, _pct(low), _pct(high)] for i, (low, high) in enumerate(bounds)],
                "z": 10,
            },
        ],
    }
