"""The ECharts option of a journey's counts: one bar for every entry, one per step of the current
version (the members now at it, with those still on earlier versions stacked on top), then the
members done, exited and held out.

A plain function returning an option dict, so what the chart shows is testable without a
browser.
"""

from collections.abc import Sequence
from typing import Any

from memberops.console.i18n import Translate
from memberops.console.journey_view import StepNode, earlier, named
from memberops.journeys.schemas import JourneyReport

#: Every entry in dark blue, the steps in blue, done green, exited grey, the holdout light grey.
COLOURS = {
    "entered": "#1e3a8a",
    "step": "#1d4ed8",
    "earlier": "#93c5fd",
    "done": "#16a34a",
    "exited": "#64748b",
    "holdout": "#cbd5e1",
}
_ENDS = ("done", "exited", "holdout")
#: A bar's label, left out on an empty bar (NiceGUI evaluates keys starting with ":").
_HIDE_ZERO = "p => (p.value ? p.value.toLocaleString('zh-CN') : '')"


def step_label(node: StepNode, t: Translate) -> str:
    """A step's bar: its number and kind (``3 · Send``)."""
    return f"{node.index + 1} · {named(t, 'journeys.step', node.type)}"


def counts(
    nodes: Sequence[StepNode], report: JourneyReport, version: int, t: Translate
) -> dict[str, Any]:
    """The bars: entered, each step, done, exited, holdout."""
    older: dict[int, int] = {}
    for count in earlier(report, version):
        older[count.step] = older.get(count.step, 0) + count.members
    steps = max([len(nodes), *(s + 1 for s in older)])
    labels = [step_label(n, t) for n in nodes]
    labels += [t("journeys.chart.step", step=s + 1) for s in range(len(nodes), steps)]
    ends = {"done": report.done, "exited": report.exited, "holdout": report.holdout}
    categories = [
        t("journeys.figure.entered"),
        *labels,
        *(t(f"journeys.figure.{e}") for e in _ENDS),
    ]

    def bar(value: int, colour: str) -> dict[str, Any]:
        return {"value": value, "itemStyle": {"color": colour}}

    current = [bar(report.entered, COLOURS["entered"])]
    current += [bar(n.members, COLOURS["step"]) for n in nodes]
    current += [bar(0, COLOURS["step"]) for _ in range(len(nodes), steps)]
    current += [bar(ends[e], COLOURS[e]) for e in _ENDS]
    stacked = [0, *(older.get(s, 0) for s in range(steps)), 0, 0, 0]
    series: list[dict[str, Any]] = [
        {
            "name": t("journeys.chart.current", version=version),
            "type": "bar",
            "stack": "members",
            "barMaxWidth": 48,
            "label": {"show": True, "position": "inside", ":formatter": _HIDE_ZERO},
            "data": current,
        }
    ]
    if older:
        series.append(
            {
                "name": t("journeys.chart.earlier"),
                "type": "bar",
                "stack": "members",
                "barMaxWidth": 48,
                "color": COLOURS["earlier"],
                "data": stacked,
            }
        )
    return {
        "animation": False,  # read once; a screenshot shows the bars whole
        "grid": {"left": 8, "right": 24, "top": 36, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "xAxis": {"type": "category", "data": categories, "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }
