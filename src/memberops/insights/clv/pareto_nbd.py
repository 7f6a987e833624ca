"""The Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987, "Counting your
customers: who are they and what will they do next?", Management Science 33(1), 1-24).

While alive a customer buys at a Poisson rate ``λ ~ Gamma(r, α)``; their lifetime is
exponential with rate ``μ ~ Gamma(s, β)``, so unlike BG/NBD they can drop out at any moment,
also before a repeat purchase. The likelihood used here is the one derived in Fader, Hardie &
Lee (2005), "A note on deriving the Pareto/NBD model and related expressions" (Hardie's note
009), equations (18)-(20), with its Gaussian hypergeometric terms made well conditioned (see
``_tail``).

On CDNOW's 1/10 sample in weeks (calibration to 1997-09-30) FHL report r = 0.553,
α = 10.578, s = 0.606, β = 11.669 and LL = -9595.0; the tests pin these.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln, hyp2f1  # type: ignore[import-untyped]

from memberops.insights.clv._mle import (
    Array,
    Fit,
    as_float,
    as_weights,
    check_counts,
    maximise,
    numeric_gradient,
)

#: central-difference step on log-parameters (the 2F1 terms have no closed-form gradient)
STEP = 1e-5
#: within this distance of s = 1 the expectation uses its limit (a logarithm)
S_NEAR_ONE = 1e-9


@dataclass(frozen=True)
class ParetoNBD:
    """Pareto/NBD parameters: ``r``, ``alpha`` (Gamma purchase rates) and ``s``, ``beta``
    (Gamma drop-out rates); ``alpha`` and ``beta`` are in the unit of ``t_x`` and ``T``."""

    r: float
    alpha: float
    s: float
    beta: float

    def log_likelihood(self, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Array:
        """Each customer's log-likelihood, FHL (2005 note) equation (18)."""
        return _terms(self, as_float(x), as_float(t_x), as_float(T))[0]

    def p_alive(self, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Array:
        """P(alive at T | x, t_x, T), FHL (2005 note) section 5.1: the likelihood's
        alive-at-T term over the whole likelihood."""
        log_likelihood, alive = _terms(self, as_float(x), as_float(t_x), as_float(T))
        return np.minimum(np.exp(alive - log_likelihood), 1.0)

    def expected_purchases(self, t: npt.ArrayLike) -> Array:
        """E[X(t)] for a customer just acquired, FHL (2005 note) equation (27)."""
        t_ = as_float(t)
        return self.r * self.beta / self.alpha * _lifetime(self.s, self.beta, t_)

    def conditional_expected_purchases(
        self, t: npt.ArrayLike, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike
    ) -> Array:
        """E[Y(t) | x, t_x, T], FHL (2005 note) equation (41): P(alive) times the posterior
        rate ``(r+x)/(α+T)`` times the expected active time in ``(T, T+t]`` under the
        posterior drop-out rate. ``t`` and the customers broadcast."""
        t_, x_, t_x_, T_ = np.broadcast_arrays(*(as_float(v) for v in (t, x, t_x, T)))
        rate = (self.r + x_) / (self.alpha + T_)
        active = (self.beta + T_) * _lifetime(self.s, self.beta + T_, t_)
        return rate * active * self.p_alive(x_, t_x_, T_)


def _lifetime(s: float, beta: Array | float, t: Array) -> Array:
    """``[1 - (β / (β + t))^(s-1)] / (s - 1)``, written with ``expm1`` so that it tends to
    ``log((β + t) / β)`` as ``s → 1`` instead of dividing zero by zero."""
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("the horizon t must be finite and non-negative")
    growth = np.log1p(t / beta)
    if abs(s - 1) < S_NEAR_ONE:
        return np.asarray(growth, dtype=np.float64)
    return np.asarray(-np.expm1(-(s - 1) * growth) / (s - 1), dtype=np.float64)


def _tail(model: ParetoNBD, x: Array, t: Array) -> Array:
    """log of ``2F1(r+s+x, s+1; r+s+x+1; (α-β)/(α+t)) / (α+t)^(r+s+x)`` for α ≥ β, and of
    ``2F1(r+s+x, r+x; r+s+x+1; (β-α)/(β+t)) / (β+t)^(r+s+x)`` for α < β (FHL 2005 note,
    equations (19)-(20); the ordering keeps the argument ``z`` in [0, 1)).

    ``(α+t)^(r+s+x)`` overflows for frequent buyers, so everything is in logs, and the series
    is taken in whichever of its two Euler forms converges at ``z = 1`` (``2F1(A, B; C; z) =
    (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)``, here with ``C - A = 1``): for α ≥ β always
    ``2F1(1, r+x; r+s+x+1; z) / ((α+t)^(r+x) (β+t)^s)``, whose ``C-A-B = s > 0``; for α < β
    ``2F1(1, s+1; r+s+x+1; z) (α+t)^(1-r-x) / (β+t)^(s+1)`` while ``r + x > 1``, and the
    printed one otherwise.
    A series that converges at 1 is bounded on [0, 1], so a ``z`` rounded to 1 for extreme
    parameters (as the optimiser may try) stays finite.
    """
    r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
    c = r + s + x + 1
    if alpha >= beta:
        z = (alpha - beta) / (alpha + t)
        series = hyp2f1(1.0, r + x, c, z)
        tail: Array = np.log(series) - (r + x) * np.log(alpha + t) - s * np.log(beta + t)
        return tail
    z = (beta - alpha) / (beta + t)
    euler = np.broadcast_to(r + x > 1, z.shape)
    result = np.empty_like(z)
    ze, te, xe = z[euler], t[euler], x[euler]
    result[euler] = np.log(hyp2f1(1.0, s + 1, c[euler], ze)) + (1 - r - xe) * np.log(alpha + te)
    result[euler] -= (s + 1) * np.log(beta + te)
    zp, tp, xp = z[~euler], t[~euler], x[~euler]
    printed = hyp2f1(r + s + xp, r + xp, c[~euler], zp)
    result[~euler] = np.log(printed) - (r + s + xp) * np.log(beta + tp)
    return result


def _terms(model: ParetoNBD, x: Array, t_x: Array, T: Array) -> tuple[Array, Array]:
    """The log-likelihood and the log of its alive-at-T term (both with the common factor
    ``Γ(r+x) α^r β^s / Γ(r)``): ``L = alive + s/(r+s+x) · (tail(t_x) - tail(T))``, the
    difference taken as ``tail(t_x) · (1 - e^(tail(T) - tail(t_x)))`` in logs."""
    r, alpha, s, beta = model.r, model.alpha, model.s, model.beta
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    early, late = _tail(model, x, t_x), _tail(model, x, T)
    gap = np.minimum(late - early, 0.0)
    with np.errstate(divide="ignore"):
        died = np.log(s / (r + s + x)) + early + np.log(-np.expm1(gap))
    return common + np.logaddexp(alive, died), common + alive


def _objective(x: Array, t_x: Array, T: Array, w: Array) -> Callable[[Array], tuple[float, Array]]:
    """The weighted mean negative log-likelihood in log-parameters and its central-difference
    gradient."""
    total = float(w.sum())

    def value(theta: Array) -> float:
        mean = -float(w @ _terms(_build(np.exp(theta)), x, t_x, T)[0]) / total
        return mean if np.isfinite(mean) else np.inf

    def with_gradient(theta: Array) -> tuple[float, Array]:
        return value(theta), numeric_gradient(value, theta, STEP)

    return with_gradient


def _build(params: Array) -> ParetoNBD:
    r, alpha, s, beta = (float(v) for v in params)
    return ParetoNBD(r, alpha, s, beta)


def fit(
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> Fit[ParetoNBD]:
    """Maximum-likelihood Pareto/NBD parameters, L-BFGS-B on log-parameters.

    Parameters
    ----------
    x, t_x, T : array_like
        Repeat purchases, recency and age per row (``summary.summarise``).
    weights : array_like, optional
        Customers per row (``summary.compress``): the fit on compressed rows is the fit on
        all customers, and each distinct row costs two 2F1 evaluations per step.
    """
    x_, t_x_, T_ = as_float(x), as_float(t_x), as_float(T)
    check_counts(x_, t_x_, T_)
    w = as_weights(weights, x_.size)
    scale = 1.0 / max(float(w @ x_) / max(float(w @ T_), 1e-12), 1e-6)
    start = [1.0, scale, 1.0, scale]
    return maximise(_objective(x_, t_x_, T_, w), start, _build, float(w.sum()))
