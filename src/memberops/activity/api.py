"""HTTP routes of the activity room: orders, refunds, behaviour events, single and in batches,
and a member's orders and events. Thin: parsing and status codes here, verbs in the services."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from memberops.activity import behaviour, fulfilment, orders, refunds
from memberops.activity.batch import run_batch
from memberops.activity.common import new_external_ids, resolve_members_in_order
from memberops.activity.models import Event, Order
from memberops.activity.schemas import (
    BatchIn,
    BatchOut,
    EventCreate,
    EventPage,
    EventRead,
    FulfilmentUpdate,
    OrderCreate,
    OrderPage,
    OrderRead,
    RefundCreate,
    RefundRead,
)
from memberops.kernel.pagination import cut_page, decode_cursor
from memberops.kernel.schemas import Text
from memberops.kernel.web import Cursor, Limit, MemberId, SessionDep
from memberops.members import service as members
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.dependencies import require

router = APIRouter(tags=["activity"])

Writer = Annotated[Principal, Depends(require(Permission.activity_write))]
Reader = Annotated[Principal, Depends(require(Permission.members_read))]
ExternalId = Annotated[Text, Path(min_length=1, max_length=64, description="The order's id")]
_CREATED: dict[int | str, dict[str, Any]] = {201: {"description": "Created"}}


def _order(session: SessionDep, principal: Principal, body: OrderCreate) -> tuple[OrderRead, bool]:
    order, created = orders.record_order(session, principal, body)
    return orders.read_orders(session, principal, [order])[0], created


@router.post("/orders", response_model=OrderRead, responses=_CREATED)
def create_order(
    body: OrderCreate, response: Response, session: SessionDep, principal: Writer
) -> OrderRead:
    """Record a paid order for the member its identities name (created when none matches).
    201 when stored; 200 for a replay of the same content; 409 for other content."""
    answer, created = _order(session, principal, body)
    response.status_code = 201 if created else 200
    return answer


@router.post("/orders:batch", response_model=BatchOut)
def create_orders(body: BatchIn, session: SessionDep, principal: Writer) -> BatchOut:
    """Up to 1,000 orders, each answered on its own (``status`` and ``body`` or ``problem``)."""

    def store(item: OrderCreate) -> tuple[dict[str, Any], bool]:
        answer, created = _order(session, principal, item)
        return answer.model_dump(mode="json"), created

    def prepare(items: list[OrderCreate]) -> None:
        new = new_external_ids(session, principal, Order, [item.external_id for item in items])
        refs = [(item.member, item.channel) for item in items if item.external_id in new]
        resolve_members_in_order(session, principal, refs)

    return BatchOut(items=run_batch(session, body.items, OrderCreate, store, prepare))


@router.get("/orders/{external_id}", response_model=OrderRead)
def read_order(external_id: ExternalId, session: SessionDep, principal: Reader) -> OrderRead:
    order = orders.get_order(session, principal, external_id)
    return orders.read_orders(session, principal, [order])[0]


@router.post("/orders/{external_id}/refunds", response_model=RefundRead, responses=_CREATED)
def refund(
    external_id: ExternalId,
    body: RefundCreate,
    response: Response,
    session: SessionDep,
    principal: Writer,
) -> RefundRead:
    """Refund part of an order (``amount``) or the rest of it. 201 when stored, 200 for a
    replay; 409 ``orders.refund_exceeds`` past the paid amount."""
    stored, order, created = refunds.refund_order(session, principal, external_id, body)
    response.status_code = 201 if created else 200
    return RefundRead(
        refund_id=stored.external_id,
        order_external_id=order.external_id,
        member_id=str(stored.member_id),
        amount=stored.amount_cents,
        refunded_at=stored.refunded_at,
        reason=stored.reason,
        order=orders.read_orders(session, principal, [order])[0],
    )


@router.post("/orders/{external_id}/fulfilment", response_model=OrderRead)
def fulfil(
    external_id: ExternalId, body: FulfilmentUpdate, session: SessionDep, principal: Writer
) -> OrderRead:
    """Mark the order ``shipped`` or ``delivered`` (publishing ``OrderShipped`` /
    ``OrderDelivered`` for journeys). Each is recorded once: sending it again answers the
    order as it is and changes nothing. 404 ``orders.not_found``."""
    order, _ = fulfilment.record_fulfilment(session, principal, external_id, body)
    return orders.read_orders(session, principal, [order])[0]


@router.post("/events", response_model=EventRead, responses=_CREATED)
def create_event(
    body: EventCreate, response: Response, session: SessionDep, principal: Writer
) -> EventRead:
    """Record a behaviour event. 201 when stored, 200 for a replay, 409 for other content."""
    event, created = behaviour.record_event(session, principal, body)
    response.status_code = 201 if created else 200
    return behaviour.read_event(event)


@router.post("/events:batch", response_model=BatchOut)
def create_events(body: BatchIn, session: SessionDep, principal: Writer) -> BatchOut:
    """Up to 1,000 events, each answered on its own."""

    def store(item: EventCreate) -> tuple[dict[str, Any], bool]:
        event, created = behaviour.record_event(session, principal, item)
        return behaviour.read_event(event).model_dump(mode="json"), created

    def prepare(items: list[EventCreate]) -> None:
        new = new_external_ids(session, principal, Event, [item.external_id for item in items])
        refs = [(item.member, item.channel) for item in items if item.external_id in new]
        resolve_members_in_order(session, principal, refs)

    return BatchOut(items=run_batch(session, body.items, EventCreate, store, prepare))


@router.get("/members/{member_id}/orders", response_model=OrderPage)
def member_orders(
    member_id: MemberId,
    session: SessionDep,
    principal: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> OrderPage:
    """The member's orders, newest first."""
    members.get_member(session, principal, member_id)
    rows = orders.list_orders(session, principal, member_id, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    return OrderPage(
        items=orders.read_orders(session, principal, list(page.items)),
        next_cursor=page.next_cursor,
    )


@router.get("/members/{member_id}/events", response_model=EventPage)
def member_events(
    member_id: MemberId,
    session: SessionDep,
    principal: Reader,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> EventPage:
    """The member's behaviour events, newest first."""
    members.get_member(session, principal, member_id)
    rows = behaviour.list_events(session, principal, member_id, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    return EventPage(
        items=[behaviour.read_event(e) for e in page.items], next_cursor=page.next_cursor
    )
