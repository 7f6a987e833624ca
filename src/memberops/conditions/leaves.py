"""What the compiler needs to know of a leaf beyond its SQL: the comparisons, an ordinal leaf
as the codes that meet it, and whether a member without the field's joined row meets it (the
row's ``missing`` value) — so a leaf that such a member fails can be written false on NULL,
and its table can carry the query (:mod:`.anchor`)."""

import operator
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, false, not_

from memberops.conditions.registry import Field, FieldSql, Kind
from memberops.conditions.schemas import Op

COMPARE: dict[Op, Callable[[Any, Any], Any]] = {
    Op.eq: operator.eq,
    Op.ne: operator.ne,
    Op.gt: operator.gt,
    Op.ge: operator.ge,
    Op.lt: operator.lt,
    Op.le: operator.le,
}


def ranked(codes: ColumnElement[Any], choices: Sequence[str], op: Op, value: Any) -> Any:
    """An ordinal leaf as the stored codes whose place meets it (``tier >= gold`` is ``tier IN
    ('gold', 'platinum', 'diamond')``): false where no code is stored or it left the list."""
    places = range(len(choices))
    if op == Op.is_not_set:
        return not_(ranked(codes, choices, Op.is_set, None))
    if op == Op.is_set:
        wanted = list(places)
    elif op == Op.between:
        wanted = [place for place in places if value[0] <= place <= value[1]]
    elif op in (Op.in_, Op.not_in):
        wanted = [place for place in places if (place in value) == (op == Op.in_)]
    else:
        wanted = [place for place in places if COMPARE[op](place, value)]
    if not wanted:
        return false()
    return and_(codes.is_not(None), codes.in_([choices[place] for place in wanted]))


def missing_meets(kind: Kind, op: Op, value: Any, missing: int | bool) -> bool:
    """Whether a member without the field's row — whose value is ``missing`` — meets the leaf."""
    if kind == Kind.bool:
        return missing == (value if op == Op.eq else not value)
    if op in (Op.is_set, Op.is_not_set):
        return op == Op.is_set
    if op == Op.between:
        return bool(value[0] <= missing <= value[1])
    if op in (Op.in_, Op.not_in):
        return (missing in value) == (op == Op.in_)
    return bool(COMPARE[op](missing, value))


def fails_missing(field: Field, sql: FieldSql, op: Op, value: Any) -> bool:
    """Whether a member without the field's joined row fails the leaf (its column is NULL
    there, or ``missing``)."""
    if sql.missing is not None:
        return not missing_meets(field.kind, op, value, sql.missing)
    return op not in (Op.is_not_set, Op.not_within_days)
