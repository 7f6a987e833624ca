"""Pareto/NBD against Fader, Hardie & Lee (2005, "A note on deriving the Pareto/NBD model"):
the published CDNOW fit, the likelihood's 2F1 terms against a numerical integral in each of
their branches, and the properties of the predictions."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.special import gammaln

from memberops.insights.clv import pareto_nbd
from memberops.insights.clv._mle import Fit
from memberops.insights.clv.pareto_nbd import ParetoNBD
from memberops.insights.clv.summary import Summary, compress

#: FHL (2005 note), CDNOW 1/10 sample in weeks, calibration to 1997-09-30
PUBLISHED = ParetoNBD(r=0.553, alpha=10.578, s=0.606, beta=11.669)


@pytest.fixture(scope="module")
def fitted(cdnow: Summary) -> Fit[ParetoNBD]:
    rows = compress(cdnow.x, cdnow.t_x, cdnow.T)
    return pareto_nbd.fit(rows.x, rows.t_x, rows.T, weights=rows.weights)


def test_cdnow_fit_is_the_published_one(fitted: Fit[ParetoNBD]) -> None:
    params = fitted.params
    assert (round(params.r, 3), round(params.alpha, 3)) == (PUBLISHED.r, PUBLISHED.alpha)
    assert (round(params.s, 3), round(params.beta, 3)) == (PUBLISHED.s, PUBLISHED.beta)
    assert round(fitted.log_likelihood, 1) == -9595.0
    assert fitted.converged
    assert fitted.n_customers == 2_357


def test_the_fit_on_all_rows_is_the_fit_on_compressed_rows(
    cdnow: Summary, fitted: Fit[ParetoNBD]
) -> None:
    full = pareto_nbd.fit(cdnow.x, cdnow.t_x, cdnow.T)
    assert full.log_likelihood == pytest.approx(fitted.log_likelihood, abs=1e-6)
    for name in ("r", "alpha", "s", "beta"):
        assert getattr(full.params, name) == pytest.approx(getattr(fitted.params, name), 1e-4)


def _integrated(model: ParetoNBD, x: int, t_x: float, T: float) -> float:
    """The likelihood from its definition: alive at T, or dead at some τ in (t_x, T] (the
    individual-level terms integrated over the Gamma mixing distributions), by quadrature."""
    r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)

    def density(tau: float) -> float:
        return float(np.exp(-(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau) - alive))

    died = quad(density, t_x, T, epsabs=0, epsrel=1e-12, limit=200)[0] if t_x < T else 0.0
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    return float(common + alive + np.log1p(s * died))


@pytest.mark.parametrize(
    "model",
    [
        PUBLISHED,  # α < β
        ParetoNBD(0.553, 14.0, 0.606, 11.669),  # α > β
        ParetoNBD(0.553, 11.669, 0.606, 11.669),  # α = β: z = 0
        ParetoNBD(1.7, 2.0, 3.0, 40.0),  # α < β with r + x > 1 for every x
        ParetoNBD(0.05, 1e-4, 90.0, 3e5),  # far out, where an optimiser may wander
    ],
)
def test_the_likelihood_is_the_integral_it_stands_for(model: ParetoNBD) -> None:
    x = np.array([0, 0, 1, 2, 7, 29])
    t_x = np.array([0.0, 0.0, 1.7, 30.4, 12.0, 38.4])
    T = np.array([27.0, 38.9, 38.9, 38.9, 35.0, 38.9])
    expected = [_integrated(model, *row) for row in zip(x, t_x, T, strict=True)]
    np.testing.assert_allclose(model.log_likelihood(x, t_x, T), expected, rtol=1e-7)


def test_p_alive_is_the_share_of_the_alive_term() -> None:
    """FHL (2005 note) section 5.1 against the integral: a customer who bought just now is
    surely alive, one quiet for a long time probably not."""
    r, alpha, s, beta = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.s, PUBLISHED.beta
    x, t_x, T = 2, 30.43, 38.86
    alive = (
        gammaln(r + x)
        - gammaln(r)
        + r * np.log(alpha)
        + s * np.log(beta)
        - (r + x) * np.log(alpha + T)
        - s * np.log(beta + T)
    )
    by_hand = np.exp(alive - _integrated(PUBLISHED, x, t_x, T))
    assert PUBLISHED.p_alive(x, t_x, T)[0] == pytest.approx(by_hand, rel=1e-9)
    assert PUBLISHED.p_alive(5, 38.86, 38.86)[0] == 1.0
    assert PUBLISHED.p_alive(5, 1.0, 38.86)[0] < 0.05


def test_expectations_by_hand() -> None:
    """FHL (2005 note) equations (27) and (41) typed out."""
    r, alpha, s, beta = PUBLISHED.r, PUBLISHED.alpha, PUBLISHED.s, PUBLISHED.beta
    new = r * beta / (alpha * (s - 1)) * (1 - (beta / (beta + 39)) ** (s - 1))
    assert PUBLISHED.expected_purchases(39)[0] == pytest.approx(new, rel=1e-12)
    x, t_x, T = 2, 30.43, 38.86
    given_history = (r + x) * (beta + T) / ((alpha + T) * (s - 1))
    given_history *= (1 - ((beta + T) / (beta + T + 39)) ** (s - 1)) * PUBLISHED.p_alive(x, t_x, T)[
        0
    ]
    assert PUBLISHED.conditional_expected_purchases(39, x, t_x, T)[0] == pytest.approx(
        given_history
    )


def test_s_equal_to_one_uses_the_limit() -> None:
    around = [
        ParetoNBD(0.5, 10.0, s, 12.0).expected_purchases(39)[0] for s in (1 - 1e-6, 1, 1 + 1e-6)
    ]
    assert around[1] == pytest.approx((around[0] + around[2]) / 2, rel=1e-6)


models = st.builds(
    ParetoNBD,
    r=st.floats(0.05, 5),
    alpha=st.floats(0.5, 50),
    s=st.floats(0.05, 5),
    beta=st.floats(0.5, 50),
)
customers = st.tuples(st.integers(0, 60), st.floats(0, 1), st.floats(0.1, 150)).map(
    lambda c: (c[0], c[1] * c[2] if c[0] else 0.0, c[2])
)


@given(models, customers, st.floats(0, 200), st.floats(0, 200))
def test_predictions_are_probabilities_and_growing_counts(
    model: ParetoNBD, customer: tuple[int, float, float], t1: float, t2: float
) -> None:
    x, t_x, T = customer
    alive = model.p_alive(x, t_x, T)[0]
    assert 0 <= alive <= 1
    short, long = sorted((t1, t2))
    e_short = model.conditional_expected_purchases(short, x, t_x, T)[0]
    e_long = model.conditional_expected_purchases(long, x, t_x, T)[0]
    assert 0 <= e_short <= e_long * (1 + 1e-9) + 1e-12


@given(models, customers)
def test_p_alive_falls_as_the_customer_stays_quiet(
    model: ParetoNBD, customer: tuple[int, float, float]
) -> None:
    x, t_x, T = customer
    now, later = model.p_alive([x, x], [t_x, t_x], [T, T + 10])
    assert later <= now * (1 + 1e-9)
