"""BG/NBD against Fader, Hardie & Lee (2005): the published CDNOW fit, the published conditional
expectation, hand computations of the formulas, and the properties any fit must have."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import hyp2f1

from memberops.insights.clv import bgnbd
from memberops.insights.clv._mle import Fit
from memberops.insights.clv.bgnbd import BGNBD
from memberops.insights.clv.summary import Summary, compress

#: FHL (2005), "Counting your customers the easy way": CDNOW 1/10 sample, weeks, calibration
#: to 1997-09-30
PUBLISHED = BGNBD(r=0.243, alpha=4.414, a=0.793, b=2.426)


@pytest.fixture(scope="module")
def fitted(cdnow: Summary) -> Fit[BGNBD]:
    return bgnbd.fit(cdnow.x, cdnow.t_x, cdnow.T)


def test_cdnow_fit_is_the_published_one(fitted: Fit[BGNBD]) -> None:
    params = fitted.params
    assert (round(params.r, 3), round(params.alpha, 3)) == (PUBLISHED.r, PUBLISHED.alpha)
    assert (round(params.a, 3), round(params.b, 3)) == (PUBLISHED.a, PUBLISHED.b)
    assert round(fitted.log_likelihood, 1) == -9582.4
    assert fitted.converged
    assert fitted.n_customers == 2_357


def test_the_fit_on_compressed_rows_is_the_fit_on_all_rows(
    cdnow: Summary, fitted: Fit[BGNBD]
) -> None:
    rows = compress(cdnow.x, cdnow.t_x, cdnow.T)
    packed = bgnbd.fit(rows.x, rows.t_x, rows.T, weights=rows.weights)
    assert packed.n_customers == fitted.n_customers
    assert packed.log_likelihood == pytest.approx(fitted.log_likelihood, abs=1e-6)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(packed.params, name) == pytest.approx(getattr(fitted.params, name), 1e-5)


def test_published_conditional_expectation() -> None:
    """FHL (2005): customer 1 (x = 2, t_x = 30.43, T = 38.86) is expected to make
    1.226 purchases in the next 39 weeks."""
    expected = PUBLISHED.conditional_expected_purchases(39, 2, 30.43, 38.86)
    assert round(float(expected[0]), 3) == 1.226


def test_p_alive_by_hand() -> None:
    """FHL (2008) typed out: 1 / (1 + a/(b+x-1) · ((α+T)/(α+t_x))^(r+x))."""
    r, alpha, a, b = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b
    by_hand = 1 / (1 + a / (b + 1) * ((alpha + 38.86) / (alpha + 30.43)) ** (r + 2))
    assert PUBLISHED.p_alive(2, 30.43, 38.86)[0] == pytest.approx(by_hand, rel=1e-12)
    assert by_hand == pytest.approx(0.7266, abs=1e-4)


def test_the_likelihood_by_hand() -> None:
    """The likelihood typed out with math.lgamma for one repeat buyer and one single buyer."""
    r, alpha, a, b = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b

    def beta(p: float, q: float) -> float:
        return math.exp(math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q))

    def likelihood(x: int, t_x: float, T: float) -> float:
        gamma = math.exp(math.lgamma(r + x) - math.lgamma(r)) * alpha**r
        alive = beta(a, b + x) / beta(a, b) * gamma / (alpha + T) ** (r + x)
        dead = beta(a + 1, b + x - 1) / beta(a, b) * gamma / (alpha + t_x) ** (r + x)
        return alive + (dead if x > 0 else 0.0)

    got = PUBLISHED.log_likelihood([2, 0], [30.43, 0.0], [38.86, 38.86])
    assert got == pytest.approx(
        [math.log(likelihood(2, 30.43, 38.86)), math.log(likelihood(0, 0, 38.86))]
    )


def test_p_alive_is_one_without_repeat_purchases(fitted: Fit[BGNBD]) -> None:
    np.testing.assert_array_equal(fitted.params.p_alive([0, 0], [0, 0], [1.0, 38.86]), [1, 1])


def test_the_euler_form_equals_the_printed_formula() -> None:
    """Equation (10) as printed, with scipy's 2F1 at moderate values where it is accurate."""
    r, alpha, a, b = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.a, PUBLISHED.b
    x, t_x, T, t = np.array([0, 1, 5]), np.array([0, 10.0, 30.0]), np.array([20, 30, 38.0]), 39.0
    z = t / (alpha + T + t)
    bracket = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, z
    )
    odds = np.where(
        x > 0, a / (b + np.maximum(x, 1) - 1) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0
    )
    printed = (a + b + x - 1) / (a - 1) * bracket / (1 + odds)
    np.testing.assert_allclose(PUBLISHED.conditional_expected_purchases(t, x, t_x, T), printed)
    new = (
        (a + b - 1)
        / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    )
    np.testing.assert_allclose(PUBLISHED.expected_purchases(t), new)


def test_expected_purchases_for_a_new_customer_is_the_conditional_one_at_birth() -> None:
    t = np.array([0.0, 1.0, 39.0, 78.0])
    np.testing.assert_allclose(
        PUBLISHED.expected_purchases(t), PUBLISHED.conditional_expected_purchases(t, 0, 0, 0)
    )
    assert PUBLISHED.expected_purchases(0.0)[0] == 0.0


def test_frequent_buyers_and_long_horizons_stay_finite() -> None:
    far = PUBLISHED.conditional_expected_purchases(10_000.0, [300], [38.0], [38.86])
    assert np.isfinite(far).all()
    assert far[0] > 0


@pytest.mark.parametrize(("a", "b"), [(1.0, 2.5), (0.5, 0.5)])
def test_the_singular_points_of_the_closed_form_use_the_limit(a: float, b: float) -> None:
    """a = 1 (1 / (a - 1)) and a + b = 1 (2F1's lower parameter 0 for x = 0) give the mean of
    the neighbours on either side."""
    step = 1e-3

    def expected(a: float, b: float) -> float:
        model = BGNBD(0.25, 4.0, a, b)
        return float(model.conditional_expected_purchases(39, 0, 0, 38)[0])

    around = (expected(a - step, b) + expected(a + step, b)) / 2
    assert expected(a, b) == pytest.approx(around, rel=1e-4)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="t_x must lie"):
        bgnbd.fit([1], [5.0], [4.0])
    with pytest.raises(ValueError, match="whole numbers"):
        bgnbd.fit([1.5], [1.0], [4.0])
    with pytest.raises(ValueError, match="weights"):
        bgnbd.fit([1], [1.0], [4.0], weights=[-1])
    with pytest.raises(ValueError, match="horizon"):
        PUBLISHED.conditional_expected_purchases(-1, 1, 1, 2)


models = st.builds(
    BGNBD,
    r=st.floats(0.05, 5),
    alpha=st.floats(0.5, 50),
    a=st.floats(0.1, 5),
    b=st.floats(0.1, 20),
)
customers = st.tuples(st.integers(0, 60), st.floats(0, 1), st.floats(0.1, 150)).map(
    lambda c: (c[0], c[1] * c[2] if c[0] else 0.0, c[2])
)


@given(models, customers, st.floats(0, 200), st.floats(0, 200))
def test_predictions_are_probabilities_and_growing_counts(
    model: BGNBD, customer: tuple[int, float, float], t1: float, t2: float
) -> None:
    x, t_x, T = customer
    alive = model.p_alive(x, t_x, T)[0]
    assert 0 <= alive <= 1
    short, long = sorted((t1, t2))
    e_short = model.conditional_expected_purchases(short, x, t_x, T)[0]
    e_long = model.conditional_expected_purchases(long, x, t_x, T)[0]
    assert 0 <= e_short <= e_long * (1 + 1e-9) + 1e-12
    assert (
        model.expected_purchases(short)[0] <= model.expected_purchases(long)[0] * (1 + 1e-9) + 1e-12
    )


@given(models, st.lists(customers, min_size=1, max_size=20))
def test_the_analytic_gradient_is_the_numeric_one(
    model: BGNBD, rows: list[tuple[int, float, float]]
) -> None:
    x, t_x, T = (np.array(column, dtype=float) for column in zip(*rows, strict=True))
    weights = np.arange(1.0, x.size + 1)
    objective = bgnbd._objective(bgnbd._Rows.of(x, t_x, T, weights))
    theta = np.log([model.r, model.alpha, model.a, model.b])
    _, gradient = objective(theta)
    step = 1e-6
    numeric = [
        (objective(theta + e)[0] - objective(theta - e)[0]) / (2 * step) for e in np.eye(4) * step
    ]
    np.testing.assert_allclose(gradient, numeric, rtol=1e-4, atol=1e-6)


def _drop_out_alike(customers: int, p: float, seed: int) -> tuple[np.ndarray, ...]:
    """(x, t_x, T) of customers from the BG/NBD process with one drop-out probability ``p``
    for all (rates Gamma(0.5, 8) per week, ages 20 to 80 weeks)."""
    rng = np.random.default_rng(seed)
    x, t_x, T = np.zeros(customers), np.zeros(customers), rng.uniform(20, 80, customers)
    for i, rate in enumerate(rng.gamma(0.5, 1 / 8, customers)):
        now, alive = 0.0, True  # the first purchase at 0: x counts repeats
        while alive:
            now += rng.exponential(1 / rate)
            if now > T[i]:
                break
            x[i], t_x[i] = x[i] + 1, now
            alive = rng.random() >= p
    return x, t_x, T


def test_customers_dropping_out_alike_fit_the_limit_and_predict() -> None:
    """When every customer drops out with the same p, a + b runs off with a / (a + b) = p:
    the search still converges (the likelihood's Beta terms keep their precision there), and
    the expectations take the limit in which 2F1 would overflow."""
    x, t_x, T = _drop_out_alike(3000, 0.2, seed=5)
    rows = compress(x, t_x, T)
    found = bgnbd.fit(rows.x, rows.t_x, rows.T, rows.weights)
    assert found.converged
    assert not found.at_bound
    model = found.params
    assert model.a + model.b > bgnbd.CONCENTRATED
    assert model.a / (model.a + model.b) == pytest.approx(0.2, abs=0.03)
    assert (model.r, model.alpha) == (pytest.approx(0.5, rel=0.2), pytest.approx(8, rel=0.3))
    ahead = model.conditional_expected_purchases(104, rows.x, rows.t_x, rows.T)
    assert np.isfinite(ahead).all()
    assert (ahead >= 0).all()


@pytest.mark.parametrize("t", [1.0, 10.0, 52.0])
def test_the_drop_out_alike_limit_continues_the_closed_form(t: float) -> None:
    """Below CONCENTRATED, where the closed form still holds, the limit's bracket agrees with
    it to the spread of the Beta, (1 - p) / (p (a + b))."""
    p, size = 0.2, 2000.0
    model = BGNBD(0.5, 8.0, p * size, (1 - p) * size)
    x, T = np.array([0.0, 3.0, 12.0]), np.array([30.0, 30.0, 30.0])
    t_ = np.full(3, t)
    np.testing.assert_allclose(
        bgnbd._expected_alike(model, t_, x, T),
        bgnbd._expected(model, t_, x, T),
        rtol=(1 - p) / (p * size),
    )


def test_the_rising_factorial_is_the_gamma_ratio() -> None:
    n = np.array([0.0, 1.0, 7.0, 40.0])
    for c in (0.3, 2.5, 1e3):
        expected = [math.lgamma(c + k) - math.lgamma(c) for k in n]
        np.testing.assert_allclose(bgnbd._log_rising(c, n), expected, rtol=1e-12, atol=1e-12)
