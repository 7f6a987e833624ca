"""A lean form of a compiled condition, for counting a crowd: when every member it selects must
have a row of one one-to-one table (a leaf that a member without the row fails, under ``all``
alone — "bought in the last 30 days" needs a ``member_stats`` row), the query reads that table
instead of the members table.

The members table then only says who is not active: the few merged-away and erased records of
the tenant, read from their partial index and excluded (an anti-join), instead of every member
read to keep the active ones. The ids are the same, since every member-owned row carries its
member's tenant. A tree that reads a column of the members table itself (gender, birthday)
keeps the usual form.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, Table, exists, not_, select, true
from sqlalchemy.sql.visitors import iterate, replacement_traverse

from memberops.conditions.registry import Join, Subject


def _keyed(target: Any) -> bool:
    """A member-owned table (or an alias of one): it carries ``tenant_id`` and ``member_id``."""
    return isinstance(target, FromClause) and {"tenant_id", "member_id"} <= set(target.c.keys())


def _reads_members(members: Table, clauses: Sequence[ColumnElement[Any]]) -> bool:
    """Whether the clauses read a column of the members table other than its id."""
    for clause in clauses:
        for element in iterate(clause):
            table = getattr(element, "table", None)
            if table is members and getattr(element, "name", "id") != "id":
                return True
    return False


def anchored(
    subject: Subject,
    tenant_id: int,
    required: Sequence[tuple[Join, Any]],
    joins: Sequence[Join],
    predicate: ColumnElement[bool],
) -> Select[int] | None:
    """``SELECT member_id AS id`` from the first required table, with the other joins and the
    predicate moved onto its ``member_id`` (a leaf whose whole meaning is that row, true);
    None when no table can carry the query."""
    members = subject.table
    anchor, implied = next(((j, p) for j, p in required if _keyed(j.target)), (None, None))
    if anchor is None or _reads_members(members, [predicate, *(join.on for join in joins)]):
        return None
    member_id = anchor.target.c.member_id

    def swap(element: Any, **_: Any) -> Any:
        if implied is not None and element is implied:
            return true()
        return member_id if element is members.c.id else None

    def moved(clause: Any) -> Any:
        options: dict[str, Any] = {}
        return replacement_traverse(clause, options, swap)

    source: Any = anchor.target
    for join in joins:
        if join.key != anchor.key:
            source = source.outerjoin(join.target, moved(join.on))
    inactive = exists().where(
        members.c.tenant_id == tenant_id, members.c.id == member_id, not_(subject.active)
    )
    return (
        select(member_id.label("id"))
        .select_from(source)
        .where(moved(anchor.on), ~inactive, moved(predicate))
    )
