"""The models' inputs read from the database: every kept order (not wholly refunded) of the
tenant's active members up to an as-of day, as columns read once — member id, local purchase
day, amount paid net of refunds in currency units (yuan) — for ``summary.summarise``.

A purchase day is a day of the tenant's own calendar (its timezone), as the papers count
distinct purchase days; times are read as whole epoch seconds and turned into local day
numbers in numpy, the zone's offset looked up once per distinct hour (offsets change on the
hour), so ten million orders cost no per-row Python.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity.models import Order, OrderStatus
from memberops.insights.sql import DAY_SECONDS, epoch_seconds
from memberops.members.models import Member, MemberStatus

#: Rows fetched per round trip while streaming the orders.
FETCH_ROWS = 100_000
HOUR_SECONDS = 3_600


@dataclass(frozen=True)
class Purchases:
    """One entry per kept order: member id, local day number (days since 1970-01-01) and
    amount in currency units; ``as_of_day`` is the last day included."""

    member: npt.NDArray[np.int64]
    day: npt.NDArray[np.int64]
    amount: npt.NDArray[np.float64]
    as_of_day: int


def local_days(seconds: npt.NDArray[np.int64], zone: ZoneInfo) -> npt.NDArray[np.int64]:
    """Local day numbers of epoch ``seconds`` in ``zone``."""
    hours, where = np.unique(seconds // HOUR_SECONDS, return_inverse=True)
    offsets = np.array(
        [
            datetime.fromtimestamp(int(hour) * HOUR_SECONDS, zone).utcoffset() or timedelta()
            for hour in hours
        ]
    )
    shift = np.array([offset.total_seconds() for offset in offsets], dtype=np.int64)
    return (seconds + shift[where]) // DAY_SECONDS


def day_number(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def read_purchases(session: Session, tenant_id: int, zone: ZoneInfo, as_of: date) -> Purchases:
    """The tenant's kept orders paid up to the end of local day ``as_of``."""
    end = datetime.combine(as_of + timedelta(days=1), time(), zone).astimezone(UTC)
    query = (
        select(
            Order.member_id,
            epoch_seconds(session, Order.paid_at),
            Order.amount_cents - Order.refunded_cents,
        )
        .join(Member, Member.id == Order.member_id)
        .where(Order.tenant_id == tenant_id, Order.status != OrderStatus.refunded)
        .where(Order.paid_at < end, Member.status == MemberStatus.active)
    )
    members, seconds, cents = [], [], []
    result = session.execute(query.execution_options(yield_per=FETCH_ROWS))
    for part in result.partitions():
        block = np.array(part, dtype=np.int64).reshape(-1, 3)
        members.append(block[:, 0])
        seconds.append(block[:, 1])
        cents.append(block[:, 2])
    member = np.concatenate(members) if members else np.empty(0, dtype=np.int64)
    moment = np.concatenate(seconds) if seconds else np.empty(0, dtype=np.int64)
    amount = np.concatenate(cents) / 100.0 if cents else np.empty(0)
    return Purchases(member, local_days(moment, zone), amount, day_number(as_of))
