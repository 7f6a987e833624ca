"""Domain events the activity room publishes, inside the writer's transaction, so rooms above
(points, tiers, journeys) react without activity importing them."""

from dataclasses import dataclass

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class OrderPaid(DomainEvent):
    """A new order was stored (never published again for a replay).

    ``historical`` marks an order loaded in bulk from the past (a history import, the demo):
    rooms that reward a purchase as it happens (points, an immediate tier upgrade) skip it,
    and a bulk load settles such figures in bulk afterwards."""

    member_id: int
    order_id: int
    external_id: str
    amount_cents: int
    historical: bool = False


@dataclass(frozen=True)
class OrderRefunded(DomainEvent):
    """Part or all of an order was refunded; ``amount_cents`` is this refund's amount.

    ``historical`` marks a refund loaded in bulk from the past (a history import): tiers leave
    its member to the ``HistoryLoaded`` that ends the load; points still take back what its
    order earned, if it earned anything."""

    member_id: int
    order_id: int
    refund_id: int
    amount_cents: int
    historical: bool = False


@dataclass(frozen=True)
class RecordedEvent:
    """One stored behaviour event, as :class:`EventRecorded` names it."""

    member_id: int
    event_id: int
    type: str


@dataclass(frozen=True)
class EventRecorded(DomainEvent):
    """Behaviour events were stored by one write (never published again for a replay):
    ``events`` holds the one of ``POST /events``, or a bulk batch's new ones, so a subscriber
    reacts once per write (lifecycle recomputes the batch's members in one query, not one per
    event)."""

    events: tuple[RecordedEvent, ...]


@dataclass(frozen=True)
class HistoryLoaded(DomainEvent):
    """A bulk load of past orders (a history import, the demo) finished and its members' stats
    are refreshed: rooms that skipped its ``historical`` orders settle them now, in bulk.
    ``member_ids`` are the members it touched, or None for the whole tenant."""

    member_ids: tuple[int, ...] | None


@dataclass(frozen=True)
class OrderShipped(DomainEvent):
    """An order was marked shipped (once: marking it again publishes nothing)."""

    member_id: int
    order_id: int
    external_id: str


@dataclass(frozen=True)
class OrderDelivered(DomainEvent):
    """An order was marked delivered (once: marking it again publishes nothing)."""

    member_id: int
    order_id: int
    external_id: str
