"""What the template gallery's start form asks for, read from each built-in template's
parameters model (``journeys.templates``): one field per parameter in the model's order, with
its default as the form's first value, a picker for a coupon template or a fixed value (a
channel, a gender), text for the rest; and the parameters a form's entries make (blank ones left
out: the template's default). Plain data, so the tests read it without a browser."""

import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from pydantic import BaseModel

#: How a parameter is entered: a coupon template picker, a fixed value picker, or text.
COUPON, CHOICE, TEXT = "coupon", "choice", "text"


@dataclass(frozen=True)
class ParamField:
    """One parameter as the form asks for it."""

    name: str
    kind: str
    required: bool
    default: Any
    choices: tuple[str, ...] = ()


def _enum(annotation: Any) -> type[enum.Enum] | None:
    """The enum a field holds (alone or or-None), else None."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        for inner in typing.get_args(annotation):
            found = _enum(inner)
            if found is not None:
                return found
    return None


def _shown(value: Any) -> Any:
    """A default as the form shows it: an enum by value, a time to the minute."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def param_fields(model: type[BaseModel]) -> list[ParamField]:
    """The form's fields for a template's parameters model."""
    found = []
    for name, info in model.model_fields.items():
        required = info.is_required()
        default = None if required else _shown(info.get_default(call_default_factory=True))
        chosen = _enum(info.annotation)
        if name.endswith("template_id"):
            found.append(ParamField(name, COUPON, required, default))
        elif chosen is not None:
            values = tuple(str(member.value) for member in chosen)
            found.append(ParamField(name, CHOICE, required, default, values))
        else:
            found.append(ParamField(name, TEXT, required, default))
    return found


def first_values(fields: list[ParamField], coupons: Mapping[int, str]) -> dict[str, Any]:
    """What the form holds before anyone types: each default, and the newest coupon template
    for a coupon the template requires (so one click starts it)."""
    newest = max(coupons, default=None)
    return {f.name: newest if f.kind == COUPON and f.required else f.default for f in fields}


def params(entered: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters the form's entries make: blank ones left out (the template's default)."""
    found = {}
    for name, value in entered.items():
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            continue
        found[name] = value
    return found
