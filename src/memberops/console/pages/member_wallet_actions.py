"""What a till does from the member page: top up stored value (the bonus the tiers give shown
as the amount is typed), buy a benefit card and renew one — each through the rooms' service
verbs, exactly as ``POST …/stored-value/top-ups``, ``…/benefit-cards`` and ``…/renew`` do.

Each dialog draws one idempotency key when it opens and sends it with every submit, so a
double click or a retry after a lost answer records the payment once (the second answer is
the first one's replay). A bad entry is listed in the dialog; a refusal of the room (points
short, card already held, type archived…) is announced and changes nothing.
"""

import secrets
from abc import abstractmethod
from collections.abc import Callable
from typing import Any

from nicegui import ui
from pydantic import BaseModel, ValidationError

from memberops.activity.money import to_cents
from memberops.console.formatting import yuan
from memberops.console.pages.loyalty.cards import describe_price, describe_term
from memberops.console.pages.loyalty.forms import FormDialog, entered, problems, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.kernel.errors import DomainError
from memberops.loyalty.cards import queries as cards
from memberops.loyalty.cards import service as holdings
from memberops.loyalty.cards import types
from memberops.loyalty.cards.models import PriceKind
from memberops.loyalty.cards.schemas import CardTypeRead, PurchaseIn, RenewIn
from memberops.loyalty.wallet import service as wallet
from memberops.loyalty.wallet.rules import TopUpRules
from memberops.loyalty.wallet.schemas import TopUpIn
from memberops.members import service as members
from memberops.tenancy.sections import load_section

#: Card types offered for sale (newest first; a tenant keeps far fewer).
TYPES_OFFERED = 200


def dialog_key() -> str:
    """A fresh idempotency key for one opening of a dialog."""
    return f"console:{secrets.token_urlsafe(18)}"


def bonus_preview(rules: TopUpRules, typed: str | None) -> int | None:
    """The bonus a top-up of ``typed`` yuan gets, in cents; None while it is not an amount."""
    try:
        return rules.bonus_for(to_cents(typed))
    except ValueError:
        return None


class _Dialog(FormDialog):
    """A dialog with one key for its lifetime whose submit runs one room verb in a
    transaction; ``done`` redraws the member's card once it happened."""

    def __init__(self, viewer: Viewer, member_id: int, done: Callable[[], object]) -> None:
        super().__init__(viewer, done)
        self.member_id = member_id
        self.key = dialog_key()

    @abstractmethod
    def body(self) -> BaseModel:
        """The request body as typed (``ValidationError`` when it is not one)."""

    @abstractmethod
    def run(self, body: BaseModel) -> tuple[BaseModel, bool]:
        """The room's verb in a transaction: its answer and whether it happened now."""

    @abstractmethod
    def message(self, answer: Any) -> str:
        """What to announce once it happened."""

    def submit(self) -> None:
        try:
            body = self.body()
        except ValidationError as error:
            self.problems.show(problems(error))
            return
        try:
            answer, now = self.run(body)
        except DomainError as error:
            ui.notify(error.detail, type="negative")
            return
        shown = self.message(answer)
        if not now:
            shown = self.viewer.t("wallet.replayed", what=shown)
        ui.notify(shown, type="positive")
        self.dialog.close()
        self.done()


class TopUpDialog(_Dialog):
    """Money paid in at the till, its reference, and the bonus the tiers add."""

    def __init__(self, viewer: Viewer, member_id: int, done: Callable[[], object]) -> None:
        super().__init__(viewer, member_id, done)
        t = viewer.t
        with transaction() as session:
            self.rules = load_section(session, viewer.principal.tenant_id, TopUpRules)
        with self.dialog, ui.card().classes("w-[26rem] gap-2"):
            section_title(t("wallet.top_up"))
            self.amount = ui.input(t("wallet.field.amount"), on_change=self._preview)
            self.amount.props("dense outlined").classes("w-full")
            self.reference = ui.input(t("wallet.field.reference"))
            self.reference.props("dense outlined").classes("w-full")
            self.bonus = ui.label().classes("text-sm text-slate-600").props("data-bonus")
            self._preview()
            self.buttons(t("wallet.top_up"))

    def _preview(self) -> None:
        bonus = bonus_preview(self.rules, entered(self.amount))
        self.bonus.set_text(self.viewer.t("wallet.bonus_preview", bonus=yuan(bonus or 0)))

    def body(self) -> TopUpIn:
        typed = {"amount": entered(self.amount) or "", "reference": entered(self.reference)}
        return TopUpIn.model_validate(typed)

    def run(self, body: BaseModel) -> tuple[BaseModel, bool]:
        assert isinstance(body, TopUpIn)
        with transaction() as session:
            members.get_member(session, self.viewer.principal, self.member_id)
            return wallet.top_up(session, self.viewer.principal, self.member_id, body, self.key)

    def message(self, answer: Any) -> str:
        return self.viewer.t(
            "wallet.topped_up",
            amount=yuan(answer.amount),
            bonus=yuan(answer.bonus),
            balance=yuan(answer.balance),
        )


def on_sale(viewer: Viewer) -> list[CardTypeRead]:
    """The card types a member may buy now (archived ones are not sold)."""
    with transaction() as session:
        found = types.list_card_types(session, viewer.principal, None, TYPES_OFFERED)
        offered = [card for card in found if card.active]
        return cards.read_card_types(session, viewer.principal, offered)


class PurchaseDialog(_Dialog):
    """A card type chosen from those on sale; a money card also needs the payment's id."""

    def __init__(self, viewer: Viewer, member_id: int, done: Callable[[], object]) -> None:
        super().__init__(viewer, member_id, done)
        t = viewer.t
        self.offered = {card.id: card for card in on_sale(viewer)}
        options = {
            card_id: f"{card.name} · {describe_price(card, t)} / {describe_term(card, t)}"
            for card_id, card in self.offered.items()
        }
        with self.dialog, ui.card().classes("w-[28rem] gap-2"):
            section_title(t("wallet.buy_card"))
            if not options:
                ui.label(t("wallet.no_cards_on_sale")).classes("text-sm text-slate-500")
            first = next(iter(options), None)
            self.card = ui.select(options, label=t("wallet.field.card"), value=first)
            self.card.props("dense outlined").classes("w-full")
            self.reference = ui.input(t("wallet.field.payment_reference"))
            self.reference.props("dense outlined").classes("w-full")
            self.reference.bind_visibility_from(self.card, "value", backward=self._paid_in_money)
            self.buttons(t("wallet.buy"))

    def _paid_in_money(self, card_id: object) -> bool:
        card = self.offered.get(str(card_id))
        return card is not None and card.price_kind == PriceKind.money

    def body(self) -> PurchaseIn:
        card_id = self.card.value
        reference = entered(self.reference) if self._paid_in_money(card_id) else None
        return PurchaseIn.model_validate({"card_type_id": card_id, "payment_reference": reference})

    def run(self, body: BaseModel) -> tuple[BaseModel, bool]:
        assert isinstance(body, PurchaseIn)
        with transaction() as session:
            principal = self.viewer.principal
            return holdings.purchase(session, principal, self.member_id, body, self.key)

    def message(self, answer: Any) -> str:
        return self.viewer.t(
            "wallet.bought", name=answer.card_name, until=self.viewer.when(answer.ends_at)
        )


class RenewDialog(_Dialog):
    """One more term of a holding; a money card needs the payment's id."""

    def __init__(
        self,
        viewer: Viewer,
        member_id: int,
        holding: dict[str, Any],
        done: Callable[[], object],
    ) -> None:
        super().__init__(viewer, member_id, done)
        t = viewer.t
        self.holding_id = int(holding["id"])
        self.needs_reference = holding["price_kind"] == PriceKind.money
        with self.dialog, ui.card().classes("w-[26rem] gap-2"):
            section_title(t("wallet.renew_card", name=holding["card"]))
            ui.label(t("wallet.renew_hint", until=holding["ends_at"])).classes(
                "text-sm text-slate-600"
            )
            self.reference = ui.input(t("wallet.field.payment_reference"))
            self.reference.props("dense outlined").classes("w-full")
            self.reference.set_visibility(self.needs_reference)
            self.buttons(t("wallet.renew"))

    def body(self) -> RenewIn:
        reference = entered(self.reference) if self.needs_reference else None
        return RenewIn.model_validate({"payment_reference": reference})

    def run(self, body: BaseModel) -> tuple[BaseModel, bool]:
        assert isinstance(body, RenewIn)
        with transaction() as session:
            principal, member = self.viewer.principal, self.member_id
            return holdings.renew(session, principal, member, self.holding_id, body, self.key)

    def message(self, answer: Any) -> str:
        return self.viewer.t(
            "wallet.renewed", name=answer.card_name, until=self.viewer.when(answer.ends_at)
        )
