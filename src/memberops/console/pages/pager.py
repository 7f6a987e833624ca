"""Paging of the console's newest-first lists (a member's orders and events, the coupon
templates) by the API's cursor rule: read one row more than a page to know whether another
page follows, and keep the trail of ids paged from, so "previous" returns to exactly the page
seen before."""

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from nicegui import ui

from memberops.console.viewer import Viewer


class Trail:
    """The cursors one list walked (None for the first page); moving redraws the list."""

    def __init__(self, redraw: Callable[[], object]) -> None:
        self.ids: list[int | None] = [None]
        self.redraw = redraw

    @property
    def after(self) -> int | None:
        """The cursor of the page shown."""
        return self.ids[-1]

    def move(self, after: int | None) -> None:
        """On to the page after row ``after``, or (None) back to the page before."""
        if after is None:
            self.ids.pop()
        else:
            self.ids.append(after)
        self.redraw()

    def controls(
        self,
        viewer: Viewer,
        rows: Sequence[Any],
        size: int,
        key: Callable[[Any], int] = attrgetter("id"),
    ) -> None:
        """Page number, previous and next under a list; ``rows`` is what was read for the page
        (up to ``size`` + 1 rows), so next is enabled only when another page follows; ``key``
        is a row's cursor (its ``id``, or the row itself for a list of ids)."""
        with ui.row().classes("w-full items-center justify-end gap-1"):
            ui.label(viewer.t("members.page", page=len(self.ids))).classes("text-xs text-slate-500")
            back = ui.button(icon="chevron_left", on_click=lambda: self.move(None))
            back.props("flat dense round size=sm").set_enabled(len(self.ids) > 1)
            forward = ui.button(icon="chevron_right").props("flat dense round size=sm")
            if len(rows) > size:
                last = key(rows[size - 1])
                forward.on_click(lambda: self.move(last))
            else:
                forward.disable()
