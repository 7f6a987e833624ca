"""The ingest benchmark's own checks at a tiny size (40 orders, 2 clients, SQLite, no
pgbench), so CI covers its logic, never its timings: every order posted is answered as the
stream says and stored exactly once, a lost order fails the run, and no server outlives it."""

from pathlib import Path

import httpx
import pytest

from bench import ingest
from bench.common import BenchFailure, write_section
from bench.ingest_load import REPLAY_EVERY, stream
from bench.pgbench import Baseline, libpq_url, parse
from memberops.kernel.db import make_engine
from memberops.migrations import upgrade

TINY = ingest.Options(clients=2, orders=40, batch_orders=40, batch_size=10, healthz=20, pool=30)


def test_the_stream_is_deterministic_with_replays_on_purpose() -> None:
    items = stream(1, "S", 0, 40, pool=30)
    assert items == stream(1, "S", 0, 40, pool=30)
    assert items != stream(1, "S", 1, 40, pool=30)
    replays = [i for i, posted in enumerate(items) if posted.status == 200]
    assert replays == [REPLAY_EVERY - 1, 2 * REPLAY_EVERY - 1]
    assert items[19].order is items[9].order
    new = [posted.order["external_id"] for posted in items if posted.status == 201]
    assert len(new) == len(set(new)) == 38
    order = items[0].order
    assert order["external_id"] == "S-0-000000"
    assert 1 <= len(order["lines"]) <= 4
    assert all(isinstance(order[k], str) for k in ("amount", "list_amount", "paid_at"))


def test_a_tiny_run_on_sqlite_stores_every_order_once(tmp_path: Path) -> None:
    phases = ingest.run_backend("SQLite", f"sqlite:///{tmp_path / 'b.db'}", tmp_path, TINY)
    assert [(p.mode, p.clients, p.items, len(p.latencies), p.retried) for p in phases] == [
        ("healthz", 2, 20, 20, 0),
        ("single", 2, 40, 40, 0),
        ("batch", 2, 40, 4, 0),
    ]
    lines = ingest.results(phases, None)
    assert lines[:2] == ingest.TABLE_HEAD
    assert lines[3].startswith("| SQLite | POST /orders | 2 | 40 | ")
    assert lines[4].startswith("| SQLite | POST :batch | 2 | 40 | ")


def test_a_lost_order_fails_the_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    posted = stream(1, "S", 0, 1, pool=30)
    with pytest.raises(BenchFailure, match=r"^orders stored under S-: got 0, expected 1$"):
        ingest.verify(url, "http://127.0.0.1:9", "key", posted, set())


def test_the_server_is_stopped_afterwards(tmp_path: Path) -> None:
    with ingest.serving(f"sqlite:///{tmp_path / 's.db'}", tmp_path) as (base, key):
        assert httpx.get(f"{base}/healthz", trust_env=False).status_code == 200
        assert key.startswith("mo_")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/healthz", trust_env=False)


def test_pgbench_output_is_read() -> None:
    output = (
        "transaction type: <builtin: TPC-B (sort of)>\nscaling factor: 10\n"
        "number of transactions actually processed: 36012\n"
        "latency average = 3.331 ms\n"
        "tps = 1200.412345 (without initial connection time)\n"
    )
    assert parse(output) == (1200.412345, 36012)
    with pytest.raises(BenchFailure, match="pgbench printed no tps"):
        parse("connection refused")
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/x"
    assert libpq_url(url) == "postgresql://postgres@127.0.0.1:5432/x"
    baseline = Baseline(1200.4, 36012, 30, 4, 2, (1.0, 2.0, 3.0), "pgbench (PostgreSQL) 15.20")
    assert baseline.line() == (
        "| PostgreSQL | pgbench TPC-B (baseline) | 4 | 36,012 | 30.0 | 1,200 | 2.0 | 3.0 |"
    )


def test_write_section_replaces_only_its_own(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    write_section(doc, "## A\n\nfirst\n")
    write_section(doc, "## B\n\nother\n")
    write_section(doc, "## A\n\nsecond\n")
    text = doc.read_text()
    assert text.startswith("# Benchmarks\n\n")
    assert text.endswith("## A\n\nsecond\n\n## B\n\nother\n")
