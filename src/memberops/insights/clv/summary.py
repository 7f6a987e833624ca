"""The models' inputs from a transaction log: per customer the repeat-purchase count ``x``, the
recency ``t_x``, the age ``T`` and the mean repeat spend ``zbar``.

The rules are the papers' (Fader, Hardie & Lee 2005, "Counting your customers the easy way",
and "RFM and CLV: using iso-value curves", both on CDNOW): a *transaction* is a distinct purchase
day of a customer, several lines on one day being one transaction with their amounts summed;
the first purchase day starts the customer's clock and is not counted, so

- ``x`` = purchase days up to the as-of date minus one,
- ``t_x`` = time from the first to the last purchase day (0 when ``x`` = 0),
- ``T`` = time from the first purchase day to the as-of date, the as-of day itself included
  (a purchase made on it counts; CDNOW's calibration runs to 1997-09-30 inclusive, and a
  customer first seen on 1997-01-01 has ``T`` = 272 days = 38.86 weeks),
- ``zbar`` = mean spend per repeat purchase day, the first day excluded because the
  Gamma-Gamma model describes repeat spend (0 when ``x`` = 0).

Time is in days or weeks (days / 7). Purchases after the as-of date are ignored and customers
with none up to it are absent. Everything is vectorised (two sorts, ``bincount`` and
``reduceat``): a million customers take about a second.

``compress`` collapses identical ``(x, t_x, T)`` rows into unique rows with integer weights: the
purchase models' likelihood and predictions depend on nothing else, and a customer base with a
few cohorts has far fewer distinct rows than customers.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Unit = Literal["day", "week"]
DAYS_PER_UNIT: dict[str, float] = {"day": 1.0, "week": 7.0}


@dataclass(frozen=True)
class Summary:
    """One row per customer, ordered by ``customer`` (the distinct keys, sorted)."""

    customer: npt.NDArray[Any]
    x: Array
    t_x: Array
    T: Array
    zbar: Array

    def __len__(self) -> int:
        return int(self.customer.size)


@dataclass(frozen=True)
class Compressed:
    """Distinct ``(x, t_x, T)`` rows with ``weights`` (how many customers share each row) and
    ``inverse``, the distinct row of each original customer: ``values[inverse]`` spreads a
    per-row prediction back to the customers."""

    x: Array
    t_x: Array
    T: Array
    weights: Array
    inverse: npt.NDArray[np.intp]

    def expand(self, values: Array) -> Array:
        """Per-customer values from per-distinct-row ``values``."""
        return values[self.inverse]


def _day_numbers(when: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 for datetime64 input; integer day numbers as they are."""
    values = np.asarray(when)
    if np.issubdtype(values.dtype, np.datetime64):
        return values.astype("datetime64[D]").astype(np.int64)
    if np.issubdtype(values.dtype, np.integer):
        return values.astype(np.int64)
    if np.issubdtype(values.dtype, np.floating) and np.all(values == np.floor(values)):
        return values.astype(np.int64)
    raise TypeError(f"purchase times must be datetime64 or whole day numbers, not {values.dtype}")


def _as_of_day(as_of: np.datetime64 | date | str | int) -> int:
    """The as-of date as a day number (a date, an ISO string, a datetime64, or a day number)."""
    if isinstance(as_of, int | np.integer):
        return int(as_of)
    if isinstance(as_of, np.datetime64):
        return int(as_of.astype("datetime64[D]").astype(np.int64))
    if isinstance(as_of, date):
        return int(np.datetime64(as_of, "D").astype(np.int64))
    return int(np.datetime64(as_of, "D").astype(np.int64))


def _empty(customer: npt.NDArray[Any]) -> Summary:
    none = np.empty(0)
    return Summary(customer[:0], none, none.copy(), none.copy(), none.copy())


def summarise(
    customer: npt.ArrayLike,
    when: npt.ArrayLike,
    amount: npt.ArrayLike,
    as_of: np.datetime64 | date | str | int,
    unit: Unit = "week",
) -> Summary:
    """Per-customer ``(x, t_x, T, zbar)`` from transaction lines.

    Parameters
    ----------
    customer : array_like
        The customer key of each line (any sortable dtype: integers, strings).
    when : array_like
        The purchase time of each line: ``datetime64`` (truncated to the day) or day numbers.
    amount : array_like
        The spend of each line; the lines of one customer and day are summed.
    as_of : datetime64, date, str or int
        The last day observed, included (a day number when ``when`` is in day numbers).
    unit : {"week", "day"}
        The unit of ``t_x`` and ``T``; the papers fit CDNOW in weeks.

    Returns
    -------
    Summary
        The customers with a purchase up to ``as_of``, sorted by key.
    """
    last_day = _as_of_day(as_of)
    keys, days, spend = _lines_up_to(customer, when, amount, last_day)
    if keys.size == 0:
        return _empty(keys)
    distinct, owner = np.unique(keys, return_inverse=True)
    base = int(days.min())
    day_owner, day, day_spend = _purchase_days(owner, days - base, spend)
    starts = np.flatnonzero(np.r_[True, day_owner[1:] != day_owner[:-1]])
    ends = np.r_[starts[1:], day.size] - 1
    day_spend[starts] = 0.0  # the first day is not a repeat purchase
    x = (ends - starts).astype(np.float64)
    repeat_spend = np.add.reduceat(day_spend, starts)
    per_unit = DAYS_PER_UNIT[unit]
    return Summary(
        customer=distinct,
        x=x,
        t_x=(day[ends] - day[starts]) / per_unit,
        T=(last_day - base - day[starts]) / per_unit,
        zbar=np.divide(repeat_spend, x, out=np.zeros_like(x), where=x > 0),
    )


def _lines_up_to(
    customer: npt.ArrayLike, when: npt.ArrayLike, amount: npt.ArrayLike, last_day: int
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], Array]:
    """The checked lines, as keys, day numbers and amounts, of the days up to ``last_day``."""
    keys = np.asarray(customer)
    days = _day_numbers(when)
    spend = np.asarray(amount, dtype=np.float64)
    if not (keys.shape == days.shape == spend.shape) or keys.ndim != 1:
        raise ValueError("customer, when and amount must be one-dimensional and equally long")
    if not np.all(np.isfinite(spend)):
        raise ValueError("amount must be finite")
    kept = days <= last_day
    return keys[kept], days[kept], spend[kept]


def _purchase_days(
    owner: npt.NDArray[np.intp], day: npt.NDArray[np.int64], spend: Array
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], Array]:
    """One entry per distinct (customer, day), sorted by customer then day: its customer
    index, day and summed spend. One sort of a combined integer key does it all."""
    span = int(day.max()) + 1
    keys, line_key = np.unique(owner * span + day, return_inverse=True)
    counted = np.bincount(line_key, weights=spend, minlength=keys.size)
    day_spend: Array = counted.astype(np.float64, copy=False)
    return keys // span, keys % span, day_spend


def compress(x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike) -> Compressed:
    """Identical ``(x, t_x, T)`` rows as one row with an integer weight (exact equality: rows
    built from whole days divided by the same unit compare equal)."""
    columns = [np.asarray(c, dtype=np.float64) for c in (x, t_x, T)]
    order = np.lexsort(columns[::-1])
    ordered = [c[order] for c in columns]
    changed = np.zeros(order.size, dtype=bool)
    changed[:1] = True
    for c in ordered:
        changed[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(changed)
    inverse = np.empty(order.size, dtype=np.intp)
    inverse[order] = np.cumsum(changed) - 1
    weights = np.diff(np.r_[starts, order.size]).astype(np.float64)
    x_, t_x_, T_ = (c[starts] for c in ordered)
    return Compressed(x_, t_x_, T_, weights, inverse)
