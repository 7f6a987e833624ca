"""Domain events of the lifecycle sub-room."""

from dataclasses import dataclass

from memberops.insights.lifecycle.models import Stage
from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class StageChanged(DomainEvent):
    """A member moved from one stage to another (``from_stage`` None: its first stage)."""

    member_id: int
    from_stage: Stage | None
    to_stage: Stage
    reactivated: bool
