"""Reads of the benefit-cards room, for the API, the console and member views: card types with
how many members hold each now, a member's holdings with their payments, and the sections of
``GET /members/{id}`` and the member export. Each reads its rows in a fixed number of queries."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.cards.benefits import is_valid, valid_at
from memberops.loyalty.cards.models import CardHolding, CardPayment, CardType
from memberops.loyalty.cards.schemas import CardTypeRead, HoldingRead, PaymentRead
from memberops.loyalty.cards.types import benefits_of
from memberops.tenancy.access import Principal, tenant_scope


def holder_counts(session: Session, principal: Principal, type_ids: list[int]) -> dict[int, int]:
    """Members holding a valid card of each type now."""
    query = (
        select(CardHolding.card_type_id, func.count(func.distinct(CardHolding.member_id)))
        .where(CardHolding.tenant_id == principal.tenant_id)
        .where(CardHolding.card_type_id.in_(type_ids), valid_at(clock.now()))
        .group_by(CardHolding.card_type_id)
    )
    return dict(session.execute(query).all())


def read_card_types(
    session: Session, principal: Principal, cards: Sequence[CardType]
) -> list[CardTypeRead]:
    """Card types with their holder counts (one grouped query): the console's card list."""
    counts = holder_counts(session, principal, [card.id for card in cards])
    return [
        CardTypeRead(
            id=str(card.id),
            code=card.code,
            name=card.name,
            price_kind=card.price_kind,
            price=card.price_cents,
            price_points=card.price_points,
            validity_unit=card.validity_unit,
            validity_length=card.validity_length,
            benefits=benefits_of(card),
            active=card.active,
            holders=counts.get(card.id, 0),
            created_at=card.created_at,
        )
        for card in cards
    ]


def _read_payment(payment: CardPayment) -> PaymentRead:
    return PaymentRead(
        kind=payment.kind,
        price_kind=payment.price_kind,
        amount=payment.amount_cents,
        points=payment.points,
        payment_reference=payment.payment_reference,
        period_starts_at=payment.period_starts_at,
        period_ends_at=payment.period_ends_at,
        paid_at=payment.paid_at,
        refunded_at=payment.refunded_at,
    )


def read_holdings(
    session: Session, principal: Principal, holdings: Sequence[CardHolding]
) -> list[HoldingRead]:
    """Holdings with their card types and payments (two queries), as the API shows them."""
    ids = [holding.id for holding in holdings]
    type_ids = {holding.card_type_id for holding in holdings}
    cards = {
        card.id: card
        for card in session.scalars(
            tenant_scope(principal, CardType).where(CardType.id.in_(type_ids))
        )
    }
    payments: dict[int, list[PaymentRead]] = defaultdict(list)
    query = tenant_scope(principal, CardPayment).where(CardPayment.holding_id.in_(ids))
    for payment in session.scalars(query.order_by(CardPayment.id)):
        payments[payment.holding_id].append(_read_payment(payment))
    now = clock.now()
    return [
        HoldingRead(
            id=str(holding.id),
            member_id=str(holding.member_id),
            card_type_id=str(holding.card_type_id),
            card_code=cards[holding.card_type_id].code,
            card_name=cards[holding.card_type_id].name,
            status=holding.status,
            valid=is_valid(holding, now),
            starts_at=holding.starts_at,
            ends_at=holding.ends_at,
            lapsed_at=holding.lapsed_at,
            refunded_at=holding.refunded_at,
            refund_reason=holding.refund_reason,
            benefits=benefits_of(cards[holding.card_type_id]),
            payments=payments[holding.id],
        )
        for holding in holdings
    ]


def member_holdings(session: Session, principal: Principal, member_id: int) -> list[HoldingRead]:
    """Every holding of the member, newest first: the member page's cards."""
    query = tenant_scope(principal, CardHolding).where(CardHolding.member_id == member_id)
    holdings = list(session.scalars(query.order_by(CardHolding.id.desc())))
    return read_holdings(session, principal, holdings)


def cards_section(session: Session, principal: Principal, member_id: int) -> Any:
    """``benefit_cards`` in ``GET /members/{id}``: the holdings valid now."""
    holdings = member_holdings(session, principal, member_id)
    return [holding.model_dump(mode="json") for holding in holdings if holding.valid]


def cards_export(session: Session, principal: Principal, member_id: int) -> Any:
    """``benefit_cards`` in a member export: every holding with its payments."""
    return [h.model_dump(mode="json") for h in member_holdings(session, principal, member_id)]
