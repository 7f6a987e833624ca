"""Domain events the tiers room publishes."""

from dataclasses import dataclass

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class TierChanged(DomainEvent):
    """A member moved on the ladder (``from_tier`` None when first placed)."""

    member_id: int
    from_tier: str | None
    to_tier: str
    kind: str
