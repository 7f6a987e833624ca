"""The bulk order benchmark's own checks, at 2,000 lines, so CI covers its logic (never its
timings): the generated file is what the generator says, the CLI imports it into exactly the
orders, lines, refunds, amounts and members generated, and each baseline loads every line."""

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url

from bench import bulk_orders as bench
from memberops.imports.orders.values import exact_cents
from tests.conftest import _postgres_engine

LINES = 2000


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.db'}"
        return
    for engine in _postgres_engine():
        yield engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> bench.Sample:
    return bench.generate(tmp_path_factory.mktemp("orders") / "orders.csv", LINES)


def test_the_file_is_what_the_generator_says(sample: bench.Sample, tmp_path: Path) -> None:
    with sample.path.open(encoding="utf-8", newline="") as lines:
        rows = list(csv.DictReader(lines))
    assert len(rows) == LINES
    order_ids = [row["order_id"] for row in rows]
    assert len(set(order_ids)) == sample.orders == len(dict.fromkeys(order_ids))  # adjacent
    first = [row for row in rows if row["paid_at"]]
    assert len(first) == sample.orders
    assert all(row["paid_at"].endswith("+08:00") for row in first)
    assert len({row["phone"] for row in first}) == sample.members < sample.orders
    refunds = [row for row in rows if row["refund_id"]]
    assert len(refunds) == sample.refunds > 0
    assert sum(exact_cents(row["amount"]) for row in first) == sample.paid_cents
    assert sum(exact_cents(row["refund_amount"]) for row in refunds) == sample.refunded_cents
    assert any(row["unit_price"] != row["list_price"] for row in rows)  # discounted lines
    again = bench.generate(tmp_path / "again.csv", LINES)
    assert again.path.read_bytes() == sample.path.read_bytes()


def test_the_import_check_passes_at_2000_lines(
    fresh_url: str, sample: bench.Sample, tmp_path: Path
) -> None:
    run = bench.import_and_check(fresh_url, sample, tmp_path)
    assert run.seconds > 0
    assert run.peak_mib > 0


def test_the_baseline_loads_every_line(
    backend: str, fresh_url: str, sample: bench.Sample, tmp_path: Path
) -> None:
    if backend == "sqlite":
        run = bench.sqlite_baseline(Path(str(make_url(fresh_url).database)), sample, tmp_path)
    else:
        run = bench.copy_baseline(fresh_url, sample, tmp_path)
    assert run.seconds > 0


def test_a_short_count_fails_the_check(sample: bench.Sample, tmp_path: Path) -> None:
    short = bench.Sample(**{**vars(sample), "lines": LINES + 1})
    database = tmp_path / "short.db"
    with pytest.raises(bench.BenchFailure, match=r"^rows loaded by sqlite3 \.import: got 2000"):
        bench.sqlite_baseline(database, short, tmp_path)


def test_the_notes_compare_the_import_with_its_baseline(sample: bench.Sample) -> None:
    timings = [
        bench.Timing("SQLite", bench.IMPORT, LINES, sample.orders, bench.Run(10.0, 300.0, "")),
        bench.Timing("SQLite", bench.BASELINES["SQLite"], LINES, None, bench.Run(0.5, 9.0, "")),
    ]
    lines = bench.results(timings)
    assert (
        lines[2]
        == f"| SQLite | memberops import orders (CLI) | 2,000 | {sample.orders:,} | 10.0 | 200 |"
    )
    assert lines[3] == "| SQLite | sqlite3 .import (baseline) | 2,000 | – | 0.5 | 4,000 |"
    assert lines[-1] == (
        "- SQLite: the import takes 20.0x the time of `sqlite3 .import`; peak memory of the CLI "
        "300 MiB."
    )
