"""RFM written a second time, in pandas, from SPEC §4 and the definitions in
``docs/insights.md`` (not from the SQL), for the tests to compare the database against.

Input: one row per order with ``member``, ``paid_at`` (aware), ``net`` (paid minus refunded,
cents) and ``kept`` (not wholly refunded)."""

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

TYPES = {
    (True, True, True): "important_value",
    (True, False, True): "important_development",
    (False, True, True): "important_retention",
    (False, False, True): "important_winback",
    (True, True, False): "general_value",
    (True, False, False): "general_development",
    (False, True, False): "general_retention",
    (False, False, False): "general_winback",
}
#: Rows R = 5 … 1, columns FM = 1 … 5 (FM: the mean of F and M, halves rounded up).
GRID = [
    ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
    ["promising", "potential_loyalist", "loyal", "loyal", "champions"],
    ["about_to_sleep", "need_attention", "need_attention", "loyal", "loyal"],
    ["hibernating", "about_to_sleep", "at_risk", "at_risk", "cant_lose"],
    ["lost", "hibernating", "at_risk", "cant_lose", "cant_lose"],
]


def ntile(count: int, groups: int = 5) -> np.ndarray:
    """SQL's NTILE: ``count`` ordered rows into ``groups`` as equal as can be, the larger
    groups first."""
    small, extra = divmod(count, groups)
    sizes = [small + (1 if group < extra else 0) for group in range(groups)]
    return np.repeat(np.arange(1, groups + 1), sizes)


def _score(frame: pd.DataFrame, column: str, *, descending: bool) -> pd.Series:
    ordered = frame.sort_values([column, "member"], ascending=[not descending, True])
    return pd.Series(ntile(len(ordered)), index=ordered.index)


def rfm(orders: pd.DataFrame, as_of: datetime, window_days: int = 365) -> pd.DataFrame:
    """Per member who bought in the window: R, F, M, their quintile scores, type, segment."""
    since = as_of - timedelta(days=window_days)
    inside = orders[orders["kept"] & (orders["paid_at"] >= since) & (orders["paid_at"] <= as_of)]
    frame = (
        inside.groupby("member")
        .agg(last=("paid_at", "max"), frequency=("net", "size"), monetary=("net", "sum"))
        .reset_index()
    )
    seconds = (as_of - frame["last"]).dt.total_seconds()
    frame["recency_days"] = (seconds // 86_400).astype(int)
    frame["r"] = _score(frame, "recency_days", descending=True)
    frame["f"] = _score(frame, "frequency", descending=False)
    frame["m"] = _score(frame, "monetary", descending=False)
    highs = zip(
        frame["recency_days"] < frame["recency_days"].mean(),
        frame["frequency"] > frame["frequency"].mean(),
        frame["monetary"] > frame["monetary"].mean(),
        strict=True,
    )
    frame["type"] = [TYPES[bool(r), bool(f), bool(m)] for r, f, m in highs]
    fm = (frame["f"] + frame["m"] + 1) // 2
    frame["segment"] = [GRID[5 - r][s - 1] for r, s in zip(frame["r"], fm, strict=True)]
    return frame.set_index("member")
