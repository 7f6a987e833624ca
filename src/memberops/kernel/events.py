"""The in-transaction domain event bus.

A room publishes a fact (``MembersMerged``) and rooms above it subscribe, so lower rooms never
import higher ones. Handlers run synchronously inside the publisher's transaction: a handler that
fails rolls the whole change back, and nothing is half-applied.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DomainEvent:
    """Base of every domain event; ``tenant_id`` says whose fact it is."""

    tenant_id: int


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[Session, Any], None]

_handlers: dict[type[DomainEvent], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Run ``handler`` for every published event of ``event_type``; registering twice is a no-op."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(session: Session, event: DomainEvent) -> None:
    """Hand ``event`` to its subscribers, in subscription order, inside the caller's transaction."""
    for handler in _handlers.get(type(event), []):
        handler(session, event)
