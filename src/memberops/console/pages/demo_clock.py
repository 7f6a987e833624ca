"""The demo clock's control in the header (``MEMBEROPS_DEMO_CLOCK``, admins only): the time
the process reads, and a dialog that moves it forward by hours or days, after which the page is
drawn again and says what the journeys did meanwhile (``console.demo_clock``).

The move runs in a worker thread (``run.io_bound``): a round per hour of a long move is work the
event loop every console page shares must not wait for."""

import logging
from datetime import timedelta
from typing import Any

from nicegui import app, run, ui

from memberops.console import demo_clock
from memberops.console.formatting import number
from memberops.console.viewer import Viewer
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.tenancy.models import Role

log = logging.getLogger("memberops.console")
UNITS = ("hours", "days")
#: Where the summary of a move waits for the page drawn again after it.
_SAID = "demo_clock_said"


def enabled(viewer: Viewer) -> bool:
    """Whether the viewer gets the control: a demo deployment and an admin."""
    settings: Settings = app.state.host.state.settings
    return settings.demo_clock and viewer.principal.role == Role.admin


def delta(amount: Any, unit: str) -> timedelta:
    """What the dialog asks for (ValueError when the amount is not a whole number)."""
    count = int(str(amount).strip())
    return timedelta(days=count) if unit == "days" else timedelta(hours=count)


def control(viewer: Viewer) -> None:
    """The header's button, showing the demo time; nothing when :func:`enabled` is False."""
    if not enabled(viewer):
        return
    t = viewer.t
    said = app.storage.user.pop(_SAID, None)
    if isinstance(said, str):  # what the last move did, kept across the page's reload
        ui.notify(said, type="positive", timeout=8000)
    shown = viewer.when(clock.now())
    ui.button(t("clock.button", time=shown), icon="schedule", on_click=lambda: _ask(viewer)).props(
        "flat dense no-caps color=white data-testid=demo-clock"
    ).classes("text-sm")


def _ask(viewer: Viewer) -> None:
    t = viewer.t
    with ui.dialog() as dialog, ui.card().classes("demo-clock gap-3 w-96"):
        ui.label(t("clock.title")).classes("text-base font-semibold")
        ui.label(t("clock.now", time=viewer.when(clock.now()))).classes("text-sm")
        with ui.row().classes("items-center gap-2 no-wrap"):
            amount = ui.input(t("clock.amount"), value="1").props("dense outlined").classes("w-28")
            unit = ui.toggle({u: t(f"clock.unit.{u}") for u in UNITS}, value="days")
        ui.label(t("clock.hint")).classes("text-xs text-slate-500")
        problem = ui.label("").classes("text-sm text-negative")
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button(t("common.cancel"), on_click=dialog.close).props("flat no-caps")
            go = ui.button(t("clock.move"), icon="fast_forward").props(
                "unelevated no-caps color=primary"
            )

    async def _move() -> None:
        try:
            wanted = delta(amount.value, str(unit.value))
        except ValueError:
            problem.set_text(t("clock.unreadable"))
            return
        go.props("loading")
        state = app.state.host.state
        try:
            moved = await run.io_bound(
                demo_clock.move, state.session_factory, state.settings, wanted
            )
        except ValueError as error:
            go.props(remove="loading")
            problem.set_text(str(error))
            return
        except Exception:  # the database was busy or away: the clock moved part of the way
            log.exception("the demo clock's move failed")
            go.props(remove="loading")
            problem.set_text(t("clock.failed", time=viewer.when(clock.now())))
            return
        if moved is None:  # the server is stopping
            return
        dialog.close()
        app.storage.user[_SAID] = t(
            "clock.moved",
            time=viewer.when(moved.now),
            entered=number(moved.entered),
            advanced=number(moved.advanced),
        )
        ui.navigate.reload()

    go.on_click(_move)
    dialog.open()
