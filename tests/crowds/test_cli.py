"""``memberops crowd list`` and ``memberops crowd export`` against a fresh database per test:
what they print, the file written, and a refusal's exit status."""

import csv
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from memberops.cli import app
from memberops.crowds import service
from memberops.crowds.schemas import CrowdCreate
from memberops.kernel.db import make_session_factory
from memberops.tenancy import service as tenancy
from memberops.tenancy.cli import acting_admin

runner = CliRunner()
EVERYONE = {"field": "identity.has_phone", "op": "=", "value": True}


def _crowds(engine: Engine, members: int, home: Path) -> tuple[int, int]:
    """``members`` members with a phone, imported; a crowd of all of them and an empty one."""
    people = home / "people.csv"
    people.write_text("phone\n" + "".join(f"1390000{n:04d}\n" for n in range(members)))
    assert runner.invoke(app, ["import", "members", str(people)]).exit_code == 0
    with make_session_factory(engine).begin() as session:
        principal = acting_admin(tenancy.get_tenant(session, "default"))
        everyone = service.create_crowd(
            session, principal, CrowdCreate(name="全部会员", condition=EVERYONE)
        )
        nobody = {"not": EVERYONE}
        empty = service.create_crowd(session, principal, CrowdCreate(name="无", condition=nobody))
        return everyone.id, empty.id


def test_list_and_export(cli_db: Engine, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    everyone, empty = _crowds(cli_db, 1_005, tmp_path)  # a second chunk of the export holds five
    listed = runner.invoke(app, ["crowd", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines() == [
        f"{empty}\tdynamic\t0\t无",
        f"{everyone}\tdynamic\t1005\t全部会员",
    ]
    out = tmp_path / "crowd.csv"
    done = runner.invoke(app, ["crowd", "export", str(everyone), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert done.stdout == f"Wrote 1,005 members of '全部会员' to {out}.\n"
    with out.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file))
    assert header[:3] == ["member_id", "name", "phone"]
    assert [row[2] for row in rows] == [f"+861390000{n:04d}" for n in range(1_005)]  # unmasked


def test_an_unknown_crowd_is_refused(cli_db: Engine, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    out = tmp_path / "x.csv"
    refused = runner.invoke(app, ["crowd", "export", "99", "--out", str(out)])
    assert refused.exit_code == 2
    assert "error (crowds.not_found): No crowd 99." in refused.stderr
    assert not out.exists()
