"""What the journey editor knows of the definition language, read from the journeys room's own
models (``journeys.definition``) so a trigger or step kind added there appears in the editor
without a change here: each kind's fields in order, which of them hold JSON (a branch's
condition), and the document a form's entries make for ``JourneyCreate`` / ``JourneyPatch``.

A form keeps every entry as typed (text, or the id a picker chose); the room's model reads the
numbers and times, so the editor refuses exactly what the API refuses.
"""

import json
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel

from memberops.journeys.definition import Step, Trigger

#: One kind of trigger or step: its fields (``type`` left out) in the model's order.
Kinds = dict[str, tuple[str, ...]]


def _members(union: Any) -> list[type[BaseModel]]:
    """The models of an ``Annotated[A | B | …, Field(discriminator=…)]``."""
    inner = typing.get_args(union)[0]
    return [m for m in typing.get_args(inner) if isinstance(m, type)]


def _kinds(union: Any) -> Kinds:
    found: Kinds = {}
    for model in _members(union):
        fields = tuple(name for name in model.model_fields if name != "type")
        for kind in typing.get_args(model.model_fields["type"].annotation):
            found[str(kind)] = fields
    return found


@cache
def trigger_kinds() -> Kinds:
    return _kinds(Trigger)


@cache
def step_kinds() -> Kinds:
    return _kinds(Step)


def _holds_json(annotation: Any) -> bool:
    if typing.get_origin(annotation) is dict or annotation is dict:
        return True
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return any(_holds_json(a) for a in typing.get_args(annotation))
    return False


@cache
def json_fields() -> frozenset[str]:
    """Fields typed in as JSON (a condition): any trigger's or step's dict-valued field."""
    return frozenset(
        name
        for model in (*_members(Trigger), *_members(Step))
        for name, info in model.model_fields.items()
        if _holds_json(info.annotation)
    )


def entries(document: Mapping[str, Any]) -> dict[str, Any]:
    """A stored trigger or step as the form shows it: JSON fields as text."""
    return {
        name: json.dumps(value, ensure_ascii=False) if name in json_fields() else value
        for name, value in document.items()
    }


def document(kind: str, kinds: Kinds, entered: Mapping[str, Any]) -> dict[str, Any]:
    """The form's entries of one trigger or step as the model reads them: blank fields left
    out (the model's default), JSON fields parsed (ValueError naming the field otherwise)."""
    found: dict[str, Any] = {"type": kind}
    for name in kinds.get(kind, ()):
        value = entered.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        if name in json_fields() and isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise ValueError(f"{name}: {error.msg}") from None
        found[name] = value
    return found


def moved(items: list[Any], index: int, by: int) -> list[Any]:
    """``items`` with the one at ``index`` moved ``by`` places (kept within the list)."""
    to = min(max(index + by, 0), len(items) - 1)
    found = list(items)
    found.insert(to, found.pop(index))
    return found
