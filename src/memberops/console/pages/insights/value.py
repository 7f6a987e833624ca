"""The value tab: the distribution of members' 12-month CLV and the churn-risk bands, from the
latest BG/NBD + Gamma-Gamma fit (``memberops clv fit``, then a recompute scores members)."""

from nicegui import ui

from memberops.console import insights_charts
from memberops.console.formatting import number
from memberops.console.pages.loyalty.forms import section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.insights import queries

_RISK_COLOURS = {"high": "text-red-600", "medium": "text-amber-600", "low": "text-green-700"}


class ValueTab:
    """Predicted value of one tenant's members."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer

    def show(self) -> None:
        t = self.viewer.t
        with transaction() as session:
            overview = queries.overview(session, self.viewer.principal)
        if overview.predictions_computed_at is None:
            ui.label(t("clv.empty")).classes("text-slate-500")
            return
        with ui.row().classes("w-full gap-4"):
            for risk, members in overview.churn_risk.items():
                with ui.card().classes("shadow-sm min-w-40"):
                    ui.label(t(f"risk.{risk.value}")).classes("text-sm text-slate-500")
                    ui.label(number(members)).classes(
                        f"text-2xl font-semibold {_RISK_COLOURS[risk.value]}"
                    )
        with ui.card().classes("w-full shadow-sm"):
            section_title(t("clv.distribution"))
            ui.echart(insights_charts.value_bands(overview, t)).classes("w-full h-72")
