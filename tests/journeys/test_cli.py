"""``memberops worker --once`` advances journeys and says how many members it moved."""

from sqlalchemy import Engine
from typer.testing import CliRunner

from memberops.cli import app
from memberops.journeys.handlers import enter_triggered
from memberops.kernel import clock
from memberops.kernel.db import make_session_factory
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.conditions.support import make_member
from tests.journeys.support import NOW, journey


def test_worker_once_advances_journeys(cli_db: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    with clock.frozen(NOW):
        with make_session_factory(cli_db)() as session:
            with session.begin():
                tenant = tenancy.get_tenant(session, "default")
                principal = tenancy.principal_for(tenant, Role.admin, "test")
                member = make_member(session, principal)
            journey(session, principal, [{"type": "send", "channel": "log", "body": "hi"}])
            with session.begin():
                enter_triggered(session, tenant.id, "order_paid", member, "order:1")
        result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "journeys\t0 entered, 1 advanced" in result.stdout.splitlines()
    assert "outbox\t1 messages: 1 delivered" in result.stdout.splitlines()
