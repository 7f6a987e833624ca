"""The model inputs by the papers' rules: CDNOW's published summary rebuilt from the raw lines,
the day / as-of / repeat-spend rules on hand-made logs, and compression that loses nothing."""

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberops.insights.clv.summary import Summary, compress, summarise


def test_cdnow_summary_is_rebuilt_from_the_raw_lines(
    cdnow: Summary, published_summary: pd.DataFrame
) -> None:
    assert len(cdnow) == len(published_summary) == 2_357
    np.testing.assert_array_equal(cdnow.customer, published_summary["ID"])
    np.testing.assert_array_equal(cdnow.x, published_summary["x"])
    np.testing.assert_array_equal(np.round(cdnow.t_x, 2), published_summary["t_x"])
    np.testing.assert_array_equal(np.round(cdnow.T, 2), published_summary["T"])
    assert np.max(np.abs(cdnow.zbar - published_summary["zbar"])) <= 0.01


def test_cdnow_counts_match_the_papers(cdnow: Summary) -> None:
    """2,457 repeat transactions in calibration, 946 repeat buyers (data/README.md)."""
    assert cdnow.x.sum() == 2_457
    assert np.count_nonzero(cdnow.x > 0) == 946
    assert cdnow.T.max() == pytest.approx(272 / 7)  # first purchase on 1997-01-01


def test_lines_of_one_day_are_one_transaction_and_later_ones_are_ignored() -> None:
    customer = np.array(["b", "a", "a", "a", "a", "b", "c"])
    when = np.array(
        [
            "2024-01-05",
            "2024-01-01",
            "2024-01-01",
            "2024-01-08",
            "2024-01-08",
            "2024-01-20",
            "2024-02-01",
        ],
        dtype="datetime64[D]",
    )
    amount = np.array([10.0, 5.0, 7.0, 3.0, 4.0, 30.0, 99.0])
    rows = summarise(customer, when, amount, date(2024, 1, 15), unit="day")
    np.testing.assert_array_equal(rows.customer, ["a", "b"])  # c bought after the as-of day
    np.testing.assert_array_equal(rows.x, [1, 0])  # a: 1 Jan and 8 Jan; b: 20 Jan is ignored
    np.testing.assert_array_equal(rows.t_x, [7, 0])
    np.testing.assert_array_equal(rows.T, [14, 10])
    np.testing.assert_array_equal(rows.zbar, [7.0, 0.0])  # the first day's 12 is not repeat spend


def test_a_purchase_on_the_as_of_day_counts_and_weeks_are_days_over_seven() -> None:
    rows = summarise([1, 1, 1], [100, 107, 114], [1.0, 2.0, 4.0], as_of=114)
    assert (rows.x[0], rows.t_x[0], rows.T[0], rows.zbar[0]) == (2, 2.0, 2.0, 3.0)
    same = summarise(
        [1, 1, 1], np.array([100, 107, 114]).astype("datetime64[D]"), [1, 2, 4], "1970-04-25"
    )
    assert (same.x[0], same.T[0]) == (2, 2.0)


def test_nothing_up_to_the_as_of_day_gives_no_customer() -> None:
    rows = summarise([1, 2], [10, 11], [1.0, 1.0], as_of=5)
    assert len(rows) == 0
    assert rows.x.size == rows.zbar.size == 0


@pytest.mark.parametrize(
    ("customer", "when", "amount", "error"),
    [
        ([1, 2], [1, 2, 3], [1.0, 2.0], ValueError),
        ([1], [1], [float("nan")], ValueError),
        ([1], [1.5], [1.0], TypeError),
        ([1], ["2024-01-01"], [1.0], TypeError),
    ],
)
def test_bad_lines_are_refused(
    customer: list[int], when: list[object], amount: list[float], error: type[Exception]
) -> None:
    with pytest.raises(error):
        summarise(customer, when, amount, as_of=10)


lines = st.lists(
    st.tuples(st.integers(0, 20), st.integers(0, 60), st.floats(0, 500)), min_size=1, max_size=80
)


@given(lines, st.integers(0, 70))
def test_summaries_are_what_a_per_customer_loop_finds(
    log: list[tuple[int, int, float]], as_of: int
) -> None:
    customer, day, amount = (np.array(column) for column in zip(*log, strict=True))
    rows = summarise(customer, day, amount, as_of, unit="day")
    expected: dict[int, dict[int, float]] = {}
    for who, when, spent in log:
        if when <= as_of:
            spend_by_day = expected.setdefault(who, {})
            spend_by_day[when] = spend_by_day.get(when, 0.0) + spent
    assert rows.customer.tolist() == sorted(expected)
    for i, who in enumerate(rows.customer):
        days = sorted(expected[int(who)])
        assert rows.x[i] == len(days) - 1
        assert rows.t_x[i] == days[-1] - days[0]
        assert rows.T[i] == as_of - days[0]
        repeat = [expected[int(who)][d] for d in days[1:]]
        assert rows.zbar[i] == pytest.approx(np.mean(repeat) if repeat else 0.0)


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(3, 5)), min_size=1))
def test_compression_keeps_every_row(rows: list[tuple[int, int, int]]) -> None:
    x, t_x, T = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    packed = compress(x, t_x, T)
    assert packed.weights.sum() == len(rows)
    assert len(set(zip(packed.x, packed.t_x, packed.T, strict=True))) == packed.x.size
    assert packed.x.size == len(set(rows))
    for original, kept in ((x, packed.x), (t_x, packed.t_x), (T, packed.T)):
        np.testing.assert_array_equal(packed.expand(kept), original)


def test_cdnow_compresses_to_fewer_rows(cdnow: Summary) -> None:
    packed = compress(cdnow.x, cdnow.t_x, cdnow.T)
    assert packed.x.size < len(cdnow) / 2
    assert packed.weights.sum() == len(cdnow)
