"""The CLV benchmark's own logic at a small size and without lifetimes (CI covers the logic,
never the timings): the synthetic generator draws what the models describe, memberops' side
runs, a disagreement with lifetimes fails the run, and the section renders."""

import ast

import numpy as np
import pytest

from bench import clv
from bench.common import BenchFailure
from memberops.insights.clv import summary

CUSTOMERS = 20_000


@pytest.fixture(scope="module")
def rows() -> summary.Summary:
    lines = clv.generate(CUSTOMERS, seed=7)
    return summary.summarise(lines.customer, lines.day, lines.amount, lines.as_of)


def test_the_generator_is_seeded_and_follows_the_cohort_rules() -> None:
    first, again, other = clv.generate(500, seed=1), clv.generate(500, seed=1), clv.generate(500, 2)
    np.testing.assert_array_equal(first.amount, again.amount)
    assert not np.array_equal(first.amount, other.amount)
    assert np.unique(first.customer).size == 500
    assert first.day.max() <= first.as_of == clv.AS_OF_DAY
    assert (first.amount > 0).all()


def test_the_synthetic_base_gives_back_roughly_its_parameters(rows: summary.Summary) -> None:
    """Not exactly: same-day purchases of the heaviest buyers merge into one transaction, as
    the papers' rule says, which nudges α and γ up by a few per cent."""
    assert len(rows) == CUSTOMERS
    model, spend, packed = clv.fit_ours(rows)
    assert packed.weights.sum() == CUSTOMERS
    for name, true in clv.TRUE_BGNBD.items():
        assert getattr(model, name) == pytest.approx(true, rel=0.15), name
    for name, true in clv.TRUE_GG.items():
        assert getattr(spend, name) == pytest.approx(true, rel=0.15), name


def test_memberops_side_and_the_section(rows: summary.Summary) -> None:
    ours, scores = clv.run_ours("synthetic", rows, repeat=1)
    assert ours.customers == ours.fit_rows == CUSTOMERS
    assert set(ours.params) == set(clv.TRUE_BGNBD) | set(clv.TRUE_GG)
    assert scores.clv.shape == (CUSTOMERS,)
    same = {"alive": scores.p_alive.copy(), "clv": scores.clv.copy()}
    theirs = clv.Result("synthetic", "lifetimes", CUSTOMERS, CUSTOMERS, dict(ours.params), 2.0, 3.0)
    note = clv.compare(ours, theirs, scores, same)
    assert note.startswith("- synthetic: largest P(alive) difference 0.0e+00")
    plain = clv.uncompressed_note("synthetic", rows, 1, ours.fit_seconds)
    assert plain.startswith("- synthetic: memberops' fit with BG/NBD on all 20,000 rows")
    section = clv.document([ours, theirs], [note], ["- CPU: test"])
    assert section.startswith("## CLV models\n")
    assert "| synthetic | 20,000 | memberops | 20,000 |" in section
    assert "| synthetic | 20,000 | lifetimes | 20,000 | 2.0000 | 3.0000 | 5.0000 | – |" in section
    assert "| synthetic | true | 0.243 | 4.414 | 0.793 | 2.426 | 6.25 | 3.74 | 15.44 |" in section


def test_parameters_that_differ_fail_the_run(rows: summary.Summary) -> None:
    ours, scores = clv.run_ours("synthetic", rows, repeat=1)
    off = {**ours.params, "b": ours.params["b"] * 1.01}
    theirs = clv.Result("synthetic", "lifetimes", CUSTOMERS, CUSTOMERS, off, 1.0, 1.0)
    arrays = {"alive": scores.p_alive, "clv": scores.clv}
    with pytest.raises(BenchFailure, match="synthetic, b: memberops"):
        clv.compare(ours, theirs, scores, arrays)


def test_the_worker_is_valid_python() -> None:
    ast.parse(clv.WORKER)
    assert "BetaGeoFitter" in clv.WORKER
