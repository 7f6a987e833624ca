"""The fields conditions can name, registered by the rooms that own the data.

A field is ``room.field`` (``stats.orders_365d``), a :class:`Kind` that decides which
operators and values it takes, its labels in the console's languages, and a function that
builds its SQL for one tenant: the column expression and the joins it needs, and for fields
whose values are the tenant's own (its tier ladder, its tag codes) those values. Rooms call
:func:`register` from their ``conditions.py`` (through ``memberops.wiring``), and the members
room registers the :class:`Subject` — the members table conditions select from — so this
package imports no room.

What a field's SQL must hold to: a join adds at most one row per member (a one-to-one table
such as ``member_stats``, carrying ``tenant_id`` and ``member_id``; anything one-to-many is an
``EXISTS`` in the column instead); a joined field's column is NULL for a member without the row
(a value such members have, as 0 orders, is ``missing``, not a ``COALESCE``); and a ``bool``
field's expression is never NULL, but where ``missing`` stands in for it. NULL elsewhere means
"not set" (no stats row, no birthday): comparisons are false on it, and ``is_not_set`` / ``not``
find it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Table
from sqlalchemy.orm import Session

from memberops.conditions.schemas import Op


class Kind(StrEnum):
    """What a field's values are, and so what a leaf may ask of it."""

    int = "int"  # a whole number (a count, a month)
    money = "money"  # yuan strings in conditions ("199.00"), cents in SQL
    ratio = "ratio"  # a share between 0 and 1 (at most 4 decimals), kept as numerator / denominator
    datetime = "datetime"  # a UTC moment; ISO 8601 with a timezone in conditions
    number = "number"  # a decimal (expected purchases), at most 4 decimals, compared as written
    string = "string"  # text, or one of ``choices`` when the field has them
    ordinal = "ordinal"  # one of ordered ``choices`` (a tier); compared by place in the order
    set = "set"  # the member holds some of ``choices`` (tags): = holds it, in holds any of them
    bool = "bool"  # true or false, never unset


_ORDERED = frozenset({Op.eq, Op.ne, Op.gt, Op.ge, Op.lt, Op.le, Op.between})
_PRESENCE = frozenset({Op.is_set, Op.is_not_set})
#: The operators each kind takes.
OPS: dict[Kind, frozenset[Op]] = {
    Kind.int: _ORDERED | _PRESENCE | {Op.in_, Op.not_in},
    Kind.money: _ORDERED | _PRESENCE,
    Kind.ratio: _ORDERED | _PRESENCE,
    Kind.number: _ORDERED | _PRESENCE,
    Kind.datetime: (_ORDERED - {Op.eq, Op.ne}) | _PRESENCE | {Op.within_days, Op.not_within_days},
    Kind.string: _PRESENCE | {Op.eq, Op.ne, Op.in_, Op.not_in},
    Kind.ordinal: _ORDERED | _PRESENCE | {Op.in_, Op.not_in},
    Kind.set: frozenset({Op.eq, Op.ne, Op.in_, Op.not_in}),
    Kind.bool: frozenset({Op.eq, Op.ne}),
}


@dataclass(frozen=True)
class Scope:
    """What a field's SQL is built against: the tenant, the members table of the query (its
    ``id`` is what joins and ``EXISTS`` correlate on), the backend, the moment the condition
    is evaluated at (an age is counted to it), and the session, for a field whose values are
    the tenant's own settings (read, never written)."""

    tenant_id: int
    member: FromClause
    postgresql: bool
    as_of: datetime
    session: Session


@dataclass(frozen=True)
class Join:
    """An outer join a field needs, shared by every field naming the same ``key``."""

    key: str
    target: FromClause
    on: ColumnElement[bool]


@dataclass(frozen=True)
class FieldSql:
    """A field's value in SQL. ``denominator`` makes it a quotient compared exactly by cross
    multiplication (``spend / kept_orders >= v`` as ``spend >= v * kept_orders``); the value is
    unset where the denominator is 0 or NULL. ``choices`` are the tenant's own values when
    they replace the field's fixed ones (an ordinal field's column is then the place in them,
    0 first). A set field has no column: ``holds(values)`` is whether the member holds any of
    those values (an ``EXISTS``, never NULL).

    Two hints let the compiler write predicates a database can push into the joined table's
    scan (a predicate that is false on a missing row turns the outer join into an inner one):
    ``codes`` is an ordinal field's stored code, whose place in ``choices`` the column is (a
    comparison becomes ``codes IN (…)``); ``missing`` is the value of a member without the
    joined row (0 for a count) when the column is the stored one, NULL there (the compiler
    then asks for NULL only when ``missing`` meets the leaf). ``compare(op, value)`` is a
    field's own predicate for a comparison, never NULL, when it has one cheaper than computing
    the value on every row (an age as a range of birthdays); None leaves it to the compiler.
    ``row(value)`` is, for a set field, the join of the one row a member holds ``value`` by
    when there is one (a tag's row in ``member_tags``), so a count can be read from those rows
    (``conditions.anchor``); the join is for that alone, the leaf keeps ``holds``."""

    column: ColumnElement[Any] | None
    denominator: ColumnElement[Any] | None = None
    joins: tuple[Join, ...] = ()
    choices: tuple[str, ...] | None = None
    holds: Callable[[list[Any]], ColumnElement[bool]] | None = None
    codes: ColumnElement[Any] | None = None
    missing: int | bool | None = None
    compare: Callable[[Op, Any], ColumnElement[bool] | None] | None = None
    row: Callable[[Any], Join | None] | None = None


@dataclass(frozen=True)
class Field:
    """One field conditions can name. ``parse`` turns a money value as written (``"199.00"``)
    into cents; the money format belongs to the room that declares money fields."""

    name: str
    kind: Kind
    labels: Mapping[str, str]
    sql: Callable[[Scope], FieldSql]
    choices: tuple[str, ...] = ()
    parse: Callable[[object], int] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind == Kind.money and self.parse is None:
            raise ValueError(f"money field {self.name} needs parse")

    def label(self, locale: str) -> str:
        return self.labels.get(locale) or self.labels["en"]

    @property
    def ops(self) -> frozenset[Op]:
        return OPS[self.kind]


@dataclass(frozen=True, eq=False)
class Subject:
    """The table conditions select member ids from, and which of its rows count (active
    members: merged-away and erased ones are nobody's audience)."""

    table: Table
    active: ColumnElement[bool]


_FIELDS: dict[str, Field] = {}
_SUBJECT: list[Subject] = []


def register(*fields: Field) -> None:
    """Make ``fields`` nameable in conditions. Registering the same field again is harmless
    (every entry point registers at start-up); another field under a taken name is a bug."""
    for new in fields:
        known = _FIELDS.get(new.name)
        if known is not None and known != new:
            raise ValueError(f"condition field {new.name} is already registered differently")
        _FIELDS[new.name] = new


def register_subject(subject: Subject) -> None:
    """Set the members table conditions select from (once; again with the same is harmless)."""
    if _SUBJECT and _SUBJECT[0] is not subject:
        raise ValueError("the condition subject is already registered differently")
    _SUBJECT[:] = [subject]


def subject() -> Subject:
    if not _SUBJECT:
        raise RuntimeError("no condition subject: call memberops.wiring.register_handlers()")
    return _SUBJECT[0]


def get_field(name: str) -> Field | None:
    return _FIELDS.get(name)


def all_fields() -> list[Field]:
    """Every registered field, by name."""
    return [_FIELDS[name] for name in sorted(_FIELDS)]
