"""The benefit cards tab (权益卡): the tenant's card types with their price, term, benefits and
how many members hold each now, a page at a time, newest first; a dialog to create one and a
switch to archive (or re-activate) one, both through the cards room's type verbs
(``loyalty:manage``; read-only otherwise)."""

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from operator import eq
from typing import Any

from nicegui import ui
from sqlalchemy.orm import Session

from memberops.console.formatting import BLANK, number, yuan
from memberops.console.i18n import Translate
from memberops.console.pages.loyalty.catalogue import CatalogueTab
from memberops.console.pages.loyalty.forms import CreateDialog, entered, section_title
from memberops.console.pages.loyalty.programme import template_options
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.loyalty.cards import queries, types
from memberops.loyalty.cards.models import CardType, PriceKind, ValidityUnit
from memberops.loyalty.cards.schemas import (
    CardBenefits,
    CardTypeCreate,
    CardTypePatch,
    CardTypeRead,
)

COLUMNS = ("name", "code", "price", "term", "benefits", "holders", "state")
#: Every text input of the dialog, labelled ``cards.field.<name>``.
DIALOG_FIELDS = (
    "code",
    "name",
    "price",
    "price_points",
    "validity_length",
    "discount_rate",
    "points_multiplier",
)


def describe_price(card: CardTypeRead, t: Translate) -> str:
    """What one term costs: free, yuan, or points."""
    if card.price_kind == PriceKind.money:
        return yuan(card.price)
    if card.price_kind == PriceKind.points:
        return t("cards.price.points", points=number(card.price_points or 0))
    return t("cards.price.free")


def describe_term(card: CardTypeRead, t: Translate) -> str:
    return t(f"cards.term.{card.validity_unit.value}", length=card.validity_length)


def _plain(value: Decimal) -> str:
    """0.95 → ``0.95``, 9.50 → ``9.5``, 2.00 → ``2``."""
    return f"{value.normalize():f}"


def benefit_parts(
    rate: Decimal, free_shipping: bool, multiplier: Decimal, t: Translate
) -> list[str]:
    """A discount rate, free shipping and a points multiplier in words, each only when it
    gives something ("9.5折 (5% off)", "free shipping", "points ×2")."""
    parts = []
    if rate < 1:
        off = _plain((1 - rate) * 100)
        parts.append(t("cards.benefit.discount", zhe=_plain(rate * 10), off=off))
    if free_shipping:
        parts.append(t("cards.benefit.free_shipping"))
    if multiplier > 1:
        parts.append(t("cards.benefit.multiplier", multiplier=_plain(multiplier)))
    return parts


def describe_benefits(benefits: CardBenefits, t: Translate) -> str:
    """What a card gives, in a line (its benefit parts and "2 coupons a month"); a blank for
    a card that gives nothing beyond being held."""
    parts = benefit_parts(
        benefits.discount_rate, benefits.free_shipping, benefits.points_multiplier, t
    )
    coupons = sum(coupon.quantity for coupon in benefits.monthly_coupons)
    if coupons:
        parts.append(t("cards.benefit.coupons", count=coupons))
    return " · ".join(parts) or BLANK


def card_row(card: CardTypeRead, t: Translate) -> dict[str, Any]:
    """One card type as the tab's table shows it."""
    return {
        "id": card.id,
        "active": card.active,
        "name": card.name,
        "code": card.code,
        "price": describe_price(card, t),
        "term": describe_term(card, t),
        "benefits": describe_benefits(card.benefits, t),
        "holders": number(card.holders),
        "state": t("cards.on_sale" if card.active else "cards.archived"),
        "toggle": t("cards.archive" if card.active else "cards.reactivate"),
    }


class CardsTab(CatalogueTab):
    """Card types of one tenant: a switch archives one (or puts it back on sale)."""

    prefix, title, columns, icon = "cards", "cards.types", COLUMNS, "card_membership"
    said = ("cards.reactivated", "cards.archived_done")
    read_only = "cards.read_only"

    def find(self, session: Session, after: int | None, limit: int) -> list[CardType]:
        return types.list_card_types(session, self.viewer.principal, after, limit)

    def describe(self, session: Session, found: Sequence[CardType]) -> list[CardTypeRead]:
        return queries.read_card_types(session, self.viewer.principal, found)

    def row(self, item: CardTypeRead) -> dict[str, Any]:
        return card_row(item, self.viewer.t)

    def switch(self, session: Session, item_id: int, active: bool) -> None:
        types.patch_card_type(session, self.viewer.principal, item_id, CardTypePatch(active=active))

    def create(self) -> None:
        with transaction() as session:
            options = template_options(session, self.viewer.principal)
        CardTypeDialog(self.viewer, options, self.show.refresh).open()


class CardTypeDialog(CreateDialog):
    """The "new card type" form: the price kind decides which price input shows; the monthly
    coupons are templates chosen from the tenant's, one of each a month."""

    def __init__(
        self, viewer: Viewer, templates: dict[int, str], done: Callable[[], object]
    ) -> None:
        super().__init__(viewer, done)
        t = viewer.t
        with self.dialog, ui.card().classes("w-[32rem] gap-2"):
            section_title(t("cards.new"))
            with ui.row().classes("w-full no-wrap gap-2"):
                self.code = self._input("code")
                self.name = self._input("name")
            kinds = {kind.value: t(f"cards.price_kind.{kind.value}") for kind in PriceKind}
            self.kind = ui.select(kinds, label=t("cards.field.price_kind"), value="money")
            self.kind.props("dense outlined").classes("w-full")
            self.price = self._priced("price", PriceKind.money)
            self.price_points = self._priced("price_points", PriceKind.points)
            with ui.row().classes("w-full no-wrap gap-2"):
                self.length = self._input("validity_length", "12")
                units = {unit.value: t(f"cards.unit.{unit.value}") for unit in ValidityUnit}
                self.unit = ui.select(units, label=t("cards.field.validity_unit"), value="months")
                self.unit.props("dense outlined").classes("w-full")
            with ui.row().classes("w-full no-wrap gap-2 items-center"):
                self.discount = self._input("discount_rate", "1.00")
                self.multiplier = self._input("points_multiplier", "1.00")
                self.shipping = ui.checkbox(t("cards.field.free_shipping"))
            self.coupons = ui.select(
                templates, label=t("cards.field.monthly_coupons"), value=[], multiple=True
            )
            self.coupons.props("dense outlined options-dense use-chips").classes("w-full")
            self.buttons(t("cards.create"))

    def _input(self, name: str, value: str = "") -> ui.input:
        box = ui.input(self.viewer.t(f"cards.field.{name}"), value=value)
        return box.props("dense outlined").classes("w-full")

    def _priced(self, name: str, kind: PriceKind) -> ui.input:
        """A price input shown only while ``kind`` is the chosen price kind."""
        box = self._input(name)
        return box.bind_visibility_from(self.kind, "value", backward=partial(eq, kind.value))

    def document(self) -> dict[str, Any]:
        """The form as a ``CardTypeCreate`` body; the price of the other kinds is left out."""
        kind = str(self.kind.value)
        return {
            "code": entered(self.code) or "",
            "name": entered(self.name) or "",
            "price_kind": kind,
            "price": entered(self.price) if kind == PriceKind.money else None,
            "price_points": entered(self.price_points) if kind == PriceKind.points else None,
            "validity_unit": self.unit.value,
            "validity_length": entered(self.length),
            "benefits": {
                "discount_rate": entered(self.discount) or "1.00",
                "free_shipping": bool(self.shipping.value),
                "points_multiplier": entered(self.multiplier) or "1.00",
                "monthly_coupons": [{"template_id": i} for i in self.coupons.value or []],
            },
        }

    def where(self, loc: Sequence[str | int]) -> str:
        """A field's location as the dialog labels it (``benefits.discount_rate`` too)."""
        names = [str(part) for part in loc if str(part) != "benefits"]
        name = names[0] if names else ""
        if name in (*DIALOG_FIELDS, "price_kind", "validity_unit", "monthly_coupons"):
            return self.viewer.t(f"cards.field.{name}")
        return ".".join(map(str, loc))

    def store(self) -> str:
        body = CardTypeCreate.model_validate(self.document())
        with transaction() as session:
            types.create_card_type(session, self.viewer.principal, body)
        return self.viewer.t("cards.created", name=body.name)
