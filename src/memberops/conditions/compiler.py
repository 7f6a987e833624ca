"""Compile a condition tree to one SQLAlchemy Core query: ``SELECT members.id`` of one tenant's
active members for which the tree holds, with the outer joins its fields need.

Every leaf compiles to a predicate that is never NULL (an unset value makes a comparison
false, not unknown), so ``not`` is the exact complement among active members and ``any`` /
``all`` are plain OR / AND — the same sets on SQLite and PostgreSQL. Numbers are compared as
integers: money in cents, shares cross-multiplied with their denominators
(``discounted_orders * 10000 >= 8000 * orders_count``), so no float rounding decides who is in.

A field the registry does not know, an operator its kind does not take, or a value that does
not fit is :class:`~memberops.conditions.errors.InvalidCondition` naming its path in the tree.
"""

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, FromClause, Select, and_, func, not_, or_, select
from sqlalchemy.orm import Session

from memberops.conditions.anchor import anchored
from memberops.conditions.errors import InvalidCondition
from memberops.conditions.leaves import COMPARE, fails_missing, missing_meets, ranked
from memberops.conditions.registry import Field, FieldSql, Join, Kind, Scope, get_field, subject
from memberops.conditions.schemas import MAX_VALUES, AllOf, AnyOf, Condition, Leaf, Node, NotOf, Op
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql

#: Where a problem is: keys and list positions from the tree's root.
Loc = tuple[str | int, ...]
#: Shares are written with at most 4 decimals and compared as integers over this scale.
RATIO_SCALE = 10_000
MAX_DAYS = 36_500
INT64 = 2**63 - 1
MAX_TEXT = 200


def _invalid(at: Loc, path: Loc, message: str) -> InvalidCondition:
    where = ".".join(str(part) for part in path) or "condition"
    return InvalidCondition(
        f"{where}: {message}",
        path=where,
        errors=[{"loc": [*at, *path], "msg": message}],
    )


def _tree_loc(loc: Sequence[str | int]) -> Loc:
    """A pydantic location without the union tags it inserts where a node was expected
    (``("all", "all", 0, "leaf", "op")`` → ``("all", 0, "op")``)."""
    found: list[str | int] = []
    node_expected = True
    for part in loc:
        if node_expected and part in ("all", "any", "not", "leaf"):
            node_expected = False
            continue
        found.append(part)
        after_list = isinstance(part, int) and found[-2:-1] in (["all"], ["any"])
        node_expected = after_list or part == "not"
    return tuple(found)


def parse_condition(document: Any, at: Loc = ()) -> Condition:
    """A stored or typed-in tree as a :class:`Condition`; shape problems are
    ``conditions.invalid`` naming where, as a compile problem would be."""
    try:
        return Condition.model_validate(document)
    except ValidationError as exc:
        found = [
            (_tree_loc(e["loc"]), str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()
        ]
        problem = _invalid(at, *found[0])
        problem.fields["errors"] = [{"loc": [*at, *loc], "msg": msg} for loc, msg in found]
        raise problem from exc


def _whole(raw: object, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise ValueError(f"expected a whole number from {low} to {high}")
    return raw


def _decimal(raw: object) -> Decimal | None:
    """A finite number written as a JSON number or a string, at most 4 decimals; None when it
    is not one."""
    try:
        found = Decimal(str(raw)) if isinstance(raw, int | float | str) else None
    except InvalidOperation:
        return None
    if found is None or isinstance(raw, bool) or not found.is_finite():
        return None
    return found


def _ratio(raw: object) -> int:
    """A share 0..1 with at most 4 decimals, as an integer over :data:`RATIO_SCALE`."""
    share = _decimal(raw)
    if share is None or not 0 <= share <= 1:
        raise ValueError("expected a share from 0 to 1, e.g. 0.8")
    scaled = share * RATIO_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError("a share has at most 4 decimals")
    return int(scaled)


def _number(raw: object) -> float:
    """A number of at most 4 decimals and 12 digits before the point."""
    found = _decimal(raw)
    if found is None or abs(found) >= 10**12:
        raise ValueError("expected a number, e.g. 1.5")
    if found * RATIO_SCALE != (found * RATIO_SCALE).to_integral_value():
        raise ValueError("a number has at most 4 decimals")
    return float(found)


def _moment(raw: object) -> datetime:
    try:
        moment = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        if moment is None or moment.tzinfo is None:
            raise ValueError
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("expected an ISO 8601 time with its timezone") from None


def _text(raw: object, choices: Sequence[str]) -> str:
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_TEXT:
        raise ValueError(f"expected text of 1 to {MAX_TEXT} characters")
    if choices and raw not in choices:
        raise ValueError(f"expected one of {', '.join(choices)}")
    return raw


def _choice(raw: object, choices: Sequence[str]) -> str:
    """One of ``choices``, which an ordinal or set field must have (an empty list: none yet)."""
    if raw not in choices:
        raise ValueError(f"expected one of {', '.join(choices) or '(none yet)'}")
    return str(raw)


def _scalar(field: Field, raw: object, choices: Sequence[str]) -> Any:
    """One value as SQL compares it: ints, cents, scaled shares, numbers, UTC datetimes, text,
    an ordinal's place, a set's value, bools."""
    if field.kind == Kind.int:
        return _whole(raw, -INT64, INT64)
    if field.kind == Kind.money:
        assert field.parse is not None  # checked when the field was declared
        return field.parse(raw)
    if field.kind == Kind.ratio:
        return _ratio(raw)
    if field.kind == Kind.number:
        return _number(raw)
    if field.kind == Kind.datetime:
        return _moment(raw)
    if field.kind == Kind.string:
        return _text(raw, choices)
    if field.kind == Kind.ordinal:
        return choices.index(_choice(raw, choices))
    if field.kind == Kind.set:
        return _choice(raw, choices)
    if not isinstance(raw, bool):
        raise ValueError("expected true or false")
    return raw


def _values(field: Field, op: Op, raw: object, choices: Sequence[str]) -> Any:
    """The leaf's value for its operator: none, a number of days, a list, a pair or one."""
    if op in (Op.is_set, Op.is_not_set):
        if raw is not None:
            raise ValueError(f"{op.value} takes no value")
        return None
    if op in (Op.within_days, Op.not_within_days):
        return _whole(raw, 0, MAX_DAYS)
    if op in (Op.in_, Op.not_in):
        if not isinstance(raw, list) or not 0 < len(raw) <= MAX_VALUES:
            raise ValueError(f"{op.value} takes a list of 1 to {MAX_VALUES} values")
        return [_scalar(field, item, choices) for item in raw]
    if op == Op.between:
        if not isinstance(raw, list) or len(raw) != 2:
            raise ValueError("between takes [low, high]")
        low, high = _scalar(field, raw[0], choices), _scalar(field, raw[1], choices)
        if low > high:
            raise ValueError("between needs low <= high")
        return low, high
    return _scalar(field, raw, choices)


def _column(sql: FieldSql) -> ColumnElement[Any]:
    assert sql.column is not None  # every kind but set has one (checked when compiled)
    return sql.column


def _present(sql: FieldSql) -> ColumnElement[bool]:
    """The value is set: not NULL and, for a quotient, over a positive denominator."""
    present = _column(sql).is_not(None)
    if sql.denominator is None:
        return present
    return and_(present, func.coalesce(sql.denominator, 0) > 0)


def _ordered(kind: Kind, sql: FieldSql, op: Op, value: Any) -> ColumnElement[bool]:
    """A comparison of a number (cross-multiplied for quotients) or a time with the value."""
    scale = RATIO_SCALE if kind == Kind.ratio else 1
    column = _column(sql)
    left = column * scale if scale != 1 else column
    den = sql.denominator

    def right(v: Any) -> Any:
        return v if den is None else den * v

    if op == Op.between:
        low, high = value
        return and_(left >= right(low), left <= right(high))
    if op == Op.in_:
        return column.in_(value)
    if op == Op.not_in:
        return column.not_in(value)
    compared: ColumnElement[bool] = COMPARE[op](left, right(value))
    return compared


def _holds(sql: FieldSql, op: Op, value: Any) -> Any:
    """A set field: holds the value (``=``), not (``!=``), any of them (``in``) or none."""
    assert sql.holds is not None  # a set field's SQL is its membership test
    if op in (Op.eq, Op.ne):
        held = sql.holds([value])
        return held if op == Op.eq else not_(held)
    held = sql.holds(list(value))
    return held if op == Op.in_ else not_(held)


def _predicate(
    field: Field, sql: FieldSql, op: Op, value: Any, as_of: datetime, choices: Sequence[str]
) -> Any:
    if sql.missing is not None:
        # On the stored column, so that a leaf a missing row fails is false on NULL: the
        # database then joins only the rows that meet it. The same set as COALESCE(column,
        # missing) would select.
        assert field.kind in (Kind.int, Kind.money, Kind.bool)  # as declared by the room
        assert sql.denominator is None
        column = _column(sql)
        stored = _predicate(field, replace(sql, missing=None), op, value, as_of, choices)
        found = and_(column.is_not(None), stored)
        if missing_meets(field.kind, op, value, sql.missing):
            return or_(column.is_(None), found)
        return found
    if field.kind == Kind.set:
        return _holds(sql, op, value)
    if field.kind == Kind.ordinal and sql.codes is not None:
        return ranked(sql.codes, choices, op, value)
    if field.kind == Kind.bool:
        holds = value if op == Op.eq else not value
        column = _column(sql)
        return column if holds else not_(column)
    own = sql.compare(op, value) if sql.compare is not None else None
    if own is not None:
        return own
    present = _present(sql)
    if op == Op.is_set:
        return present
    if op == Op.is_not_set:
        return not_(present)
    if op in (Op.within_days, Op.not_within_days):
        recent = _column(sql) >= as_of - timedelta(days=value)
        return and_(present, recent) if op == Op.within_days else or_(not_(present), not_(recent))
    return and_(present, _ordered(field.kind, sql, op, value))


class _Compiler:
    """One compilation: the scope, the evaluation time, and the joins the leaves asked for."""

    def __init__(self, scope: Scope, as_of: datetime, at: Loc) -> None:
        self.scope, self.as_of, self.at = scope, as_of, at
        self.joins: dict[str, Join] = {}
        # Joins whose row every selected member must have, each with the leaf's predicate
        # when having the row is all it says (a set leaf's row), else None.
        self.required: list[tuple[Join, Any]] = []

    def node(self, node: Node, path: Loc) -> Any:
        if isinstance(node, AllOf):
            return and_(*self.children(node.all, (*path, "all")))
        if isinstance(node, AnyOf):
            return or_(*self.children(node.any, (*path, "any")))
        if isinstance(node, NotOf):
            return not_(self.node(node.not_, (*path, "not")))
        return self.leaf(node, path)

    def children(self, nodes: Sequence[Node], path: Loc) -> list[Any]:
        return [self.node(child, (*path, index)) for index, child in enumerate(nodes)]

    def leaf(self, leaf: Leaf, path: Loc) -> Any:
        field = get_field(leaf.field)
        if field is None:
            raise _invalid(self.at, (*path, "field"), f"no condition field {leaf.field!r}")
        if leaf.op not in field.ops:
            ops = ", ".join(sorted(op.value for op in field.ops))
            message = f"{field.name} is a {field.kind.value} field; its operators are {ops}"
            raise _invalid(self.at, (*path, "op"), message)
        sql = field.sql(self.scope)
        choices = field.choices if sql.choices is None else sql.choices
        try:
            value = _values(field, leaf.op, leaf.value, choices)
        except ValueError as exc:
            raise _invalid(self.at, (*path, "value"), str(exc)) from exc
        for join in sql.joins:
            self.joins.setdefault(join.key, join)
        under_all = all(part == "all" or isinstance(part, int) for part in path)
        if under_all and len(sql.joins) == 1 and fails_missing(field, sql, leaf.op, value):
            self.required.append((sql.joins[0], None))
        predicate = _predicate(field, sql, leaf.op, value, self.as_of, choices)
        row = sql.row(value) if sql.row is not None and leaf.op == Op.eq else None
        if under_all and row is not None:
            self.required.append((row, predicate))
        return predicate


def _scope(session: Session, tenant_id: int, as_of: datetime) -> Scope:
    return Scope(tenant_id, subject().table, is_postgresql(session), as_of, session)


def field_choices(session: Session, tenant_id: int, field: Field) -> tuple[str, ...]:
    """The values ``field`` takes in this tenant: its own list (a tier ladder, tag codes), its
    fixed one, or none (any value of its type)."""
    tenants = field.sql(_scope(session, tenant_id, clock.now())).choices
    return field.choices if tenants is None else tenants


def compile_condition(
    session: Session,
    tenant_id: int,
    condition: Condition,
    *,
    as_of: datetime | None = None,
    at: Loc = (),
    lean: bool = False,
) -> Select[int]:
    """``SELECT id`` of the tenant's active members the condition holds for; times in
    ``within_days`` count back from ``as_of`` (now when None). ``at`` prefixes the locations
    of problems (``("body", "condition")``). ``lean`` allows the form of :mod:`.anchor`, which
    may not select from the members table: a caller may wrap it (count, order by its column,
    use it as a subquery) but not add conditions on the members table."""
    base, moment = subject(), as_of or clock.now()
    scope = _scope(session, tenant_id, moment)
    compiler = _Compiler(scope, moment, at)
    predicate = compiler.node(condition.root, ())
    joins = list(compiler.joins.values())
    found = anchored(base, tenant_id, compiler.required, joins, predicate) if lean else None
    if found is not None:
        return found
    source: FromClause = base.table
    for join in compiler.joins.values():
        source = source.outerjoin(join.target, join.on)
    return (
        select(base.table.c.id)
        .select_from(source)
        .where(base.table.c.tenant_id == tenant_id, base.active, predicate)
    )


#: Where a request body holds its condition, for the locations of its problems.
BODY_CONDITION: Loc = ("body", "condition")


def check_condition(
    session: Session, tenant_id: int, document: Any, at: Loc = BODY_CONDITION
) -> dict[str, Any]:
    """The condition as stored, once it parses and compiles for the tenant
    (``conditions.invalid`` naming ``body.condition…`` otherwise)."""
    condition = parse_condition(document, at=at)
    compile_condition(session, tenant_id, condition, at=at)
    return condition.document()
