"""The ``memberops`` command: what engineers and scripts run (SPEC §10).

Every command opens its own transaction and commits only when the whole command succeeded;
a domain error prints its detail on stderr and exits with status 2.
"""

import json
import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity.cli import recompute_app
from memberops.campaigns.jobs import run_round as run_campaigns
from memberops.crowds.cli import crowd_app
from memberops.demo.generator import DemoMerchant
from memberops.demo.load import load, tenant_is_empty
from memberops.imports.cli import import_app
from memberops.insights.cli import clv_app, recompute_insights
from memberops.insights.jobs import run_daily as layer
from memberops.insights.tags.cli import tags_app
from memberops.journeys.jobs import run_round as run_journeys
from memberops.kernel import clock
from memberops.kernel.db import engine_for, make_session_factory
from memberops.kernel.errors import Conflict
from memberops.kernel.settings import Settings, get_settings
from memberops.loyalty.cli import loyalty_app
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy import users
from memberops.tenancy.access import Principal
from memberops.tenancy.cli import acting_admin, cli_actor, reports_errors
from memberops.tenancy.errors import InvalidCredentials
from memberops.tenancy.models import Role, User
from memberops.watches.jobs import run_round as run_watches
from memberops.wiring import register_handlers
from memberops.worker import deliver_outbox, run_due, run_monthly, start_in_thread, work

app = typer.Typer(help="memberops: member operations for retail merchants.", no_args_is_help=True)
tenant_app = typer.Typer(help="Tenants (merchants).", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys.", no_args_is_help=True)
user_app = typer.Typer(help="Console users.", no_args_is_help=True)
docs_app = typer.Typer(help="Generated documentation.", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(apikey_app, name="apikey")
app.add_typer(user_app, name="user")
app.add_typer(docs_app, name="docs")
app.add_typer(import_app, name="import")
app.add_typer(recompute_app, name="recompute")
app.add_typer(loyalty_app, name="loyalty")
app.add_typer(clv_app, name="clv")
app.add_typer(tags_app, name="tags")
app.add_typer(crowd_app, name="crowd")
recompute_app.command("insights")(recompute_insights)


@app.callback()
def _wire() -> None:
    # Every command runs with every room's event handlers (an import can merge members).
    register_handlers()


err = Console(stderr=True)
DEMO_ADMIN = "admin@example.com"


@contextmanager
def database() -> Iterator[Engine]:
    """The deployment's engine for one command, closed (connections and all) when it ends."""
    engine = engine_for(get_settings())
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def transaction() -> Iterator[Session]:
    """A session whose transaction commits when the block ends without an error."""
    with database() as engine, make_session_factory(engine)() as session, session.begin():
        yield session


def tenant_principal(session: Session, tenant: str) -> Principal:
    return acting_admin(tenancy.get_tenant(session, tenant))


def _credentials_work(session: Session, saved: dict[str, str]) -> bool:
    """Whether saved demo-admin credentials log in to this database."""
    try:
        users.verify_login(session, saved["email"], saved["password"])
        tenancy.authenticate_api_key(session, saved["api_key"])
    except (InvalidCredentials, KeyError, TypeError):
        return False
    return True


def _demo_admin(session: Session, credentials: Path) -> None:
    """Create the first admin user and key once, keep them in ``credentials`` (mode 600), and
    print them: what ``make run`` shows so a newcomer can log in at once.

    A file left over from another database (``make clean`` keeps it) is replaced; an existing
    admin whose password the file does not hold is refused rather than printed wrongly."""
    saved = json.loads(credentials.read_text()) if credentials.exists() else None
    if saved is None or not _credentials_work(session, saved):
        if session.scalar(select(User.id).where(User.email == DEMO_ADMIN)) is not None:
            raise Conflict(
                f"{DEMO_ADMIN} already exists here but {credentials} does not hold its "
                "credentials: pass the right --credentials, or add an admin with "
                "'memberops user create'."
            )
        principal = tenant_principal(session, "default")
        password = os.environ.get("MEMBEROPS_PASSWORD") or secrets.token_urlsafe(12)
        users.create_user(
            session,
            principal,
            DEMO_ADMIN,
            password,
            Role.admin,
            locale=get_settings().default_locale,
        )
        key = tenancy.create_api_key(session, principal, Role.admin, "make run")
        saved = {"email": DEMO_ADMIN, "password": password, "api_key": key}
        # Created with mode 600, never readable by others even for a moment.
        fd = os.open(credentials, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(json.dumps(saved, indent=2))
        credentials.chmod(0o600)
    typer.echo(f"Console login: {saved['email']} / {saved['password']}")
    typer.echo(f"Admin API key: {saved['api_key']}")
    typer.echo(f"(kept in {credentials})")


@app.command()
@reports_errors
def init(
    demo_admin: Annotated[
        bool, typer.Option(help="Also create admin@example.com with a key, and print them")
    ] = False,
    credentials: Annotated[Path, typer.Option(help="Where --demo-admin keeps them")] = Path(
        "memberops-admin.json"
    ),
) -> None:
    """Create or upgrade the schema and the first tenant, ``default``."""
    settings = get_settings()
    with database() as engine:
        upgrade(engine)
    with transaction() as session:
        if not any(t.name == "default" for t in tenancy.list_tenants(session)):
            tenancy.create_tenant(session, "default", settings, cli_actor())
            typer.echo("Created tenant 'default'.", err=True)
        if demo_admin:
            _demo_admin(session, credentials)
    typer.echo("Database is up to date.", err=True)


@tenant_app.command("create")
@reports_errors
def tenant_create(name: str) -> None:
    """Create a tenant with the deployment's default timezone, currency and phone region."""
    with transaction() as session:
        tenant = tenancy.create_tenant(session, name, get_settings(), cli_actor())
        typer.echo(f"Created tenant {tenant.name!r} (id {tenant.id}).")


@tenant_app.command("list")
@reports_errors
def tenant_list() -> None:
    with transaction() as session:
        for tenant in tenancy.list_tenants(session):
            typer.echo(
                f"{tenant.name}\t{tenant.timezone}\t{tenant.currency}\t{tenant.phone_region}"
            )


@apikey_app.command("create")
@reports_errors
def apikey_create(
    tenant: Annotated[str, typer.Option(help="Tenant name")],
    scope: Annotated[Role, typer.Option(help="admin, operator, analyst or pos")],
    name: Annotated[str, typer.Option(help="A label for the audit log")] = "",
) -> None:
    """Create an API key and print it alone on stdout (it is shown only this once)."""
    with transaction() as session:
        key = tenancy.create_api_key(session, tenant_principal(session, tenant), scope, name)
    typer.echo(key)


@apikey_app.command("list")
@reports_errors
def apikey_list(tenant: Annotated[str, typer.Option(help="Tenant name")]) -> None:
    """List a tenant's keys: prefix, scope, name, created, revoked (secrets are never shown)."""
    with transaction() as session:
        for key in tenancy.list_api_keys(session, tenant_principal(session, tenant)):
            revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-"
            created = key.created_at.isoformat(timespec="seconds")
            typer.echo(f"{key.prefix}\t{key.scope}\t{key.name or '-'}\t{created}\t{revoked}")


@apikey_app.command("revoke")
@reports_errors
def apikey_revoke(
    prefix: Annotated[str, typer.Argument(help="The 12 hex digits after 'mo_' in the key")],
    tenant: Annotated[str, typer.Option(help="Tenant name")],
) -> None:
    """Revoke a key: it stops authenticating at once."""
    with transaction() as session:
        tenancy.revoke_api_key(session, tenant_principal(session, tenant), prefix)
    typer.echo(f"Revoked {prefix}.")


@user_app.command("create")
@reports_errors
def user_create(
    email: str,
    tenant: Annotated[str, typer.Option(help="Tenant name")],
    role: Annotated[Role, typer.Option(help="admin, operator, analyst or pos")],
) -> None:
    """Give a console user a role in a tenant; the password comes from MEMBEROPS_PASSWORD or a
    prompt."""
    password = os.environ.get("MEMBEROPS_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            err.print("[red]error[/red]: set MEMBEROPS_PASSWORD or run in a terminal.")
            raise typer.Exit(2)
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with transaction() as session:
        principal = tenant_principal(session, tenant)
        user = users.create_user(
            session, principal, email, password, role, locale=get_settings().default_locale
        )
        typer.echo(f"{user.email} is {role.value} of {tenant}.")


@app.command()
@reports_errors
def demo(
    members: Annotated[int, typer.Option(min=1, help="How many members to generate")] = 20_000,
    seed: Annotated[int, typer.Option(help="The same seed makes the same merchant")] = 1,
    tenant: Annotated[str, typer.Option(help="Tenant name")] = "default",
    if_empty: Annotated[
        bool, typer.Option(help="Load only into a tenant without members (what make run does)")
    ] = False,
) -> None:
    """Load a synthetic merchant: members, three years of orders, refunds and behaviour events,
    generated from the seed and written through the same services as the API; then fit the
    value models and compute the layering, as the worker's daily job does."""
    with database() as engine:
        factory = make_session_factory(engine)
        with factory.begin() as session:
            principal = tenant_principal(session, tenant)
            if if_empty and not tenant_is_empty(session, principal):
                typer.echo(f"Tenant {tenant!r} already has members; the demo was not loaded.")
                return
        actions = DemoMerchant(members, seed, clock.now()).actions()
        with Progress(console=err) as bar:
            task = bar.add_task("demo merchant", total=len(actions))
            loaded = load(factory, principal, actions, lambda n: bar.advance(task, n))
        typer.echo(", ".join(f"{count} {kind}s" for kind, count in sorted(loaded.items())))
        typer.echo(f"Layering: {layer(factory, principal).describe()}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Serve the API and the console."""
    import uvicorn

    from memberops.app import build_app

    settings = get_settings()
    base = f"http://{host}:{port}"
    typer.echo(f"Console:  {base}/console\nAPI:      {base}/api/v1  (docs {base}/api/docs)")
    if not settings.worker_in_process:
        uvicorn.run(build_app(settings), host=host, port=port, log_level="info")
        return
    _log_to_stderr()
    with database() as engine:
        thread, stop = start_in_thread(make_session_factory(engine), settings)
        try:
            uvicorn.run(build_app(settings), host=host, port=port, log_level="info")
        finally:
            stop.set()
            thread.join()


def _log_to_stderr() -> None:
    """The worker's lines on stderr, as uvicorn writes its own."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(name)s: %(message)s")


def _run_once(factory: sessionmaker[Session], settings: Settings) -> None:
    """One round of everything the worker does, each part printing what it did (the cron form
    of ``memberops worker``): the daily and monthly jobs due, campaigns, journeys, watches, then
    the outbox, so a watch's notification goes out in the same run."""
    for outcome in [*run_due(factory, settings), *run_monthly(factory, settings)]:
        state = "done" if outcome.ok else "failed"
        typer.echo(f"{outcome.tenant}\t{outcome.job}\t{outcome.day}\t{state}\t{outcome.summary}")
    rounded = run_campaigns(factory, settings)
    if rounded.started or rounded.offers or rounded.finished:
        typer.echo(
            f"campaigns\t{rounded.started} started, {rounded.offers} offers given, "
            f"{rounded.finished} finished"
        )
    moved = run_journeys(factory, settings)
    if moved.entered or moved.advanced:
        typer.echo(f"journeys\t{moved.entered} entered, {moved.advanced} advanced")
    checked = run_watches(factory)
    if checked.checked:
        typer.echo(f"watches\t{checked.checked} checked, {checked.notified} notified")
    sent = deliver_outbox(factory, settings)
    if sent.claimed:
        counts = ", ".join(f"{n} {o}" for o, n in sorted(sent.outcomes.items()))
        typer.echo(f"outbox\t{sent.claimed} messages: {counts}")


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option(help="Run what is due now and exit (for cron), printing each job")
    ] = False,
) -> None:
    """Run every tenant's daily jobs when they are due, start due campaigns, advance journeys
    and deliver the outbox, until stopped (Ctrl-C or SIGTERM)."""
    settings = get_settings()
    _log_to_stderr()
    with database() as engine:
        factory = make_session_factory(engine)
        if once:
            _run_once(factory, settings)
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        work(factory, settings, stop)


@docs_app.command("errors")
def docs_errors(
    out: Annotated[Path, typer.Option(help="File to write")] = Path("docs/errors.md"),
) -> None:
    """Write the error catalogue (docs/errors.md) from the code."""
    import memberops.api.app  # noqa: F401  (registers every room's errors)
    from memberops.kernel.catalogue import errors_markdown

    out.write_text(errors_markdown())
    typer.echo(f"Wrote {out}.")
