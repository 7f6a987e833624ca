"""``memberops loyalty …``: the loyalty engine's scheduled and bulk work from the command line.

``daily`` is meant for cron once a day (docs/operations.md): tier reviews, points and coupon
expiry and birthday gifts for one tenant or all of them, one transaction per step
(``loyalty.jobs``). ``tiers evaluate`` places and upgrades every member after a history
import, with a progress bar on stderr.
"""

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy.orm import Session, sessionmaker

from memberops.loyalty.jobs import evaluate_tiers, run_daily
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.cli import acting_admin, reports_errors, sessions

loyalty_app = typer.Typer(help="The loyalty engine's daily and bulk work.", no_args_is_help=True)
tiers_app = typer.Typer(help="Tiers in bulk.", no_args_is_help=True)
loyalty_app.add_typer(tiers_app, name="tiers")

TenantOption = Annotated[str | None, typer.Option(help="Tenant name (every tenant when omitted)")]
err = Console(stderr=True)


def _principals(factory: sessionmaker[Session], tenant: str | None) -> list[tuple[str, Principal]]:
    """(name, admin principal acting as the person at the terminal) of the tenants to run."""
    with factory.begin() as session:
        found = (
            tenancy.list_tenants(session)
            if tenant is None
            else [tenancy.get_tenant(session, tenant)]
        )
        return [(t.name, acting_admin(t)) for t in found]


@loyalty_app.command("daily")
@reports_errors
def daily(tenant: TenantOption = None) -> None:
    """Review tiers, expire points and coupons, give today's birthday gifts: once a day."""
    with sessions() as factory:
        for name, principal in _principals(factory, tenant):
            typer.echo(f"{name}: {run_daily(factory, principal).describe()}")


def _evaluate(factory: sessionmaker[Session], name: str, principal: Principal) -> int:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err) as bar:
        task = bar.add_task(f"tiers of {escape(name)}", total=None)

        def show(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return evaluate_tiers(factory, principal, show)


@tiers_app.command("evaluate")
@reports_errors
def tiers_evaluate(tenant: TenantOption = None) -> None:
    """Place and upgrade every member from their purchase figures (after a history import)."""
    with sessions() as factory:
        for name, principal in _principals(factory, tenant):
            moved = _evaluate(factory, name, principal)
            typer.echo(f"{name}: {moved} members moved")
