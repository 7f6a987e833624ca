"""The segments tab: the lifecycle funnel, the RFM 8-type matrix with members and revenue per
type, the 11 segments, and the stage moves of the last 30 days; a manager's button recomputes
everything now (what the daily job does)."""

from nicegui import ui

from memberops.console import insights_charts
from memberops.console.formatting import local_time, number, yuan
from memberops.console.pages.loyalty.forms import section_title, table
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.insights import queries
from memberops.insights.jobs import recompute
from memberops.insights.schemas import InsightsOverview
from memberops.tenancy.access import Permission


class SegmentsTab:
    """Stages and RFM of one tenant, redrawn after a recompute."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def _recompute(self) -> None:
        with transaction() as session:
            report = recompute(session, self.viewer.principal)
        ui.notify(
            self.viewer.t("insights.recomputed", members=number(report.rfm_members)),
            type="positive",
        )
        self.show.refresh()

    def _toolbar(self, overview: InsightsOverview) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-center gap-3"):
            when = overview.stages_computed_at
            shown = local_time(when, self.viewer.principal.timezone) if when else None
            ui.label(
                t("insights.computed_at", at=shown) if shown else t("insights.never_computed")
            ).classes("text-sm text-slate-500")
            ui.space()
            if self.viewer.principal.can(Permission.insights_manage):
                ui.button(t("insights.recompute"), icon="refresh", on_click=self._recompute)

    @ui.refreshable_method
    def show(self) -> None:
        t = self.viewer.t
        with transaction() as session:
            overview = queries.overview(session, self.viewer.principal)
        self._toolbar(overview)
        if overview.stages_computed_at is None:
            ui.label(t("insights.empty")).classes("text-slate-500")
            return
        with ui.element("div").classes("grid grid-cols-2 gap-4 w-full items-start"):
            with ui.card().classes("w-full shadow-sm"):
                section_title(t("insights.funnel"))
                ui.echart(insights_charts.stage_funnel(overview, t)).classes("w-full h-64")
            with ui.card().classes("w-full shadow-sm"):
                section_title(t("insights.rfm_matrix"))
                ui.echart(insights_charts.rfm_matrix(overview, t)).classes("w-full h-64")
            with ui.card().classes("w-full shadow-sm"):
                self._types(overview)
            with ui.card().classes("w-full shadow-sm"):
                section_title(t("insights.segments"))
                ui.echart(insights_charts.segments(overview, t)).classes("w-full h-80")
            with ui.card().classes("col-span-2 w-full shadow-sm"):
                self._flows(overview)

    def _types(self, overview: InsightsOverview) -> None:
        t = self.viewer.t
        section_title(t("insights.rfm_types"))
        rows = [
            {
                "type": t(f"rfm_type.{cell.rfm_type.value}"),
                "members": number(cell.members),
                "members_revenue": yuan(cell.revenue),
            }
            for cell in overview.rfm_types
        ]
        columns = [
            ("type", t("insights.rfm_type")),
            ("members", t("insights.members")),
            ("members_revenue", t("insights.revenue")),
        ]
        table(columns, rows, "type").classes("rfm-types")

    def _flows(self, overview: InsightsOverview) -> None:
        t = self.viewer.t
        section_title(t("insights.flows", days=overview.flow_days))
        if not overview.flows:
            ui.label(t("insights.no_flows")).classes("text-sm text-slate-500")
            return
        rows = [
            {
                "move": f"{t(f'stage.{f.from_stage.value}') if f.from_stage else ''} → "
                f"{t(f'stage.{f.to_stage.value}')}",
                "members": number(f.members),
            }
            for f in overview.flows
        ]
        table([("move", t("insights.move")), ("members", t("insights.members"))], rows, "move")
