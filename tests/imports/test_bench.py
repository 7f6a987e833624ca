"""The benchmark's own checks, at 2,000 rows, so CI covers its logic (never its timings): the
generated file holds what it says, the CLI imports it with a report of exactly the bad rows
and a second run adds nothing, and the bulk job and the naive baseline end with the same
members."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import import_members as bench
from tests.conftest import _postgres_engine


@pytest.fixture
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.db'}"
        return
    for engine in _postgres_engine():
        yield engine.url.render_as_string(hide_password=False)


def test_the_sample_is_what_the_generator_says(tmp_path: Path) -> None:
    sample = bench.generate(tmp_path / "m.csv", 2000)
    # 20 bad rows (i % 100 == 37), 9 repeated people (i % 200 == 101, i >= 150) and two
    # rows (i % 1000 == 703) each linking two people: 2000 - 20 - 9 - 2 - 2 people.
    assert (sample.rows, sample.people) == (2000, 1967)
    assert sample.bad[:9] == [
        (39, "手机号"),
        (139, "邮箱"),
        (239, "生日"),
        (339, "性别"),
        (439, "consent_sms"),
        (539, ""),
        (639, "姓名"),
        (739, "生日"),
        (839, "手机号"),
    ]
    assert [row for row, _ in sample.bad] == list(range(39, 2002, 100))
    assert bench.generate(tmp_path / "again.csv", 2000).path.read_bytes() == (
        sample.path.read_bytes()
    )


def test_the_acceptance_check_passes_at_2000_rows(fresh_url: str, tmp_path: Path) -> None:
    sample = bench.generate(tmp_path / "m.csv", 2000)
    timings = bench.verify_cli(fresh_url, sample, "test", tmp_path)
    assert [(t.path, t.rows, t.run) for t in timings] == [
        ("bulk (CLI)", 2000, "first"),
        ("bulk (CLI)", 2000, "second"),
    ]


@pytest.mark.parametrize("naive", [False, True])
def test_bulk_and_naive_paths_end_with_the_same_members(
    fresh_url: str, tmp_path: Path, naive: bool
) -> None:
    sample = bench.generate(tmp_path / "m.csv", 800)
    assert sample.people == 787  # 8 bad, 3 repeated, one row linking two people
    assert bench.time_in_process(fresh_url, sample, naive) > 0


def test_a_wrong_report_fails_the_check() -> None:
    with pytest.raises(bench.BenchFailure, match=r"^report: got \[\(2, ''\)\], expected \[\]$"):
        bench._expect("report", [(2, "")], [])
