"""Domain events the benefit-cards room publishes."""

from dataclasses import dataclass
from datetime import datetime

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class CardLapsed(DomainEvent):
    """A holding reached its end unrenewed and the daily job marked it lapsed (once per
    holding and term). Its benefits had already stopped at ``ended_at``."""

    member_id: int
    holding_id: int
    card_type_id: int
    ended_at: datetime
