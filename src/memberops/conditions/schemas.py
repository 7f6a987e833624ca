"""The condition tree as JSON, checked by pydantic before anything reads it.

A node is one of ``{"all": [node, …]}`` (every one holds), ``{"any": [node, …]}`` (at least
one), ``{"not": node}`` (the complement among the tenant's active members) and a leaf
``{"field": "stats.orders_365d", "op": ">=", "value": 2}``. Only the shape is checked here;
whether the field exists and takes that operator and value is the compiler's business, because
the fields are registered by the rooms at start-up.

Trees are bounded (:data:`MAX_DEPTH` levels, :data:`MAX_NODES` nodes, :data:`MAX_CHILDREN`
children per ``all`` / ``any``, :data:`MAX_VALUES` values per list), checked on the raw JSON
before pydantic descends into it, so a hostile body cannot make validation or compilation
recurse without end.
"""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Discriminator, Field, JsonValue, RootModel, Tag, model_validator

from memberops.kernel.schemas import Input

MAX_DEPTH = 8
MAX_NODES = 200
MAX_CHILDREN = 50
MAX_VALUES = 500


class Op(StrEnum):
    """What a leaf asks of its field's value; each field type takes a subset (the registry)."""

    eq = "="
    ne = "!="
    gt = ">"
    ge = ">="
    lt = "<"
    le = "<="
    in_ = "in"
    not_in = "not_in"
    between = "between"  # [low, high], both included
    within_days = "within_days"  # a time on or after N days before the evaluation time
    not_within_days = "not_within_days"  # no time, or one before that
    is_set = "is_set"
    is_not_set = "is_not_set"


class Leaf(Input):
    """One test of one field: ``value`` is a scalar, a list for ``in`` / ``not_in`` /
    ``between``, a whole number of days for ``within_days``, nothing for ``is_set``."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=3, max_length=64, pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
    op: Op
    value: JsonValue = None


class AllOf(Input):
    model_config = ConfigDict(extra="forbid")

    all: list["Node"] = Field(min_length=1, max_length=MAX_CHILDREN)


class AnyOf(Input):
    model_config = ConfigDict(extra="forbid")

    any: list["Node"] = Field(min_length=1, max_length=MAX_CHILDREN)


class NotOf(Input):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    not_: "Node" = Field(alias="not")


def _kind(value: Any) -> str | None:
    """Which node a raw JSON object (or a built model) is, by its keys."""
    if isinstance(value, Leaf | AllOf | AnyOf | NotOf):
        return {Leaf: "leaf", AllOf: "all", AnyOf: "any", NotOf: "not"}[type(value)]
    if not isinstance(value, dict):
        return None
    return next((key for key in ("all", "any", "not") if key in value), "leaf")


Node = Annotated[
    Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")]
    | Annotated[Leaf, Tag("leaf")],
    Discriminator(
        _kind,
        custom_error_type="condition_node",
        custom_error_message='a condition is {"all": [...]}, {"any": [...]}, {"not": {...}} '
        'or {"field": ..., "op": ..., "value": ...}',
    ),
]


def _children(item: dict[str, Any]) -> list[Any]:
    if "not" in item:
        return [item["not"]]
    found = item.get("all", item.get("any"))
    return found if isinstance(found, list) else []


def _measure(tree: Any) -> tuple[int, int]:
    """(depth, nodes) of a raw tree, walked without recursion and stopped as soon as either
    is over its bound, so the check costs little whatever was sent."""
    depth, nodes = 0, 0
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack and depth <= MAX_DEPTH and nodes <= MAX_NODES:
        item, level = stack.pop()
        if not isinstance(item, dict):
            continue
        nodes += 1
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in _children(item))
    return depth, nodes


class Condition(RootModel[Node]):
    """A whole condition tree (see the module docstring)."""

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        depth, nodes = _measure(data)
        if depth > MAX_DEPTH:
            raise ValueError(f"a condition may be nested at most {MAX_DEPTH} levels deep")
        if nodes > MAX_NODES:
            raise ValueError(f"a condition may hold at most {MAX_NODES} nodes")
        return data

    def document(self) -> dict[str, Any]:
        """The tree as stored and answered: plain JSON with ``not`` spelt as in requests."""
        dumped: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_none=False)
        return dumped
