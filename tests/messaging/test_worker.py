"""The worker delivers the outbox: ``memberops worker --once`` sends what is due and says so."""

from sqlalchemy import Engine, select
from typer.testing import CliRunner

from memberops.cli import app
from memberops.kernel.db import make_session_factory
from memberops.messaging import service
from memberops.messaging.models import Message, MessageStatus
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.messaging.support import LINKS, message


def test_worker_once_delivers_the_outbox(cli_db: Engine) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    factory = make_session_factory(cli_db)
    with factory.begin() as session:
        default = tenancy.principal_for(tenancy.get_tenant(session, "default"), Role.admin, "t")
        for n in range(3):
            service.enqueue(session, default, message(body=f"#{n}"), f"k{n}", link_base=LINKS)

    done = runner.invoke(app, ["worker", "--once"])

    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-1] == "outbox\t3 messages: 3 delivered"
    with factory.begin() as session:
        statuses = session.scalars(select(Message.status)).all()
    assert statuses == [MessageStatus.delivered] * 3
    assert runner.invoke(app, ["worker", "--once"]).stdout == ""
