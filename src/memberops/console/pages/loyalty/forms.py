"""What the loyalty page's forms share: text inputs read back as a rules document, and the
list of problems shown next to a form that was not saved.

Every rules document is validated whole by its room's own model (``TierLadder``,
``EarnRules``…), so the console refuses exactly what the API refuses and saves nothing then.
"""

from collections.abc import Callable, Sequence
from typing import Any

from nicegui import ui
from pydantic import ValidationError

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


def section_title(text: str) -> None:
    ui.label(text).classes("text-base font-semibold text-slate-700")


def table(columns: list[tuple[str, str]], rows: list[dict[str, Any]], key: str) -> ui.table:
    """A flat dense table of ``rows`` with ``(field, label)`` columns (numbers right-aligned
    when the field name says they are counts or money)."""
    numeric = ("points", "issued", "redeemed", "rate", "gmv", "balance", "stock", "members")
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
