"""A member's orders and behaviour events on the member page, newest first, a page at a time.

Read through activity's own list functions (the ones behind ``GET /members/{id}/orders`` and
``/events``), with the same cursor rule: ask for one row more than a page to know whether
another page follows. Each list keeps the trail of ids it paged from, so "previous" returns to
exactly the page seen before.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from memberops.activity import behaviour, orders
from memberops.activity.schemas import OrderRead
from memberops.console.formatting import BLANK, yuan
from memberops.console.pages.pager import Trail
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer

#: Rows per page of each list.
PAGE_SIZE = 10


@dataclass(frozen=True)
class _OrderRow:
    """An order as the API reads it (lines, masked address) with its row id for the cursor."""

    id: int
    read: OrderRead


class Paged:
    """One paginated list: a loader giving rows after an id (newest first) and a renderer."""

    def __init__(
        self,
        viewer: Viewer,
        load: Callable[[int | None, int], Sequence[Any]],
        render: Callable[[Sequence[Any]], None],
        empty: str,
    ) -> None:
        self.viewer = viewer
        self.load, self.render, self.empty = load, render, empty
        self.trail = Trail(lambda: self.show.refresh())

    @ui.refreshable_method
    def show(self) -> None:
        rows = self.load(self.trail.after, PAGE_SIZE + 1)
        if not rows:
            ui.label(self.empty).classes("text-sm text-slate-500")
            return
        self.render(rows[:PAGE_SIZE])
        self.trail.controls(self.viewer, rows, PAGE_SIZE)


def _table(viewer: Viewer, prefix: str, names: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    columns = [
        {
            "name": n,
            "label": viewer.t(f"{prefix}.{n}"),
            "field": n,
            "align": "right" if n in ("amount", "lines") else "left",
        }
        for n in names
    ]
    table = ui.table(columns=columns, rows=rows, row_key="key").classes("w-full")
    table.props('flat dense wrap-cells table-header-class="text-slate-500"')


class Timeline:
    """The orders and events cards of one member page."""

    def __init__(self, viewer: Viewer, member_id: int, channels: dict[str, str]) -> None:
        self.viewer, self.member_id, self.channels = viewer, member_id, channels

    def _channel(self, code: str | None) -> str:
        return self.channels.get(code, code) if code else BLANK

    def _orders(self, after: int | None, limit: int) -> Sequence[Any]:
        with transaction() as session:
            found = orders.list_orders(session, self.viewer.principal, self.member_id, after, limit)
            shown = orders.read_orders(session, self.viewer.principal, found)
        return [_OrderRow(o.id, read) for o, read in zip(found, shown, strict=True)]

    def _order_rows(self, rows: Sequence[Any]) -> None:
        t = self.viewer.t
        table = [
            {
                "key": read.external_id,
                "paid_at": self.viewer.when(read.paid_at),
                "external_id": read.external_id,
                "channel": self._channel(read.channel),
                "amount": yuan(read.amount),
                "status": t(f"order.status.{read.status.value}")
                + (f" {yuan(read.refunded)}" if read.status.value == "partially_refunded" else ""),
                "lines": len(read.lines),
            }
            for read in (row.read for row in rows)
        ]
        names = ("paid_at", "external_id", "channel", "amount", "status", "lines")
        _table(self.viewer, "order", names, table)

    def _events(self, after: int | None, limit: int) -> Sequence[Any]:
        with transaction() as session:
            return behaviour.list_events(
                session, self.viewer.principal, self.member_id, after, limit
            )

    def _event_rows(self, rows: Sequence[Any]) -> None:
        t = self.viewer.t
        table = [
            {
                "key": e.id,
                "occurred_at": self.viewer.when(e.occurred_at),
                "type": t(f"event.{e.type}"),
                "channel": self._channel(e.channel),
            }
            for e in rows
        ]
        _table(self.viewer, "event", ("occurred_at", "type", "channel"), table)

    def orders_list(self) -> None:
        Paged(self.viewer, self._orders, self._order_rows, self.viewer.t("member.no_orders")).show()

    def events_list(self) -> None:
        Paged(self.viewer, self._events, self._event_rows, self.viewer.t("member.no_events")).show()
