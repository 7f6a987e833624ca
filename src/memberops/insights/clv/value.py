"""Customer value from a purchase model (BG/NBD or Pareto/NBD) and the Gamma-Gamma spend model:
discounted CLV over a horizon, and the churn-risk band of P(alive).

CLV follows Fader, Hardie & Lee (2005), "RFM and CLV", as ``lifetimes``'
``customer_lifetime_value`` computes it: the expected spend per order times the purchases
expected in each month of the horizon, each month discounted,

    CLV = E[Z | x, zbar] · Σ_{m=1..M} (E[Y(m)] - E[Y(m-1)]) / (1 + d)^m,

with ``E[Y(m)]`` the conditional expected purchases in the first ``m`` months. Multiplying the
two models' expectations assumes spend independent of the purchase process, as the Gamma-Gamma
model does. The purchase factor depends on ``(x, t_x, T)`` alone, so ``score`` evaluates it once
per distinct row (``summary.compress``) and spreads it back to the customers.
"""

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from memberops.insights.clv._mle import Array, as_float
from memberops.insights.clv.gamma_gamma import GammaGamma
from memberops.insights.clv.summary import Compressed, compress

#: weeks per month as ``lifetimes`` counts them (its ``freq="W"``); days per month are 30
WEEKS_PER_MONTH = 4.345
DAYS_PER_MONTH = 30.0
MONTHLY_DISCOUNT = 0.01


class PurchaseModel(Protocol):
    """What value needs of a purchase model (``bgnbd.BGNBD``, ``pareto_nbd.ParetoNBD``)."""

    def p_alive(self, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Array: ...

    def conditional_expected_purchases(
        self, t: npt.ArrayLike, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike
    ) -> Array: ...


@dataclass(frozen=True)
class Scores:
    """Per customer: P(alive), purchases expected over ``horizon`` periods, expected spend per
    order, discounted CLV and the churn-risk band."""

    p_alive: Array
    expected_purchases: Array
    expected_spend: Array
    clv: Array
    risk: npt.NDArray[np.str_]


def monthly_discount(annual_rate: float) -> float:
    """The monthly rate compounding to ``annual_rate`` (10 % a year ≈ 0.797 % a month)."""
    if annual_rate <= -1:
        raise ValueError("an annual discount rate must be above -100 %")
    return float((1 + annual_rate) ** (1 / 12) - 1)


def discounted_purchases(
    model: PurchaseModel,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    months: int = 12,
    discount: float = MONTHLY_DISCOUNT,
    periods_per_month: float = WEEKS_PER_MONTH,
) -> Array:
    """``Σ_{m=1..months} (E[Y(m)] - E[Y(m-1)]) / (1 + discount)^m``: the purchases expected in
    each coming month, discounted to today (``periods_per_month`` converts months to the
    model's unit: 4.345 for weeks, 30 for days)."""
    if months < 0 or discount <= -1 or periods_per_month <= 0:
        raise ValueError("months must be >= 0, discount > -1 and periods_per_month > 0")
    x_, t_x_, T_ = as_float(x), as_float(t_x), as_float(T)
    total = np.zeros_like(x_)
    before = np.zeros_like(x_)
    for month in range(1, months + 1):
        upto = model.conditional_expected_purchases(month * periods_per_month, x_, t_x_, T_)
        total += (upto - before) / (1 + discount) ** month
        before = upto
    return total


def customer_lifetime_value(
    model: PurchaseModel,
    spend: GammaGamma,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    zbar: npt.ArrayLike,
    months: int = 12,
    discount: float = MONTHLY_DISCOUNT,
    periods_per_month: float = WEEKS_PER_MONTH,
) -> Array:
    """Discounted CLV over ``months``: ``spend.conditional_expected_spend(x, zbar)`` times
    ``discounted_purchases`` (lifetimes' ``customer_lifetime_value`` with the same
    ``time``, ``discount_rate`` and ``freq``)."""
    purchases = discounted_purchases(model, x, t_x, T, months, discount, periods_per_month)
    return spend.conditional_expected_spend(x, zbar) * purchases


def churn_risk_band(
    p_alive: npt.ArrayLike, high_below: float = 0.3, low_from: float = 0.7
) -> npt.NDArray[np.str_]:
    """``"high"`` where P(alive) < ``high_below``, ``"low"`` where it is >= ``low_from``,
    ``"medium"`` between: a reading of P(alive) for people, the thresholds a policy choice."""
    if not 0 <= high_below <= low_from <= 1:
        raise ValueError("the bands need 0 <= high_below <= low_from <= 1")
    values = as_float(p_alive)
    bands = np.select([values < high_below, values >= low_from], ["high", "low"], "medium")
    return np.asarray(bands, dtype=np.str_)


def score(
    model: PurchaseModel,
    spend: GammaGamma,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    zbar: npt.ArrayLike,
    horizon: float | None = None,
    months: int = 12,
    discount: float = MONTHLY_DISCOUNT,
    periods_per_month: float = WEEKS_PER_MONTH,
    compressed: Compressed | None = None,
) -> Scores:
    """Every prediction for every customer, the purchase-model ones computed once per distinct
    ``(x, t_x, T)``; ``horizon`` (in the model's unit) defaults to the CLV horizon.
    ``compressed`` is ``compress(x, t_x, T)`` when the caller has it already (from the fit)."""
    x_, t_x_, T_, zbar_ = as_float(x), as_float(t_x), as_float(T), as_float(zbar)
    rows = compress(x_, t_x_, T_) if compressed is None else compressed
    if rows.inverse.shape != x_.shape:
        raise ValueError("compressed was made from other rows")
    ahead = months * periods_per_month if horizon is None else horizon
    alive = model.p_alive(rows.x, rows.t_x, rows.T)
    expected = model.conditional_expected_purchases(ahead, rows.x, rows.t_x, rows.T)
    factor = discounted_purchases(
        model, rows.x, rows.t_x, rows.T, months, discount, periods_per_month
    )
    per_order = spend.conditional_expected_spend(x_, zbar_)
    p_alive = rows.expand(alive)
    return Scores(
        p_alive=p_alive,
        expected_purchases=rows.expand(expected),
        expected_spend=per_order,
        clv=per_order * rows.expand(factor),
        risk=churn_risk_band(p_alive),
    )
