"""The crowd-preview benchmark's own checks at 3,000 members on both backends, so CI covers its
logic (never its timings): the generated tenant loads, every crowd previews, the sizes of the
simplest crowds equal a count made from the generator's own columns, and the section reads as
docs/benchmarks.md expects."""

from collections.abc import Iterator
from datetime import date, timedelta

import numpy as np
import pytest

from bench import crowds as bench
from tests.conftest import _postgres_engine

MEMBERS = 3_000


@pytest.fixture
def fresh_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('crowds') / 'bench.db'}"
        return
    for engine in _postgres_engine():
        yield engine.url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def data() -> bench.Tenant:
    return bench.generate(MEMBERS)


def _expected(data: bench.Tenant) -> dict[str, int]:
    """Sizes counted from the generated columns, not from SQL."""
    c, end = data.columns, int(bench.AS_OF.timestamp())
    month = np.array([(date(1970, 1, 1) + timedelta(days=int(d))).month for d in c["born"]])
    return {
        "bought in 30 days": int((c["buyer"] & (c["last"] >= end - 30 * bench.DAY)).sum()),
        "in Shanghai or Hangzhou": int(np.isin(c["city"], ["上海", "杭州"]).sum()),
        "December birthdays": int((c["has_birthday"] & (month == 12)).sum()),
        "discount-driven": int(c["tags"]["discount_driven"].sum()),
        "points ≥ 1,000": int((c["buyer"] & (c["kept"] * c["aov"] // 100 >= 1_000)).sum()),
    }


def test_every_crowd_previews_and_the_simple_ones_count_right(
    fresh_url: str, data: bench.Tenant
) -> None:
    timings = bench.run_backend("SQLite", fresh_url, data)
    sizes = {t.crowd: t.size for t in timings}
    assert list(sizes) == [*bench.CROWDS, "baseline: count the active members"]
    assert all(len(t.seconds) == bench.RUNS for t in timings)
    assert {name: sizes[name] for name in _expected(data)} == _expected(data)
    assert sizes["baseline: count the active members"] == MEMBERS
    section = bench.document({"SQLite": timings}, ["- machine"], data)
    assert section.startswith("## Crowd previews\n")
    assert "over 200 previews of 20 crowds" in section


def test_different_sizes_on_two_backends_fail_the_run() -> None:
    one = [bench.Timing("a", 1, [0.1])]
    bench.check_sizes({"SQLite": one, "PostgreSQL": one})
    with pytest.raises(bench.BenchFailure, match="crowd sizes equal on both backends"):
        bench.check_sizes({"SQLite": one, "PostgreSQL": [bench.Timing("a", 2, [0.1])]})


def test_percentiles_are_nearest_rank() -> None:
    runs = [float(n) for n in range(1, 201)]
    assert (bench.percentile(runs, 0.5), bench.percentile(runs, 0.99)) == (100.0, 198.0)
