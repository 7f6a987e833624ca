"""HTTP routes of the benefit-cards room: card types (``/benefit-cards``), a member's holdings
with purchase, renewal and refund (idempotent on the required ``Idempotency-Key``), and the
member's benefits now. Thin: verbs in ``service`` / ``refunds`` / ``types``, reads in
``queries`` and ``benefits``."""

from typing import Annotated

from fastapi import APIRouter, Path, Response

from memberops.kernel.pagination import MAX_KEY, cut_page, decode_cursor
from memberops.kernel.web import Cursor, Limit, MemberId, RequiredIdempotencyKeyDep, SessionDep
from memberops.loyalty.access import REPLAYABLE, Manager, Operator, Reader
from memberops.loyalty.cards import queries, refunds, service, types
from memberops.loyalty.cards.benefits import member_benefits
from memberops.loyalty.cards.schemas import (
    BenefitsRead,
    CardTypeCreate,
    CardTypePage,
    CardTypePatch,
    CardTypeRead,
    HoldingPage,
    HoldingRead,
    PurchaseIn,
    RefundIn,
    RenewIn,
)
from memberops.members import service as members

router = APIRouter(tags=["loyalty"])

CardTypeId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A benefit card type id")]
HoldingId = Annotated[int, Path(ge=1, le=MAX_KEY, description="A holding id")]
CARDS = "/benefit-cards"
HOLDINGS = "/members/{member_id}/benefit-cards"


@router.post(CARDS, response_model=CardTypeRead, status_code=201)
def create_card_type(body: CardTypeCreate, session: SessionDep, principal: Manager) -> CardTypeRead:
    """A card type; 422 ``cards.invalid_type`` names each field that does not fit its price
    kind, 409 ``cards.type_exists`` for a taken code."""
    card = types.create_card_type(session, principal, body)
    return queries.read_card_types(session, principal, [card])[0]


@router.get(CARDS, response_model=CardTypePage)
def list_card_types(
    session: SessionDep, principal: Reader, cursor: Cursor = None, limit: Limit = 50
) -> CardTypePage:
    """The tenant's card types with how many members hold each now, newest first."""
    rows = types.list_card_types(session, principal, decode_cursor(cursor), limit + 1)
    page = cut_page(rows, limit)
    items = queries.read_card_types(session, principal, page.items)
    return CardTypePage(items=items, next_cursor=page.next_cursor)


@router.get(CARDS + "/{card_type_id}", response_model=CardTypeRead)
def read_card_type(
    card_type_id: CardTypeId, session: SessionDep, principal: Reader
) -> CardTypeRead:
    card = types.get_card_type(session, principal, card_type_id)
    return queries.read_card_types(session, principal, [card])[0]


@router.patch(CARDS + "/{card_type_id}", response_model=CardTypeRead)
def patch_card_type(
    card_type_id: CardTypeId, body: CardTypePatch, session: SessionDep, principal: Manager
) -> CardTypeRead:
    """Rename, archive (no longer sold or renewed; holdings keep their term) or change the
    benefits (every holding's from now on)."""
    card = types.patch_card_type(session, principal, card_type_id, body)
    return queries.read_card_types(session, principal, [card])[0]


@router.get(HOLDINGS, response_model=HoldingPage)
def member_holdings(member_id: MemberId, session: SessionDep, principal: Reader) -> HoldingPage:
    """Every card the member holds or held, newest first, with its payments."""
    members.get_member(session, principal, member_id)
    return HoldingPage(items=queries.member_holdings(session, principal, member_id))


@router.post(HOLDINGS, response_model=HoldingRead, responses=REPLAYABLE)
def purchase(
    member_id: MemberId,
    body: PurchaseIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Operator,
) -> HoldingRead:
    """Buy a card for the member (a points price is spent from their points, 409
    ``points.insufficient`` when short; a money price needs ``payment_reference``) or give a
    free one. 409 ``cards.already_held`` while they hold a valid one of the type."""
    answer, done = service.purchase(session, principal, member_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.post(HOLDINGS + "/{holding_id}/renew", response_model=HoldingRead, responses=REPLAYABLE)
def renew(
    member_id: MemberId,
    holding_id: HoldingId,
    body: RenewIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Operator,
) -> HoldingRead:
    """Pay one more term: from the current end while valid, else from now."""
    answer, done = service.renew(session, principal, member_id, holding_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.post(HOLDINGS + "/{holding_id}/refund", response_model=HoldingRead, responses=REPLAYABLE)
def refund(
    member_id: MemberId,
    holding_id: HoldingId,
    body: RefundIn,
    key: RequiredIdempotencyKeyDep,
    response: Response,
    session: SessionDep,
    principal: Manager,
) -> HoldingRead:
    """Refund an unused paid card: points back to the member, money recorded as refunded,
    the holding's benefits end now. 409 ``cards.used`` once a benefit was consumed."""
    answer, done = refunds.refund(session, principal, member_id, holding_id, body, key)
    response.status_code = 201 if done else 200
    return answer


@router.get("/members/{member_id}/benefits", response_model=BenefitsRead)
def benefits(member_id: MemberId, session: SessionDep, principal: Reader) -> BenefitsRead:
    """The member's benefits now, combining the tier's and every valid card's."""
    members.get_member(session, principal, member_id)
    return member_benefits(session, principal, member_id)
