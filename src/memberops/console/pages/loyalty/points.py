"""The points tab: the earn and redeem rules as a form, saved whole as the tenant's
``EarnRules`` (campaign multipliers are kept as they are: they are set by API), and the
liability — outstanding points, their worth at checkout, debts, and a chart by month of
expiry."""

from typing import Any

from nicegui import ui

from memberops.console import loyalty_charts
from memberops.console.formatting import number, yuan
from memberops.console.pages.loyalty.forms import (
    Problems,
    empty_state,
    entered,
    field,
    figure,
    section_title,
)
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.loyalty.points import queries
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.points.schemas import LiabilityRead
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Permission
from memberops.tenancy.sections import load_section, save_section

#: The form's figures, in order (labels are ``points.field.<name>``); blank = left out.
FIGURES = (
    "points_per_yuan",
    "member_day",
    "member_day_multiplier",
    "first_order_bonus",
    "max_points_per_order",
    "max_points_per_day",
    "expiry_months",
    "expiring_soon_days",
    "expiry_reminder_days",
    "points_per_yuan_redeemed",
    "max_redeem_share",
)


class PointsTab:
    """Earn rules and liability of one tenant."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.rules = EarnRules()
        self.figures: dict[str, ui.input] = {}
        self.channels: dict[str, ui.input] = {}
        self.problems: Problems | None = None

    @property
    def editable(self) -> bool:
        return self.viewer.principal.can(Permission.loyalty_rules)

    @ui.refreshable_method
    def show(self) -> None:
        principal = self.viewer.principal
        with transaction() as session:
            self.rules = load_section(session, principal.tenant_id, EarnRules)
            channels = {c.code: c.name for c in tenancy.list_channels(session, principal)}
            report = queries.liability(session, principal)
        with ui.element("div").classes("grid grid-cols-5 gap-4 w-full items-start"):
            with ui.card().classes("col-span-2 shadow-sm gap-3"):
                self._form(channels)
            with ui.card().classes("col-span-3 shadow-sm gap-3"):
                self._liability(report)

    def _form(self, channels: dict[str, str]) -> None:
        t, stored = self.viewer.t, self.rules.model_dump(mode="json")
        section_title(t("points.rules"))
        multipliers = stored["channel_multipliers"]
        with ui.grid(columns="auto auto").classes("gap-x-4 gap-y-1 items-center"):
            for name in FIGURES:
                ui.label(t(f"points.field.{name}")).classes("text-sm text-slate-600")
                self.figures[name] = field(stored[name], name, enabled=self.editable)
            ui.label(t("points.channel_multipliers")).classes(
                "col-span-2 pt-2 text-sm font-medium text-slate-600"
            )
            for code in sorted({*channels, *multipliers}):
                ui.label(channels.get(code, code)).classes("text-sm text-slate-600")
                self.channels[code] = field(
                    multipliers.get(code), f"channel.{code}", enabled=self.editable
                )
        if not self.editable:
            ui.label(t("loyalty.read_only")).classes("text-sm text-slate-500")
            return
        ui.button(t("common.save"), icon="save", on_click=self._save).props(
            "unelevated no-caps color=primary"
        )
        self.problems = Problems()

    def _document(self) -> dict[str, Any]:
        typed = {name: entered(box) for name, box in self.figures.items()}
        multipliers = {code: entered(box) for code, box in self.channels.items()}
        return {
            **self.rules.model_dump(mode="json"),
            **typed,
            "channel_multipliers": {code: m for code, m in multipliers.items() if m is not None},
        }

    def _where(self, loc: Any) -> str:
        name = str(loc[0]) if loc else ""
        if name in FIGURES:
            return self.viewer.t(f"points.field.{name}")
        return ".".join(map(str, loc))

    def _save(self) -> None:
        assert self.problems is not None
        if self.problems.attempt(self._store, self._where):
            self.show.refresh()

    def _store(self) -> str:
        rules = EarnRules.model_validate(self._document())
        with transaction() as session:
            save_section(session, self.viewer.principal, rules)
        return self.viewer.t("points.saved")

    def _figure(self, key: str, value: str) -> None:
        figure(self.viewer.t(f"liability.{key}"), value, f"liability_{key}", large=True)

    def _liability(self, report: LiabilityRead) -> None:
        t = self.viewer.t
        section_title(t("liability.title"))
        ui.label(t("liability.as_of", at=self.viewer.when(report.as_of))).classes(
            "text-xs text-slate-500"
        )
        with ui.row().classes("w-full gap-8"):
            self._figure("points", number(report.points))
            self._figure("value", yuan(report.value))
            self._figure("debt", number(report.debt_points))
        ui.label(t("liability.rate", points=number(report.points_per_yuan_redeemed))).classes(
            "text-xs text-slate-400"
        )
        if not report.by_expiry_month:
            empty_state("savings", t("liability.empty"))
            return
        section_title(t("liability.by_month"))
        ui.echart(loyalty_charts.liability(report, t)).classes("w-full h-64")
