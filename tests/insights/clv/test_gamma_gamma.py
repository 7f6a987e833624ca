"""Gamma-Gamma against Fader & Hardie (2013): the published fit on CDNOW's 946 repeat buyers,
the density and the conditional expectation typed out, and the gradient."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from memberops.insights.clv import gamma_gamma
from memberops.insights.clv.gamma_gamma import GammaGamma
from memberops.insights.clv.summary import Summary

#: Fader & Hardie (2013), "The Gamma-Gamma model of monetary value", CDNOW repeat buyers
PUBLISHED = GammaGamma(p=6.25, q=3.74, gamma=15.44)


def test_cdnow_fit_is_the_published_one(cdnow: Summary) -> None:
    repeat = cdnow.x > 0
    assert np.count_nonzero(repeat) == 946
    fitted = gamma_gamma.fit(cdnow.x[repeat], cdnow.zbar[repeat])
    params = fitted.params
    assert (round(params.p, 2), round(params.q, 2), round(params.gamma, 2)) == (6.25, 3.74, 15.44)
    assert fitted.converged
    assert fitted.n_customers == 946


def test_weights_count_customers(cdnow: Summary) -> None:
    repeat = cdnow.x > 0
    x, zbar = cdnow.x[repeat], cdnow.zbar[repeat]
    twice = gamma_gamma.fit(np.r_[x, x], np.r_[zbar, zbar])
    weighted = gamma_gamma.fit(x, zbar, weights=np.full(x.size, 2.0))
    assert weighted.log_likelihood == pytest.approx(twice.log_likelihood, abs=1e-6)
    assert weighted.params.gamma == pytest.approx(twice.params.gamma, rel=1e-5)


def test_the_density_by_hand() -> None:
    """Equation (1a): Γ(px+q) / (Γ(px) Γ(q)) · γ^q x^(px) zbar^(px-1) / (γ + x zbar)^(px+q)."""
    p, q, gamma = PUBLISHED.p, PUBLISHED.q, PUBLISHED.gamma
    x, zbar = 2, 22.35
    log_density = math.lgamma(p * x + q) - math.lgamma(p * x) - math.lgamma(q)
    log_density += q * math.log(gamma) + p * x * math.log(x) + (p * x - 1) * math.log(zbar)
    log_density -= (p * x + q) * math.log(gamma + x * zbar)
    assert PUBLISHED.log_likelihood(x, zbar)[0] == pytest.approx(log_density, rel=1e-12)


def test_the_conditional_expectation_by_hand() -> None:
    """Equation (5): a weighted mean of the population mean and the customer's own."""
    p, q, gamma = PUBLISHED.p, PUBLISHED.q, PUBLISHED.gamma
    population = p * gamma / (q - 1)
    weight = p * 2 / (p * 2 + q - 1)
    expected = (1 - weight) * population + weight * 22.35
    assert PUBLISHED.conditional_expected_spend(2, 22.35)[0] == pytest.approx(expected)
    assert PUBLISHED.conditional_expected_spend(0, 0)[0] == pytest.approx(population)
    assert PUBLISHED.mean_spend() == pytest.approx(population)


def test_repeat_buyers_are_required() -> None:
    with pytest.raises(ValueError, match="repeat buyers"):
        gamma_gamma.fit([0, 2], [0.0, 10.0])
    with pytest.raises(ValueError, match="q <= 1"):
        GammaGamma(2.0, 0.5, 10.0).conditional_expected_spend([0], [0.0])


@given(st.integers(1, 200), st.floats(0.01, 1_000))
def test_the_expectation_lies_between_the_mean_and_the_customer(x: int, zbar: float) -> None:
    expected = PUBLISHED.conditional_expected_spend(x, zbar)[0]
    low, high = sorted((zbar, PUBLISHED.mean_spend()))
    assert low * (1 - 1e-12) <= expected <= high * (1 + 1e-12)


@given(
    st.builds(GammaGamma, st.floats(0.2, 20), st.floats(0.2, 20), st.floats(0.5, 100)),
    st.lists(st.tuples(st.integers(1, 30), st.floats(0.5, 500)), min_size=1, max_size=20),
)
def test_the_analytic_gradient_is_the_numeric_one(
    model: GammaGamma, rows: list[tuple[int, float]]
) -> None:
    x, zbar = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    objective = gamma_gamma._objective(gamma_gamma._Rows.of(x, zbar, np.ones(x.size)))
    theta = np.log([model.p, model.q, model.gamma])
    value, gradient = objective(theta)
    assert value == pytest.approx(-model.log_likelihood(x, zbar).mean())
    step = 1e-6
    numeric = [
        (objective(theta + e)[0] - objective(theta - e)[0]) / (2 * step) for e in np.eye(3) * step
    ]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-6)
