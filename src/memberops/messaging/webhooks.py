"""Outgoing webhooks: a tenant subscribes a URL to some of its domain events, and each event
becomes one signed webhook message per matching active subscription, in the outbox, in the
transaction that published it — so it is retried and receipted like every message, and sent
only if the change commits.

The message's idempotency key is ``webhook:<subscription>:<event id>``, the event id being
derived from the event itself, so an event handled twice enqueues once. Its recipient is the
subscription's URL and its payload the subscription's id and secret, which the webhook
channel signs with (``channels/webhook.py``). Messaging sits below the rooms that publish these
events: ``wiring`` turns each event into :func:`announce`.
"""

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.errors import NotFound
from memberops.kernel.pagination import newest_first
from memberops.messaging.bulk import cancel_queued
from memberops.messaging.channels.webhook import WEBHOOK_SECRET
from memberops.messaging.models import (
    ChannelName,
    DeliveryAttempt,
    Message,
    MessageStatus,
    WebhookEvent,
    WebhookSubscription,
)
from memberops.tenancy.access import Permission, Principal, tenant_scope

#: Who the outbox says queued a webhook message.
CREATED_BY = "system:webhooks"
#: Where a session keeps the active subscriptions it has read, per tenant, for one transaction.
_READ = "messaging.webhook_subscriptions"


class WebhookNotFound(NotFound):
    """No webhook subscription has this id in the caller's tenant."""

    code = "messaging.webhook_not_found"
    title = "Webhook subscription not found"


def key_prefix(subscription_id: int) -> str:
    """The start of the idempotency key of every message of the subscription."""
    return f"webhook:{subscription_id}:"


def create(
    session: Session, principal: Principal, url: str, events: list[WebhookEvent]
) -> WebhookSubscription:
    """A new active subscription with a fresh 256-bit secret (shown once, by the caller)."""
    principal.require(Permission.webhooks_manage)
    row = WebhookSubscription(
        tenant_id=principal.tenant_id,
        url=url,
        secret=secrets.token_hex(32),
        events=sorted({str(e) for e in events}),
        active=True,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    session.info.pop(_READ, None)
    return row


def get(session: Session, principal: Principal, subscription_id: int) -> WebhookSubscription:
    principal.require(Permission.webhooks_manage)
    row = session.scalar(
        tenant_scope(principal, WebhookSubscription).where(
            WebhookSubscription.id == subscription_id
        )
    )
    if row is None:
        raise WebhookNotFound(
            f"No webhook subscription {subscription_id} in this tenant.",
            webhook_id=str(subscription_id),
        )
    return row


def listed(
    session: Session, principal: Principal, before: int | None, limit: int
) -> list[WebhookSubscription]:
    """The tenant's subscriptions, newest first."""
    principal.require(Permission.webhooks_manage)
    query = tenant_scope(principal, WebhookSubscription)
    return list(session.scalars(newest_first(query, WebhookSubscription.id, before, limit)))


def delete(session: Session, principal: Principal, subscription_id: int) -> None:
    """Remove the subscription; its messages not sent yet are cancelled (failed, "cancelled"),
    those sent stay in the outbox with their receipts."""
    row = get(session, principal, subscription_id)
    cancel_queued(session, principal.tenant_id, _message_ids(principal.tenant_id, row.id))
    session.delete(row)
    session.info.pop(_READ, None)


def _message_ids(tenant_id: int, subscription_id: int) -> Any:
    return select(Message.id).where(
        Message.tenant_id == tenant_id,
        Message.channel == ChannelName.webhook,
        Message.idempotency_key.startswith(key_prefix(subscription_id), autoescape=True),
    )


def deliveries(
    session: Session, principal: Principal, subscription_id: int, before: int | None, limit: int
) -> list[Message]:
    """The subscription's delivery log: its messages, newest first."""
    get(session, principal, subscription_id)
    ids = _message_ids(principal.tenant_id, subscription_id)
    query = select(Message).where(Message.id.in_(ids))
    return list(session.scalars(newest_first(query, Message.id, before, limit)))


def attempts_of(
    session: Session, principal: Principal, messages: list[Message]
) -> dict[int, list[DeliveryAttempt]]:
    """Each message's attempts, oldest first."""
    found: dict[int, list[DeliveryAttempt]] = {m.id: [] for m in messages}
    for attempt in session.scalars(
        tenant_scope(principal, DeliveryAttempt)
        .where(DeliveryAttempt.message_id.in_(found))
        .order_by(DeliveryAttempt.id)
    ):
        found[attempt.message_id].append(attempt)
    return found


def announce(
    session: Session,
    tenant_id: int,
    event_type: WebhookEvent,
    event_id: str,
    data: dict[str, Any],
) -> None:
    """Queue the event for every active subscription of the tenant that wants ``event_type``;
    a subscription that already has ``event_id`` gets nothing more."""
    now = clock.now()
    for row in _active(session, tenant_id):
        if event_type in row.events:
            document = _document(event_id, event_type, now, tenant_id, data)
            _insert_once(session, row, event_id, document, now)


def _active(session: Session, tenant_id: int) -> list[WebhookSubscription]:
    """The tenant's active subscriptions, read once per transaction: a stage refresh publishes
    one event per member whose stage moved, up to the whole tenant."""
    transaction = session.get_transaction()
    held = session.info.get(_READ)
    if held is None or held[0] is not transaction:
        held = session.info[_READ] = (transaction, {})
    found: dict[int, list[WebhookSubscription]] = held[1]
    if tenant_id not in found:
        found[tenant_id] = list(
            session.scalars(
                select(WebhookSubscription).where(
                    WebhookSubscription.tenant_id == tenant_id,
                    WebhookSubscription.active.is_(True),
                )
            )
        )
    return found[tenant_id]


def _document(
    event_id: str, event_type: WebhookEvent, at: datetime, tenant_id: int, data: dict[str, Any]
) -> str:
    document = {
        "id": event_id,
        "type": str(event_type),
        "occurred_at": at.isoformat().replace("+00:00", "Z"),
        "tenant_id": str(tenant_id),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _insert_once(
    session: Session, row: WebhookSubscription, event_id: str, body: str, now: datetime
) -> None:
    dialect = postgresql if is_postgresql(session) else sqlite
    values = {
        "tenant_id": row.tenant_id,
        "idempotency_key": key_prefix(row.id) + event_id,
        "channel": ChannelName.webhook.value,
        "recipient": row.url,
        "subject": "",
        "body": body,
        "payload": {"webhook_id": str(row.id), WEBHOOK_SECRET: row.secret},
        "status": MessageStatus.queued.value,
        "attempts": 0,
        "due_at": now,
        "last_error": "",
        "created_by": CREATED_BY,
        "created_at": now,
    }
    session.execute(dialect.insert(Message).values(**values).on_conflict_do_nothing())
