"""SQL pieces the insights queries share, written once for SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, cast, func
from sqlalchemy.orm import Session

from memberops.kernel.db import is_postgresql

DAY_SECONDS = 86_400


def epoch_seconds(session: Session, column: Any) -> ColumnElement[int]:
    """Whole seconds since 1970 of a stored UTC datetime: exact integers on both backends
    (julianday's floating days would put a purchase made exactly N days ago at N - 1)."""
    if is_postgresql(session):
        return cast(func.floor(func.extract("epoch", column)), BigInteger)
    return cast(func.strftime("%s", column), Integer)


def whole_days_before(session: Session, as_of_seconds: int, column: Any) -> ColumnElement[int]:
    """Whole days from ``column`` to the moment ``as_of_seconds``, floored (integer division on
    both backends)."""
    return (as_of_seconds - epoch_seconds(session, column)) // DAY_SECONDS
