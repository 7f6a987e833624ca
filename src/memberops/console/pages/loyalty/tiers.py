"""The ladder tab: each level's thresholds and benefits as an editable table, saved whole
through ``tiers.service.save_ladder`` (which re-evaluates every member at once), and a chart
of how many members hold each level."""

from collections.abc import Sequence
from typing import Any

from nicegui import ui

from memberops.console import loyalty_charts
from memberops.console.formatting import BLANK, number
from memberops.console.pages.loyalty.forms import Problems, entered, field, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.loyalty.tiers import queries, service
from memberops.loyalty.tiers.rules import TierLadder, TierLevel
from memberops.tenancy.access import Permission

#: Text columns of the table, in order (labels are ``tier.field.<name>``).
THRESHOLDS = ("qualify_spend", "qualify_orders", "retain_spend", "retain_orders")
RATES = ("discount_rate", "points_multiplier")
SWITCHES = ("free_shipping", "member_day_access")


class _Row:
    """The inputs of one level."""

    def __init__(self, level: TierLevel, base: bool, editable: bool) -> None:
        self.level = level
        self.name = field(level.name, f"{level.code}.name", enabled=editable, width="w-full")
        self.figures: dict[str, ui.input] = {}
        thresholds = level.model_dump(mode="json", include=set(THRESHOLDS))
        for name in THRESHOLDS:
            if base:  # every member starts on the first level: it has no thresholds
                ui.label(BLANK).classes("text-slate-400 px-3")
            else:
                key = f"{level.code}.{name}"
                self.figures[name] = field(thresholds[name], key, enabled=editable, width="w-full")
        benefits = level.benefits.model_dump(mode="json")
        self.rates = {
            name: field(benefits[name], f"{level.code}.{name}", enabled=editable, width="w-full")
            for name in RATES
        }
        self.switches = {name: ui.checkbox(value=benefits[name]) for name in SWITCHES}
        for box in self.switches.values():
            box.set_enabled(editable)

    def document(self) -> dict[str, Any]:
        """The level as typed, over what the table does not show (code, birthday gifts,
        exclusive coupons), ready for ``TierLadder`` to validate."""
        stored = self.level.model_dump(mode="json")
        benefits = {
            **stored["benefits"],
            **{name: entered(box) for name, box in self.rates.items()},
            **{name: bool(box.value) for name, box in self.switches.items()},
        }
        figures = {name: entered(box) for name, box in self.figures.items()}
        return {**stored, "name": entered(self.name) or "", **figures, "benefits": benefits}


class TiersTab:
    """The ladder of one tenant; saving redraws the tab with the new counts."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.rows: list[_Row] = []
        self.ladder = TierLadder()
        self.problems: Problems | None = None

    @property
    def editable(self) -> bool:
        return self.viewer.principal.can(Permission.loyalty_rules)

    @ui.refreshable_method
    def show(self) -> None:
        t = self.viewer.t
        with transaction() as session:
            self.ladder = service.ladder(session, self.viewer.principal.tenant_id)
            distribution = queries.distribution(session, self.viewer.principal)
        with ui.card().classes("w-full shadow-sm gap-3"):
            section_title(t("tiers.ladder"))
            ui.label(t("tiers.ladder_hint", days=self.ladder.period_days)).classes(
                "text-xs text-slate-500"
            )
            self._table()
            self._actions()
        with ui.card().classes("w-full shadow-sm gap-1"):
            section_title(t("tiers.distribution", total=number(distribution.total)))
            ui.echart(loyalty_charts.tier_distribution(distribution)).classes("w-full h-56")

    def _table(self) -> None:
        t = self.viewer.t
        names = ("name", *THRESHOLDS, *RATES, *SWITCHES)
        columns = "minmax(8rem, 1.5fr) repeat(6, minmax(5rem, 1fr)) auto auto"
        with ui.grid(columns=columns).classes("gap-x-3 gap-y-2 items-center w-full"):
            for name in names:
                ui.label(t(f"tier.field.{name}")).classes("text-xs font-medium text-slate-500")
            self.rows = [
                _Row(level, base=index == 0, editable=self.editable)
                for index, level in enumerate(self.ladder.levels)
            ]

    def _actions(self) -> None:
        t = self.viewer.t
        if not self.editable:
            ui.label(t("loyalty.read_only")).classes("text-sm text-slate-500")
            return
        with ui.row().classes("items-start gap-4"):
            ui.button(t("common.save"), icon="save", on_click=self._save).props(
                "unelevated no-caps color=primary"
            )
            self.problems = Problems()

    def _where(self, loc: Sequence[str | int]) -> str:
        """``levels.1.qualify_spend`` as the level's name and the column's label."""
        if len(loc) >= 3 and loc[0] == "levels" and isinstance(loc[1], int):
            level = self.rows[loc[1]].level.name if loc[1] < len(self.rows) else str(loc[1])
            column = str(loc[-1] if loc[2] == "benefits" else loc[2])
            known = f"tier.field.{column}"
            label = self.viewer.t(known) if column in (*THRESHOLDS, *RATES, "name") else column
            return f"{level} · {label}"
        return ".".join(map(str, loc))

    def _save(self) -> None:
        assert self.problems is not None
        if self.problems.attempt(self._store, self._where):
            self.show.refresh()

    def _store(self) -> str:
        document = {
            **self.ladder.model_dump(mode="json"),
            "levels": [row.document() for row in self.rows],
        }
        ladder = TierLadder.model_validate(document)
        with transaction() as session:
            changed = service.save_ladder(session, self.viewer.principal, ladder)
        return self.viewer.t("tiers.saved", count=changed)
