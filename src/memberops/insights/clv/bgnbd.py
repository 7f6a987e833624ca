"""The BG/NBD purchase model (Fader, Hardie & Lee 2005, "Counting your customers the easy way:
an alternative to the Pareto/NBD model", Marketing Science 24(2), 275-284).

While alive, a customer buys at a Poisson rate ``λ ~ Gamma(r, α)`` across customers; after each
repeat purchase they drop out with probability ``p ~ Beta(a, b)``. From ``(x, t_x, T)`` alone
(repeat purchases, recency, age; see ``summary``) the model gives the probability that a
customer is still alive and how many purchases to expect. FHL chose it over Pareto/NBD because
its likelihood has no Gaussian hypergeometric function, so the fit is cheap and well
conditioned; only the conditional expectation needs ``2F1``.

On CDNOW's 1/10 sample in weeks (calibration to 1997-09-30) the paper reports r = 0.243,
α = 4.414, a = 0.793, b = 2.426 and LL = -9582.4; the tests pin these.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, expit, hyp2f1  # type: ignore[import-untyped]

from memberops.insights.clv._mle import (
    Array,
    Fit,
    as_float,
    as_weights,
    check_counts,
    maximise,
)

#: Two parameter values make the expectations' closed form 0/0 or a pole although the
#: expectation itself is smooth there: a = 1 (the factor 1 / (a - 1)) and, for x = 0,
#: a + b = 1 (2F1's lower parameter at 0). Within NUDGE of either, a (or b) moves NUDGE away
#: (the error is of that order).
NUDGE = 1e-7
#: Beyond this ``a + b`` the Beta of drop-out probabilities is, for every prediction, the single
#: probability ``p = a / (a + b)`` (its spread moves the expectations by about
#: ``(1 - p) / (p (a + b))``, under 1e-3), and the closed form's ``2F1`` overflows. Fits get
#: there when customers drop out alike: the likelihood then rises along ``a + b`` with ``p``
#: fixed (a small merchant's few hundred buyers often look so).
CONCENTRATED = 1e4


@dataclass(frozen=True)
class BGNBD:
    """BG/NBD parameters: ``r``, ``alpha`` (shape and rate of the Gamma purchase rates, alpha
    in the unit of ``t_x`` and ``T``) and ``a``, ``b`` (the Beta drop-out probabilities)."""

    r: float
    alpha: float
    a: float
    b: float

    def log_likelihood(self, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Array:
        """Each customer's log-likelihood (FHL 2005, section 4; in the log form of Hardie's
        note 004, "Implementing the BG/NBD model for customer base analysis in Excel")."""
        x_, t_x_, T_ = as_float(x), as_float(t_x), as_float(T)
        return _terms(self, _Rows.of(x_, t_x_, T_, np.ones_like(x_)))[0]

    def p_alive(self, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Array:
        """P(alive at T | x, t_x, T), from Fader, Hardie & Lee (2008), "Computing P(alive)
        using the BG/NBD model" (Hardie's note 021): 1 for ``x`` = 0, since BG/NBD lets a
        customer drop out only after a repeat purchase."""
        x_, t_x_, T_ = as_float(x), as_float(t_x), as_float(T)
        alive: Array = expit(-_log_odds_dead(self, x_, t_x_, T_))
        return alive

    def expected_purchases(self, t: npt.ArrayLike) -> Array:
        """E[X(t)] for a customer just acquired, FHL (2005) equation (9)."""
        t_ = as_float(t)
        zero = np.zeros_like(t_)
        return _expected(self, t_, zero, zero)

    def conditional_expected_purchases(
        self, t: npt.ArrayLike, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike
    ) -> Array:
        """E[Y(t) | x, t_x, T]: purchases expected in the next ``t`` periods, FHL (2005)
        equation (10): the new-customer expectation seen from age ``T`` with the posterior
        rate, times the probability of being alive. ``t`` and the customers broadcast (one
        horizon for many customers, or many horizons for one)."""
        t_, x_, t_x_, T_ = np.broadcast_arrays(*(as_float(v) for v in (t, x, t_x, T)))
        return _expected(self, t_, x_, T_) * self.p_alive(x_, t_x_, T_)


@dataclass(frozen=True)
class _Rows:
    """Fitting data, with the distinct values of ``x`` (a few dozen even for millions of
    customers): every Gamma-function term depends on ``x`` alone, so it is evaluated per
    distinct ``x`` and gathered, and a likelihood evaluation costs a few logs per row."""

    x: Array
    t_x: Array
    T: Array
    w: Array
    levels: Array
    level: npt.NDArray[np.intp]

    @classmethod
    def of(cls, x: Array, t_x: Array, T: Array, w: Array) -> "_Rows":
        levels, level = np.unique(x, return_inverse=True)
        return cls(x, t_x, T, w, levels, level)


def _terms(model: BGNBD, rows: _Rows) -> tuple[Array, Array]:
    """The log-likelihood (FHL 2005, section 4) and the share ``π`` of its first term
    (alive at T) in ``L = A₁ + A₂``. Log-space with ``logaddexp``, since ``(α + T)^(r+x)``
    overflows otherwise for frequent buyers; the Beta and Gamma ratios as log rising factorials
    per distinct ``x``, with ``B(a, b)`` cancelling between the terms."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    n = rows.levels
    shared = _log_rising(r, n) + r * np.log(alpha) - _log_rising(a + b, n)
    alive_n = _log_rising(b, n)
    n1 = np.where(n > 0, n, 1.0)
    dead_n = np.where(n > 0, np.log(a) + _log_rising(b, n1 - 1), -np.inf)
    power = r + rows.x
    alive = alive_n[rows.level] - power * np.log(alpha + rows.T)
    dead = dead_n[rows.level] - power * np.log(alpha + rows.t_x)
    total = np.logaddexp(alive, dead)
    return shared[rows.level] + total, np.exp(alive - total)


def _log_rising(c: float, n: Array) -> Array:
    """``log Γ(c + n) / Γ(c)`` for whole ``n ≥ 0``, as the running sum of ``log(c + k)``: the
    difference of ``gammaln`` loses about ``eps · lnΓ(c)`` to cancellation, noise the
    optimiser's tolerance sees once ``a + b`` runs up the ridge to ~1e6."""
    steps = np.log(c + np.arange(int(n.max()) if n.size else 0, dtype=np.float64))
    sums: Array = np.concatenate([[0.0], np.cumsum(steps)])[n.astype(np.intp)]
    return sums


def _gradient(model: BGNBD, rows: _Rows, pi: Array) -> Array:
    """d(Σ w·LL)/d(log r, log α, log a, log b): each parameter's derivative of the two terms
    mixed by their shares ``π`` and ``1 - π`` (digamma for the Beta and Gamma functions, per
    distinct ``x``; the row sums weighted by ``w`` and ``w·π``)."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    n, level, w = rows.levels, rows.level, rows.w
    n1 = np.where(n > 0, n, 1.0)
    wp, wq = w * pi, w * (1 - pi)
    count, count_p = np.bincount(level, w, n.size), np.bincount(level, wp, n.size)
    count_q = count - count_p
    d_abn = digamma(a + b) - digamma(a + b + n)
    d_r = count @ (digamma(r + n) - digamma(r)) + w.sum() * np.log(alpha)
    d_r -= wp @ np.log(alpha + rows.T) + wq @ np.log(alpha + rows.t_x)
    power = r + rows.x
    d_alpha = w.sum() * r / alpha - wp @ (power / (alpha + rows.T))
    d_alpha -= wq @ (power / (alpha + rows.t_x))
    d_a = count @ d_abn + count_q.sum() / a
    d_b = count @ (d_abn - digamma(b)) + count_p @ digamma(b + n)
    d_b += count_q @ np.where(n > 0, digamma(b + n1 - 1), 0.0)
    gradient: Array = np.array([d_r, d_alpha, d_a, d_b]) * np.array([r, alpha, a, b])
    return gradient


def _log_odds_dead(model: BGNBD, x: Array, t_x: Array, T: Array) -> Array:
    """log of ``δ(x>0) · a / (b + x - 1) · ((α + T) / (α + t_x))^(r + x)``: the odds of having
    dropped out after the last purchase against being alive (-inf for ``x`` = 0)."""
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    repeat = x > 0
    x1 = np.where(repeat, x, 1.0)
    odds = np.log(a) - np.log(b + x1 - 1) + (r + x) * np.log((alpha + T) / (alpha + t_x))
    return np.where(repeat, odds, -np.inf)


def _expected(model: BGNBD, t: Array, x: Array, T: Array) -> Array:
    """``(a+b+x-1)/(a-1) · [1 - ((α+T)/(α+T+t))^(r+x) · 2F1(r+x, b+x; a+b+x-1; z)]`` with
    ``z = t / (α+T+t)``, the bracket of FHL (2005) equations (9)-(10).

    Euler's transformation ``2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z)`` turns
    ``(1-z)^(r+x) 2F1(r+x, b+x; a+b+x-1; z)`` into ``(1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z)``:
    small upper parameters and a large lower one, so the series is close to 1 and neither
    factor overflows for frequent buyers or long horizons (the untransformed 2F1 diverges
    like ``(1-z)^(a-1-r-x)`` as ``t`` grows). ``z`` lies in [0, 1) for every ``t ≥ 0``.
    """
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise ValueError("the horizon t must be finite and non-negative")
    r, alpha, a, b = model.r, model.alpha, model.a, model.b
    if a + b > CONCENTRATED:
        return _expected_alike(model, t, x, T)
    if abs(a - 1) < NUDGE:
        a = 1 + float(np.copysign(NUDGE, a - 1))
    if abs(a + b - 1) < NUDGE:
        b = 1 - a + NUDGE
    one_minus_z = (alpha + T) / (alpha + T + t)
    series = hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, t / (alpha + T + t))
    result: Array = (a + b + x - 1) / (a - 1) * (1 - one_minus_z ** (a - 1) * series)
    if not np.all(np.isfinite(result)):
        raise FloatingPointError("2F1 did not converge for these parameters and horizons")
    return np.maximum(result, 0.0)  # a tiny horizon's bracket can round to -1e-16


def _expected_alike(model: BGNBD, t: Array, x: Array, T: Array) -> Array:
    """The bracket of :func:`_expected` as ``a + b → ∞`` (customers drop out alike): alive, a
    customer with rate ``λ`` who drops out with ``p`` after each purchase drops out at rate
    ``λp``, so expects ``(1 - e^(-λpt)) / p`` purchases in ``t``; over the posterior
    ``λ ~ Gamma(r + x, α + T)`` that is ``(1 - ((α+T)/(α+T+pt))^(r+x)) / p``, with ``p`` the
    posterior mean ``a / (a + b + x)`` (``x`` purchases survived), which leaves an error of
    the order of the Beta's spread, ``(1 - p) / (p (a + b))``."""
    p = model.a / (model.a + model.b + x)
    result: Array = -np.expm1(-(model.r + x) * np.log1p(p * t / (model.alpha + T))) / p
    return result


def _objective(rows: _Rows) -> Callable[[Array], tuple[float, Array]]:
    """The weighted mean negative log-likelihood and its gradient in log-parameters."""
    total = float(rows.w.sum())

    def negative_mean(theta: Array) -> tuple[float, Array]:
        model = _build(np.exp(theta))
        ll, pi = _terms(model, rows)
        return -float(rows.w @ ll) / total, -_gradient(model, rows, pi) / total

    return negative_mean


def fit(
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> Fit[BGNBD]:
    """Maximum-likelihood BG/NBD parameters (FHL 2005), L-BFGS-B on
    log-parameters with the analytic gradient.

    Parameters
    ----------
    x, t_x, T : array_like
        Repeat purchases, recency and age per row (``summary.summarise``).
    weights : array_like, optional
        Customers per row, e.g. ``summary.compress``'s weights: the fit on compressed rows is
        the fit on all customers.
    """
    x_, t_x_, T_ = as_float(x), as_float(t_x), as_float(T)
    check_counts(x_, t_x_, T_)
    w = as_weights(weights, x_.size)
    rate = float(w @ x_) / max(float(w @ T_), 1e-12)
    start = [1.0, 1.0 / max(rate, 1e-6), 1.0, 1.0]
    objective = _objective(_Rows.of(x_, t_x_, T_, w))
    return maximise(objective, start, _build, float(w.sum()))


def _build(params: Array) -> BGNBD:
    r, alpha, a, b = (float(v) for v in params)
    return BGNBD(r, alpha, a, b)
