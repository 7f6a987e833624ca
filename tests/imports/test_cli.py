"""``memberops import members``: what it prints, the report it writes, its exit status, and
batch commits, against a fresh database per test (a SQLite file, or a throwaway PostgreSQL
database). The CLI runs in-process, so ``get_settings()``'s cache is cleared around each test
to make it read this test's ``MEMBEROPS_DATABASE_URL``."""

import io
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import Engine, func, select
from typer.testing import Result

from memberops.identity.models import Identity
from memberops.imports import run as run_module
from memberops.members.models import Member
from memberops.tenancy.models import AuditEntry
from tests.imports.support import run

CSV = (
    "手机号,姓名,性别,邮箱\n"
    "13800000001,张三,男,zs@qq.com\n"
    "12345,李四,女,\n"
    "138 0000 0001,张三丰,,\n"
    "13800000002,王五,X,\n"
    "13800000003,赵六,,\n"
)
REPORT = (
    "\ufeffrow,column,value,reason\n"
    "3,手机号,12345,'12345' is not a valid phone number.\n"
    '5,性别,X,"expected male, female, unknown, 男, 女 or 未知"\n'
)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in (Member.__table__, Identity.__table__, AuditEntry.__table__)
        }


def summary(result: Result) -> list[str]:
    """The summary on stdout without its timing."""
    return [line for line in result.stdout.splitlines() if not line.startswith("seconds")]


def test_import_reports_bad_rows_and_a_second_run_adds_nothing(db: Engine, tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(CSV, encoding="utf-8")
    first = run("import", "members", str(tmp_path / "m.csv"), "--preset", "generic")
    assert first.exit_code == 0, first.output
    report = tmp_path / "m.errors.csv"
    assert summary(first) == [
        "rows              5",
        "created           2",
        "matched           1",
        "updated           0",
        "merged            0",
        "bad rows          2",
        f"Error report: {report} (2 problems in 2 rows)",
    ]
    assert report.read_text(encoding="utf-8") == REPORT
    after_first = counts(db)
    assert after_first["members"] == 2
    again = run("import", "members", str(tmp_path / "m.csv"), "--errors", str(tmp_path / "r.csv"))
    assert again.exit_code == 0, again.output
    assert summary(again)[1:5] == [
        "created           0",
        "matched           3",
        "updated           0",
        "merged            0",
    ]
    assert counts(db) == after_first
    assert (tmp_path / "r.csv").read_text(encoding="utf-8") == REPORT


def test_gbk_csv(db: Engine, tmp_path: Path) -> None:
    (tmp_path / "gbk.csv").write_bytes(CSV.encode("gbk"))
    result = run("import", "members", str(tmp_path / "gbk.csv"))
    assert result.exit_code == 0, result.output
    assert summary(result)[:2] == ["rows              5", "created           2"]
    assert (tmp_path / "gbk.errors.csv").read_text(encoding="utf-8") == REPORT


def test_xlsx_with_a_mapping_override(db: Engine, tmp_path: Path) -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([["Mobile No", "姓名"], [13800000001, "张三"], ["x", "李四"]]):
        sheet.write_row(r, 0, row)
    book.close()
    (tmp_path / "m.xlsx").write_bytes(out.getvalue())
    result = run("import", "members", str(tmp_path / "m.xlsx"), "--map", "Mobile No=phone")
    assert result.exit_code == 0, result.output
    assert summary(result)[:2] == ["rows              2", "created           1"]
    assert (tmp_path / "m.errors.csv").read_text(encoding="utf-8") == (
        "\ufeffrow,column,value,reason\n3,Mobile No,x,'x' is not a phone number.\n"
    )
    with db.connect() as connection:
        assert connection.execute(select(Identity.value, Member.name).join(Member)).all() == [
            ("+8613800000001", "张三")
        ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--preset", "taobao"],
            "(imports.unknown_preset): Unknown preset 'taobao'; presets: generic.",
        ),
        (
            ["--map", "Mobile=phone"],
            "(imports.bad_mapping): --map names column 'Mobile', which the file does not have "
            "(its columns: 手机号, 姓名, 性别, 邮箱).",
        ),
        (["--tenant", "nobody"], "(tenancy.tenant_not_found): No tenant named 'nobody'."),
    ],
)
def test_unusable_options_exit_2_and_import_nothing(
    db: Engine, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "m.csv").write_text(CSV, encoding="utf-8")
    before = counts(db)
    result = run("import", "members", str(tmp_path / "m.csv"), *args)
    assert result.exit_code == 2
    assert result.stderr == f"error {message}\n"
    assert counts(db) == before
    assert not (tmp_path / "m.errors.csv").exists()


def test_an_unreadable_file_exits_2(db: Engine, tmp_path: Path) -> None:
    missing = run("import", "members", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2
    assert missing.stderr == (
        f"error (imports.unreadable_file): Cannot read {tmp_path / 'none.csv'}: "
        "No such file or directory.\n"
    )
    (tmp_path / "m.txt").write_text(CSV, encoding="utf-8")
    text = run("import", "members", str(tmp_path / "m.txt"))
    assert text.exit_code == 2
    assert text.stderr == (
        "error (imports.unreadable_file): m.txt: only .csv and .xlsx files can be imported.\n"
    )


def test_a_report_that_cannot_be_written_stops_before_importing(db: Engine, tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(CSV, encoding="utf-8")
    before = counts(db)
    result = run("import", "members", str(tmp_path / "m.csv"), "--errors", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == (f"error: cannot write the error report {tmp_path}: Is a directory.\n")
    assert counts(db) == before


def test_a_crash_keeps_the_batches_done_and_a_rerun_finishes_the_file(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "m.csv").write_text(CSV, encoding="utf-8")
    real = run_module.import_batch
    calls: list[int] = []

    def crash_on_the_second_batch(*args: object) -> object:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(run_module, "import_batch", crash_on_the_second_batch)
    crashed = run("import", "members", str(tmp_path / "m.csv"), "--batch-size", "2")
    assert isinstance(crashed.exception, RuntimeError)
    assert counts(db)["members"] == 1  # the first batch: rows 2 and 4, one person
    monkeypatch.setattr(run_module, "import_batch", real)
    rerun = run("import", "members", str(tmp_path / "m.csv"), "--batch-size", "2")
    assert rerun.exit_code == 0, rerun.output
    assert summary(rerun)[1:3] == ["created           1", "matched           2"]
    assert counts(db)["members"] == 2
