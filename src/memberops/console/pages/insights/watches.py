"""The watches tab (多维监控, seed 002): the figures an operator watches — dormant share, daily
GMV, coupon redemption rate, a crowd's size — each with its threshold, period and whom to
tell, with the last value read and the last notification, a page at a time, newest first; a
dialog to add one and a switch to pause (or resume) one, through the watches room as the
signed-in person (``insights:manage``; read-only otherwise). The worker reads each active watch
every quarter of an hour (docs/watches.md)."""

from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from operator import eq
from typing import Any, get_args

from nicegui import ui
from sqlalchemy.orm import Session

from memberops.console.formatting import BLANK, number, yuan
from memberops.console.i18n import Translate
from memberops.console.pages.loyalty.catalogue import CatalogueTab
from memberops.console.pages.loyalty.forms import CreateDialog, entered, section_title
from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.crowds import service as crowds
from memberops.tenancy.access import Permission
from memberops.watches import service
from memberops.watches.models import Direction, Figure, Period, Watch
from memberops.watches.schemas import Channel, WatchCreate, WatchPatch, WatchRead

COLUMNS = ("name", "figure", "rule", "period", "notify", "last_value", "notified", "state")
#: Crowds offered for a crowd-size watch (newest first; a tenant keeps far fewer).
CROWDS_OFFERED = 500
#: The dialog's text inputs, labelled ``watches.field.<name>``.
DIALOG_INPUTS = ("name", "threshold", "recipient")


def amount(figure: Figure, value: Decimal) -> str:
    """A figure's value in its unit: a share or rate in percent, GMV in yuan, a crowd in
    members."""
    if figure == Figure.daily_gmv:
        return yuan(int(value * 100))
    if figure == Figure.crowd_size:
        return number(int(value))
    return f"{value:.2f}%"


def watch_row(watch: WatchRead, crowd_names: dict[int, str], t: Translate) -> dict[str, Any]:
    """One watch as the tab's table shows it (all but its notification time, which is the
    viewer's to write)."""
    figure = t(f"watches.figure.{watch.figure.value}")
    if watch.crowd_id is not None:
        figure = f"{figure} · {crowd_names.get(int(watch.crowd_id), f'#{watch.crowd_id}')}"
    sign = ">" if watch.direction == Direction.above else "<"
    last = BLANK if watch.last_value is None else amount(watch.figure, watch.last_value)
    return {
        "id": watch.id,
        "active": watch.active,
        "name": watch.name,
        "figure": figure,
        "rule": f"{sign} {amount(watch.figure, watch.threshold)}",
        "period": t(f"watches.period.{watch.period.value}"),
        "notify": f"{t(f'watches.channel.{watch.channel}')} · {watch.recipient}",
        "last_value": last,
        "state": t("watches.watching" if watch.active else "watches.paused"),
        "toggle": t("watches.pause" if watch.active else "watches.resume"),
    }


def crowd_options(session: Session, viewer: Viewer) -> dict[int, str]:
    """The tenant's crowds a watch may count, ``id → name`` (none for a role that may not read
    crowds)."""
    if not viewer.principal.can(Permission.crowds_read):
        return {}
    found = crowds.list_crowds(session, viewer.principal, None, CROWDS_OFFERED)
    return {crowd.id: crowd.name for crowd in found}


class WatchesTab(CatalogueTab):
    """Watches of one tenant: a switch pauses one (it keeps its last value) or resumes it."""

    prefix, title, columns, icon = "watches", "watches.title", COLUMNS, "monitor_heart"
    said = ("watches.resumed", "watches.paused_done")
    read_only = "watches.read_only"
    manager = Permission.insights_manage

    def find(self, session: Session, after: int | None, limit: int) -> list[Watch]:
        return service.list_watches(session, self.viewer.principal, after, limit)

    def describe(self, session: Session, found: Sequence[Watch]) -> list[dict[str, Any]]:
        names = crowd_options(session, self.viewer)
        rows = []
        for watch in found:
            row = watch_row(service.read(watch), names, self.viewer.t)
            rows.append(row | {"notified": self.viewer.when(watch.notified_at)})
        return rows

    def row(self, item: dict[str, Any]) -> dict[str, Any]:
        return item

    def switch(self, session: Session, item_id: int, active: bool) -> None:
        service.update_watch(session, self.viewer.principal, item_id, WatchPatch(active=active))

    def create(self) -> None:
        with transaction() as session:
            options = crowd_options(session, self.viewer)
        WatchDialog(self.viewer, options, self.show.refresh).open()


class WatchDialog(CreateDialog):
    """The "new watch" form: the crowd select shows only for a crowd's size; the threshold is
    in the figure's unit, as the hint under it says."""

    def __init__(
        self, viewer: Viewer, crowd_names: dict[int, str], done: Callable[[], object]
    ) -> None:
        super().__init__(viewer, done)
        t = viewer.t
        with self.dialog, ui.card().classes("w-[30rem] gap-2"):
            section_title(t("watches.new"))
            self.name = self._input("name")
            self.figure = self._select("figure", Figure, Figure.dormant_share)
            self.crowd = ui.select(crowd_names, label=t("watches.field.crowd"), value=None)
            self.crowd.props("dense outlined").classes("w-full")
            self.crowd.bind_visibility_from(
                self.figure, "value", backward=partial(eq, Figure.crowd_size.value)
            )
            with ui.row().classes("w-full no-wrap gap-2"):
                self.direction = self._select("direction", Direction, Direction.above)
                self.threshold = self._input("threshold")
            unit = ui.label().classes("text-xs text-slate-400")
            unit.bind_text_from(self.figure, "value", backward=lambda f: t(f"watches.unit.{f}"))
            self.period = self._select("period", Period, Period.day)
            with ui.row().classes("w-full no-wrap gap-2"):
                channels = {c: t(f"watches.channel.{c}") for c in get_args(Channel)}
                self.channel = ui.select(channels, label=t("watches.field.channel"), value="log")
                self.channel.props("dense outlined").classes("w-full")
                self.recipient = self._input("recipient", "operator")
            self.buttons(t("watches.create"))

    def _input(self, name: str, value: str = "") -> ui.input:
        box = ui.input(self.viewer.t(f"watches.field.{name}"), value=value)
        return box.props("dense outlined").classes("w-full")

    def _select(self, name: str, choices: Any, value: Any) -> ui.select:
        """A select of an enumeration's members, each in the viewer's words."""
        options = {c.value: self.viewer.t(f"watches.{name}.{c.value}") for c in choices}
        box = ui.select(options, label=self.viewer.t(f"watches.field.{name}"), value=value.value)
        return box.props("dense outlined").classes("w-full")

    def document(self) -> dict[str, Any]:
        """The form as a ``WatchCreate`` body; the crowd only for a crowd's size."""
        figure = str(self.figure.value)
        return {
            "name": entered(self.name) or "",
            "figure": figure,
            "crowd_id": self.crowd.value if figure == Figure.crowd_size else None,
            "threshold": entered(self.threshold),
            "direction": self.direction.value,
            "period": self.period.value,
            "channel": self.channel.value,
            "recipient": entered(self.recipient) or "",
        }

    def where(self, loc: Sequence[str | int]) -> str:
        name = str(loc[0]) if loc else ""
        if name == "crowd_id":
            return self.viewer.t("watches.field.crowd")
        if name in (*DIALOG_INPUTS, "figure", "direction", "period", "channel"):
            return self.viewer.t(f"watches.field.{name}")
        return ".".join(map(str, loc))

    def store(self) -> str:
        body = WatchCreate.model_validate(self.document())
        with transaction() as session:
            service.create_watch(session, self.viewer.principal, body)
        return self.viewer.t("watches.created", name=body.name)
