"""Discounted CLV as lifetimes computes it, the churn-risk bands, and ``score`` (per distinct
row) equal to the per-customer computation."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberops.insights.clv import value
from memberops.insights.clv.bgnbd import BGNBD
from memberops.insights.clv.gamma_gamma import GammaGamma
from memberops.insights.clv.pareto_nbd import ParetoNBD
from memberops.insights.clv.summary import Summary, compress

BG = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)
PARETO = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)
SPEND = GammaGamma(p=6.25, q=3.74, gamma=15.44)


def test_clv_by_hand() -> None:
    """Σ over 12 months of (E[Y(4.345 m)] - E[Y(4.345 (m-1))]) · E[Z] / 1.01^m."""
    x, t_x, T, zbar = 2, 30.43, 38.86, 22.35
    spend = SPEND.conditional_expected_spend(x, zbar)[0]
    total, before = 0.0, 0.0
    for month in range(1, 13):
        upto = BG.conditional_expected_purchases(4.345 * month, x, t_x, T)[0]
        total += (upto - before) * spend / 1.01**month
        before = upto
    got = value.customer_lifetime_value(BG, SPEND, x, t_x, T, zbar)
    assert got[0] == pytest.approx(total, rel=1e-12)


def test_without_discount_clv_is_spend_times_purchases_over_the_horizon() -> None:
    x, t_x, T, zbar = (
        np.array([0, 3]),
        np.array([0, 20.0]),
        np.array([30.0, 38.0]),
        np.array([0, 40.0]),
    )
    clv = value.customer_lifetime_value(PARETO, SPEND, x, t_x, T, zbar, months=6, discount=0)
    purchases = PARETO.conditional_expected_purchases(6 * 4.345, x, t_x, T)
    np.testing.assert_allclose(clv, SPEND.conditional_expected_spend(x, zbar) * purchases)
    none = value.customer_lifetime_value(BG, SPEND, x, t_x, T, zbar, months=0)
    np.testing.assert_array_equal(none, [0, 0])


def test_days_use_thirty_day_months() -> None:
    weekly = BG
    daily = BGNBD(BG.r, BG.alpha * 7, BG.a, BG.b)  # the same model with time in days
    in_weeks = value.discounted_purchases(weekly, 2, 30.0, 38.0, periods_per_month=30 / 7)
    in_days = value.discounted_purchases(daily, 2, 210.0, 266.0, periods_per_month=30)
    assert in_days[0] == pytest.approx(in_weeks[0], rel=1e-12)


def test_an_annual_rate_as_a_monthly_one() -> None:
    assert value.monthly_discount(0.1) == pytest.approx(1.1 ** (1 / 12) - 1)
    assert (1 + value.monthly_discount(0.1)) ** 12 == pytest.approx(1.1)
    with pytest.raises(ValueError, match="above -100"):
        value.monthly_discount(-1)


def test_churn_risk_bands() -> None:
    bands = value.churn_risk_band([0.0, 0.29, 0.3, 0.69, 0.7, 1.0])
    assert bands.tolist() == ["high", "high", "medium", "medium", "low", "low"]
    custom = value.churn_risk_band([0.45, 0.55], high_below=0.5, low_from=0.5)
    assert custom.tolist() == ["high", "low"]
    with pytest.raises(ValueError, match="bands"):
        value.churn_risk_band([0.5], high_below=0.8, low_from=0.2)


def test_score_is_the_per_customer_computation(cdnow: Summary) -> None:
    rows = (cdnow.x, cdnow.t_x, cdnow.T)
    scores = value.score(BG, SPEND, *rows, cdnow.zbar, horizon=39.0)
    np.testing.assert_allclose(scores.p_alive, BG.p_alive(*rows))
    np.testing.assert_allclose(
        scores.expected_purchases, BG.conditional_expected_purchases(39, *rows)
    )
    np.testing.assert_allclose(
        scores.expected_spend, SPEND.conditional_expected_spend(cdnow.x, cdnow.zbar)
    )
    np.testing.assert_allclose(
        scores.clv, value.customer_lifetime_value(BG, SPEND, *rows, cdnow.zbar)
    )
    assert scores.risk.tolist() == value.churn_risk_band(scores.p_alive).tolist()
    again = value.score(BG, SPEND, *rows, cdnow.zbar, horizon=39.0, compressed=compress(*rows))
    np.testing.assert_array_equal(again.clv, scores.clv)
    with pytest.raises(ValueError, match="other rows"):
        value.score(BG, SPEND, *rows, cdnow.zbar, compressed=compress([0], [0], [1]))


def test_default_horizon_is_the_clv_horizon() -> None:
    scores = value.score(PARETO, SPEND, [1], [5.0], [20.0], [30.0], months=3)
    expected = PARETO.conditional_expected_purchases(3 * 4.345, 1, 5.0, 20.0)
    assert scores.expected_purchases[0] == pytest.approx(expected[0])


customers = st.tuples(st.integers(0, 40), st.floats(0, 1), st.floats(0.1, 100), st.floats(1, 500))


@given(customers, st.floats(0, 0.05), st.floats(0, 0.05))
def test_clv_is_non_negative_and_falls_with_the_discount(
    customer: tuple[int, float, float, float], d1: float, d2: float
) -> None:
    x, share, T, zbar = customer
    t_x = share * T if x else 0.0
    low, high = sorted((d1, d2))
    more = value.customer_lifetime_value(BG, SPEND, x, t_x, T, zbar if x else 0.0, discount=low)
    less = value.customer_lifetime_value(BG, SPEND, x, t_x, T, zbar if x else 0.0, discount=high)
    assert 0 <= less[0] <= more[0] * (1 + 1e-12)
