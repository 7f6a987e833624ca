"""Domain events the identity room publishes."""

from dataclasses import dataclass

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class MembersMerged(DomainEvent):
    """``absorbed`` now lives in ``survivor``: move your rows with ``move_member_rows``."""

    survivor_id: int
    absorbed_id: int
    merge_id: int


@dataclass(frozen=True)
class MembersUnmerged(DomainEvent):
    """Merge ``merge_id`` was undone; the moved rows are already back with ``absorbed``."""

    survivor_id: int
    absorbed_id: int
    merge_id: int
