"""``memberops tags refresh`` and ``memberops tags upload`` against a fresh database with real
commits, through typer's runner: counts on stdout, a progress bar on stderr, an error report
of the rows that matched nobody, and a second run that changes nothing."""

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from memberops.cli import app
from memberops.identity import service as identity
from memberops.identity.schemas import MemberUpsert
from memberops.insights.tags import service
from memberops.insights.tags.models import MemberTag
from memberops.insights.tags.schemas import TagCreate
from memberops.kernel import clock
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role
from tests.insights.tags.support import NOW


@pytest.fixture
def db(cli_db: Engine) -> Engine:
    assert CliRunner().invoke(app, ["init"], catch_exceptions=False).exit_code == 0
    with clock.frozen(NOW), Session(cli_db) as session, session.begin():
        principal = tenancy.principal_for(tenancy.get_tenant(session, "default"), Role.admin, "t")
        for phone in ("13800000001", "13800000002"):
            body = {"identities": [{"type": "phone", "value": phone}]}
            identity.upsert_member(session, principal, MemberUpsert.model_validate(body))
        service.create_tag(session, principal, TagCreate(code="vip", name="VIP"))
    return cli_db


def _holders(db: Engine) -> int:
    with Session(db) as session:
        return len(session.execute(select(MemberTag).where(MemberTag.source == "upload")).all())


def test_upload_tags_a_list_and_reports_the_rest(db: Engine, tmp_path: Path) -> None:
    listing = tmp_path / "vip.csv"
    listing.write_text("phone\n13800000001\n13800000002\n13899999999\n", encoding="utf-8")
    runner = CliRunner()
    with clock.frozen(NOW):
        first = runner.invoke(app, ["tags", "upload", "vip", str(listing)], catch_exceptions=False)
        again = runner.invoke(app, ["tags", "upload", "vip", str(listing), "--tenant", "default"])
    assert first.exit_code == 0, first.output
    report = tmp_path / "vip.errors.csv"
    assert first.stdout.strip() == f"rows 3, tagged 2, unchanged 0, problems 1 (report: {report})"
    assert "tagging with vip" in first.stderr
    assert report.read_text(encoding="utf-8-sig").splitlines() == [
        "row,column,value,reason",
        "4,phone,13899999999,no member with this phone",
    ]
    assert again.stdout.startswith("rows 3, tagged 0, unchanged 2, problems 1")
    assert _holders(db) == 2


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["tags", "upload", "nope", "LIST"], "error (tags.not_found)"),
        (["tags", "upload", "herd", "LIST"], "error (tags.not_manual)"),
        (["tags", "upload", "vip", "LIST", "--column", "email"], "error (tags.unreadable_upload)"),
        (["tags", "upload", "vip", "MISSING"], "cannot read"),
        (["tags", "refresh", "--tenant", "nope"], "error (tenancy.tenant_not_found)"),
    ],
)
def test_refusals_exit_2_and_store_nothing(
    args: list[str], code: str, db: Engine, tmp_path: Path
) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text("phone\n13800000001\n", encoding="utf-8")
    paths = {"LIST": str(listing), "MISSING": str(tmp_path / "missing.csv")}
    result = CliRunner().invoke(app, [paths.get(arg, arg) for arg in args])
    assert result.exit_code == 2
    assert code in result.stderr
    assert _holders(db) == 0


def test_refresh_prints_each_computed_tag(db: Engine) -> None:
    with clock.frozen(NOW):
        result = CliRunner().invoke(app, ["tags", "refresh"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    assert lines[0].split() == ["discount_driven", "0"]
