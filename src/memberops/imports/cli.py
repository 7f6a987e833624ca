"""``memberops import …``: bulk imports from the command line, with a progress bar on stderr,
the row-level error report, and a summary on stdout.

A bad row is reported, not fatal: the command exits 0 whenever the file could be imported, and
2 (with the reason) when it could not be read, the preset is unknown or the mapping does not
fit the file. Each batch is committed on its own, so an interrupted import is finished by
running it again.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO
from zoneinfo import ZoneInfoNotFoundError

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from sqlalchemy.orm import Session, sessionmaker

from memberops.imports.errors import UnreadableFile
from memberops.imports.orders.jobs import OrdersOutcome, import_orders
from memberops.imports.orders.presets import PRESETS as ORDER_PRESETS
from memberops.imports.presets import PRESETS, parse_overrides
from memberops.imports.reader import load_source
from memberops.imports.report import write_report
from memberops.imports.run import Progress as ProgressCallback
from memberops.imports.run import run_import
from memberops.imports.service import Outcome
from memberops.kernel.errors import DomainError
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.cli import acting_admin, sessions

import_app = typer.Typer(help="Bulk imports from CSV and XLSX files.", no_args_is_help=True)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"Cannot read {path}: {exc.strerror}.", file=str(path)) from exc


def _principal(factory: sessionmaker[Session], tenant: str) -> Principal:
    """The tenant's admin, acting as the person at the terminal (as every CLI command does)."""
    with factory.begin() as session:
        return acting_admin(tenancy.get_tenant(session, tenant))


@contextmanager
def _report(path: Path, console: Console) -> Iterator[TextIO]:
    """The report file, opened before any work so a path that cannot be written stops the
    command before it imports anything."""
    try:
        out = path.open("w", encoding="utf-8-sig", newline="")
    except OSError as exc:
        console.print(
            f"[red]error[/red]: cannot write the error report {escape(str(path))}: {exc.strerror}.",
            soft_wrap=True,
        )
        raise typer.Exit(2) from exc
    with out:
        yield out


@contextmanager
def _progress_bar(console: Console) -> Iterator[ProgressCallback]:
    columns = (
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def show(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield show


def _figures_table(figures: list[tuple[str, int]], seconds: float) -> str:
    """The summary a command prints: one right-aligned figure a line, then the time taken."""
    width = max(len(label) for label, _ in figures) + 1
    lines = [f"{label:<{width}}{value:>10}" for label, value in figures]
    return "\n".join([*lines, f"{'seconds':<{width}}{seconds:>10.1f}"])


def _summary(outcome: Outcome, seconds: float) -> str:
    figures = [
        ("rows", outcome.rows),
        ("created", outcome.created),
        ("matched", outcome.matched),
        ("updated", outcome.updated),
        ("merged", outcome.merged),
        ("bad rows", outcome.bad_rows),
    ]
    return _figures_table(figures, seconds)


@import_app.command("members")
def members(
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8 or GBK) or .xlsx file, header first")],
    preset: Annotated[
        str, typer.Option(help="Column mapping preset: " + ", ".join(PRESETS))
    ] = "generic",
    tenant: Annotated[str, typer.Option(help="Tenant name")] = "default",
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="COLUMN=FIELD, over the preset; repeat for more columns"),
    ] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Error report CSV (default: FILE.errors.csv)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Rows per transaction")] = 2000,
) -> None:
    """Import members from FILE: each row creates or matches a member by its identities, or is
    listed in the error report. Importing the same file again changes nothing."""
    console = Console(stderr=True)
    started = time.perf_counter()
    report_path = errors or file.with_suffix(".errors.csv")
    try:
        source = load_source(file.name, _read(file), preset, parse_overrides(map_ or []))
        with sessions() as factory:
            principal = _principal(factory, tenant)
            with _report(report_path, console) as report, _progress_bar(console) as show:
                outcome = run_import(
                    factory, principal, source, batch_size=batch_size, progress=show
                )
                write_report(report, outcome.problems)
    except DomainError as exc:
        console.print(f"[red]error[/red] ({exc.code}): {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(2) from exc
    typer.echo(_summary(outcome, time.perf_counter() - started))
    typer.echo(
        f"Error report: {report_path} ({len(outcome.problems)} problems in {outcome.bad_rows} rows)"
    )


def _order_summary(outcome: OrdersOutcome, seconds: float) -> str:
    figures = [
        ("rows", outcome.rows),
        ("orders created", outcome.orders_created),
        ("orders replayed", outcome.orders_replayed),
        ("refunds created", outcome.refunds_created),
        ("refunds replayed", outcome.refunds_replayed),
        ("customers created", outcome.customers_created),
        ("bad rows", outcome.bad_rows),
    ]
    return _figures_table(figures, seconds)


@import_app.command("orders")
def orders(
    file: Annotated[Path, typer.Argument(help="A .csv, .txt (cdnow) or .xlsx order history")],
    preset: Annotated[
        str, typer.Option(help="File layout: " + ", ".join(ORDER_PRESETS))
    ] = "generic",
    tenant: Annotated[str, typer.Option(help="Tenant name")] = "default",
    timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone of times without an offset (default: tenant's / preset's)"),
    ] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Error report CSV (default: FILE.errors.csv)")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Orders per transaction")] = 1000,
) -> None:
    """Import orders and refunds from FILE: bad rows go to the error report; importing the
    same file again changes nothing (orders and refunds are idempotent on their ids)."""
    console = Console(stderr=True)
    started = time.perf_counter()
    report_path = errors or file.with_suffix(".errors.csv")
    try:
        with sessions() as factory:
            principal = _principal(factory, tenant)
            with _report(report_path, console) as report, _progress_bar(console) as show:
                outcome = import_orders(
                    factory,
                    principal,
                    file,
                    preset,
                    timezone=timezone,
                    batch_size=batch_size,
                    progress=show,
                )
                write_report(report, outcome.problems)
    except DomainError as exc:
        console.print(f"[red]error[/red] ({exc.code}): {escape(exc.detail)}", soft_wrap=True)
        raise typer.Exit(2) from exc
    except ZoneInfoNotFoundError as exc:
        console.print(f"[red]error[/red]: unknown timezone {escape(str(timezone))}.")
        raise typer.Exit(2) from exc
    typer.echo(_order_summary(outcome, time.perf_counter() - started))
    typer.echo(
        f"Error report: {report_path} ({len(outcome.problems)} problems in {outcome.bad_rows} rows)"
    )
