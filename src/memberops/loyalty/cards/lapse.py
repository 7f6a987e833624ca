"""Lapse: a holding whose term ended unrenewed is marked ``lapsed`` and ``CardLapsed`` is
published, once per holding and term. Its benefits had already stopped at the end instant
(validity is a time comparison); the mark makes the state explicit for reports, conditions
on what members held and subscribers. The daily job lapses every due holding; a purchase of
the same type lapses a due one first."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.loyalty.cards.events import CardLapsed
from memberops.loyalty.cards.models import CardHolding, HoldingStatus
from memberops.tenancy.access import Principal

#: Holdings lapsed per statement of the daily job (a bounded IN list).
CHUNK = 1_000


def _lapse(session: Session, principal: Principal, ids: list[int]) -> int:
    """One guarded update (still active and ended: a renewal that won the race keeps its
    holding), then an event per holding this update lapsed."""
    now = clock.now()
    lapsed = session.execute(
        update(CardHolding)
        .where(CardHolding.tenant_id == principal.tenant_id, CardHolding.id.in_(ids))
        .where(CardHolding.status == HoldingStatus.active, CardHolding.ends_at <= now)
        .values(status=HoldingStatus.lapsed, lapsed_at=now)
        .returning(
            CardHolding.id, CardHolding.member_id, CardHolding.card_type_id, CardHolding.ends_at
        )
        .execution_options(synchronize_session=False)
    ).all()
    for holding_id, member_id, card_type_id, ended_at in lapsed:
        event = CardLapsed(principal.tenant_id, member_id, holding_id, card_type_id, ended_at)
        publish(session, event)
    return len(lapsed)


def lapse_holding(session: Session, principal: Principal, holding: CardHolding) -> None:
    """Lapse one ended holding now (its member locked by the caller)."""
    _lapse(session, principal, [holding.id])
    session.refresh(holding)


def lapse_due(session: Session, principal: Principal) -> int:
    """Lapse every active holding of the tenant whose term has ended; returns how many."""
    due = list(
        session.scalars(
            select(CardHolding.id)
            .where(CardHolding.tenant_id == principal.tenant_id)
            .where(CardHolding.status == HoldingStatus.active, CardHolding.ends_at <= clock.now())
            .order_by(CardHolding.id)
        )
    )
    return sum(_lapse(session, principal, due[i : i + CHUNK]) for i in range(0, len(due), CHUNK))
