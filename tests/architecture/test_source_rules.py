"""House rules of DESIGN.md that no linter checks, read from the source itself."""

import ast
from fnmatch import fnmatch

import pytest

from tests.architecture.source import PACKAGE, method_calls, modules, packages, qualified_references

# --- The caller owns the transaction ---------------------------------------------------------

#: Whoever opens, commits or rolls back a transaction. Everything else (every room's services,
#: merge code, models, the API's routers) takes the caller's session and never ends it;
#: savepoints (``begin_nested``) inside the caller's transaction are allowed anywhere.
TRANSACTION_OWNERS = (
    "cli.py",  # each CLI command: `with transaction() as session`
    "*/cli.py",  # a room's own CLI commands, registered on the main one
    "kernel/web.py",  # each API request: the session dependency
    "console/*",  # each console action, with its own session
    "worker.py",  # the worker loop: claims, runs and records each daily job
    "*/jobs.py",
    # The bulk import job the CLI runs: it is handed a sessionmaker, not a session, and commits
    # each batch so a crash loses nothing already written (imports/run.py's docstring).
    "imports/run.py",
    # The demo loader, for the same reason: one transaction per batch of generated actions.
    "demo/load.py",
    # A crowd's CSV export: one short transaction per chunk, so a long export holds no lock
    # (crowds/export.py's docstring).
    "crowds/export.py",
    # The outbox's delivery: the claim commits before a send and each outcome right after it,
    # so a killed worker loses as little as possible (messaging/delivery.py's docstring).
    "messaging/delivery.py",
)
#: Owners that are one file and must exist.
NAMED_OWNERS = (
    "cli.py",
    "kernel/web.py",
    "imports/run.py",
    "demo/load.py",
    "worker.py",
    "crowds/export.py",
    "messaging/delivery.py",
)
TRANSACTION_METHODS = frozenset({"commit", "rollback", "begin"})


def owns_transactions(rel: str) -> bool:
    return any(fnmatch(rel, pattern) for pattern in TRANSACTION_OWNERS)


def test_only_the_callers_own_transactions() -> None:
    offenders = [
        f"{module.rel}:{line}: .{method}()"
        for module in modules()
        if not owns_transactions(module.rel)
        for line, method in method_calls(module.tree, TRANSACTION_METHODS)
    ]
    assert offenders == []


def test_the_transaction_owners_are_where_the_allowlist_says() -> None:
    """The allowlist is not stale: the request dependency and the CLI do open transactions."""
    owners = {
        module.rel for module in modules() if list(method_calls(module.tree, frozenset({"begin"})))
    }
    assert set(NAMED_OWNERS) <= owners
    assert all(owns_transactions(rel) for rel in owners)


@pytest.mark.parametrize(
    ("rel", "owner"),
    [
        ("cli.py", True),
        ("imports/cli.py", True),
        ("kernel/web.py", True),
        ("console/pages/shell.py", True),
        ("worker.py", True),
        ("loyalty/points/jobs.py", True),
        ("imports/run.py", True),
        ("imports/service.py", False),
        ("identity/service.py", False),
        ("identity/merge.py", False),
        ("kernel/db.py", False),
        ("api/app.py", False),
        ("imports/rows.py", False),
    ],
)
def test_transaction_allowlist(rel: str, owner: bool) -> None:
    assert owns_transactions(rel) is owner


def test_transaction_calls_are_found() -> None:
    tree = ast.parse(
        "def f(session):\n"
        "    session.commit()\n"
        "    session.rollback()\n"
        "    with session.begin():\n"
        "        session.begin_nested()\n"
    )
    assert list(method_calls(tree, TRANSACTION_METHODS)) == [
        (2, "commit"),
        (3, "rollback"),
        (4, "begin"),
    ]


# --- Time is read only through kernel/clock.py ----------------------------------------------

CLOCK = "kernel/clock.py"
CLOCK_READERS = frozenset(
    {
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
        "time.time",
        "time.time_ns",
    }
)
#: SQL functions reading the database server's clock, which a frozen clock cannot move.
SQL_CLOCK_READERS = frozenset(
    {"now", "current_timestamp", "current_date", "current_time", "localtimestamp", "localtime"}
)


def clock_reads(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for line, name in qualified_references(tree):
        parts = name.split(".")
        sql_clock = (
            parts[0] == "sqlalchemy"
            and len(parts) >= 2
            and parts[-2] == "func"
            and parts[-1] in SQL_CLOCK_READERS
        )
        if name in CLOCK_READERS or sql_clock:
            found.append((line, name))
    return sorted(set(found))


def test_time_is_read_only_through_the_clock() -> None:
    assert (PACKAGE / CLOCK).is_file()
    offenders = [
        f"{module.rel}:{line}: {name}"
        for module in modules()
        if module.rel != CLOCK
        for line, name in clock_reads(module.tree)
    ]
    assert offenders == []


def test_clock_reads_are_found_through_any_import_form() -> None:
    tree = ast.parse(
        "import datetime as dt\n"
        "import time\n"
        "from datetime import date, datetime\n"
        "from time import time_ns\n"
        "from sqlalchemy import func\n"
        "import sqlalchemy as sa\n"
        "a = dt.datetime.now()\n"
        "b = datetime.utcnow()\n"
        "c = date.today()\n"
        "d = time.time()\n"
        "e = time_ns()\n"
        "f = func.now()\n"
        "g = sa.func.current_timestamp()\n"
        "h = clock.now()\n"
        "i = datetime.fromisoformat('2026-01-01T00:00:00+00:00')\n"
    )
    assert clock_reads(tree) == [
        (7, "datetime.datetime.now"),
        (8, "datetime.datetime.utcnow"),
        (9, "datetime.date.today"),
        (10, "time.time"),
        (11, "time.time_ns"),
        (12, "sqlalchemy.func.now"),
        (13, "sqlalchemy.func.current_timestamp"),
    ]


# --- Size and shape ----------------------------------------------------------------------------

MAX_LINES = 400
#: Generated by Alembic and never edited by hand; a migration is one revision, not split by noun.
GENERATED = "migrations/versions/*"


def test_no_source_file_over_400_lines() -> None:
    sizes = {module.rel: module.lines for module in modules() if not fnmatch(module.rel, GENERATED)}
    assert len(sizes) > 30
    assert {rel: lines for rel, lines in sizes.items() if lines > MAX_LINES} == {}


def test_every_package_says_what_it_is() -> None:
    missing = [
        path.relative_to(PACKAGE).as_posix() or "."
        for path in packages()
        if not ast.get_docstring(ast.parse((path / "__init__.py").read_text(encoding="utf-8")))
    ]
    assert missing == []


def test_every_room_with_tables_says_what_it_publishes_and_subscribes_to() -> None:
    """A room's docstring names its invariants and events (DESIGN.md, Layout)."""
    rooms = sorted(
        path
        for path in packages()
        if (path / "models.py").is_file() and path != PACKAGE / "migrations"
    )
    assert {path.name for path in rooms} >= {"tenancy", "members", "identity"}
    silent = []
    for room in rooms:
        doc = ast.get_docstring(ast.parse((room / "__init__.py").read_text(encoding="utf-8")))
        text = (doc or "").lower()
        if "publish" not in text or "subscribe" not in text:
            silent.append(room.name)
    assert silent == []
