"""``memberops import orders``: its summary, report and exit status against a db database
per test (a SQLite file, or a throwaway PostgreSQL database), initialised by ``memberops init``.
"""

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from memberops.activity.models import Order
from tests.imports.orders.helpers import write
from tests.imports.support import run
from tests.imports.test_cli import summary

CSV = (
    "order_id,paid_at,crm_id,sku,name,unit_price,quantity,refund_id,refund_amount,refunded_at\n"
    "T1,2026-11-11 10:00:00,C1,A1,Tea,99.50,2,R1,50.00,2026-11-12 10:00:00\n"
    "T2,2026-11-11 10:00:00,C2,A1,Tea,9.50,0,,,\n"
    "T3,2026-11-11 10:00:00,C1,A1,Tea,5,1,,,\n"
)


def test_import_reports_bad_rows_and_a_second_run_replays(db: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, "o.csv", CSV)
    first = run("import", "orders", str(path), "--preset", "generic", "--batch-size", "1")
    assert first.exit_code == 0, first.output
    assert summary(first)[:7] == [
        "rows                       3",
        "orders created             2",
        "orders replayed            0",
        "refunds created            1",
        "refunds replayed           0",
        "customers created          1",
        "bad rows                   1",
    ]
    report = (tmp_path / "o.errors.csv").read_text(encoding="utf-8-sig")
    assert report == "row,column,value,reason\n3,quantity,0,quantity must be at least 1\n"
    again = run("import", "orders", str(path), "--preset", "generic")
    assert summary(again)[1:5] == [
        "orders created             0",
        "orders replayed            2",
        "refunds created            0",
        "refunds replayed           1",
    ]
    with db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Order)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--preset", "uci"], "imports.unreadable_file"),
        (["o.csv", "--preset", "shopify"], "imports.unknown_preset"),
        (["o.csv", "--preset", "uci"], "Not a UCI Online Retail file"),
        (["o.csv", "--timezone", "Mars/Olympus"], "unknown timezone Mars/Olympus"),
    ],
)
def test_a_file_that_cannot_be_imported_exits_2(
    db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    write(tmp_path, "o.csv", CSV)
    monkeypatch.chdir(tmp_path)
    result = run("import", "orders", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    with db.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Order)) == 0
