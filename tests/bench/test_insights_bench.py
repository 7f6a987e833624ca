"""The insights benchmark's own checks at 2,000 members and 20,000 orders on both backends, so
CI covers its logic (never its timings): the generated tenant loads, every step runs and
reports what it made, and pandas' RFM equals the stored one for every member (the check
fails on a difference)."""

from collections.abc import Iterator

import pandas as pd
import pytest

from bench import insights as bench
from tests.conftest import _postgres_engine

MEMBERS, ORDERS = 2_000, 20_000


@pytest.fixture
def fresh_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('insights') / 'bench.db'}"
        return
    for engine in _postgres_engine():
        yield engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def data() -> bench.Tenant:
    return bench.generate(MEMBERS, ORDERS)


def test_every_step_runs_and_pandas_agrees(fresh_url: str, data: bench.Tenant) -> None:
    timings = bench.run_backend("SQLite", fresh_url, data)
    rows = {t.step: t.rows for t in timings}
    assert rows["stages"] == MEMBERS
    assert rows["pandas: read orders"] == ORDERS
    assert 0 < rows["RFM"] == rows["pandas: RFM in memory"] < MEMBERS
    assert rows["behaviour tags"] > 0
    section = bench.document("SQLite", timings, ["- machine"], data)
    assert section.startswith("## Insights recompute: SQLite\n")
    assert f"{MEMBERS:,} members, {ORDERS:,} orders" in section


def test_a_different_score_fails_the_check() -> None:
    yesterday = int(bench.AS_OF.timestamp()) - 86_400
    orders = pd.DataFrame(
        {"member": [1, 2], "paid": [yesterday] * 2, "net": [100, 200], "kept": [True, True]}
    )
    computed = bench.pandas_rfm(orders)
    stored = computed[["member", "r", "f", "m", "type"]].copy()
    bench.check(stored, computed)
    stored.loc[0, "m"] = 5
    with pytest.raises(bench.BenchFailure, match="RFM m equal to pandas"):
        bench.check(stored, computed)
