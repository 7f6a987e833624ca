"""Events published by the check-in room."""

from dataclasses import dataclass
from datetime import date

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class CheckedIn(DomainEvent):
    """A member checked in for ``local_date`` (once per member and local day: a repeated
    check-in the same day publishes nothing)."""

    member_id: int
    local_date: date
    streak: int
