"""A catalogue tab (coupon templates, benefit card types, watches): the tenant's items a page at a
time, newest first, under a title with a "new" button for managers; each row has a switch that
takes the item off (or back on) through its room as the signed-in person (``loyalty:manage``
unless the tab names another permission). A tab says what to read, how a row reads, how to
switch one and what "new" opens."""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

from nicegui import events, ui
from sqlalchemy.orm import Session

from memberops.console.pages.loyalty.forms import (
    empty_state,
    section_title,
    switch_active,
    table,
    toggle_column,
)
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.tenancy.access import Permission

#: Items per page.
PAGE_SIZE = 10


class CatalogueTab(ABC):
    """One catalogue; ``prefix`` names its catalogue keys: ``<prefix>.new`` (the button),
    ``<prefix>.empty`` and the columns' ``<prefix>.col.<name>``."""

    prefix: str
    #: The key of the tab's title.
    title: str
    columns: tuple[str, ...]
    #: The empty state's icon.
    icon: str
    #: Keys of the words a switch says: (switched on, switched off).
    said: tuple[str, str]
    #: Shown under the title to those who may not manage (empty: nothing).
    read_only: str = ""
    #: What it takes to add items and switch them.
    manager: Permission = Permission.loyalty_manage

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        self.trail = Trail(lambda: self.show.refresh())

    @property
    def manages(self) -> bool:
        return self.viewer.principal.can(self.manager)

    @abstractmethod
    def find(self, session: Session, after: int | None, limit: int) -> Sequence[Any]:
        """Up to ``limit`` items after the cursor ``after``, newest first (each with an ``id``)."""

    @abstractmethod
    def describe(self, session: Session, found: Sequence[Any]) -> list[Any]:
        """``found`` as the tab shows them, with their figures."""

    @abstractmethod
    def row(self, item: Any) -> dict[str, Any]:
        """One item as a table row: ``id``, ``name``, ``active``, ``toggle`` (the switch's
        words) and a cell per column."""

    @abstractmethod
    def switch(self, session: Session, item_id: int, active: bool) -> None:
        """Take the item off sale (``active`` False) or back on, as the viewer."""

    @abstractmethod
    def create(self) -> None:
        """Open the form that makes a new item (redrawing the tab once made)."""

    @ui.refreshable_method
    def show(self) -> None:
        t = self.viewer.t
        with transaction() as session:
            found = self.find(session, self.trail.after, PAGE_SIZE + 1)
            shown = self.describe(session, found[:PAGE_SIZE])
        with ui.card().classes("w-full shadow-sm gap-3"):
            with ui.row().classes("w-full items-center"):
                section_title(t(self.title))
                ui.space()
                if self.manages:
                    ui.button(t(f"{self.prefix}.new"), icon="add", on_click=self.create).props(
                        "unelevated no-caps color=primary"
                    )
            if self.read_only and not self.manages:
                ui.label(t(self.read_only)).classes("text-sm text-slate-500")
            if not shown:
                empty_state(self.icon, t(f"{self.prefix}.empty"))
                return
            self._table(shown)
            self.trail.controls(self.viewer, found, PAGE_SIZE)

    def _table(self, shown: list[Any]) -> None:
        columns = [(name, self.viewer.t(f"{self.prefix}.col.{name}")) for name in self.columns]
        if self.manages:
            columns.append(("action", ""))
        grid = table(columns, [self.row(item) for item in shown], key="id")
        if self.manages:
            toggle_column(grid, self._toggle)

    def _toggle(self, event: events.GenericEventArguments) -> None:
        if switch_active(self.viewer, event.args, self.switch, self.said):
            self.show.refresh()
