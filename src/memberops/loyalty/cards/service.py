"""Verbs on a member's cards: purchase (or take a free card) and renew. Refunds are in
``refunds``, the lapse of ended holdings in ``lapse``, reads in ``queries``.

Each verb is idempotent on the request's ``Idempotency-Key`` (a replay answers the first
answer and changes nothing) and takes, in the one lock order (members → points_accounts →
coupon_templates → coupons), the member's row lock first: at most one active holding per card
type is decided one request at a time per member. A points price is spent through
``points.spend`` (409 ``points.insufficient``, nothing changed, when the balance is short); a
money price is paid outside memberops and recorded with its ``payment_reference``.
"""

from datetime import datetime

from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.idempotency import once
from memberops.loyalty.cards import monthly, queries
from memberops.loyalty.cards.benefits import term_end
from memberops.loyalty.cards.errors import (
    AlreadyHeld,
    CardTypeArchived,
    HoldingNotFound,
    NotRenewable,
    PaymentMismatch,
)
from memberops.loyalty.cards.lapse import lapse_holding
from memberops.loyalty.cards.models import (
    CardHolding,
    CardPayment,
    CardType,
    HoldingStatus,
    PaymentKind,
    PriceKind,
)
from memberops.loyalty.cards.schemas import HoldingRead, PurchaseIn, RenewIn
from memberops.loyalty.cards.types import get_card_type
from memberops.loyalty.points import service as points
from memberops.members.service import lock_members, refuse_inactive
from memberops.tenancy.access import Principal, tenant_scope


def _check_on_sale(card: CardType) -> None:
    if not card.active:
        raise CardTypeArchived(f"Card type {card.code!r} is archived.", card_type_id=str(card.id))


def _check_payment(card: CardType, reference: str | None) -> None:
    needs = card.price_kind == PriceKind.money
    if needs == (reference is not None):
        return
    msg = "a money card needs the payment's id" if needs else f"a {card.price_kind} card takes none"
    raise PaymentMismatch(
        f"Card type {card.code!r} is priced in {card.price_kind}: {msg}.",
        errors=[{"loc": ["body", "payment_reference"], "msg": msg}],
    )


def _pay(
    session: Session,
    principal: Principal,
    holding: CardHolding,
    card: CardType,
    kind: PaymentKind,
    start: datetime,
    reference: str | None,
) -> CardPayment:
    """Record (and for points, spend) the price of the holding's term from ``start``."""
    entry_id = None
    if card.price_kind == PriceKind.points:
        assert card.price_points is not None
        entry = points.spend(
            session,
            principal,
            holding.member_id,
            card.price_points,
            reason=f"benefit card {kind}: {card.name}",
            reference=f"benefit_card:{holding.id}",
        )
        entry_id = entry.id
    payment = CardPayment(
        tenant_id=principal.tenant_id,
        member_id=holding.member_id,
        holding_id=holding.id,
        kind=kind,
        price_kind=card.price_kind,
        amount_cents=card.price_cents or 0,
        points=card.price_points or 0,
        points_entry_id=entry_id,
        payment_reference=reference,
        period_starts_at=start,
        period_ends_at=holding.ends_at,
        paid_at=clock.now(),
        actor=principal.actor,
    )
    session.add(payment)
    return payment


def _active_holding(
    session: Session, principal: Principal, member_id: int, card_type_id: int
) -> CardHolding | None:
    query = tenant_scope(principal, CardHolding).where(
        CardHolding.member_id == member_id,
        CardHolding.card_type_id == card_type_id,
        CardHolding.status == HoldingStatus.active,
    )
    return session.scalars(query.order_by(CardHolding.id).limit(1)).first()


def _refuse_if_held(session: Session, principal: Principal, member_id: int, card: CardType) -> None:
    """409 when the member holds a valid card of the type; a holding whose term ended but that
    the daily job has not marked yet is lapsed now, publishing ``CardLapsed``."""
    held = _active_holding(session, principal, member_id, card.id)
    if held is None:
        return
    if held.ends_at > clock.now():
        raise AlreadyHeld(
            f"Member {member_id} already holds {card.code!r}; renew it instead.",
            holding_id=str(held.id),
        )
    lapse_holding(session, principal, held)


def purchase(
    session: Session, principal: Principal, member_id: int, body: PurchaseIn, key: str
) -> tuple[HoldingRead, bool]:
    """Buy (or take a free) card: a new holding whose first term starts now, this month's
    coupons issued at once. Returns the holding and whether it happened now (False: a replay
    of ``key``)."""

    def run() -> HoldingRead:
        (member,) = lock_members(session, principal, [member_id])
        refuse_inactive(member, "buy the card for that member instead")
        card = get_card_type(session, principal, body.card_type_id)
        _check_on_sale(card)
        _check_payment(card, body.payment_reference)
        _refuse_if_held(session, principal, member_id, card)
        now = clock.now()
        holding = CardHolding(
            tenant_id=principal.tenant_id,
            member_id=member_id,
            card_type_id=card.id,
            status=HoldingStatus.active,
            starts_at=now,
            ends_at=term_end(card, now, principal.timezone),
            created_at=now,
        )
        session.add(holding)
        session.flush()
        reference = body.payment_reference
        _pay(session, principal, holding, card, PaymentKind.purchase, now, reference)
        monthly.grant_month(session, principal, holding, card)
        return queries.read_holdings(session, principal, [holding])[0]

    request = {"member_id": member_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "cards.purchase", key, request, HoldingRead, run)


def get_holding(
    session: Session, principal: Principal, member_id: int, holding_id: int
) -> CardHolding:
    """The member's holding as stored now."""
    holding = session.scalar(
        tenant_scope(principal, CardHolding)
        .where(CardHolding.id == holding_id, CardHolding.member_id == member_id)
        .execution_options(populate_existing=True)
    )
    if holding is None:
        raise HoldingNotFound(
            f"Member {member_id} has no benefit card holding {holding_id}.",
            holding_id=str(holding_id),
        )
    return holding


def _restart(
    session: Session, principal: Principal, holding: CardHolding, card: CardType, now: datetime
) -> None:
    """A holding past its end starts its next term now; a lapsed one becomes active again,
    unless the member has bought the type again since (409 ``cards.already_held``)."""
    if holding.status == HoldingStatus.lapsed:
        _refuse_if_held(session, principal, holding.member_id, card)
    holding.status = HoldingStatus.active
    holding.starts_at = now
    holding.lapsed_at = None


def renew(
    session: Session,
    principal: Principal,
    member_id: int,
    holding_id: int,
    body: RenewIn,
    key: str,
) -> tuple[HoldingRead, bool]:
    """Pay one more term: from the current end while the holding is still valid, else from
    now. 409 ``cards.not_renewable`` for a refunded holding, ``cards.type_archived`` when the
    card is no longer sold. Returns the holding and whether it happened now."""

    def run() -> HoldingRead:
        (member,) = lock_members(session, principal, [member_id])
        refuse_inactive(member, "renew that member's card instead")
        holding = get_holding(session, principal, member_id, holding_id)
        if holding.status == HoldingStatus.refunded:
            raise NotRenewable(
                f"Holding {holding_id} was refunded.", holding_status=str(holding.status)
            )
        card = get_card_type(session, principal, holding.card_type_id)
        _check_on_sale(card)
        _check_payment(card, body.payment_reference)
        now = clock.now()
        if holding.status == HoldingStatus.active and holding.ends_at > now:
            start = holding.ends_at  # still valid: the new term runs on from the end
        else:
            _restart(session, principal, holding, card, now)
            start = now
        holding.ends_at = term_end(card, start, principal.timezone)
        reference = body.payment_reference
        _pay(session, principal, holding, card, PaymentKind.renewal, start, reference)
        session.flush()
        monthly.grant_month(session, principal, holding, card)
        return queries.read_holdings(session, principal, [holding])[0]

    request = {"member_id": member_id, "holding_id": holding_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "cards.renew", key, request, HoldingRead, run)
