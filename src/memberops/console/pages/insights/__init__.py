"""The insights page (会员分层): lifecycle stages and RFM segments, predicted value, tags and
the watches on the tenant's figures — one tab each. Figures are read through the insights
room's queries as the signed-in person, so the page shows what ``GET /insights/overview``
answers; a manager may recompute them and keep the watches."""

from typing import Protocol

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from memberops.console.pages.insights.segments import SegmentsTab
from memberops.console.pages.insights.tags import TagsTab
from memberops.console.pages.insights.value import ValueTab
from memberops.console.pages.insights.watches import WatchesTab
from memberops.console.pages.shell import content, current_viewer, frame, to_login
from memberops.console.viewer import Viewer
from memberops.tenancy.access import Permission


class _Tab(Protocol):
    def __init__(self, viewer: Viewer) -> None: ...

    def show(self) -> None: ...


#: The tabs in order: catalogue key ``insights.tab.<name>`` and the view drawing it.
TABS: tuple[tuple[str, type[_Tab]], ...] = (
    ("segments", SegmentsTab),
    ("value", ValueTab),
    ("tags", TagsTab),
    ("watches", WatchesTab),
)


def _tabs(viewer: Viewer) -> None:
    with (
        ui.tabs()
        .props("dense no-caps align=left active-color=primary")
        .classes("text-slate-600") as tabs
    ):
        shown = [ui.tab(name, label=viewer.t(f"insights.tab.{name}")) for name, _ in TABS]
    with ui.tab_panels(tabs, value=shown[0]).classes("w-full bg-transparent"):
        for tab, (_, view) in zip(shown, TABS, strict=True):
            with ui.tab_panel(tab).classes("p-0 gap-4"):
                view(viewer).show()


@ui.page("/insights")
def insights_page(request: Request) -> RedirectResponse | None:
    viewer = current_viewer()
    if viewer is None:
        return to_login(request)
    frame(viewer, viewer.t("insights.title"), "/insights")
    with content():
        ui.label(viewer.t("insights.title")).classes("text-2xl font-semibold text-slate-800")
        if not viewer.principal.can(Permission.insights_read):
            ui.label(viewer.t("common.forbidden")).classes("text-slate-500")
            return None
        _tabs(viewer)
    return None
