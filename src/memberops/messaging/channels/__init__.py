"""Channel adapters: one interface in front of every way a message leaves memberops.

An adapter's ``send`` either returns the provider's message id or raises :class:`SendFailed`,
saying whether trying again may help (a network error, a 5xx, a rate limit with its
``Retry-After``) or not (an invalid recipient, a channel not configured). Every adapter puts
the envelope's ``delivery_id`` into its provider request (a header, a field, the SMTP
Message-ID) so a provider can drop a resend of a message whose outcome the worker never
recorded (docs/messaging.md, "Delivery guarantees").
"""

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Envelope:
    """A message as an adapter sees it."""

    delivery_id: str
    idempotency_key: str
    tenant_id: int
    recipient: str
    subject: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


class SendFailed(Exception):
    """A send that did not go through; ``permanent`` ones are not tried again."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Channel(Protocol):
    """What the outbox delivers through."""

    def send(self, envelope: Envelope) -> str:
        """Hand the message to the provider; its id for the message, or :class:`SendFailed`."""
        ...
