"""Fitting a tenant's value models and scoring its members with them.

:func:`fit_models` reads the tenant's purchases once (``inputs.read_purchases``), builds
(x, t_x, T, zbar) by the papers' rules (``summary.summarise``), fits BG/NBD and Pareto/NBD on
the distinct (x, t_x, T) rows with weights and Gamma-Gamma on the repeat buyers (money in yuan,
as the papers fit dollars), and stores the fits — none when there are too few buyers, or a
purchase model's search did not converge or ran to its bound (the data do not determine the
parameters).
:func:`score_members` applies the latest BG/NBD and Gamma-Gamma fits of the tenant to every
buyer as of a day and replaces the stored predictions: P(alive), purchases expected in 30, 90
and 365 days, spend per order, 12-month CLV discounted monthly, the churn-risk band, and the
day by which one more purchase is expected (none within two years: null).
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from memberops.insights.clv import bgnbd, gamma_gamma, pareto_nbd
from memberops.insights.clv.errors import FitUnidentified, NoFit, NothingToFit
from memberops.insights.clv.inputs import read_purchases
from memberops.insights.clv.models import ClvFit, MemberPrediction, ModelName
from memberops.insights.clv.summary import (
    DAYS_PER_UNIT,
    Compressed,
    Summary,
    Unit,
    compress,
    summarise,
)
from memberops.insights.clv.value import DAYS_PER_MONTH, WEEKS_PER_MONTH, score
from memberops.kernel import clock
from memberops.tenancy.access import Principal, tenant_scope

#: Fits refused when one of these cannot predict (see ``_problem``). Gamma-Gamma at its bound is
#: the limit of customers who spend alike (q and γ off together, γ/q kept), which predicts fine.
PURCHASE_MODELS = (ModelName.bgnbd, ModelName.pareto_nbd)
#: Fewer buyers than this do not determine the purchase models' four parameters: on a handful
#: the search ends on parameters run off towards a limit (seen with 4 buyers: r and alpha in the
#: millions, b at 1e-6), or does not end, depending on rounding, and the "fit" predicts one
#: buyer a purchase and the rest none.
MIN_BUYERS = 20
#: The horizons of the stored expectations, in days.
HORIZONS = (30, 90, 365)
#: How far ahead the next expected purchase is looked for, in days.
NEXT_ORDER_WITHIN = 730
_PERIODS_PER_MONTH = {"day": DAYS_PER_MONTH, "week": WEEKS_PER_MONTH}


@dataclass(frozen=True)
class FitReport:
    """What ``memberops clv fit`` prints: the inputs' size and each model's fit."""

    as_of: date
    unit: str
    customers: int
    repeat_buyers: int
    models: dict[str, dict[str, Any]]


def read_summary(session: Session, principal: Principal, as_of: date, unit: Unit) -> Summary:
    """(x, t_x, T, zbar) of every buyer of the tenant as of the end of local day ``as_of``."""
    zone = ZoneInfo(principal.timezone)
    purchases = read_purchases(session, principal.tenant_id, zone, as_of)
    return summarise(purchases.member, purchases.day, purchases.amount, purchases.as_of_day, unit)


def _stored(model: ModelName, fit: Any, as_of: date, unit: str) -> dict[str, Any]:
    return {
        "model": model,
        "as_of": as_of,
        "unit": unit,
        "params": asdict(fit.params),
        "log_likelihood": fit.log_likelihood,
        "customers": fit.n_customers,
        "converged": fit.converged,
    }


def _problem(fit: Any, rows: Compressed, unit: Unit) -> str:
    """Why a purchase model's fit cannot be used, or empty when it can: a parameter at the
    search's bound, a search that did not converge, or parameters run off so far (a few buyers
    without drop-out) that the model's expectations over the longest horizon are not finite."""
    if fit.at_bound:
        return f"{', '.join(fit.at_bound)} ran to the bound"
    if not fit.converged:
        return f"the search did not converge ({fit.message.strip()})"
    horizon = NEXT_ORDER_WITHIN / DAYS_PER_UNIT[unit]
    try:
        ahead = fit.params.conditional_expected_purchases(horizon, rows.x, rows.t_x, rows.T)
    except FloatingPointError:
        ahead = np.array([np.nan])
    return "" if np.all(np.isfinite(ahead)) else "its expectations are not finite"


def _refuse(found: Summary, as_of: date, why: str) -> NoReturn:
    raise FitUnidentified(
        f"The purchases of {len(found):,} buyers up to {as_of.isoformat()} do not determine "
        f"the models ({why}): fit again with more history.",
        as_of=as_of.isoformat(),
        buyers=len(found),
    )


def fit_models(session: Session, principal: Principal, as_of: date, unit: Unit) -> FitReport:
    """Fit the three models on the tenant's purchases up to ``as_of`` and store the fits."""
    found = read_summary(session, principal, as_of, unit)
    repeat = found.x > 0
    if len(found) == 0 or not repeat.any():
        raise NothingToFit(
            f"No repeat purchase up to {as_of.isoformat()} to fit the models on.",
            as_of=as_of.isoformat(),
        )
    if len(found) < MIN_BUYERS:
        _refuse(found, as_of, f"fewer than {MIN_BUYERS} buyers")
    rows = compress(found.x, found.t_x, found.T)
    fits = {
        ModelName.bgnbd: bgnbd.fit(rows.x, rows.t_x, rows.T, rows.weights),
        ModelName.pareto_nbd: pareto_nbd.fit(rows.x, rows.t_x, rows.T, rows.weights),
        ModelName.gamma_gamma: gamma_gamma.fit(found.x[repeat], found.zbar[repeat]),
    }
    problems = [
        f"{name}: {problem}"
        for name in PURCHASE_MODELS
        if (problem := _problem(fits[name], rows, unit))
    ]
    if problems:
        _refuse(found, as_of, "; ".join(problems))
    stored = [_stored(name, fit, as_of, unit) for name, fit in fits.items()]
    for row in stored:
        session.add(ClvFit(tenant_id=principal.tenant_id, **row))
    session.flush()
    return FitReport(
        as_of=as_of,
        unit=unit,
        customers=len(found),
        repeat_buyers=int(repeat.sum()),
        models={
            str(row["model"]): {
                "params": row["params"],
                "log_likelihood": row["log_likelihood"],
                "converged": row["converged"],
            }
            for row in stored
        },
    )


def latest_fit(
    session: Session, principal: Principal, model: ModelName, unit: str | None = None
) -> ClvFit | None:
    query = tenant_scope(principal, ClvFit).where(ClvFit.model == model)
    if unit is not None:
        query = query.where(ClvFit.unit == unit)
    return session.scalars(query.order_by(ClvFit.fitted_at.desc(), ClvFit.id.desc())).first()


@dataclass(frozen=True)
class Scored:
    """Per buyer of ``summary``: the fitted models' predictions (see the module docstring)."""

    summary: Summary
    unit: str
    p_alive: np.ndarray[Any, np.dtype[np.float64]]
    expected: dict[int, np.ndarray[Any, np.dtype[np.float64]]]  # by horizon in days
    spend: np.ndarray[Any, np.dtype[np.float64]]
    clv: np.ndarray[Any, np.dtype[np.float64]]
    risk: np.ndarray[Any, np.dtype[np.str_]]
    next_order_days: np.ndarray[Any, np.dtype[np.float64]]  # NaN: not within two years


def _next_order_days(model: bgnbd.BGNBD, found: Summary, per_unit: float) -> Any:
    """Days until one more purchase is expected, by bisection on the distinct rows."""
    rows = compress(found.x, found.t_x, found.T)

    def expected(days: Any) -> Any:
        return model.conditional_expected_purchases(days / per_unit, rows.x, rows.t_x, rows.T)

    low, high = np.zeros(rows.x.size), np.full(rows.x.size, float(NEXT_ORDER_WITHIN))
    reached = expected(high) >= 1.0
    for _ in range(20):
        middle = (low + high) / 2
        above = expected(middle) >= 1.0
        high, low = np.where(above, middle, high), np.where(above, low, middle)
    return rows.expand(np.where(reached, np.ceil(high), np.nan))


def predict(
    session: Session, principal: Principal, as_of: date, unit: Unit, horizon: float | None = None
) -> Scored:
    """The latest fits in ``unit`` applied to the buyers as of ``as_of``; ``horizon`` (in the
    unit) is the extra expectation ``memberops clv predict`` writes (``expected[-1]``)."""
    purchase, spend = (
        latest_fit(session, principal, ModelName.bgnbd, unit),
        latest_fit(session, principal, ModelName.gamma_gamma, unit),
    )
    if purchase is None or spend is None:
        raise NoFit(f"No model fitted in {unit}s yet: run `memberops clv fit --unit {unit}`.")
    model = bgnbd.BGNBD(**purchase.params)
    spend_model = gamma_gamma.GammaGamma(**spend.params)
    found = read_summary(session, principal, as_of, unit)
    per_unit = DAYS_PER_UNIT[unit]
    scores = score(
        model,
        spend_model,
        found.x,
        found.t_x,
        found.T,
        found.zbar,
        periods_per_month=_PERIODS_PER_MONTH[unit],
    )
    ahead = {d: d / per_unit for d in HORIZONS} | ({} if horizon is None else {-1: horizon})
    expected = {
        d: model.conditional_expected_purchases(t, found.x, found.t_x, found.T)
        for d, t in ahead.items()
    }
    return Scored(
        found,
        unit,
        scores.p_alive,
        expected,
        scores.expected_spend,
        scores.clv,
        scores.risk,
        _next_order_days(model, found, per_unit),
    )


def _prediction_rows(principal: Principal, as_of: date, scored: Scored) -> list[dict[str, Any]]:
    now, found = clock.now(), scored.summary
    per_unit = DAYS_PER_UNIT[scored.unit]
    rows = []
    for i, member_id in enumerate(found.customer.tolist()):
        next_days = scored.next_order_days[i]
        rows.append(
            {
                "tenant_id": principal.tenant_id,
                "member_id": member_id,
                "as_of": as_of,
                "frequency": int(found.x[i]),
                "recency_days": float(found.t_x[i] * per_unit),
                "age_days": float(found.T[i] * per_unit),
                "p_alive": float(scored.p_alive[i]),
                "expected_30d": float(scored.expected[30][i]),
                "expected_90d": float(scored.expected[90][i]),
                "expected_365d": float(scored.expected[365][i]),
                "spend_per_order_cents": round(float(scored.spend[i]) * 100),
                "clv_12m_cents": round(float(scored.clv[i]) * 100),
                "churn_risk": str(scored.risk[i]),
                "next_order_on": None
                if np.isnan(next_days)
                else as_of + timedelta(days=int(next_days)),
                "computed_at": now,
            }
        )
    return rows


def score_members(session: Session, principal: Principal, as_of: datetime | None = None) -> int:
    """Replace the tenant's stored predictions with the latest fits' as of the local day of
    ``as_of`` (today); returns how many, 0 (and nothing changed) without a fit."""
    fit = latest_fit(session, principal, ModelName.bgnbd)
    if fit is None or latest_fit(session, principal, ModelName.gamma_gamma, fit.unit) is None:
        return 0
    day = (as_of or clock.now()).astimezone(ZoneInfo(principal.timezone)).date()
    scored = predict(session, principal, day, "week" if fit.unit == "week" else "day")
    session.execute(
        delete(MemberPrediction).where(MemberPrediction.tenant_id == principal.tenant_id)
    )
    rows = _prediction_rows(principal, day, scored)
    if rows:
        session.execute(insert(MemberPrediction), rows)
    return len(rows)
