"""A whole member import: check every row, fold each person's rows, write, record the run.

:func:`import_members` does it in the caller's transaction (an API upload, the console, a
test). :func:`run_import` is the job for large files that the CLI runs: it owns its
transactions, one per batch, so a crash loses nothing already written and running the same file
again carries on where it stopped (rows already imported are matched and change nothing).
Both record the run in ``import_runs`` and, when it changed anything, write one audit row for
it; a run that changed nothing leaves the audit log alone.
"""

from collections.abc import Callable, Iterable, Mapping

from sqlalchemy.orm import Session, sessionmaker

from memberops.imports.models import ImportRun
from memberops.imports.plan import batches, group_entries
from memberops.imports.reader import ImportSource, SourceRow
from memberops.imports.rows import Entry, parse_row
from memberops.imports.service import Outcome, import_batch, owners_of
from memberops.kernel import clock
from memberops.tenancy.access import Permission, Principal, tenant_scope
from memberops.tenancy.service import audit

#: Told (stage, rows done, rows in all) as the work goes on; the CLI draws a progress bar.
Progress = Callable[[str, int, int], None]
CHECKING = "Checking rows"
IMPORTING = "Importing"
_TICK = 1000


def _quiet(stage: str, done: int, total: int) -> None:
    """The progress of a caller that does not watch."""


def check_rows(
    rows: Iterable[SourceRow],
    columns: Mapping[str, str],
    region: str,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[Entry], Outcome]:
    """Each row as an entry, or its problems in the outcome; ``tick`` hears the rows done."""
    entries: list[Entry] = []
    outcome = Outcome()
    for number, values in rows:
        parsed = parse_row(number, values, columns, region)
        if isinstance(parsed, Entry):
            entries.append(parsed)
        else:
            outcome.problems += parsed
        outcome.rows += 1
        if tick is not None and outcome.rows % _TICK == 0:
            tick(outcome.rows)
    return entries, outcome


def _people(session: Session, principal: Principal, entries: list[Entry]) -> list[Entry]:
    owners = owners_of(session, principal, (key for entry in entries for key in entry.keys))
    return group_entries(entries, owners)


def _start_run(session: Session, principal: Principal, source: ImportSource) -> int:
    run = ImportRun(
        tenant_id=principal.tenant_id,
        kind="members",
        file_name=source.name[:300],
        sha256=source.sha256,
        preset=source.preset,
        actor=principal.actor,
        started_at=clock.now(),
    )
    session.add(run)
    session.flush()
    return run.id


def _finish_run(
    session: Session, principal: Principal, run_id: int, source: ImportSource, outcome: Outcome
) -> Outcome:
    outcome.problems.sort(key=lambda problem: problem.row)
    run = session.scalars(tenant_scope(principal, ImportRun).where(ImportRun.id == run_id)).one()
    for name, value in outcome.counts().items():
        setattr(run, name, value)
    run.finished_at = clock.now()
    if outcome.changed:
        after = {"file": source.name, "sha256": source.sha256, "preset": source.preset}
        audit(
            session,
            principal,
            "import.members",
            ("import_run", str(run_id)),
            after=after | outcome.counts(),
        )
    return outcome


def import_members(session: Session, principal: Principal, source: ImportSource) -> Outcome:
    """Import every row of ``source`` in the caller's transaction."""
    principal.require(Permission.imports_run)
    run_id = _start_run(session, principal, source)
    entries, outcome = check_rows(source.rows(), source.columns, principal.phone_region)
    outcome.add(import_batch(session, principal, _people(session, principal, entries)))
    return _finish_run(session, principal, run_id, source, outcome)


def run_import(
    factory: sessionmaker[Session],
    principal: Principal,
    source: ImportSource,
    *,
    batch_size: int = 2000,
    progress: Progress = _quiet,
) -> Outcome:
    """Import every row of ``source``, committing each batch of about ``batch_size`` rows in
    its own transaction from ``factory``."""
    principal.require(Permission.imports_run)
    with factory.begin() as session:
        run_id = _start_run(session, principal, source)
    total = source.row_count
    entries, outcome = check_rows(
        source.rows(),
        source.columns,
        principal.phone_region,
        lambda done: progress(CHECKING, done, total),
    )
    progress(CHECKING, total, total)
    with factory() as session:
        people = _people(session, principal, entries)
    done = 0
    progress(IMPORTING, done, len(entries))
    for batch in batches(people, batch_size):
        with factory.begin() as session:
            outcome.add(import_batch(session, principal, batch))
        done += sum(len(entry.rows) for entry in batch)
        progress(IMPORTING, done, len(entries))
    with factory.begin() as session:
        return _finish_run(session, principal, run_id, source, outcome)
