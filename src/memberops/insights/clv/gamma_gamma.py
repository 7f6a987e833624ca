"""The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma model
of monetary value"; first used in Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value
curves for customer base analysis", Journal of Marketing Research 42(4), 415-430).

A customer's spends are ``z ~ Gamma(p, ν)`` around their own mean ``p / ν``, with ``ν ~
Gamma(q, γ)`` across customers; the mean ``zbar`` of ``x`` repeat spends is then
``Gamma(p·x, ν·x)``, and integrating ``ν`` out gives each customer's likelihood in closed form.
The model assumes spend is independent of the purchase process, so it is fitted on the repeat
buyers alone (``x > 0``) and combined with BG/NBD or Pareto/NBD for value (``value``).

On CDNOW's 946 repeat buyers (calibration to 1997-09-30) Fader & Hardie report p = 6.25,
q = 3.74, γ = 15.44; the tests pin these.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln  # type: ignore[import-untyped]

from memberops.insights.clv._mle import Array, Fit, as_float, as_weights, maximise


@dataclass(frozen=True)
class GammaGamma:
    """Gamma-Gamma parameters: ``p`` (shape of a customer's spends), ``q`` and ``gamma``
    (shape and rate of the spread of their means across customers)."""

    p: float
    q: float
    gamma: float

    def log_likelihood(self, x: npt.ArrayLike, zbar: npt.ArrayLike) -> Array:
        """Each repeat buyer's log-density of ``zbar`` given ``x`` (Fader & Hardie 2013,
        equation (1a))."""
        return _terms(self, *_checked(x, zbar))

    def mean_spend(self) -> float:
        """E[Z]: the population mean spend per transaction, ``p·γ / (q - 1)`` (needs q > 1)."""
        if self.q <= 1:
            raise ValueError("the population mean spend is infinite for q <= 1")
        return self.p * self.gamma / (self.q - 1)

    def conditional_expected_spend(self, x: npt.ArrayLike, zbar: npt.ArrayLike) -> Array:
        """E[Z | x, zbar], Fader & Hardie (2013) equation (5): a weighted mean of the
        population mean ``p·γ / (q - 1)`` and the customer's own ``zbar`` with weight
        ``p·x / (p·x + q - 1)``, so customers with few purchases are pulled towards the mean.
        Customers with ``x`` = 0 get the population mean (needs q > 1)."""
        x_, zbar_ = as_float(x), as_float(zbar)
        if x_.shape != zbar_.shape:
            raise ValueError("x and zbar differ in shape")
        own = np.where(x_ > 0, zbar_, 0.0)
        spread = self.p * x_ + self.q - 1
        if np.any(spread <= 0):
            raise ValueError("the expected spend is infinite for x = 0 when q <= 1")
        result: Array = self.p * (self.gamma + x_ * own) / spread
        return result


def _checked(x: npt.ArrayLike, zbar: npt.ArrayLike) -> tuple[Array, Array]:
    """Repeat buyers' counts and mean spends: the model has no likelihood for ``x`` = 0 or a
    non-positive mean spend (filter them out before fitting)."""
    x_, zbar_ = as_float(x), as_float(zbar)
    if x_.shape != zbar_.shape:
        raise ValueError("x and zbar differ in shape")
    if np.any(x_ <= 0) or np.any(zbar_ <= 0):
        raise ValueError("Gamma-Gamma needs repeat buyers: x > 0 and zbar > 0 on every row")
    return x_, zbar_


def _terms(model: GammaGamma, x: Array, zbar: Array) -> Array:
    """``log Γ(px+q) - log Γ(px) - log Γ(q) + q log γ + px log x + (px-1) log zbar
    - (px+q) log(γ + x·zbar)``."""
    p, q, gamma = model.p, model.q, model.gamma
    px = p * x
    result: Array = gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
    result += px * np.log(x) + (px - 1) * np.log(zbar) - (px + q) * np.log(gamma + x * zbar)
    return result


@dataclass(frozen=True)
class _Rows:
    """Fitting data reduced to what the likelihood needs per step: the weighted count of
    customers per distinct ``x`` (the Gamma functions depend on ``x`` alone) and the row
    sums that do not depend on the parameters, so each step costs one log per row."""

    levels: Array
    count: Array
    xz: Array
    w: Array
    w_x: Array
    sum_log_zbar: float
    sum_x_log_zbar: float

    @classmethod
    def of(cls, x: Array, zbar: Array, w: Array) -> "_Rows":
        levels, level = np.unique(x, return_inverse=True)
        count = np.bincount(level, w, levels.size).astype(np.float64)
        log_zbar = np.log(zbar)
        sums = float(w @ log_zbar), float((w * x) @ log_zbar)
        return cls(levels, count, x * zbar, w, w * x, *sums)


def _summed(model: GammaGamma, rows: _Rows) -> tuple[float, Array]:
    """Σ w·LL (equation (1a) summed) and its gradient in (log p, log q, log γ)."""
    p, q, gamma = model.p, model.q, model.gamma
    n, count, total_w = rows.levels, rows.count, float(rows.w.sum())
    pn = p * n
    log_total = np.log(gamma + rows.xz)
    per_level = gammaln(pn + q) - gammaln(pn) - gammaln(q) + pn * np.log(n)
    value = count @ per_level + total_w * q * np.log(gamma)
    value += p * rows.sum_x_log_zbar - rows.sum_log_zbar
    value -= p * (rows.w_x @ log_total) + q * (rows.w @ log_total)
    d_pn = digamma(pn + q)
    d_p = count @ (n * (d_pn - digamma(pn) + np.log(n))) + rows.sum_x_log_zbar
    d_p -= rows.w_x @ log_total
    d_q = count @ (d_pn - digamma(q)) + total_w * np.log(gamma) - rows.w @ log_total
    inverse = 1 / (gamma + rows.xz)
    d_gamma = total_w * q / gamma - p * (rows.w_x @ inverse) - q * (rows.w @ inverse)
    return float(value), np.array([d_p * p, d_q * q, d_gamma * gamma])


def _objective(rows: _Rows) -> Callable[[Array], tuple[float, Array]]:
    """The weighted mean negative log-likelihood and its gradient in log-parameters."""
    total = float(rows.w.sum())

    def negative_mean(theta: Array) -> tuple[float, Array]:
        value, gradient = _summed(_build(np.exp(theta)), rows)
        return -value / total, -gradient / total

    return negative_mean


def _build(params: Array) -> GammaGamma:
    p, q, gamma = (float(v) for v in params)
    return GammaGamma(p, q, gamma)


def fit(
    x: npt.ArrayLike, zbar: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> Fit[GammaGamma]:
    """Maximum-likelihood Gamma-Gamma parameters, L-BFGS-B on log-parameters with the
    analytic gradient.

    Parameters
    ----------
    x, zbar : array_like
        Repeat purchases and mean repeat spend of the repeat buyers (``x > 0``).
    weights : array_like, optional
        Customers per row.
    """
    x_, zbar_ = _checked(x, zbar)
    w = as_weights(weights, x_.size)
    mean = float(w @ zbar_) / max(float(w.sum()), 1e-12)
    start = [1.0, 2.0, mean]  # E[Z] = p·γ / (q - 1) = the observed mean
    return maximise(_objective(_Rows.of(x_, zbar_, w)), start, _build, float(w.sum()))
