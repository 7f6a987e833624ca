"""``memberops recompute stats`` against a fresh database with real commits."""

from datetime import UTC, datetime

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberops.activity import orders
from memberops.activity.models import MemberStats
from memberops.activity.schemas import OrderCreate
from memberops.cli import app
from memberops.kernel import clock
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.activity.support import order_body, stats_rows


def test_recompute_stats_rebuilds_the_rows(cli_db: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"], catch_exceptions=False).exit_code == 0
    at = datetime(2026, 11, 23, tzinfo=UTC)
    with clock.frozen(at), Session(cli_db, expire_on_commit=False) as session:
        with session.begin():
            principal = tenancy.principal_for(
                tenancy.get_tenant(session, "default"), Role.admin, "test"
            )
            orders.record_order(session, principal, OrderCreate.model_validate(order_body()))
        stored = stats_rows(session, principal.tenant_id)
        with session.begin():
            session.execute(delete(MemberStats))
    with clock.frozen(at):
        result = runner.invoke(app, ["recompute", "stats"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Recomputed member stats of default." in result.stdout
    with Session(cli_db) as session:
        assert stats_rows(session, principal.tenant_id) == stored
    missing = runner.invoke(app, ["recompute", "stats", "--tenant", "nope"])
    assert missing.exit_code == 2
    assert "error (tenancy.tenant_not_found)" in missing.stderr
