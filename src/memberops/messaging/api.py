"""HTTP routes of the messaging room: put a message in the outbox, read it with its delivery and
click receipts, list the tenant's messages. Thin: the work is in ``service``."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, RequiredIdempotencyKeyDep, SessionDep
from memberops.messaging import service
from memberops.messaging.schemas import MessageCreate, MessageDetail, MessagePage
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["messaging"])

Reader = Annotated[Principal, Depends(require(Permission.messages_read))]
Sender = Annotated[Principal, Depends(require(Permission.messages_send))]
MessageId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A message id")]
_QUEUED: dict[int | str, dict[str, Any]] = {
    201: {"description": "Queued"},
    200: {"description": "A replay of the Idempotency-Key: the first message, nothing changed"},
}


@router.post("/messages", response_model=MessageDetail, status_code=201, responses=_QUEUED)
def send(
    body: MessageCreate,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Sender,
) -> MessageDetail:
    """Put one message in the outbox; the worker delivers it. The ``Idempotency-Key`` is the
    message's for good: a retry returns the first message and is never sent twice."""
    message, created = service.enqueue(session, principal, body, key)
    response.status_code = 201 if created else 200
    return service.detail(session, principal, message)


@router.get("/messages", response_model=MessagePage)
def list_messages(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> MessagePage:
    """The tenant's messages, newest first."""
    rows = service.list_messages(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = [service.read(principal, m) for m in page.items]
    return MessagePage(items=items, next_cursor=page.next_cursor)


@router.get("/messages/{message_id}", response_model=MessageDetail)
def get(message_id: MessageId, session: SessionDep, principal: Reader) -> MessageDetail:
    """One message: its status and attempts, each delivery receipt and each click."""
    return service.detail(session, principal, service.get_message(session, principal, message_id))
