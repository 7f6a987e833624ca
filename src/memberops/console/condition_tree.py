"""The crowd builder's condition as the page edits it: groups (all / any, possibly negated) of
rules (a field, an operator and the value as typed), turned into the condition language's JSON
(docs/conditions.md) and back; and the names the builder's selects give a field's values.

Kept apart from the page, as ``listing.py`` is, so what matters — which rows are complete, how
a typed value becomes a JSON value of its field's type, which row a problem the compiler names
belongs to — is plain functions the tests call without a browser. Values are only translated,
never judged: ``abc`` typed as a whole number goes through as text, so the compiler's own
``conditions.invalid`` names the row, exactly as the API would.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from memberops.console.viewer import Viewer
from memberops.crowds.schemas import FieldRead

#: Operators in the order the operator select offers them, with their catalogue key
#: (``crowds.op.<key>``; a set field's ``=``, ``!=``, ``in``, ``not_in`` read
#: ``crowds.op.set.<key>``, because they ask whether the member holds a value).
OPS = {
    "within_days": "within_days",
    "not_within_days": "not_within_days",
    ">=": "ge",
    ">": "gt",
    "<=": "le",
    "<": "lt",
    "=": "eq",
    "!=": "ne",
    "between": "between",
    "in": "in",
    "not_in": "not_in",
    "is_set": "is_set",
    "is_not_set": "is_not_set",
}
#: Catalogue prefixes of the fields whose fixed values the console already names.
CHOICE_KEYS = {
    "member.gender": "gender",
    "lifecycle.stage": "stage",
    "rfm.type": "rfm_type",
    "rfm.segment": "segment",
    "clv.churn_risk": "risk",
}
#: The tier field, whose values are named by the tenant's own ladder.
TIER_FIELD = "loyalty.tier"
#: The local time a ``datetime-local`` input holds (``2026-11-01T09:30``).
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_WHOLE = re.compile(r"-?[0-9]+")


class Shape(Enum):
    """What a rule's value is, by its operator: nothing, a number of days, one value, a list
    or a ``[low, high]`` pair."""

    none = "none"
    days = "days"
    one = "one"
    many = "many"
    pair = "pair"


def shape(op: str) -> Shape:
    if op in ("is_set", "is_not_set"):
        return Shape.none
    if op in ("within_days", "not_within_days"):
        return Shape.days
    if op in ("in", "not_in"):
        return Shape.many
    return Shape.pair if op == "between" else Shape.one


def ordered_ops(known: FieldRead) -> list[str]:
    """The field's operators in the builder's order (the most used first)."""
    return [op for op in OPS if op in known.ops]


def first_op(known: FieldRead) -> str:
    """The operator a new rule on ``known`` starts with: ``within_days`` for a time, ``>=``
    for a figure or a tier, ``=`` for the rest."""
    return ordered_ops(known)[0]


def empty_value(op: str) -> Any:
    """A rule's value before anything is typed, in the shape its operator takes."""
    found = shape(op)
    if found is Shape.many:
        return []
    return [None, None] if found is Shape.pair else None


@dataclass(eq=False)
class Rule:
    """A leaf: ``value`` as the inputs hold it (text, a choice, True / False, a list of them
    for ``in``, ``[low, high]`` for ``between``)."""

    field: str = ""
    op: str = ""
    value: Any = None
    negated: bool = False


@dataclass(eq=False)
class Group:
    """``all`` or ``any`` of its children, or (``negated``) not that."""

    mode: str = "all"
    negated: bool = False
    children: list["Rule | Group"] = field(default_factory=list)


Node = Rule | Group
#: A place in a condition document: keys and list positions from its root.
Path = tuple[str | int, ...]


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _scalar(kind: str, raw: Any, timezone: str) -> Any:
    """One typed value as the condition language writes it; None while it is blank."""
    if _blank(raw):
        return None
    if kind == "bool" or not isinstance(raw, str):
        return raw
    text = raw.strip()
    if kind == "int":
        return int(text) if _WHOLE.fullmatch(text) else text
    if kind == "datetime":
        try:
            local = datetime.strptime(text, LOCAL_FORMAT).replace(tzinfo=ZoneInfo(timezone))
        except ValueError:
            return text
        return local.isoformat()
    return text


def typed_value(known: FieldRead, op: str, raw: Any, timezone: str) -> Any:
    """The rule's JSON value for its operator; None while it is incomplete (nothing typed, an
    empty list, half a pair). Never called for an operator that takes no value."""
    found = shape(op)
    if found is Shape.days:
        return _scalar("int", raw, timezone)
    if found is Shape.many:
        items = [_scalar(known.kind, item, timezone) for item in raw or []]
        return [item for item in items if item is not None] or None
    if found is Shape.pair:
        low, high = (_scalar(known.kind, item, timezone) for item in raw or [None, None])
        return None if low is None or high is None else [low, high]
    return _scalar(known.kind, raw, timezone)


def _local(value: Any, timezone: str) -> Any:
    """A stored time as the ``datetime-local`` input shows it, in the tenant's timezone."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(ZoneInfo(timezone)).strftime(LOCAL_FORMAT)


def _shown_scalar(kind: str, value: Any, timezone: str) -> Any:
    if kind == "bool":
        return value
    if kind == "datetime":
        return _local(value, timezone)
    return str(value)


def shown_value(kind: str, op: str, value: Any, timezone: str) -> Any:
    """A stored value as the inputs hold it (the reverse of :func:`typed_value`)."""
    found = shape(op)
    if found is Shape.none:
        return None
    if found is Shape.days:
        return str(value)
    if found in (Shape.many, Shape.pair) and isinstance(value, list):
        return [_shown_scalar(kind, item, timezone) for item in value]
    return _shown_scalar(kind, value, timezone)


@dataclass(frozen=True)
class Built:
    """A tree as a condition document (None when no rule is complete yet), with the node
    each place in it came from, so a problem the compiler names is shown on its row."""

    document: dict[str, Any] | None
    places: Mapping[Path, Node]

    def node_at(self, loc: Sequence[str | int]) -> Node | None:
        """The node nearest the problem at ``loc`` (``["body", "condition", "all", 1,
        "value"]``): the deepest place the location starts with."""
        path = tuple(loc)
        for prefix in ("body", "condition"):
            if path[:1] == (prefix,):
                path = path[1:]
        while path not in self.places and path:
            path = path[:-1]
        return self.places.get(path)


class _Builder:
    """One translation of a tree, collecting where each node landed."""

    def __init__(self, fields: Mapping[str, FieldRead], timezone: str) -> None:
        self.fields, self.timezone = fields, timezone
        self.places: dict[Path, Node] = {}

    def node(self, node: Node, path: Path) -> dict[str, Any] | None:
        inner = (*path, "not") if node.negated else path
        document = self.group(node, inner) if isinstance(node, Group) else self.rule(node)
        if document is None:
            return None
        self.places[path] = self.places[inner] = node
        return {"not": document} if node.negated else document

    def group(self, group: Group, path: Path) -> dict[str, Any] | None:
        children: list[dict[str, Any]] = []
        for child in group.children:
            document = self.node(child, (*path, group.mode, len(children)))
            if document is not None:
                children.append(document)
        return {group.mode: children} if children else None

    def rule(self, rule: Rule) -> dict[str, Any] | None:
        known = self.fields.get(rule.field)
        if known is None or rule.op not in known.ops:
            return None
        if shape(rule.op) is Shape.none:
            return {"field": rule.field, "op": rule.op}
        value = typed_value(known, rule.op, rule.value, self.timezone)
        return None if value is None else {"field": rule.field, "op": rule.op, "value": value}


def build(root: Group, fields: Mapping[str, FieldRead], timezone: str) -> Built:
    """The tree as a condition, leaving out the rules not complete yet (and the groups left
    empty by that), so a half-typed row never breaks the preview."""
    builder = _Builder(fields, timezone)
    return Built(builder.node(root, ()), builder.places)


def incomplete(node: Node, fields: Mapping[str, FieldRead], timezone: str) -> int:
    """How many rules of the tree are not complete (refused when saving: a crowd holds what
    the builder shows)."""
    if isinstance(node, Group):
        return sum(incomplete(child, fields, timezone) for child in node.children)
    return int(_Builder(fields, timezone).rule(node) is None)


def _parsed(document: Any, fields: Mapping[str, FieldRead], timezone: str) -> Node:
    if "not" in document:
        node = _parsed(document["not"], fields, timezone)
        node.negated = not node.negated
        return node
    for mode in ("all", "any"):
        if mode in document:
            children = [_parsed(child, fields, timezone) for child in document[mode]]
            return Group(mode, children=children)
    known = fields.get(document["field"])
    kind = known.kind if known is not None else "string"
    value = shown_value(kind, document["op"], document.get("value"), timezone)
    return Rule(document["field"], document["op"], value)


def parse(document: Mapping[str, Any], fields: Mapping[str, FieldRead], timezone: str) -> Group:
    """A stored condition as a tree to edit, under a root group (a lone rule or a negated
    group is put in one ``all`` group: the same members)."""
    node = _parsed(document, fields, timezone)
    if isinstance(node, Group) and not node.negated:
        return node
    return Group("all", children=[node])


def choice_labels(viewer: Viewer, known: FieldRead, tiers: Mapping[str, str]) -> dict[str, str]:
    """The field's values with the names the viewer reads (tier names from the tenant's
    ladder; genders, stages, RFM types… translated; tag codes as they are)."""
    if known.name == TIER_FIELD:
        return {code: tiers.get(code, code) for code in known.choices}
    prefix = CHOICE_KEYS.get(known.name)
    return {code: viewer.t(f"{prefix}.{code}") if prefix else code for code in known.choices}
