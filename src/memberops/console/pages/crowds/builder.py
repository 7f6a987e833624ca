"""The tree editor of the crowd builder: groups that hold all (全部满足) or any (任一满足) of
their rows and nested groups, each row and group negatable (不满足) and removable, each row a
field, an operator limited to that field's and a value input that fits them.

Adding, removing, negating or switching a group redraws the tree; choosing a field redraws its
row and an operator its value inputs, so nothing being typed elsewhere loses focus. Every edit
ends with ``changed()``, which the page debounces into a live preview."""

from collections.abc import Callable, Mapping

from nicegui import events, ui

from memberops.console.condition_tree import (
    OPS,
    Group,
    Node,
    Rule,
    empty_value,
    first_op,
    ordered_ops,
    shape,
)
from memberops.console.pages.crowds.values import ValueInputs
from memberops.console.viewer import Viewer
from memberops.crowds.schemas import FieldRead


class Choices:
    """What the selects of every row offer: the fields by name with their labels in the
    viewer's language, and each field's values with the names the viewer reads."""

    def __init__(
        self, viewer: Viewer, fields: list[FieldRead], values: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.viewer = viewer
        self.fields = {known.name: known for known in fields}
        self.values = values
        self.labels = {known.name: self._label(known) for known in fields}

    def _label(self, known: FieldRead) -> str:
        return known.labels.get(self.viewer.locale) or known.labels["en"]

    def field_options(self, held: str) -> dict[str, str]:
        """Every field, plus the one held when it is no longer known (shown by its name)."""
        return self.labels if held in self.labels or not held else {**self.labels, held: held}

    def op_options(self, known: FieldRead) -> dict[str, str]:
        t = self.viewer.t
        worded = ("=", "!=", "in", "not_in") if known.kind == "set" else ()
        return {
            op: t(f"crowds.op.set.{OPS[op]}" if op in worded else f"crowds.op.{OPS[op]}")
            for op in ordered_ops(known)
        }


class RuleRow:
    """One rule: negate, field, operator and value; the problem the preview found under it."""

    def __init__(
        self, choices: Choices, rule: Rule, remove: Callable[[], None], changed: Callable[[], None]
    ) -> None:
        self.choices, self.rule, self.changed = choices, rule, changed
        t = choices.viewer.t
        with ui.column().classes("crowd-rule w-full gap-0"):
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                negate = ui.checkbox(t("crowds.negate"), value=rule.negated)
                negate.classes("whitespace-nowrap").on_value_change(self._negate)
                field = ui.select(
                    choices.field_options(rule.field),
                    label=t("crowds.field"),
                    value=rule.field or None,
                    with_input=True,
                    on_change=self._choose_field,
                )
                field.props("dense outlined options-dense").classes("w-52 shrink-0")
                self.operator = ui.row().classes("items-center gap-2 grow min-w-0")
                ui.button(icon="close", on_click=remove).props(
                    f'flat dense round size=sm color=grey-7 aria-label="{t("crowds.remove")}"'
                )
            self.problem = ui.label().classes("text-xs text-negative pl-10").props("data-problem")
            self.problem.set_visibility(False)
        self._draw_operator()

    def _negate(self, event: events.ValueChangeEventArguments[bool | None]) -> None:
        self.rule.negated = bool(event.value)
        self.changed()

    def _choose_field(self, event: events.ValueChangeEventArguments[str]) -> None:
        """A new field starts over: its first operator and no value."""
        known = self.choices.fields.get(event.value or "")
        self.rule.field = event.value or ""
        self.rule.op = first_op(known) if known else ""
        self.rule.value = empty_value(self.rule.op)
        self._draw_operator()
        self.changed()

    def _choose_op(self, event: events.ValueChangeEventArguments[str]) -> None:
        """Another operator keeps the value when it takes the same shape (``>=`` to ``<``)."""
        if shape(event.value) is not shape(self.rule.op):
            self.rule.value = empty_value(event.value)
        self.rule.op = event.value
        self._draw_value()
        self.changed()

    def _draw_operator(self) -> None:
        self.operator.clear()
        known = self.choices.fields.get(self.rule.field)
        if known is None:
            return
        with self.operator:
            options = self.choices.op_options(known)
            op = ui.select(
                options,
                label=self.choices.viewer.t("crowds.op"),
                value=self.rule.op if self.rule.op in options else None,
                on_change=self._choose_op,
            )
            op.props("dense outlined options-dense").classes("w-40")
            self.value = ui.row().classes("items-center gap-2")
        self._draw_value()

    def _draw_value(self) -> None:
        known = self.choices.fields.get(self.rule.field)
        if known is None or self.rule.op not in known.ops:
            return
        self.value.clear()
        labels = self.choices.values.get(known.name, {})
        with self.value:
            ValueInputs(self.choices.viewer, known, self.rule, labels, self.changed).draw()

    def mark(self, message: str) -> None:
        """Show (or, blank, clear) the problem found on this rule."""
        self.problem.set_text(message)
        self.problem.set_visibility(bool(message))


class TreeEditor:
    """The whole condition; ``changed`` is called after every edit."""

    def __init__(self, choices: Choices, root: Group, changed: Callable[[], None]) -> None:
        self.choices, self.root, self.changed = choices, root, changed
        self.rows: dict[int, RuleRow] = {}
        self.groups: dict[int, ui.label] = {}

    def _edited(self) -> None:
        """After a change of the tree's shape: redraw it, then report the change."""
        self.show.refresh()
        self.changed()

    @ui.refreshable_method
    def show(self) -> None:
        self.rows, self.groups = {}, {}
        self._group(self.root, None)

    def _group(self, group: Group, parent: Group | None) -> None:
        border = "border-l-4 border-primary/40 pl-3" if parent else ""
        with ui.column().classes(f"crowd-group w-full gap-2 {border}"):
            self._group_header(group, parent)
            self.groups[id(group)] = (
                ui.label().classes("text-xs text-negative").props("data-problem")
            )
            self.groups[id(group)].set_visibility(False)
            for child in group.children:
                if isinstance(child, Group):
                    self._group(child, group)
                else:
                    self._rule(child, group)

    def _group_header(self, group: Group, parent: Group | None) -> None:
        t = self.choices.viewer.t
        with ui.row().classes("w-full items-center gap-2"):
            if parent is not None:
                negate = ui.checkbox(t("crowds.negate"), value=group.negated)
                negate.classes("whitespace-nowrap").on_value_change(
                    lambda event: self._negate(group, bool(event.value))
                )
            modes = {mode: t(f"crowds.mode.{mode}") for mode in ("all", "any")}
            mode = ui.toggle(modes, value=group.mode).props(
                "dense no-caps unelevated toggle-color=primary color=grey-2 text-color=grey-9"
            )
            mode.on_value_change(lambda event: self._switch(group, event.value))
            ui.space()
            ui.button(
                t("crowds.add_rule"), icon="add", on_click=lambda: self._add(group, Rule())
            ).props("flat dense no-caps color=primary")
            ui.button(
                t("crowds.add_group"),
                icon="account_tree",
                on_click=lambda: self._add(group, Group(children=[Rule()])),
            ).props("flat dense no-caps color=primary")
            if parent is not None:
                ui.button(icon="close", on_click=lambda: self._remove(parent, group)).props(
                    f'flat dense round size=sm color=grey-7 aria-label="{t("crowds.remove")}"'
                )

    def _rule(self, rule: Rule, parent: Group) -> None:
        self.rows[id(rule)] = RuleRow(
            self.choices, rule, lambda: self._remove(parent, rule), self.changed
        )

    def _add(self, group: Group, node: Node) -> None:
        group.children.append(node)
        self._edited()

    def _remove(self, parent: Group, node: Node) -> None:
        parent.children.remove(node)
        self._edited()

    def _negate(self, group: Group, negated: bool) -> None:
        group.negated = negated
        self.changed()

    def _switch(self, group: Group, mode: str) -> None:
        group.mode = mode
        self.changed()

    def mark(self, node: Node | None, message: str) -> None:
        """Show ``message`` on the row or group ``node`` (nothing when it is not drawn)."""
        if isinstance(node, Rule) and id(node) in self.rows:
            self.rows[id(node)].mark(message)
        elif isinstance(node, Group) and id(node) in self.groups:
            self.groups[id(node)].set_text(message)
            self.groups[id(node)].set_visibility(bool(message))

    def clear_marks(self) -> None:
        for row in self.rows.values():
            row.mark("")
        for label in self.groups.values():
            label.set_text("")
            label.set_visibility(False)
