"""Domain events the campaigns room publishes."""

from dataclasses import dataclass, field
from datetime import datetime

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class CampaignFinished(DomainEvent):
    """A running campaign had nothing left to send and became finished (once: the move is a
    guarded update). ``outcomes`` counts its members by outcome (every outcome, 0 included),
    ``skipped`` the skipped ones by guard rail."""

    campaign_id: int
    name: str
    finished_at: datetime
    outcomes: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
