"""What the console's pages share, first made for the loyalty page's forms: text inputs read
back as a rules document and the list of problems shown next to a form that was not saved; and
the pieces every list and report draws alike — section title, table, empty state, headline
figure, and the switch that takes a row's thing off or back on.

Every rules document is validated whole by its room's own model (``TierLadder``,
``EarnRules``…), so the console refuses exactly what the API refuses and saves nothing then.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from nicegui import events, ui
from pydantic import ValidationError
from sqlalchemy.orm import Session

from memberops.console.pages.shell import transaction
from memberops.console.viewer import Viewer
from memberops.kernel.errors import DomainError

#: Turns an error's location (``("levels", 1, "qualify_spend")``) into words for the viewer.
Where = Callable[[Sequence[str | int]], str]


def dotted(loc: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in loc)


def problems(error: ValidationError | DomainError, where: Where = dotted) -> list[str]:
    """One line per offending field: from a model's validation, or from a domain error's
    ``errors`` (whose locations start with ``body`` as in a request), else its detail."""
    if isinstance(error, ValidationError):
        found = [(e["loc"], e["msg"]) for e in error.errors()]
    else:
        listed = error.fields.get("errors") or []
        found = [(e["loc"][1:] if e["loc"][:1] == ["body"] else e["loc"], e["msg"]) for e in listed]
        if not found:
            return [error.detail]
    return [f"{where(loc)}: {message}" for loc, message in found]


def field(value: object, name: str, *, enabled: bool = True, width: str = "w-24") -> ui.input:
    """A dense text input holding ``value`` (blank for None), marked ``data-field=<name>``;
    numbers are typed as text and parsed by the rules model, so a bad entry gets the model's
    own message."""
    box = ui.input(value="" if value is None else str(value))
    box.props(f"dense outlined data-field={name}").classes(width)
    box.set_enabled(enabled)
    return box


def entered(box: ui.input) -> str | None:
    """What was typed, trimmed; None when blank (an optional figure left out)."""
    text = str(box.value or "").strip()
    return text or None


class Problems:
    """The area next to a form that lists why it was not saved (empty when all is well)."""

    def __init__(self) -> None:
        self.area = ui.column().classes("gap-0")

    def show(self, lines: list[str]) -> None:
        self.area.clear()
        with self.area:
            for line in lines:
                ui.label(line).classes("text-sm text-negative").props("data-problem")

    def clear(self) -> None:
        self.area.clear()

    def attempt(self, save: Callable[[], str], where: Where = dotted) -> bool:
        """Run ``save`` (validate the form's document with its room's model, store it in a
        transaction) and announce the message it returns; when the model or the room refuses,
        list why here instead and answer False: nothing was saved, the form keeps its entries."""
        try:
            message = save()
        except (ValidationError, DomainError) as error:
            self.show(problems(error, where))
            return False
        ui.notify(message, type="positive")
        return True


class FormDialog(ABC):
    """A dialog holding a form: the subclass fills its card and ends it with :meth:`buttons`
    (the problems area, Cancel and the submit button); ``done`` redraws what the form changed."""

    problems: Problems

    def __init__(self, viewer: Viewer, done: Callable[[], object]) -> None:
        self.viewer, self.done = viewer, done
        self.dialog = ui.dialog()

    def buttons(self, label: str) -> None:
        """The problems area, then Cancel and the submit button labelled ``label``."""
        self.problems = Problems()
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button(self.viewer.t("common.cancel"), on_click=self.dialog.close).props(
                "flat no-caps"
            )
            ui.button(label, on_click=self.submit).props("unelevated no-caps color=primary")

    def open(self) -> None:
        self.dialog.open()

    @abstractmethod
    def submit(self) -> None:
        """Act on the form as typed."""


class CreateDialog(FormDialog):
    """A "new …" dialog over a list (a coupon template, a card type, a tag, a watch): the form
    is validated whole by its room's model and stored through the room; what either refuses is
    listed in the dialog and nothing is saved; once stored the dialog closes and the list is
    redrawn."""

    def where(self, loc: Sequence[str | int]) -> str:
        """A field's location as the dialog labels it (dotted unless the dialog says better)."""
        return dotted(loc)

    @abstractmethod
    def store(self) -> str:
        """Validate and store the form in a transaction; the message that announces it."""

    def submit(self) -> None:
        if self.problems.attempt(self.store, self.where):
            self.dialog.close()
            self.done()


def section_title(text: str) -> None:
    ui.label(text).classes("text-base font-semibold text-slate-700")


def table(
    columns: list[tuple[str, str]],
    rows: list[dict[str, Any]],
    key: str,
    numeric: tuple[str, ...] = (
        "points",
        "issued",
        "redeemed",
        "rate",
        "gmv",
        "balance",
        "stock",
        "members",
    ),
) -> ui.table:
    """A flat dense table of ``rows`` with ``(field, label)`` columns; numbers right-aligned
    when the field name starts with one of ``numeric`` (counts and money, unless told)."""
    spec = [
        {
            "name": name,
            "label": label,
            "field": name,
            "align": "right" if name.startswith(numeric) else "left",
        }
        for name, label in columns
    ]
    shown = ui.table(columns=spec, rows=rows, row_key=key).classes("w-full")
    shown.props('flat dense wrap-cells table-header-class="text-slate-500"')
    return shown


def empty_state(icon: str, text: str, *, large: bool = False) -> ui.column:
    """What a list shows when it has nothing (yet): a pale icon over the line that says why, or
    what to do (marked ``data-empty`` for the tests); returned so a page can mark it or add a
    link under the line."""
    with ui.column().classes("w-full items-center py-10 gap-2") as shown:
        ui.icon(icon, size="3rem" if large else "2.5rem").classes("text-slate-300")
        ui.label(text).classes("text-slate-500").props("data-empty")
    return shown


def figure(label: str, value: str, marker: str, *, hint: str = "", large: bool = False) -> None:
    """A headline number under its label, marked ``data-figure=<marker>`` so a test reads the
    figure the person sees; ``large`` for a report's own figures, small beside other facts."""
    with ui.column().classes("gap-0"):
        ui.label(label).classes("text-sm text-slate-500" if large else "text-xs text-slate-500")
        size = "text-2xl tabular-nums" if large else "text-xl"
        ui.label(value).classes(f"{size} font-semibold text-slate-800").props(
            f"data-figure={marker}"
        )
        if hint:
            ui.label(hint).classes("text-xs text-slate-400")


#: An action cell's button that switches its row on or off: red while the row is active; the
#: row carries ``active`` and the button's words in ``toggle``.
TOGGLE_BUTTON = """<q-btn flat dense no-caps size="sm"
    :color="props.row.active ? 'negative' : 'primary'" :label="props.row.toggle"
    @click="$parent.$emit('toggle', props.row)" />"""


def toggle_column(
    grid: ui.table, on_toggle: Callable[[events.GenericEventArguments], None]
) -> None:
    """Give ``grid``'s ``action`` column the switch, and call ``on_toggle`` with its row."""
    grid.add_slot("body-cell-action", f'<q-td :props="props">{TOGGLE_BUTTON}</q-td>')
    grid.on("toggle", on_toggle)


def switch_active(
    viewer: Viewer,
    row: dict[str, Any],
    patch: Callable[[Session, int, bool], object],
    said: tuple[str, str],
) -> bool:
    """Turn the row's thing on or off (``patch(session, id, active)``, through its room as the
    viewer) and say so: ``said`` is the message keys for (switched on, switched off), given the
    thing's ``name``. A refusal is shown instead; answers whether it switched."""
    active = not row["active"]
    try:
        with transaction() as session:
            patch(session, int(row["id"]), active)
    except DomainError as error:
        ui.notify(error.detail, type="negative")
        return False
    ui.notify(viewer.t(said[0] if active else said[1], name=row["name"]), type="positive")
    return True
