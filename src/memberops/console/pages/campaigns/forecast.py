"""The forecast of a draft before launch: the same ``campaigns.forecast.forecast`` that
``POST /api/v1/campaigns/{id}/forecast`` answers, with the same guard rails, shown as figure
cards: the crowd, who the guard rails (or the budget) leave out, the holdout, the reach, the
expected buyers, revenue, cost and ROI. The API's forecast does not break the left-out members
down by guard rail, so the panel counts them by reason from the launch's own judgement of each
member (``launch.judged_members``, which the forecast's reach is read from too)."""

from nicegui import run, ui
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.campaigns import forecast as forecasting
from memberops.campaigns import launch, service
from memberops.campaigns.effect_schemas import ForecastRead
from memberops.campaigns.guard_rails import Rules
from memberops.campaigns.models import Campaign
from memberops.console.formatting import number, percent, yuan
from memberops.console.pages.loyalty.forms import section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.kernel import clock
from memberops.tenancy.access import Principal


def skipped_by_reason(
    session: Session, principal: Principal, campaign: Campaign, rules: Rules
) -> dict[str, int]:
    """The members of the crowd a guard rail would refuse if launched now, by reason."""
    judged = launch.judged_members(session, principal, campaign, rules, clock.now())
    reason = judged.c.reason
    rows = session.execute(
        select(reason, func.count()).where(reason.is_not(None)).group_by(reason).order_by(reason)
    )
    return {str(name): int(n) for name, n in rows}


def figures(forecast: ForecastRead) -> dict[str, str]:
    """The panel's figures by name, as shown (the catalogue key of each is
    ``campaigns.forecast.<name>``)."""
    left_out = forecast.crowd_members - forecast.holdout - forecast.reach
    return {
        "crowd": number(forecast.crowd_members),
        "left_out": number(left_out),
        "holdout": number(forecast.holdout),
        "reach": number(forecast.reach),
        "expected_buyers": f"{forecast.expected_buyers:,.1f}",
        "incremental_buyers": f"{forecast.incremental_buyers:,.1f}",
        "expected_revenue": yuan(forecast.expected_revenue),
        "incremental_revenue": yuan(forecast.incremental_revenue),
        "cost": yuan(forecast.cost),
        "roi": percent(forecast.roi),
    }


class ForecastPanel:
    """The forecast of one draft, computed when the panel is drawn and on demand, in a worker
    thread: a crowd of a million members takes seconds, which must not stall the event loop
    every console page shares."""

    def __init__(self, viewer: Viewer, campaign_id: int, rules: Rules) -> None:
        self.viewer, self.campaign_id, self.rules = viewer, campaign_id, rules

    def show(self) -> None:
        t = self.viewer.t
        with ui.card().classes("campaign-forecast w-full shadow-sm gap-3"):
            with ui.row().classes("w-full items-center"):
                section_title(t("campaigns.forecast"))
                ui.space()
                ui.button(t("campaigns.forecast.again"), icon="refresh", on_click=self._load)
            self.body = ui.column().classes("w-full gap-3")
        ui.timer(0, self._load, once=True)

    def read(self) -> tuple[ForecastRead, dict[str, int]]:
        """The forecast and the left-out members by reason, in one transaction."""
        principal = self.viewer.principal
        with transaction() as session:
            campaign = service.get_campaign(session, principal, self.campaign_id)
            forecast = forecasting.forecast(session, principal, campaign, self.rules)
            return forecast, skipped_by_reason(session, principal, campaign, self.rules)

    async def _load(self) -> None:
        self.body.clear()
        with self.body:
            ui.spinner()
        found = await run.io_bound(self.read)
        if found is None:  # the server is stopping
            return
        forecast, skipped = found
        self.body.clear()
        with self.body:
            self._figures(forecast)
            self._notes(forecast, skipped)

    def _figures(self, forecast: ForecastRead) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full gap-3"):
            for name, shown in figures(forecast).items():
                with (
                    ui.card()
                    .classes("shadow-none border min-w-32 gap-0")
                    .props(f"data-figure={name}")
                ):
                    ui.label(t(f"campaigns.forecast.{name}")).classes("text-xs text-slate-500")
                    ui.label(shown).classes("figure-value text-xl font-semibold")

    def _notes(self, forecast: ForecastRead, skipped: dict[str, int]) -> None:
        t = self.viewer.t
        lift = percent(forecast.relative_lift)
        if forecast.lift_source == "measured":
            note = t("campaigns.forecast.measured", lift=lift, count=forecast.measured_campaigns)
        else:
            note = t("campaigns.forecast.prior", lift=lift)
        reasons = "、".join(
            f"{t(f'campaigns.skip.{reason}')} {number(n)}" for reason, n in skipped.items()
        )
        lines = [note, t("campaigns.forecast.skipped_by", reasons=reasons or number(0))]
        if forecast.chosen_by_budget:
            lines.append(t("campaigns.forecast.by_budget"))
        if forecast.without_prediction:
            lines.append(t("campaigns.forecast.unpredicted", count=forecast.without_prediction))
        for line in lines:
            ui.label(line).classes("text-xs text-slate-500")
