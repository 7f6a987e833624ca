"""What the messaging tests share: a frozen moment, a message request, and the outbox's rows."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel.settings import Settings
from memberops.messaging.models import DeliveryAttempt, Message
from memberops.messaging.schemas import MessageCreate

NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)
#: Where tracked links point in the tests.
LINKS = "https://club.example"
#: Settings of the delivery tests: small batches, a short lease, 10 s backoff, 3 attempts.
SETTINGS = Settings(
    database_url="sqlite://",
    secret_key="test",
    outbox_batch_size=10,
    outbox_lease_seconds=60,
    outbox_backoff_seconds=10,
    outbox_backoff_max_seconds=25,
    outbox_max_attempts=3,
    outbox_send_timeout_seconds=2,
    webhook_secret="whsec",
)


def message(**overrides: Any) -> MessageCreate:
    values: dict[str, Any] = {"channel": "log", "recipient": "someone", "body": "你好", **overrides}
    return MessageCreate.model_validate(values)


def state(session: Session, message_id: int) -> Message:
    with session.begin():
        found = session.get(Message, message_id, populate_existing=True)
        assert found is not None
        return found


def receipts(session: Session, message_id: int) -> list[tuple[int, str, str]]:
    query = select(DeliveryAttempt).where(DeliveryAttempt.message_id == message_id)
    with session.begin():
        rows = session.scalars(query.order_by(DeliveryAttempt.id)).all()
        return [(r.number, str(r.outcome), r.detail) for r in rows]
