"""The stored value tab (储值): the liability report — outstanding principal (what members paid
in and have not used: the prepaid liability) and bonus, members holding a balance, and a chart
of each month's top-ups, bonus, spends and refunds — and the top-up bonus tiers (充值送), read,
or edited and saved whole as the tenant's ``TopUpRules`` (``loyalty:rules``)."""

from collections.abc import Sequence
from typing import Any

from nicegui import ui

from memberops.activity.money import to_yuan
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
from memberops.loyalty.wallet import queries
from memberops.loyalty.wallet.rules import TopUpRules
from memberops.loyalty.wallet.schemas import LiabilityRead
from memberops.tenancy.access import Permission
from memberops.tenancy.sections import load_section, save_section

#: Blank tier rows offered under the stored ones, for adding tiers.
SPARE_ROWS = 2
#: The report's figures, in order (labels ``stored_value.<name>``).
FIGURES = ("principal", "bonus", "balance", "members_with_balance")


def liability_figures(report: LiabilityRead) -> dict[str, str]:
    """The report's headline figures as the tab writes them."""
    return {
        "principal": yuan(report.principal),
        "bonus": yuan(report.bonus),
        "balance": yuan(report.balance),
        "members_with_balance": number(report.members_with_balance),
    }


def tiers_document(rows: list[tuple[str | None, str | None]]) -> dict[str, Any]:
    """Typed (min amount, bonus) rows as a ``TopUpRules`` document; a row left blank on both
    sides is no tier, a half-filled one is kept so the model names what is missing."""
    tiers = [
        {"min_amount": low, "bonus": bonus}
        for low, bonus in rows
        if low is not None or bonus is not None
    ]
    return {"bonus_tiers": tiers}


def moved(report: LiabilityRead) -> bool:
    """Whether any money moved in the report's months (else the chart would be all zeros)."""
    names = ("topped_up", "bonus_given", "spent", "refunded", "adjusted")
    return any(getattr(month, name) for month in report.by_month for name in names)


class StoredValueTab:
    """Liability and bonus tiers of one tenant; a save redraws the tab."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.rows: list[tuple[ui.input, ui.input]] = []
        self.problems: Problems | None = None

    @property
    def editable(self) -> bool:
        return self.viewer.principal.can(Permission.loyalty_rules)

    @ui.refreshable_method
    def show(self) -> None:
        principal = self.viewer.principal
        with transaction() as session:
            rules = load_section(session, principal.tenant_id, TopUpRules)
            report = queries.liability(session, principal)
        with ui.element("div").classes("grid grid-cols-5 gap-4 w-full items-start"):
            with ui.card().classes("col-span-3 shadow-sm gap-3"):
                self._liability(report)
            with ui.card().classes("col-span-2 shadow-sm gap-3"):
                self._tiers(rules)

    def _liability(self, report: LiabilityRead) -> None:
        t = self.viewer.t
        section_title(t("stored_value.title"))
        ui.label(t("liability.as_of", at=self.viewer.when(report.as_of))).classes(
            "text-xs text-slate-500"
        )
        with ui.row().classes("w-full gap-8"):
            for name, value in liability_figures(report).items():
                figure(t(f"stored_value.{name}"), value, f"stored_value_{name}", large=True)
        ui.label(t("stored_value.principal_hint")).classes("text-xs text-slate-400")
        if not moved(report):
            empty_state("account_balance_wallet", t("stored_value.empty"))
            return
        section_title(t("stored_value.by_month"))
        ui.echart(loyalty_charts.stored_value_by_month(report, t)).classes("w-full h-64")

    def _tiers(self, rules: TopUpRules) -> None:
        t = self.viewer.t
        section_title(t("stored_value.tiers"))
        stored = [(to_yuan(tier.min_amount), to_yuan(tier.bonus)) for tier in rules.bonus_tiers]
        spare = [(None, None)] * (SPARE_ROWS if self.editable else 0)
        with ui.grid(columns="auto 8rem 8rem").classes("gap-x-3 gap-y-1 items-center"):
            for key in ("stored_value.col.tier", "stored_value.col.min", "stored_value.col.bonus"):
                ui.label(t(key)).classes("text-xs font-medium text-slate-500")
            self.rows = []
            for index, (low, bonus) in enumerate([*stored, *spare], start=1):
                ui.label(str(index)).classes("text-sm text-slate-600")
                self.rows.append(
                    (
                        field(low, f"tier.{index}.min_amount", enabled=self.editable),
                        field(bonus, f"tier.{index}.bonus", enabled=self.editable),
                    )
                )
        if not stored:
            ui.label(t("stored_value.no_tiers")).classes("text-sm text-slate-500")
        ui.label(t("stored_value.tiers_hint")).classes("text-xs text-slate-400")
        if not self.editable:
            ui.label(t("loyalty.read_only")).classes("text-sm text-slate-500")
            return
        ui.button(t("common.save"), icon="save", on_click=self._save).props(
            "unelevated no-caps color=primary"
        )
        self.problems = Problems()

    def _where(self, loc: Sequence[str | int]) -> str:
        """``bonus_tiers.1.bonus`` as the tier's number and the column's label."""
        if len(loc) == 3 and loc[0] == "bonus_tiers" and isinstance(loc[1], int):
            column = {"min_amount": "stored_value.col.min", "bonus": "stored_value.col.bonus"}
            label = self.viewer.t(column[str(loc[2])]) if loc[2] in column else str(loc[2])
            return f"{self.viewer.t('stored_value.col.tier')} {loc[1] + 1} · {label}"
        return ".".join(map(str, loc))

    def _save(self) -> None:
        assert self.problems is not None
        if self.problems.attempt(self._store, self._where):
            self.show.refresh()

    def _store(self) -> str:
        typed = [(entered(low), entered(bonus)) for low, bonus in self.rows]
        rules = TopUpRules.model_validate(tiers_document(typed))
        with transaction() as session:
            save_section(session, self.viewer.principal, rules)
        return self.viewer.t("stored_value.tiers_saved")
