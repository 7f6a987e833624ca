"""Database plumbing shared by every room: the declarative base, column types, the engine factory
and the session factory.

The engine factory makes SQLite behave like a serious database: foreign keys on, WAL journal, a
busy timeout, a page cache sized by the settings, and transactions begun by SQLAlchemy (not by
the sqlite3 module), so SAVEPOINTs and the test suite's rolled-back transactions work the same as
on PostgreSQL.
"""

import itertools
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

import psycopg
from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Engine,
    Integer,
    MetaData,
    Table,
    create_engine,
    event,
    insert,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql.schema import ColumnDefault
from sqlalchemy.types import TypeDecorator

from memberops.kernel.settings import SQLITE_CACHE_MIB, Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: A 64-bit key that is SQLite's rowid alias there, so ids autoincrement on both backends.
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: JSON stored as JSONB on PostgreSQL.
JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("memberops stores only timezone-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table, with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JsonDoc}


def _sqlite_on_connect(cache_mib: int, dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute(f"PRAGMA cache_size=-{cache_mib * 1024}")  # negative: KiB, not pages
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` URLs and point them at psycopg 3, the driver memberops ships."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(
    url: str, *, echo: bool = False, sqlite_cache_mib: int = SQLITE_CACHE_MIB
) -> Engine:
    """An engine for ``url`` with memberops' connection rules applied."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", partial(_sqlite_on_connect, sqlite_cache_mib))
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def engine_for(settings: Settings) -> Engine:
    """The deployment's engine, as its settings describe it."""
    return make_engine(
        settings.database_url, echo=settings.sql_echo, sqlite_cache_mib=settings.sqlite_cache_mib
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects readable after the caller's transaction commits."""
    return sessionmaker(engine, expire_on_commit=False)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_rows(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert many rows (all with the same keys) by each database's fast path, in the session's
    transaction: ``COPY`` on PostgreSQL, one prepared executemany on SQLite.

    On PostgreSQL an executemany costs a round trip per row, or a long multi-row statement that
    the driver parses again for every page; ``COPY`` streams the rows. They go in as an INSERT
    would put them: the columns' Python-side defaults fill what a row leaves out, values pass
    through each column's bind processing, and a broken constraint raises SQLAlchemy's
    ``IntegrityError``."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    if not is_postgresql(session):
        session.execute(insert(table), [first, *iterator])
        return
    defaults = _python_defaults(table, first)
    connection = session.connection()
    dialect = connection.dialect
    names = [*first, *defaults]
    types = [table.c[name].type.dialect_impl(dialect) for name in names]
    processors = [type_.bind_processor(dialect) for type_ in types]
    raw = connection.connection.driver_connection
    assert raw is not None  # a live connection of the session's transaction
    command = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(command) as copy:
            for row in itertools.chain([first], iterator):
                values = [*row.values(), *(make() for make in defaults.values())]
                copy.write_row(
                    [
                        value if process is None else process(value)
                        for process, value in zip(processors, values, strict=True)
                    ]
                )
    except psycopg.errors.IntegrityError as error:
        raise IntegrityError(command, None, error) from error


def _python_defaults(table: Table, given: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """A maker of each value SQLAlchemy would fill in for the columns a row leaves out (a
    column's ``default=``; server defaults are the database's own business)."""
    makers: dict[str, Callable[[], Any]] = {}
    for column in table.c:
        default = column.default
        if column.name in given or not isinstance(default, ColumnDefault):
            continue
        if default.is_callable:
            makers[column.name] = partial(default.arg, None)
        elif default.is_scalar:
            makers[column.name] = partial(lambda value: value, default.arg)
    return makers


def insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (see :func:`insert_rows`) and return their new ids in the rows' order.

    PostgreSQL: the ids are drawn from the table's sequence first, so the rows can be streamed
    by ``COPY`` with them. SQLite: one executemany with ``RETURNING``."""
    if not rows:
        return []
    if not is_postgresql(session):
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.scalars(statement, rows))
    drawn = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")
    ids = list(session.scalars(drawn, {"table": table.name, "n": len(rows)}))
    insert_rows(session, table, ({"id": id_} | row for id_, row in zip(ids, rows, strict=True)))
    return ids
