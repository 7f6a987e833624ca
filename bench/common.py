"""What the benchmarks in ``bench/`` share: the PostgreSQL server to measure on and throwaway
databases on it, the machine description printed with every table, the failure every check
raises, and ``write_section``, which replaces one benchmark's section of docs/benchmarks.md and
leaves the others as they are."""

import os
import platform
import re
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from memberops.kernel import clock
from memberops.kernel.db import make_engine, normalise_url

PG_URL_VAR = "MEMBEROPS_BENCH_DATABASE_URL"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
DOC_HEAD = (
    "# Benchmarks\n\n"
    "Written by `make bench`: each script in `bench/` run with `--write docs/benchmarks.md` "
    "replaces its own section and leaves the others; CI never asserts a timing.\n"
)

Fresh = Callable[[], AbstractContextManager[str]]
#: Rows per INSERT round trip while loading SQLite.
LOAD_ROWS = 50_000
#: A table to load: its name, its columns as SQL lists them, and its rows in that order.
Rows = tuple[str, str, Iterable[tuple[Any, ...]]]


class BenchFailure(AssertionError):
    """The code under measurement did not do what the acceptance asks."""


def expect(what: str, got: object, wanted: object) -> None:
    """Raise ``BenchFailure`` naming ``what`` unless ``got == wanted``."""
    if got != wanted:
        raise BenchFailure(f"{what}: got {got!r}, expected {wanted!r}")


def sqlite_databases(workdir: Path) -> Fresh:
    """A new SQLite file in ``workdir`` each time."""
    return lambda: nullcontext(f"sqlite:///{workdir / uuid.uuid4().hex[:8]}.db")


def postgresql_server() -> str | None:
    """The PostgreSQL server to benchmark on, or None when none is configured or answering."""
    url = os.environ.get(PG_URL_VAR)
    engine = make_engine(url or DEFAULT_PG)
    try:
        engine.connect().close()
    except OperationalError:
        if url:
            raise
        return None
    finally:
        engine.dispose()
    return url or DEFAULT_PG


def chosen_server(backend: str) -> str | None:
    """The PostgreSQL server a run with ``--backend`` measures on (None: SQLite alone); exits
    when PostgreSQL alone was asked for and nothing answers."""
    server = None if backend == "sqlite" else postgresql_server()
    if server is None and backend == "postgresql":
        raise SystemExit(f"Nothing answers at {DEFAULT_PG} (set {PG_URL_VAR})")
    return server


@contextmanager
def backend_databases(
    backend: str, server: str | None, workdir: Path | None
) -> Iterator[list[tuple[str, Fresh]]]:
    """The backends ``--backend`` names, SQLite first, each with where its fresh databases come
    from: files in a temporary folder under ``workdir``, throwaway databases on ``server``."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        chosen = [] if backend == "postgresql" else [("SQLite", sqlite_databases(Path(tmp)))]
        if server is not None:
            chosen.append(("PostgreSQL", postgresql_databases(server)))
        yield chosen


def postgresql_databases(server: str) -> Fresh:
    """A throwaway database on ``server`` each time (its URL, as ``server`` spells its driver),
    dropped afterwards."""

    @contextmanager
    def fresh() -> Iterator[str]:
        name = f"memberops_bench_{uuid.uuid4().hex[:8]}"
        admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(normalise_url(server)).set(database=name).render_as_string(False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    return fresh


def _first_line(path: str, prefix: str) -> str:
    lines = Path(path).read_text().splitlines()
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(prefix)), "?")


def machine(server: str | None) -> list[str]:
    """The machine and versions the figures were measured on, as Markdown list items."""
    postgres = "not run"
    if server is not None:
        engine = make_engine(server)
        with engine.connect() as connection:
            postgres = str(connection.scalar(text("SHOW server_version")))
        engine.dispose()
    ram = int(_first_line("/proc/meminfo", "MemTotal").split()[0]) / 2**20
    return [
        f"- CPU: {_first_line('/proc/cpuinfo', 'model name')}, {os.cpu_count()} cores",
        f"- RAM: {ram:.0f} GiB",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres}",
        f"- Date: {clock.now().date().isoformat()}",
    ]


def write_section(path: Path, section: str) -> None:
    """Put ``section`` (Markdown starting with its ``## `` heading) into ``path``: in place of
    the section with the same heading, else at the end. Everything else is kept; a missing
    file starts with the shared head."""
    heading = section.split("\n", 1)[0]
    document = path.read_text() if path.exists() else DOC_HEAD
    parts = re.split(r"(?m)^(?=## )", document)
    body = section.strip("\n") + "\n"
    if heading in (part.split("\n", 1)[0] for part in parts):
        parts = [body if part.split("\n", 1)[0] == heading else part for part in parts]
    else:
        parts.append(body)
    parts = [part if part.endswith("\n\n") else part.rstrip("\n") + "\n\n" for part in parts]
    path.write_text("".join(parts).rstrip("\n") + "\n")


def _sqlite_value(value: Any) -> Any:
    """As SQLAlchemy stores it on SQLite (naive UTC text with microseconds)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def _chunks(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == LOAD_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_load(engine: Engine, tables: Sequence[Rows]) -> None:
    """Write generated rows straight into the tables by each database's fast path —
    executemany of plain tuples on SQLite, COPY on PostgreSQL — in one transaction, then
    refresh the planner's statistics. For benchmarks of what reads the rows, not of writing."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("BEGIN")  # the engine's connections run in autocommit mode
        for table, columns, rows in tables:
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(columns.split(", ")))
                statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
                for chunk in _chunks(rows):
                    cursor.executemany(statement, [tuple(map(_sqlite_value, r)) for r in chunk])
        raw.commit()
        cursor.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()
