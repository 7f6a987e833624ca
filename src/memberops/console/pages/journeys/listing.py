"""The tenant's journeys, newest first, a page at a time: name, status, trigger, version, the
members who entered and those still moving, and when it last changed; with no journey, the
empty state points at the template gallery."""

from typing import Any

from nicegui import events, ui

from memberops.console.formatting import number
from memberops.console.journey_view import named
from memberops.console.pages.loyalty.forms import empty_state, section_title, table
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.journeys import console_queries, service
from memberops.journeys.schemas import JourneyRead
from memberops.tenancy.access import Permission

#: Journeys per page.
PAGE_SIZE = 20
COLUMNS = ("name", "status", "trigger", "version", "entered", "moving", "updated_at")


def row(journey: JourneyRead, counts: tuple[int, int], viewer: Viewer) -> dict[str, Any]:
    """One journey as the list shows it."""
    t = viewer.t
    entered, moving = counts
    return {
        "id": journey.id,
        "name": journey.name,
        "status": t(f"journeys.status.{journey.status.value}"),
        "trigger": named(t, "journeys.trigger", journey.trigger["type"]),
        "version": str(journey.version),
        "entered": number(entered),
        "moving": number(moving),
        "updated_at": viewer.when(journey.updated_at),
        "open": t("journeys.open"),
    }


class JourneyList:
    """The list with its pager, or the empty state."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.trail = Trail(lambda: self.show.refresh())

    @ui.refreshable_method
    def show(self) -> None:
        principal = self.viewer.principal
        with transaction() as session:
            found = service.list_journeys(session, principal, self.trail.after, PAGE_SIZE + 1)
            shown = [service.read(session, j) for j in found[:PAGE_SIZE]]
            counts = console_queries.entry_counts(session, principal, [int(j.id) for j in shown])
        with ui.card().classes("w-full shadow-sm gap-3"):
            self._toolbar()
            if shown:
                rows = [row(j, counts.get(int(j.id), (0, 0)), self.viewer) for j in shown]
                self._table(rows)
                self.trail.controls(self.viewer, found, PAGE_SIZE)
            else:
                self._empty()

    def _toolbar(self) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-center gap-2"):
            section_title(t("journeys.list"))
            ui.space()
            ui.button(
                t("journeys.gallery"),
                icon="auto_awesome",
                on_click=lambda: ui.navigate.to("/journeys/templates"),
            ).props("outline no-caps color=primary")
            if self.viewer.principal.can(Permission.campaigns_manage):
                ui.button(
                    t("journeys.new"), icon="add", on_click=lambda: ui.navigate.to("/journeys/new")
                ).props("unelevated no-caps color=primary")

    def _empty(self) -> None:
        t = self.viewer.t
        with empty_state("route", t("journeys.empty"), large=True).classes("journeys-empty"):
            ui.link(t("journeys.empty_gallery"), "/journeys/templates").classes("text-sm")

    def _table(self, rows: list[dict[str, Any]]) -> None:
        columns = [(name, self.viewer.t(f"journeys.col.{name}")) for name in COLUMNS]
        grid = table([*columns, ("action", "")], rows, key="id").classes("journeys-table")
        grid.add_slot(
            "body-cell-action",
            """<q-td :props="props"><q-btn flat dense no-caps size="sm" color="primary"
            :label="props.row.open" @click="$parent.$emit('open', props.row)" /></q-td>""",
        )
        grid.on("open", self._open)

    def _open(self, event: events.GenericEventArguments) -> None:
        ui.navigate.to(f"/journeys/{int(event.args['id'])}")
