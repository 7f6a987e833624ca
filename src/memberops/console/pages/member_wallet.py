"""The member page's benefit cards and stored value, inside its loyalty card: the benefits the
member has now (tier and valid cards combined), every card holding with its status and term,
the stored-value balance in its two parts (paid in, bonus) and the latest entries; for roles
that run a till (``loyalty:operate``), a top-up, a card purchase and a renewal.

Read through the rooms' own reads (the ones behind ``GET /members/{id}/benefits``,
``/benefit-cards`` and ``/stored-value``), so the page shows what the API answers.
"""

from dataclasses import dataclass
from typing import Any

from nicegui import events, ui

from memberops.console.formatting import BLANK, yuan
from memberops.console.i18n import Translate
from memberops.console.pages.loyalty.cards import benefit_parts, describe_benefits
from memberops.console.pages.loyalty.forms import figure, table
from memberops.console.pages.member_wallet_actions import PurchaseDialog, RenewDialog, TopUpDialog
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.loyalty.cards import queries as cards
from memberops.loyalty.cards.benefits import member_benefits
from memberops.loyalty.cards.models import HoldingStatus
from memberops.loyalty.cards.schemas import BenefitsRead, HoldingRead
from memberops.loyalty.wallet import queries as wallet
from memberops.loyalty.wallet.schemas import EntryRead, StoredValueRead
from memberops.tenancy.access import Permission

#: Stored-value entries listed (the API pages through the rest).
SHOWN = 10
HOLDING_COLUMNS = ("card", "status", "term", "paid", "benefits")
ENTRY_COLUMNS = ("occurred_at", "kind", "amount", "principal", "bonus", "balance_after", "about")


@dataclass(frozen=True)
class MemberWallet:
    """What the section shows of one member, read in one transaction."""

    benefits: BenefitsRead
    holdings: list[HoldingRead]
    stored_value: StoredValueRead


def load(viewer: Viewer, member_id: int) -> MemberWallet:
    principal = viewer.principal
    with transaction() as session:
        return MemberWallet(
            benefits=member_benefits(session, principal, member_id),
            holdings=cards.member_holdings(session, principal, member_id),
            stored_value=wallet.read_stored_value(session, principal, member_id, None, SHOWN),
        )


def benefits_now(benefits: BenefitsRead, t: Translate) -> str:
    """The combined benefits in a line, as a card's are described; a blank for none."""
    parts = benefit_parts(
        benefits.discount_rate, benefits.free_shipping, benefits.points_multiplier, t
    )
    return " · ".join(parts) or BLANK


def holding_row(holding: HoldingRead, viewer: Viewer) -> dict[str, Any]:
    """One holding as the member's card table shows it; ``renewable`` unless refunded."""
    t, when = viewer.t, viewer.when
    paid = [
        yuan(p.amount) if p.price_kind == "money" else t("cards.price.points", points=p.points)
        for p in holding.payments
        if p.price_kind != "free" and p.refunded_at is None
    ]
    status = t(f"cards.status.{holding.status.value}")
    if holding.status == HoldingStatus.active and not holding.valid:
        status = t("cards.status.ended")
    price_kind = holding.payments[0].price_kind.value if holding.payments else "free"
    return {
        "id": holding.id,
        "card": holding.card_name,
        "status": status,
        "term": f"{when(holding.starts_at)} – {when(holding.ends_at)}",
        "ends_at": when(holding.ends_at),
        "paid": " + ".join(paid) or BLANK,
        "benefits": describe_benefits(holding.benefits, t),
        "price_kind": price_kind,
        "renewable": holding.status != HoldingStatus.refunded,
    }


def entry_row(entry: EntryRead, viewer: Viewer) -> dict[str, Any]:
    """One stored-value entry, its amounts signed (a spend reads ``-¥11.00``)."""
    return {
        "id": entry.id,
        "occurred_at": viewer.when(entry.occurred_at),
        "kind": viewer.t(f"stored_value.kind.{entry.kind}"),
        "amount": yuan(entry.amount),
        "principal": yuan(entry.principal),
        "bonus": yuan(entry.bonus),
        "balance_after": yuan(entry.balance_after),
        "about": entry.order_id or entry.reason or entry.reference or BLANK,
    }


class WalletSection:
    """Cards and stored value of one member; redrawn in place after an action."""

    def __init__(self, viewer: Viewer, member_id: int) -> None:
        self.viewer, self.member_id = viewer, member_id

    @property
    def operates(self) -> bool:
        return self.viewer.principal.can(Permission.loyalty_operate)

    @ui.refreshable_method
    def show(self) -> None:
        data = load(self.viewer, self.member_id)
        with ui.column().classes("w-full gap-4 member-wallet"):
            with ui.column().classes("w-full gap-2"):
                self._cards(data)
            with ui.column().classes("w-full gap-2"):
                self._stored_value(data.stored_value)

    def _heading(self, key: str, action: str, icon: str, on_click: Any) -> None:
        with ui.row().classes("w-full items-center"):
            ui.label(self.viewer.t(key)).classes("text-sm font-medium text-slate-600")
            ui.space()
            if self.operates:
                ui.button(self.viewer.t(action), icon=icon, on_click=on_click).props(
                    "outline dense no-caps size=sm color=primary"
                )

    def _figure(self, key: str, value: str) -> None:
        figure(self.viewer.t(key), value, key.rsplit(".", 1)[-1])

    def _cards(self, data: MemberWallet) -> None:
        t = self.viewer.t
        self._heading("member.benefit_cards", "wallet.buy_card", "card_membership", self._buy)
        ui.label(t("member.benefits_now", benefits=benefits_now(data.benefits, t))).classes(
            "text-sm text-slate-600"
        ).props("data-figure=benefits_now")
        if not data.holdings:
            ui.label(t("member.no_benefit_cards")).classes("text-sm text-slate-500")
            return
        rows = [holding_row(holding, self.viewer) for holding in data.holdings]
        columns = [(name, t(f"holding.{name}")) for name in HOLDING_COLUMNS]
        if self.operates:
            columns.append(("action", ""))
        grid = table(columns, rows, key="id")
        if self.operates:
            label = t("wallet.renew")
            grid.add_slot(
                "body-cell-action",
                f"""<q-td :props="props"><q-btn v-if="props.row.renewable" flat dense no-caps
                size="sm" color="primary" label="{label}"
                @click="$parent.$emit('renew', props.row)" /></q-td>""",
            )
            grid.on("renew", self._renew)

    def _stored_value(self, stored: StoredValueRead) -> None:
        t = self.viewer.t
        self._heading("member.stored_value", "wallet.top_up", "add_card", self._top_up)
        with ui.row().classes("w-full gap-8"):
            self._figure("member.stored_value_balance", yuan(stored.balance))
            self._figure("member.stored_value_principal", yuan(stored.principal))
            self._figure("member.stored_value_bonus", yuan(stored.bonus))
        if not stored.entries:
            ui.label(t("member.no_stored_value")).classes("text-sm text-slate-500")
            return
        rows = [entry_row(entry, self.viewer) for entry in stored.entries]
        table([(name, t(f"sv_entry.{name}")) for name in ENTRY_COLUMNS], rows, key="id")

    def _buy(self) -> None:
        PurchaseDialog(self.viewer, self.member_id, self.show.refresh).open()

    def _top_up(self) -> None:
        TopUpDialog(self.viewer, self.member_id, self.show.refresh).open()

    def _renew(self, event: events.GenericEventArguments) -> None:
        RenewDialog(self.viewer, self.member_id, event.args, self.show.refresh).open()
