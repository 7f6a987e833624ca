"""Domain events the points room publishes."""

from dataclasses import dataclass
from datetime import date, datetime

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class PointsExpiring(DomainEvent):
    """A member's points that will expire on one local day (the tenant's timezone) within the
    reminder window: ``points`` left in the lots expiring that day, the first of them at
    ``expires_at``. The daily job publishes it every day the day is in the window; subscribers
    key it on (member, ``expires_on``) to act once."""

    member_id: int
    points: int
    expires_at: datetime
    expires_on: date
