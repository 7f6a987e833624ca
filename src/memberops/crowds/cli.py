"""``memberops crowd …``: crowds from the command line — list a tenant's crowds, and export one
to CSV (what the console and ``GET /crowds/{id}/export`` give: UTF-8 with a BOM, members by id,
streamed a thousand at a time with a progress bar on stderr). The CLI acts as the tenant's
admin, so nothing is masked."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from memberops.crowds import service
from memberops.crowds.export import export_chunks
from memberops.tenancy import service as tenancy
from memberops.tenancy.cli import acting_admin, reports_errors, sessions

crowd_app = typer.Typer(help="Crowds: list them, export their members.", no_args_is_help=True)
TenantOption = Annotated[str, typer.Option(help="Tenant name")]
err = Console(stderr=True)


@crowd_app.command("list")
@reports_errors
def list_crowds(tenant: TenantOption = "default") -> None:
    """One crowd per line, newest first: id, kind, size when last counted, name."""
    with sessions() as factory, factory.begin() as session:
        principal = acting_admin(tenancy.get_tenant(session, tenant))
        before = None
        while page := service.list_crowds(session, principal, before, 500):
            for crowd in page:
                typer.echo(f"{crowd.id}\t{crowd.kind}\t{crowd.size}\t{crowd.name}")
            before = page[-1].id


@crowd_app.command("export")
@reports_errors
def export(
    crowd_id: Annotated[int, typer.Argument(help="The crowd's id (memberops crowd list)")],
    out: Annotated[Path, typer.Option(help="CSV file to write")],
    tenant: TenantOption = "default",
) -> None:
    """Write the crowd's members now to a CSV file."""
    with sessions() as factory:
        with factory.begin() as session:
            principal = acting_admin(tenancy.get_tenant(session, tenant))
            crowd = service.get_crowd(session, principal, crowd_id)
            name, size = crowd.name, service.counted(session, principal, crowd).size
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        written = 0
        with (
            out.open("w", encoding="utf-8", newline="") as file,
            Progress(*columns, console=err) as bar,
        ):
            task = bar.add_task(f"crowd {crowd_id}", total=size)
            for text, members in export_chunks(factory, principal, crowd_id):
                file.write(text)
                written += members
                bar.update(task, completed=written)
    typer.echo(f"Wrote {written:,} members of {name!r} to {out}.")
