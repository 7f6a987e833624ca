"""What a journey earned, on its page, as the API's report answers it (``journeys.effect``):
its treated entries against its holdout, each entry's kept orders within the attribution window
after it entered, the difference of conversion rates with its 95 % interval and the
incremental revenue. A journey without a holdout says it cannot be measured rather than show
a table of one group."""

from typing import Any

from nicegui import ui

from memberops.console.formatting import number, percent, yuan
from memberops.console.i18n import Translate
from memberops.console.pages.campaigns.results import uplift_cells
from memberops.console.pages.loyalty.forms import section_title, table
from memberops.console.viewer import Viewer
from memberops.journeys.schemas import EffectGroup, JourneyEffect

COLUMNS = (
    "group",
    "entries",
    "converted",
    "rate",
    "uplift",
    "interval",
    "incremental_revenue",
    "revenue",
)


def rows(effect: JourneyEffect, t: Translate) -> list[dict[str, Any]]:
    """The treated entries, with their uplift when there is one, and the holdout's."""

    def row(group: EffectGroup, label: str, treated: bool) -> dict[str, Any]:
        return {
            "group": label,
            "entries": number(group.entries),
            "converted": number(group.converted),
            "rate": percent(group.conversion_rate),
            **uplift_cells(effect.uplift if treated else None),
            "revenue": yuan(group.revenue),
        }

    return [
        row(effect.treated, t("journeys.effect.treated"), treated=True),
        row(effect.holdout, t("journeys.effect.holdout"), treated=False),
    ]


def verdict(effect: JourneyEffect) -> str:
    """The key of the one line that sums the effect up."""
    if effect.holdout.entries == 0:
        return "journeys.effect.no_holdout"
    if effect.uplift is None:
        return "journeys.effect.too_early"
    return "journeys.effect.significant" if effect.uplift.significant else "journeys.effect.unsure"


def show(viewer: Viewer, effect: JourneyEffect) -> None:
    """The effect card of the journey page."""
    t = viewer.t
    with ui.card().classes("journey-effect w-full shadow-sm gap-2"):
        section_title(t("journeys.effect"))
        ui.label(t("journeys.effect.window", days=effect.attribution_days)).classes("text-sm")
        ui.label(t(verdict(effect))).classes(
            "journey-verdict text-base font-semibold text-slate-700"
        )
        if effect.holdout.entries == 0:
            return
        columns = [(name, t(f"journeys.effect.col.{name}")) for name in COLUMNS]
        table(columns, rows(effect, t), key="group").classes("journey-effect-table")
