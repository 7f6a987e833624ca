"""The member page's recommendations card: what ``GET /members/{id}/recommendations``
answers — the products to suggest, best first, each with why — and when the figures behind
them were last rebuilt."""

from nicegui import ui

from memberops.console.formatting import BLANK
from memberops.console.pages.loyalty.forms import table
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.recommendations import service
from memberops.recommendations.schemas import RecommendationsRead

#: Items the card lists.
SHOWN = 10


class RecommendationsCard:
    """The recommendations card's contents for one member."""

    def __init__(self, viewer: Viewer, member_id: int) -> None:
        self.viewer = viewer
        with transaction() as session:
            self.data: RecommendationsRead = service.recommend(
                session, viewer.principal, member_id, SHOWN
            )

    def show(self) -> None:
        t, data = self.viewer.t, self.data
        with ui.column().classes("w-full gap-2 member-recommendations"):
            if not data.items:
                ui.label(t("recommendations.none")).classes("text-sm text-slate-500")
                return
            columns = [
                (name, t(f"recommendations.{name}"))
                for name in ("sku", "name", "category", "reason")
            ]
            rows = [
                {
                    "sku": item.sku,
                    "name": item.name,
                    "category": item.category or BLANK,
                    "reason": t(f"recommendations.reason.{item.reason.value}"),
                }
                for item in data.items
            ]
            table(columns, rows, "sku")
            if data.computed_at is not None:
                at = self.viewer.when(data.computed_at)
                ui.label(t("recommendations.computed_at", at=at)).classes("text-xs text-slate-500")
