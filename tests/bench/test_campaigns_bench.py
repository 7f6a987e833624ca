"""The campaign-launch benchmark's own checks at 2,000 members on both backends, so CI covers
its logic (never its timings): the generated tenant loads, the launch decides every member, the
counts by outcome match what the generator's columns say, and the section reads as
docs/benchmarks.md expects."""

from collections.abc import Iterator

import pytest

from bench import campaigns as bench
from tests.conftest import _postgres_engine

MEMBERS = 2_000


@pytest.fixture
def fresh_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('campaigns') / 'bench.db'}"
        return
    for engine in _postgres_engine():
        yield engine.url.render_as_string(hide_password=False)


def test_the_launch_decides_every_member_as_the_generator_says(fresh_url: str) -> None:
    data = bench.generate(MEMBERS)
    result = bench.run_backend("SQLite", fresh_url, data)
    c = data.columns
    reachable = c["phone"] & c["granted"]
    assert sum(result.counts[k] for k in ("sent", "holdout", "skipped")) == MEMBERS
    assert result.counts["no_address"] == int((~c["phone"]).sum())
    assert result.counts["unsubscribed"] == int((c["phone"] & c["unsubscribed"]).sum())
    assert result.counts["frequency_cap"] == int((reachable & c["autumn"] & c["flash"]).sum())
    assert result.messages == result.counts["sent"]
    section = bench.document({"SQLite": result}, ["- machine"], data)
    assert section.startswith("## Campaign launch\n")
    assert "| launch, seconds |" in section
