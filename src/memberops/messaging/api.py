"""HTTP routes of the messaging room: put a message in the outbox, read it with its delivery and
click receipts, list the tenant's messages. Thin: the work is in ``service``."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import (
    Cursor,
    Limit,
    RequiredIdempotencyKeyDep,
    SessionDep,
    SettingsDep,
)
from memberops.messaging import links, service, unsubscribe
from memberops.messaging.schemas import (
    MessageCreate,
    MessageDetail,
    MessagePage,
    PreviewRead,
    PreviewRequest,
)
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["messaging"])
#: ``/r/{token}`` and ``/u/{token}``, served at the root: members follow these links, with no
#: credential.
redirects = APIRouter(tags=["messaging"])

Reader = Annotated[Principal, Depends(require(Permission.messages_read))]
Sender = Annotated[Principal, Depends(require(Permission.messages_send))]
Token = Annotated[str, Path(max_length=64)]
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
    settings: SettingsDep,
    principal: Sender,
) -> MessageDetail:
    """Put one message in the outbox, its subject and body rendered for its member now; the
    worker delivers it. The ``Idempotency-Key`` is the message's for good: a retry returns the
    first message and is never sent twice. 422 ``messaging.template_invalid`` for a template
    that does not parse or names an unknown field."""
    link_base = settings.public_base_url
    message, created = service.enqueue(session, principal, body, key, link_base=link_base)
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


@router.post("/messages:preview", response_model=PreviewRead)
def preview(
    body: PreviewRequest, session: SessionDep, settings: SettingsDep, principal: Sender
) -> PreviewRead:
    """A subject and body as the member would read them (links show their own URL, the
    unsubscribe link a sample page); nothing is stored or sent."""
    return service.preview(session, principal, body, link_base=settings.public_base_url)


@redirects.get("/r/{token}", response_class=RedirectResponse, status_code=302)
def follow(
    token: Token,
    session: SessionDep,
    user_agent: Annotated[str, Header()] = "",
) -> RedirectResponse:
    """A member followed a tracked link: record the click, then send them to the URL. 404
    ``messaging.link_not_found`` for a token no link has."""
    return RedirectResponse(links.follow(session, token, user_agent), status_code=302)


@redirects.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_page(token: Token, session: SessionDep) -> HTMLResponse:
    """An unsubscribe link's page: says what the button does and changes nothing (mail scanners
    fetch links too). 404 ``messaging.link_not_found`` for a token no unsubscribe link has."""
    return HTMLResponse(unsubscribe.confirm_page(unsubscribe.target(session, token)))


@redirects.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe_confirmed(token: Token, session: SessionDep) -> HTMLResponse:
    """The page's button: the member is unsubscribed from the message's channel, as by
    ``POST /api/v1/members/{id}/unsubscribe``; again is the same as once."""
    return HTMLResponse(unsubscribe.done_page(unsubscribe.unsubscribe(session, token)))
