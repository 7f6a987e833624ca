"""Trend buckets: local days (or weeks from Monday) in the tenant's timezone, as UTC instants.

Bucketing by local day cannot be written portably in SQL (SQLite has no time zones), so the
bucket boundaries are computed here — a few hundred at most — and the database joins orders to
them as a small derived table (:func:`bucket_table`), which keeps the aggregation in SQL.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, cast, literal, select, union_all

from memberops.kernel.db import UTCDateTime


class Bucket(StrEnum):
    day = "day"
    week = "week"


@dataclass(frozen=True)
class Period:
    """One bucket: its first local day and its bounds as UTC instants (``start <= t < end``)."""

    first_day: date
    start: datetime
    end: datetime


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def periods(now: datetime, timezone: str, days: int, bucket: Bucket) -> list[Period]:
    """The last ``days`` local days up to and including today, cut into ``bucket``s, oldest
    first. A week bucket is labelled by its Monday; the first one is clipped to the range."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    first = today - timedelta(days=days - 1)
    starts = [first + timedelta(days=i) for i in range(days)]
    if bucket is Bucket.week:
        mondays = sorted({d - timedelta(days=d.weekday()) for d in starts})
        starts = [max(monday, first) for monday in mondays]
    ends = [*starts[1:], today + timedelta(days=1)]
    labels = [d - timedelta(days=d.weekday()) if bucket is Bucket.week else d for d in starts]
    return [
        Period(label, _midnight(start, zone), _midnight(end, zone))
        for label, start, end in zip(labels, starts, ends, strict=True)
    ]


def bucket_table(buckets: list[Period]) -> Any:
    """``(n, start, end)`` rows as a derived table (``UNION ALL`` of literal rows: portable,
    unlike ``VALUES … AS t(cols)``, which SQLite does not parse)."""
    rows = [
        select(
            cast(literal(n), Integer).label("n"),
            literal(p.start, UTCDateTime()).label("start"),
            literal(p.end, UTCDateTime()).label("end"),
        )
        for n, p in enumerate(buckets)
    ]
    return union_all(*rows).subquery("buckets")
