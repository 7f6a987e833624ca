"""The loyalty page (会员权益): the tier ladder and members per tier, the earn rules and the
points liability, coupon templates with their stats, benefit card types, stored value's
liability and bonus tiers, and the check-in and perks rules — one tab each. Everything goes
through the loyalty rooms' services acting as the signed-in person, so what is saved is
validated and audited as an API change is."""

from typing import Protocol

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.console.pages.loyalty.cards import CardsTab
from memberops.console.pages.loyalty.coupons import CouponsTab
from memberops.console.pages.loyalty.points import PointsTab
from memberops.console.pages.loyalty.programme import ProgrammeTab
from memberops.console.pages.loyalty.stored_value import StoredValueTab
from memberops.console.pages.loyalty.tiers import TiersTab
from memberops.console.pages.shell import content, current_viewer, frame, to_login
from memberops.console.viewer import Viewer
from memberops.tenancy.access import Permission


class _Tab(Protocol):
    """A tab's view: built for the viewer, then drawn."""

    def __init__(self, viewer: Viewer) -> None: ...

    def show(self) -> None: ...


#: The tabs in order: catalogue key ``loyalty.tab.<name>`` and the view drawing it.
TABS: tuple[tuple[str, type[_Tab]], ...] = (
    ("tiers", TiersTab),
    ("points", PointsTab),
    ("coupons", CouponsTab),
    ("cards", CardsTab),
    ("stored_value", StoredValueTab),
    ("programme", ProgrammeTab),
)


def _tabs(viewer: Viewer) -> None:
    with (
        ui.tabs()
        .props("dense no-caps align=left active-color=primary")
        .classes("text-slate-600") as tabs
    ):
        shown = [ui.tab(name, label=viewer.t(f"loyalty.tab.{name}")) for name, _ in TABS]
    with ui.tab_panels(tabs, value=shown[0]).classes("w-full bg-transparent"):
        for tab, (_, view) in zip(shown, TABS, strict=True):
            with ui.tab_panel(tab).classes("p-0 gap-4"):
                view(viewer).show()


@ui.page("/loyalty")
def loyalty_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("loyalty.title"), "/loyalty")
    with content():
        ui.label(viewer.t("loyalty.title")).classes("text-2xl font-semibold text-slate-800")
        if not viewer.principal.can(Permission.loyalty_read):
            ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
            return None
        _tabs(viewer)
    return None
