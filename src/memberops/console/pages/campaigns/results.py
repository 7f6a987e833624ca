"""A launched campaign's results, as ``GET /campaigns/{id}/results`` answers them
(``campaigns.measurement.results``): per variant, all variants and the holdout, the members,
messages, conversions, revenue and cost in the attribution window; each variant's uplift over
the holdout with its 95 % interval, incremental revenue and ROI; the winner; and a chart of
the conversion rates with their intervals."""

from typing import Any

from nicegui import run, ui

from memberops.campaigns import measurement, service
from memberops.campaigns.effect_schemas import CampaignResults, GroupResults, UpliftRead
from memberops.console import campaign_charts
from memberops.console.formatting import BLANK, number, percent, yuan
from memberops.console.pages.loyalty.forms import section_title, table
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer

COLUMNS = (
    "group",
    "members",
    "sent",
    "delivered",
    "clicked",
    "converted",
    "rate",
    "uplift",
    "interval",
    "incremental_revenue",
    "revenue",
    "cost",
    "roi",
)


def points(rate: float) -> str:
    """A difference of rates in percentage points, signed: ``+1.2 pt``."""
    return f"{rate * 100:+.1f} pt"


def uplift_cells(uplift: UpliftRead | None) -> dict[str, str]:
    """A group's uplift over the holdout, its 95 % interval and the incremental revenue as a
    results table shows them; blank where there is none (the holdout itself)."""
    if uplift is None:
        return dict.fromkeys(("uplift", "interval", "incremental_revenue"), BLANK)
    return {
        "uplift": points(uplift.difference),
        "interval": f"[{points(uplift.low)}, {points(uplift.high)}]",
        "incremental_revenue": yuan(uplift.incremental_revenue),
    }


def row(group: GroupResults, label: str) -> dict[str, Any]:
    """One group as the table shows it (the holdout has no uplift)."""
    return {
        "group": label,
        "members": number(group.members),
        "sent": number(group.sent),
        "delivered": number(group.delivered),
        "clicked": number(group.clicked),
        "converted": number(group.converted),
        "rate": percent(group.conversion_rate),
        **uplift_cells(group.uplift),
        "revenue": yuan(group.revenue),
        "cost": yuan(group.cost),
        "roi": percent(group.roi),
    }


class Results:
    """The results of one launched campaign, read when drawn and on demand, in a worker thread
    (one query over every recipient: seconds at a million members, which must not stall the
    event loop every console page shares)."""

    def __init__(self, viewer: Viewer, campaign_id: int) -> None:
        self.viewer, self.campaign_id = viewer, campaign_id

    def read(self) -> CampaignResults:
        principal = self.viewer.principal
        with transaction() as session:
            campaign = service.get_campaign(session, principal, self.campaign_id)
            return measurement.results(session, principal, campaign)

    def show(self) -> None:
        t = self.viewer.t
        with ui.card().classes("campaign-results w-full shadow-sm gap-3"):
            with ui.row().classes("w-full items-center"):
                section_title(t("campaigns.results"))
                ui.space()
                ui.button(t("campaigns.results.again"), icon="refresh", on_click=self._load)
            self.body = ui.column().classes("w-full gap-3")
        ui.timer(0, self._load, once=True)

    async def _load(self) -> None:
        self.body.clear()
        with self.body:
            ui.spinner()
        found = await run.io_bound(self.read)
        if found is None:  # the server is stopping
            return
        self.body.clear()
        with self.body:
            self._draw(found)

    def _draw(self, found: CampaignResults) -> None:
        t = self.viewer.t
        holdout = t("campaigns.results.holdout")
        window = f"{self.viewer.when(found.window_start)} – {self.viewer.when(found.window_end)}"
        ui.label(t("campaigns.results.window", window=window)).classes("text-sm")
        self._verdict(found)
        groups = [*found.variants, found.holdout]
        option = campaign_charts.conversion(groups, holdout, t)
        ui.echart(option).classes("campaign-chart w-full h-64")
        rows = [row(v, v.name) for v in found.variants]
        rows += [row(found.overall, t("campaigns.results.all")), row(found.holdout, holdout)]
        columns = [(name, t(f"campaigns.results.col.{name}")) for name in COLUMNS]
        table(columns, rows, key="group").classes("campaign-results-table")

    def _verdict(self, found: CampaignResults) -> None:
        t = self.viewer.t
        if found.measurable == "no_holdout":
            text = t("campaigns.results.no_holdout")
        elif found.winner is not None:
            text = t("campaigns.results.winner", name=found.winner)
        else:
            text = t("campaigns.results.no_winner")
        ui.label(text).classes("campaign-verdict text-base font-semibold text-slate-700")
