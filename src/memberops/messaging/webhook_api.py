"""HTTP routes of outgoing webhooks: subscribe a URL to the tenant's events, list and delete
subscriptions, read one's delivery log. Thin: the work is in ``webhooks``."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, SessionDep
from memberops.messaging import webhooks
from memberops.messaging.models import DeliveryAttempt, Message, WebhookSubscription
from memberops.messaging.schemas import AttemptRead
from memberops.messaging.webhook_schemas import (
    DeliveryPage,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
)
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["webhooks"])

Manager = Annotated[Principal, Depends(require(Permission.webhooks_manage))]
WebhookId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A webhook subscription id")]


@router.post("/webhooks", response_model=WebhookCreated, status_code=201)
def create(body: WebhookCreate, session: SessionDep, principal: Manager) -> WebhookCreated:
    """Subscribe the URL to the events; the answer holds the signing secret, shown only now."""
    row = webhooks.create(session, principal, str(body.url), list(body.events))
    return WebhookCreated(**_read(row).model_dump(), secret=row.secret)


@router.get("/webhooks", response_model=WebhookPage)
def listed(
    session: SessionDep, principal: Manager, cursor: Cursor = None, limit: Limit = 50
) -> WebhookPage:
    """The tenant's subscriptions, newest first (without their secrets)."""
    rows = webhooks.listed(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    return WebhookPage(items=[_read(r) for r in page.items], next_cursor=page.next_cursor)


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete(webhook_id: WebhookId, session: SessionDep, principal: Manager) -> None:
    """Unsubscribe: no more events; deliveries not sent yet are cancelled. 404
    ``messaging.webhook_not_found`` for an id of no subscription of this tenant."""
    webhooks.delete(session, principal, webhook_id)


@router.get("/webhooks/{webhook_id}/deliveries", response_model=DeliveryPage)
def deliveries(
    webhook_id: WebhookId,
    session: SessionDep,
    principal: Manager,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> DeliveryPage:
    """The subscription's delivery log, newest first: each event's message and attempts."""
    rows = webhooks.deliveries(session, principal, webhook_id, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    attempts = webhooks.attempts_of(session, principal, list(page.items))
    items = [_delivery(m, attempts[m.id]) for m in page.items]
    return DeliveryPage(items=items, next_cursor=page.next_cursor)


def _read(row: WebhookSubscription) -> WebhookRead:
    return WebhookRead(
        id=str(row.id),
        url=row.url,
        events=row.events,
        active=row.active,
        created_at=row.created_at,
    )


def _delivery(message: Message, attempts: list[DeliveryAttempt]) -> DeliveryRead:
    return DeliveryRead(
        message_id=str(message.id),
        event_id=message.idempotency_key.split(":", 2)[2],
        body=message.body,
        status=message.status,
        attempts=[AttemptRead.model_validate(a, from_attributes=True) for a in attempts],
        last_error=message.last_error,
        delivered_at=message.delivered_at,
        failed_at=message.failed_at,
        created_at=message.created_at,
    )
