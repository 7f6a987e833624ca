"""The coupons tab: the tenant's templates with their stats, a page at a time, newest first;
a dialog to create one of the four kinds and a switch to deactivate (or reactivate) one, both
through the coupons room's template verbs (``loyalty:manage``)."""

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from operator import eq
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import ui
from sqlalchemy.orm import Session

from memberops.console.formatting import number, percent, yuan
from memberops.console.i18n import Translate
from memberops.console.pages.loyalty.catalogue import CatalogueTab
from memberops.console.pages.loyalty.forms import CreateDialog, entered, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.loyalty.coupons import templates
from memberops.loyalty.coupons.models import CouponKind, CouponTemplate
from memberops.loyalty.coupons.schemas import TemplateCreate, TemplatePatch, TemplateRead

COLUMNS = (
    "name",
    "kind",
    "value",
    "validity",
    "stock",
    "issued",
    "redeemed",
    "rate",
    "gmv",
    "state",
)
#: The kind-specific inputs of the dialog, each named as the kind that shows it.
KIND_INPUTS = (CouponKind.amount_off.value, CouponKind.percent_off.value, CouponKind.gift.value)
#: Every input of the dialog labelled ``coupons.field.<name>``.
DIALOG_FIELDS = (
    *KIND_INPUTS,
    "threshold",
    "valid_days",
    "valid_from",
    "valid_until",
    "stock",
    "per_member_limit",
    "points_price",
)


def describe_value(template: TemplateRead, t: Translate) -> str:
    """What a coupon gives, in a line: "¥20.00 off orders from ¥100.00", "20% off"…"""
    over = t("coupon.over", threshold=yuan(template.threshold)) if template.threshold else ""
    if template.kind == CouponKind.amount_off:
        return t("coupon.value.amount_off", amount=yuan(template.amount_off)) + over
    if template.kind == CouponKind.percent_off:
        return t("coupon.value.percent_off", percent=template.percent_off) + over
    if template.kind == CouponKind.gift:
        return t("coupon.value.gift", gift=template.gift) + over
    return t("coupon.value.free_shipping") + over


def describe_validity(template: TemplateRead, viewer: Viewer) -> str:
    if template.valid_days is not None:
        return viewer.t("coupon.valid_days", days=template.valid_days)
    return f"{viewer.when(template.valid_from)} – {viewer.when(template.valid_until)}"


class CouponsTab(CatalogueTab):
    """Templates of one tenant, with their stats: a switch deactivates one (or reactivates it)."""

    prefix, title, columns, icon = "coupons", "coupons.templates", COLUMNS, "confirmation_number"
    said = ("coupons.activated", "coupons.deactivated")

    def find(self, session: Session, after: int | None, limit: int) -> list[CouponTemplate]:
        return templates.list_templates(session, self.viewer.principal, after, limit)

    def describe(self, session: Session, found: Sequence[CouponTemplate]) -> list[TemplateRead]:
        return templates.read_templates(session, self.viewer.principal, found)

    def row(self, template: TemplateRead) -> dict[str, Any]:
        t, stats = self.viewer.t, template.stats
        stock = t("coupons.unlimited")
        if template.stock is not None:
            stock = t("coupons.stock_left", left=number(template.remaining or 0))
            stock += f" / {number(template.stock)}"
        return {
            "id": template.id,
            "active": template.active,
            "name": template.name,
            "kind": t(f"coupon.kind.{template.kind}"),
            "value": describe_value(template, t),
            "validity": describe_validity(template, self.viewer),
            "stock": stock,
            "issued": number(stats.issued),
            "redeemed": number(stats.redeemed),
            "rate": percent(stats.redemption_rate),
            "gmv": yuan(stats.gmv),
            "state": t("coupons.active" if template.active else "coupons.inactive"),
            "toggle": t("coupons.deactivate" if template.active else "coupons.activate"),
        }

    def switch(self, session: Session, item_id: int, active: bool) -> None:
        templates.patch_template(
            session, self.viewer.principal, item_id, TemplatePatch(active=active)
        )

    def create(self) -> None:
        TemplateDialog(self.viewer, self.show.refresh).open()


def local_day(text: str | None, timezone: str, *, end: bool) -> datetime | None:
    """A YYYY-MM-DD day of the tenant as the UTC instant it starts (or, for the last day of a
    window, the instant after it ends); None for a blank or malformed day, which the template
    model then reports as missing."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    start = datetime.combine(day + timedelta(days=1 if end else 0), time(), ZoneInfo(timezone))
    return start.astimezone(UTC)


class TemplateDialog(CreateDialog):
    """The "new template" form: the kind decides which value input shows; validity is a
    number of days after issue or a window of local days."""

    def __init__(self, viewer: Viewer, done: Callable[[], object]) -> None:
        super().__init__(viewer, done)
        t = viewer.t
        with self.dialog, ui.card().classes("w-[32rem] gap-2"):
            section_title(t("coupons.new"))
            self.name = ui.input(t("coupons.col.name")).props("dense outlined").classes("w-full")
            kinds = {kind.value: t(f"coupon.kind.{kind.value}") for kind in CouponKind}
            self.kind = ui.select(kinds, label=t("coupons.col.kind"), value="amount_off")
            self.kind.props("dense outlined").classes("w-full")
            self.values = {
                name: self._input(f"coupons.field.{name}").bind_visibility_from(
                    self.kind, "value", backward=partial(eq, name)
                )
                for name in KIND_INPUTS
            }
            self.threshold = self._input("coupons.field.threshold")
            with ui.row().classes("w-full no-wrap gap-2"):
                self.valid_days = self._input("coupons.field.valid_days")
                self.valid_from = self._input("coupons.field.valid_from").props("type=date")
                self.valid_until = self._input("coupons.field.valid_until").props("type=date")
            with ui.row().classes("w-full no-wrap gap-2"):
                self.stock = self._input("coupons.field.stock")
                self.limit = self._input("coupons.field.per_member_limit", "1")
                self.points_price = self._input("coupons.field.points_price")
            self.buttons(t("coupons.create"))

    def _input(self, key: str, value: str = "") -> ui.input:
        return ui.input(self.viewer.t(key), value=value).props("dense outlined").classes("w-full")

    def _document(self) -> dict[str, Any]:
        timezone = self.viewer.principal.timezone
        kind = str(self.kind.value)
        values = {name: entered(box) if kind == name else None for name, box in self.values.items()}
        return {
            "name": entered(self.name) or "",
            "kind": kind,
            **values,
            "threshold": entered(self.threshold) or "0",
            "valid_days": entered(self.valid_days),
            "valid_from": local_day(entered(self.valid_from), timezone, end=False),
            "valid_until": local_day(entered(self.valid_until), timezone, end=True),
            "stock": entered(self.stock),
            "per_member_limit": entered(self.limit),
            "points_price": entered(self.points_price),
        }

    def where(self, loc: Sequence[str | int]) -> str:
        """A field's location as the dialog labels it."""
        name = str(loc[0]) if loc else ""
        if name in ("name", "kind"):
            return self.viewer.t(f"coupons.col.{name}")
        if name in DIALOG_FIELDS:
            return self.viewer.t(f"coupons.field.{name}")
        return ".".join(map(str, loc))

    def store(self) -> str:
        body = TemplateCreate.model_validate(self._document())
        with transaction() as session:
            templates.create_template(session, self.viewer.principal, body)
        return self.viewer.t("coupons.created", name=body.name)
