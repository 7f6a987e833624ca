"""``memberops tags …``: tags from the command line.

``refresh`` evaluates a tenant's rule and behaviour tags (also part of ``memberops recompute
insights``); ``upload TAG FILE`` tags the members a CSV list names, with a progress bar on
stderr, the rows that matched nobody written to an error report (row, column, value, reason)
and a summary on stdout. Each command is one transaction: an upload that fails stores nothing,
and running it again after a success changes nothing.
"""

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from memberops.insights.tags.service import find_tag, refresh_tags
from memberops.insights.tags.upload import LIST_COLUMNS, upload_list
from memberops.tenancy import service as tenancy
from memberops.tenancy.cli import acting_admin, reports_errors, sessions

tags_app = typer.Typer(
    help="Tags: evaluate computed tags, tag members by list.", no_args_is_help=True
)
TenantOption = Annotated[str, typer.Option(help="Tenant name")]
err = Console(stderr=True)


@tags_app.command("refresh")
@reports_errors
def refresh(tenant: TenantOption = "default") -> None:
    """Evaluate every active rule and behaviour tag of the tenant now."""
    with sessions() as factory:
        with factory.begin() as session:
            principal = acting_admin(tenancy.get_tenant(session, tenant))
            counts = refresh_tags(session, principal)
    for code, members in counts.items():
        typer.echo(f"{code:<32}{members:>10}")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        err.print(f"[red]error[/red]: cannot read {escape(str(path))}: {exc.strerror}.")
        raise typer.Exit(2) from exc


@tags_app.command("upload")
@reports_errors
def upload(
    tag: Annotated[str, typer.Argument(help="The manual tag's code (or id)")],
    file: Annotated[
        Path, typer.Argument(help="A CSV list with a header naming an identity column")
    ],
    tenant: TenantOption = "default",
    column: Annotated[
        str | None, typer.Option(help="The identity column: " + ", ".join(LIST_COLUMNS))
    ] = None,
    errors: Annotated[
        Path | None, typer.Option(help="Error report CSV (default: FILE.errors.csv)")
    ] = None,
) -> None:
    """Tag the members FILE names with TAG; rows matching nobody go to the error report."""
    data = _read(file)
    report_path = errors or file.with_suffix(".errors.csv")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with sessions() as factory, Progress(*columns, console=err) as bar:
        task = bar.add_task(f"tagging with {escape(tag)}", total=None)
        with factory.begin() as session:
            principal = acting_admin(tenancy.get_tenant(session, tenant))
            found = find_tag(session, principal, tag)
            report = upload_list(
                session,
                principal,
                found.id,
                data,
                column=column,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    with report_path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("row", "column", "value", "reason"))
        writer.writerows((p.row, p.column, p.value, p.reason) for p in report.problems)
    typer.echo(
        f"rows {report.rows}, tagged {report.tagged}, unchanged {report.unchanged}, "
        f"problems {len(report.problems)} (report: {report_path})"
    )
