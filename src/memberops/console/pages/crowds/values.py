"""The value inputs of a builder row, fitted to its field's type and operator: a whole number,
yuan, a share, a number or a local time typed in; days for ``within_days``; a select of the
field's values (a tier, a tag code, a gender, a stage…) or yes / no; several for ``in``; two
for ``between``; none for ``is_set``. Each writes what it holds into the rule at once; turning
it into the condition's JSON is ``console.condition_tree``'s business."""

from collections.abc import Callable, Mapping
from typing import Any

from nicegui import ui

from memberops.console.condition_tree import Rule, Shape, shape
from memberops.console.viewer import Viewer
from memberops.crowds.schemas import FieldRead

#: Catalogue key of the hint under a typed value, by field type.
HINTS = {"money": "crowds.hint.money", "ratio": "crowds.hint.ratio", "number": "crowds.hint.number"}


def _options(labels: Mapping[str, str], held: Any) -> dict[Any, str]:
    """``labels`` plus whatever the rule holds that is not among them (a tier since removed
    from the ladder), so a saved crowd always opens."""
    options: dict[Any, str] = dict(labels)
    for value in held if isinstance(held, list) else [held]:
        if value is not None and value not in options:
            options[value] = str(value)
    return options


class ValueInputs:
    """The inputs of one rule's value, drawn where the row puts them."""

    def __init__(
        self,
        viewer: Viewer,
        known: FieldRead,
        rule: Rule,
        labels: Mapping[str, str],
        changed: Callable[[], None],
    ) -> None:
        self.viewer, self.known, self.rule = viewer, known, rule
        self.labels, self.changed = labels, changed

    def draw(self) -> None:
        found = shape(self.rule.op)
        if found is Shape.days:
            box = self._text(self.rule.value, self.viewer.t("crowds.days"), self._set)
            box.props(f'suffix="{self.viewer.t("crowds.unit.days")}"').classes("w-28")
        elif found is Shape.one:
            self._single(self.rule.value, self.viewer.t("crowds.value"), self._set)
        elif found is Shape.many:
            self._many()
        elif found is Shape.pair:
            low, high = self.rule.value
            self._single(low, self.viewer.t("crowds.low"), lambda value: self._set_end(0, value))
            self._single(high, self.viewer.t("crowds.high"), lambda value: self._set_end(1, value))

    def _set(self, value: Any) -> None:
        self.rule.value = value
        self.changed()

    def _set_end(self, end: int, value: Any) -> None:
        self.rule.value[end] = value
        self.changed()

    def _text(self, value: Any, label: str, store: Callable[[Any], None]) -> ui.input:
        box = ui.input(label, value="" if value is None else str(value))
        box.on_value_change(lambda event: store(event.value))
        box.props("dense outlined")
        return box

    def _select(self, options: dict[Any, str], value: Any, label: str) -> ui.select:
        box = ui.select(options, label=label, value=value)
        box.props("dense outlined options-dense").classes("min-w-[9rem]")
        return box

    def _single(self, value: Any, label: str, store: Callable[[Any], None]) -> None:
        t, kind = self.viewer.t, self.known.kind
        if kind == "bool":
            box = self._select({True: t("common.yes"), False: t("common.no")}, value, label)
            box.on_value_change(lambda event: store(event.value))
        elif self.labels:
            box = self._select(_options(self.labels, value), value, label)
            box.on_value_change(lambda event: store(event.value))
        elif kind == "datetime":
            self._text(value, label, store).props("type=datetime-local stack-label")
        else:
            text = self._text(value, label, store).classes("w-36")
            if kind in HINTS:
                text.props(f'placeholder="{t(HINTS[kind])}"')
            if kind == "money":
                text.props('prefix="¥"')

    def _many(self) -> None:
        """Several of the field's values, or (a field without a list) values typed one by one,
        each ended with Enter."""
        held = list(self.rule.value or [])
        label = self.viewer.t("crowds.values")
        if self.labels:
            box = ui.select(_options(self.labels, held), label=label, value=held, multiple=True)
        else:
            options = {value: str(value) for value in held}
            box = ui.select(
                options, label=label, value=held, multiple=True, new_value_mode="add-unique"
            )
        box.props("dense outlined use-chips options-dense").classes("min-w-[12rem]")
        box.on_value_change(lambda event: self._set(list(event.value or [])))
