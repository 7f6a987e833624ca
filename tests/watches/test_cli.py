"""``memberops worker --once`` (the cron form of the worker) checks the watches due and sends
what crossed in the same run, as the long-running worker does each round."""

from sqlalchemy import Engine
from typer.testing import CliRunner

from memberops.cli import app
from memberops.kernel import clock
from memberops.kernel.db import make_session_factory
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from memberops.watches import service
from memberops.watches.schemas import WatchCreate
from tests.watches.test_watches import NOW


def test_worker_once_checks_the_watches_and_delivers_their_notice(cli_db: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    body = {"name": "quiet day", "figure": "daily_gmv", "threshold": "100", "direction": "below"}
    with clock.frozen(NOW):
        with make_session_factory(cli_db).begin() as session:
            tenant = tenancy.get_tenant(session, "default")
            principal = tenancy.principal_for(tenant, Role.admin, "test")
            service.create_watch(session, principal, WatchCreate.model_validate(body))
        first = runner.invoke(app, ["worker", "--once"])
        again = runner.invoke(app, ["worker", "--once"])
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert "watches\t1 checked, 1 notified" in lines  # no order yesterday: ¥0 < ¥100
    assert "outbox\t1 messages: 1 delivered" in lines
    assert not any(line.startswith(("watches", "outbox")) for line in again.stdout.splitlines())
