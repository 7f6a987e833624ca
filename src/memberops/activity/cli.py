"""``memberops recompute …``: rebuild derived tables by set-based SQL, in one transaction per
command (what the nightly job will run, since windowed figures age without any write)."""

from typing import Annotated

import typer

from memberops.activity import stats
from memberops.kernel.db import engine_for, make_session_factory
from memberops.kernel.errors import DomainError
from memberops.kernel.settings import get_settings
from memberops.tenancy import service as tenancy

recompute_app = typer.Typer(help="Rebuild derived figures.", no_args_is_help=True)


@recompute_app.command("stats")
def recompute_stats(
    tenant: Annotated[str, typer.Option(help="Tenant name")] = "default",
) -> None:
    """Rebuild every member_stats row of a tenant, with windows as of now."""
    engine = engine_for(get_settings())
    try:
        with make_session_factory(engine)() as session, session.begin():
            tenant_id = tenancy.get_tenant(session, tenant).id
            stats.refresh(session, tenant_id)
    except DomainError as exc:
        typer.echo(f"error ({exc.code}): {exc.detail}", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    typer.echo(f"Recomputed member stats of {tenant}.")
