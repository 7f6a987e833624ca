"""The tenant's saved crowds, newest first, a page at a time: name, kind (动态 / 快照), size
when last counted and when that was; opening one shows its members below (``members.py``)."""

from typing import Any

from nicegui import events, ui

from memberops.console.formatting import number
from memberops.console.pages.crowds.members import CrowdMembers
from memberops.console.pages.loyalty.forms import empty_state, section_title, table
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service
from memberops.crowds.schemas import CrowdRead

#: Crowds per page.
PAGE_SIZE = 20
COLUMNS = ("name", "kind", "members", "counted_at", "description")


class SavedCrowds:
    """The list, and the crowd opened from it."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.trail = Trail(lambda: self.show.refresh())
        self.opened: CrowdMembers | None = None

    @ui.refreshable_method
    def show(self) -> None:
        principal = self.viewer.principal
        with transaction() as session:
            found = service.list_crowds(session, principal, self.trail.after, PAGE_SIZE + 1)
        shown = [service.read(crowd) for crowd in found[:PAGE_SIZE]]
        with ui.card().classes("w-full shadow-sm gap-3"):
            self._toolbar()
            if shown:
                self._table(shown)
                self.trail.controls(self.viewer, found, PAGE_SIZE)
            else:
                self._empty()
        if self.opened is not None:
            self.opened.show()

    def _toolbar(self) -> None:
        t = self.viewer.t
        with ui.row().classes("w-full items-center"):
            section_title(t("crowds.saved"))
            ui.space()
            ui.button(
                t("crowds.new"), icon="add", on_click=lambda: ui.navigate.to("/crowds/new")
            ).props("unelevated no-caps color=primary")

    def _empty(self) -> None:
        empty_state("filter_alt", self.viewer.t("crowds.empty"), large=True).classes("crowds-empty")

    def _row(self, crowd: CrowdRead) -> dict[str, Any]:
        t = self.viewer.t
        return {
            "id": crowd.id,
            "name": crowd.name,
            "kind": t(f"crowds.kind.{crowd.kind.value}"),
            "members": number(crowd.size),
            "counted_at": self.viewer.when(crowd.counted_at),
            "description": crowd.description,
            "open": t("crowds.show_members"),
        }

    def _table(self, shown: list[CrowdRead]) -> None:
        columns = [(name, self.viewer.t(f"crowds.list_col.{name}")) for name in COLUMNS]
        grid = table([*columns, ("action", "")], [self._row(crowd) for crowd in shown], key="id")
        grid.add_slot(
            "body-cell-action",
            """<q-td :props="props"><q-btn flat dense no-caps size="sm" color="primary"
            :label="props.row.open" @click="$parent.$emit('open', props.row)" /></q-td>""",
        )
        grid.on("open", self._open)

    def _open(self, event: events.GenericEventArguments) -> None:
        self.opened = CrowdMembers(self.viewer, int(event.args["id"]), self._gone)
        self.show.refresh()

    def _gone(self) -> None:
        """The opened crowd was deleted: close it and list what is left."""
        self.opened = None
        self.show.refresh()
