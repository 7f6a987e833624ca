"""ECharts options of the insights page, built from ``InsightsOverview``: plain functions, so
what a chart shows is testable without a browser (as ``charts`` does for the overview)."""

from typing import Any

from memberops.console.i18n import Translate
from memberops.insights.rfm.models import RfmType
from memberops.insights.schemas import InsightsOverview

#: One colour per stage, stranger to lost.
STAGE_COLOURS = {
    "unengaged": "#cbd5e1",
    "prospect": "#f59e0b",
    "new": "#0891b2",
    "active": "#16a34a",
    "dormant": "#94a3b8",
    "churned": "#475569",
}
#: The 8-type matrix: columns by (R, F) above or below the mean, rows by M.
MATRIX_COLUMNS = ("rh_fh", "rh_fl", "rl_fh", "rl_fl")
MATRIX_ROWS = ("m_low", "m_high")  # the category axis runs upwards: high spend on top
MATRIX = {
    ("rh_fh", "m_high"): RfmType.important_value,
    ("rh_fl", "m_high"): RfmType.important_development,
    ("rl_fh", "m_high"): RfmType.important_retention,
    ("rl_fl", "m_high"): RfmType.important_winback,
    ("rh_fh", "m_low"): RfmType.general_value,
    ("rh_fl", "m_low"): RfmType.general_development,
    ("rl_fh", "m_low"): RfmType.general_retention,
    ("rl_fl", "m_low"): RfmType.general_winback,
}
_GRID = {"left": 8, "right": 24, "top": 16, "bottom": 8, "containLabel": True}


def stage_funnel(overview: InsightsOverview, t: Translate) -> dict[str, Any]:
    """Members per stage as horizontal bars, the funnel's first stage on top."""
    stages = list(reversed(overview.stages))
    return {
        "grid": _GRID,
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [t(f"stage.{s.stage.value}") for s in stages]},
        "series": [
            {
                "type": "bar",
                "barWidth": "55%",
                "label": {"show": True, "position": "right"},
                "data": [
                    {"value": s.members, "itemStyle": {"color": STAGE_COLOURS[s.stage.value]}}
                    for s in stages
                ],
            }
        ],
    }


def rfm_matrix(overview: InsightsOverview, t: Translate) -> dict[str, Any]:
    """The 8 types as a heat map of members, each cell labelled with its type's name."""
    cells = {cell.rfm_type: cell for cell in overview.rfm_types}
    data = [
        {
            "value": [x, y, cells[MATRIX[column, row]].members],
            "name": t(f"rfm_type.{MATRIX[column, row].value}"),
        }
        for x, column in enumerate(MATRIX_COLUMNS)
        for y, row in enumerate(MATRIX_ROWS)
    ]
    most = max((cell.members for cell in overview.rfm_types), default=0)
    return {
        "grid": {**_GRID, "bottom": 48},
        "tooltip": {"trigger": "item"},
        "xAxis": {"type": "category", "data": [t(f"rfm.axis.{c}") for c in MATRIX_COLUMNS]},
        "yAxis": {"type": "category", "data": [t(f"rfm.axis.{r}") for r in MATRIX_ROWS]},
        "visualMap": {
            "min": 0,
            "max": max(most, 1),
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "inRange": {"color": ["#eff6ff", "#1d4ed8"]},
        },
        "series": [
            {
                "type": "heatmap",
                "data": data,
                "label": {"show": True, ":formatter": "p => p.name + '\\n' + p.value[2]"},
            }
        ],
    }


def segments(overview: InsightsOverview, t: Translate) -> dict[str, Any]:
    """Members per 11-scheme segment, as bars."""
    return {
        "grid": _GRID,
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {
            "type": "category",
            "data": [t(f"segment.{s.segment.value}") for s in reversed(overview.segments)],
        },
        "series": [
            {
                "type": "bar",
                "color": "#7c3aed",
                "label": {"show": True, "position": "right"},
                "data": [s.members for s in reversed(overview.segments)],
            }
        ],
    }


def value_bands(overview: InsightsOverview, t: Translate) -> dict[str, Any]:
    """The 12-month CLV distribution: members per band of value."""

    def label(low: int, high: int | None) -> str:
        return f"¥{low // 100:,}+" if high is None else f"¥{low // 100:,}–{high // 100:,}"

    return {
        "grid": _GRID,
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": [label(b.low, b.high) for b in overview.value_bands]},
        "yAxis": {"type": "value", "minInterval": 1, "name": t("clv.members")},
        "series": [
            {
                "type": "bar",
                "color": "#0891b2",
                "label": {"show": True, "position": "top"},
                "data": [b.members for b in overview.value_bands],
            }
        ],
    }
