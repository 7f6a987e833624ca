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


@dataclass(frozen=True)
class MemberRegistered(DomainEvent):
    """A person signed up through the members API (the shop's, POS's or mini-program's sign-up
    call) and a new member was created. Customers created by an order or an event, or loaded
    by an import, did not register: rooms that welcome newcomers (the new-member pack) react
    to this event only."""

    member_id: int
