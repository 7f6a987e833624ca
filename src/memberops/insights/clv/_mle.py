"""What the three models' maximum-likelihood fits share: the weighted inputs, the optimiser run
on log-parameters, a central-difference gradient for likelihoods without an analytic one, and
the frozen result.

Why log-parameters: every parameter of BG/NBD, Pareto/NBD and Gamma-Gamma is positive, and
optimising ``log θ`` keeps them so without constraints that stall the search at a bound; it also
puts ``r`` ~ 0.2 and ``alpha`` ~ 4 (or ~ 30 in days) on comparable scales. The objective is the
weighted mean negative log-likelihood (the sum divided by the number of customers), so the
optimiser's tolerances mean the same at 2,357 and at 1,000,000 customers.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize  # type: ignore[import-untyped]

Array = npt.NDArray[np.float64]
P = TypeVar("P")

#: log-parameters stay in [-LOG_BOUND, LOG_BOUND]: e^±25 is far outside any sensible fit, and
#: the bound keeps a diverging search (e.g. b → ∞ on data without drop-out) finite.
LOG_BOUND = 25.0
#: a log-parameter beyond this has run to the bound
AT_BOUND = LOG_BOUND - 1e-3
OPTIONS = {"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9, "maxcor": 20}
#: a stop that L-BFGS-B calls abnormal (its line search finding no decrease, which happens at
#: the optimum once the mean likelihood's rounding noise exceeds ``ftol``) still counts as
#: converged when the mean log-likelihood's gradient is this flat
FLAT_GRADIENT = 1e-6


@dataclass(frozen=True)
class Fit(Generic[P]):
    """A maximum-likelihood fit: the parameters, the (weighted) log-likelihood at them, the
    number of customers it covers (the sum of the weights), and whether the optimiser reported
    convergence; ``message`` is its own word on how it stopped. ``at_bound`` names the
    parameters that ran to the search's bound: the data do not determine them (a handful of
    customers, or no sign of drop-out yet), so the fit predicts nothing trustworthy."""

    params: P
    log_likelihood: float
    n_customers: int
    converged: bool
    iterations: int
    message: str
    at_bound: tuple[str, ...] = ()


def as_float(values: npt.ArrayLike) -> Array:
    """``values`` as a one-dimensional float64 array (no copy when it already is one)."""
    return np.atleast_1d(np.asarray(values, dtype=np.float64))


def as_weights(weights: npt.ArrayLike | None, size: int) -> Array:
    """The weights (number of customers per row), all ones when not given; they must be
    non-negative and match the rows."""
    if weights is None:
        return np.ones(size)
    result = as_float(weights)
    if result.shape != (size,):
        raise ValueError(f"weights has shape {result.shape}, expected ({size},)")
    if np.any(result < 0):
        raise ValueError("weights must be non-negative")
    return result


def check_counts(x: Array, t_x: Array, T: Array) -> None:
    """Refuse inputs no customer can have: negative or fractional counts, recency outside
    [0, T], or a repeat buyer without recency."""
    if not (x.shape == t_x.shape == T.shape):
        raise ValueError(f"x, t_x and T differ in shape: {x.shape}, {t_x.shape}, {T.shape}")
    if np.any(x < 0) or np.any(x != np.floor(x)):
        raise ValueError("x must be non-negative whole numbers of repeat purchases")
    if np.any(t_x < 0) or np.any(t_x > T):
        raise ValueError("t_x must lie in [0, T]")


def numeric_gradient(function: Callable[[Array], float], theta: Array, step: float) -> Array:
    """Central differences: error O(step²), which at ``step`` = 1e-5 on log-parameters is far
    below what the optimiser's tolerance can see."""
    gradient = np.empty_like(theta)
    for i in range(theta.size):
        shift = np.zeros_like(theta)
        shift[i] = step
        gradient[i] = (function(theta + shift) - function(theta - shift)) / (2 * step)
    return gradient


def maximise(
    objective: Callable[[Array], tuple[float, Array]],
    start: Sequence[float],
    build: Callable[[Array], P],
    total_weight: float,
) -> Fit[P]:
    """Minimise ``objective`` (mean negative log-likelihood and its gradient, both in
    log-parameters) with L-BFGS-B from ``start`` (natural parameters) and build the result."""
    theta0 = np.log(np.asarray(start, dtype=np.float64))
    bounds = [(-LOG_BOUND, LOG_BOUND)] * theta0.size
    # The search may try parameters where a term overflows or turns NaN (small or extreme
    # data); the objectives score any non-finite value as +inf, so those are not errors.
    with np.errstate(all="ignore"):
        result = minimize(
            objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds, options=OPTIONS
        )
    theta = np.asarray(result.x, dtype=np.float64)
    params = build(np.exp(theta))
    names = [field.name for field in fields(params)]  # type: ignore[arg-type]
    return Fit(
        params=params,
        log_likelihood=-float(result.fun) * total_weight,
        n_customers=round(total_weight),
        converged=bool(result.success) or float(np.max(np.abs(result.jac))) < FLAT_GRADIENT,
        iterations=int(result.nit),
        message=str(result.message),
        at_bound=tuple(n for n, v in zip(names, theta, strict=True) if abs(v) > AT_BOUND),
    )
