"""The member page's insights card: stage (and whether reactivated), RFM scores with the 8-type
and segment names, predicted value, and tags — what ``GET /members/{id}/insights`` answers."""

from nicegui import ui

from memberops.console.formatting import BLANK, percent, yuan
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.insights import queries
from memberops.insights.schemas import MemberInsights


class InsightsCard:
    """The insights card's contents for one member."""

    def __init__(self, viewer: Viewer, member_id: int) -> None:
        self.viewer = viewer
        with transaction() as session:
            self.data: MemberInsights = queries.member_insights(
                session, viewer.principal, member_id
            )

    def _figure(self, label: str, value: str) -> None:
        with ui.column().classes("gap-0 min-w-28"):
            ui.label(label).classes("text-xs text-slate-500")
            ui.label(value).classes("text-base font-medium text-slate-800")

    def show(self) -> None:
        t, data = self.viewer.t, self.data
        with ui.row().classes("w-full gap-6 items-start member-insights"):
            stage = data.stage
            self._figure(t("insights.stage"), t(f"stage.{stage.stage.value}") if stage else BLANK)
            if stage and stage.reactivated:
                ui.badge(t("insights.reactivated"), color="positive")
            self._rfm()
            self._prediction()
        with ui.row().classes("gap-2"):
            for tag in data.tags:
                ui.chip(tag.name).props("dense outline color=primary")

    def _rfm(self) -> None:
        t, rfm = self.viewer.t, self.data.rfm
        if rfm is None:
            self._figure(t("insights.rfm"), BLANK)
            return
        self._figure(t("insights.rfm"), f"R{rfm.r_score} F{rfm.f_score} M{rfm.m_score}")
        self._figure(t("insights.rfm_type"), t(f"rfm_type.{rfm.rfm_type.value}"))
        self._figure(t("insights.segment"), t(f"segment.{rfm.segment.value}"))

    def _prediction(self) -> None:
        t, p = self.viewer.t, self.data.prediction
        if p is None:
            self._figure(t("clv.p_alive"), BLANK)
            return
        self._figure(t("clv.p_alive"), percent(p.p_alive))
        self._figure(t("clv.expected_90d"), f"{p.expected_90d:.2f}")
        self._figure(t("clv.clv_12m"), yuan(p.clv_12m))
        self._figure(t("clv.risk"), t(f"risk.{p.churn_risk.value}"))
        next_on = p.next_order_on.isoformat() if p.next_order_on else BLANK
        self._figure(t("clv.next_order"), next_on)
