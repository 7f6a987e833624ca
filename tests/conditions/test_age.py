"""``member.age`` compared as a range of birthdays selects the members the YYYYMMDD rule does:
on the days around each bound, for birthdays on Feb 29 and in the future, evaluated on a
common day, on Feb 28 of a common year and on Feb 29 — on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from memberops.conditions.compiler import compile_condition, parse_condition
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Tenant
from tests.conditions.support import make_member

MOMENTS = [
    datetime(2026, 11, 1, 4, tzinfo=UTC),
    datetime(2027, 2, 28, 4, tzinfo=UTC),
    datetime(2028, 2, 29, 4, tzinfo=UTC),
]
AGES = [0, 1, 25, 26, 30]
OPS = ["=", "!=", ">", ">=", "<", "<=", "between", "in", "not_in"]


def _number(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _age(today: date, born: date) -> int:
    """The YYYYMMDD difference over 10,000, truncated as SQL divides integers (a birthday in
    the future is age 0 within its first year)."""
    difference = _number(today) - _number(born)
    return difference // 10_000 if difference >= 0 else -(-difference // 10_000)


def _shifted(day: date, years: int, days: int) -> date:
    """``day`` ``years`` earlier (Feb 29 becomes Feb 28), then ``days`` later."""
    base = date(day.year - years, day.month, 28) if (day.month, day.day) == (2, 29) else None
    start = base or date(day.year - years, day.month, day.day)
    return date.fromordinal(start.toordinal() + days)


def _holds(age: int | None, op: str, value: Any) -> bool:
    if age is None:
        return False
    return {
        "=": lambda: age == value,
        "!=": lambda: age != value,
        ">": lambda: age > value,
        ">=": lambda: age >= value,
        "<": lambda: age < value,
        "<=": lambda: age <= value,
        "between": lambda: value[0] <= age <= value[1],
        "in": lambda: age in value,
        "not_in": lambda: age not in value,
    }[op]()


@pytest.mark.parametrize("moment", MOMENTS, ids=lambda m: m.date().isoformat())
def test_age_ranges_select_what_the_yyyymmdd_rule_does(
    session: Session, tenant: Principal, moment: datetime
) -> None:
    with session.begin():
        zone = ZoneInfo(session.get_one(Tenant, tenant.tenant_id).timezone)
        today = moment.astimezone(zone).date()
        days = {
            _shifted(today, years, shift)
            for years in (-1, 0, 1, 25, 26, 27, 30, 31)
            for shift in (-1, 0, 1)
        }
        born = [*sorted(days), date(2000, 2, 29), date(1996, 2, 29), date(2001, 3, 1), None]
        ids = {make_member(session, tenant, birthday=day): day for day in born}
    ages = {member: None if day is None else _age(today, day) for member, day in ids.items()}
    for op in OPS:
        for value in AGES:
            shaped: Any = [value, value + 5] if op == "between" else value
            shaped = [value, 1] if op in ("in", "not_in") else shaped
            tree = {"field": "member.age", "op": op, "value": shaped}
            with session.begin():
                query = compile_condition(
                    session, tenant.tenant_id, parse_condition(tree), as_of=moment
                )
                selected = set(session.scalars(query)) & set(ids)
            expected = {member for member, age in ages.items() if _holds(age, op, shaped)}
            assert selected == expected, (tree, today)
