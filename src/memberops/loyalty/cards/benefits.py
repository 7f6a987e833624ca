"""When a holding is valid, how long a term lasts, and what a member's benefits are now.

A holding is valid at a moment ``t`` when it is not refunded and ``starts_at <= t < ends_at``:
a time comparison, so the benefits stop at the end instant whether or not the daily job has
marked the holding lapsed yet, and an order synchronised late earns at the card's multiplier
when it was paid while the card was valid.

Combining with the tier (SPEC §6's tier benefits): the best (lowest) discount rate of the tier
and the valid cards, free shipping when any gives it, and points × the tier's multiplier × the
largest multiplier of the valid cards (cards do not stack with each other, as the points rules
take the largest running campaign multiplier).
"""

import calendar
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.cards.models import CardHolding, CardType, HoldingStatus, ValidityUnit
from memberops.loyalty.cards.schemas import BenefitSource, BenefitsRead
from memberops.loyalty.cards.types import benefits_of, rate
from memberops.loyalty.tiers.service import current_level
from memberops.tenancy.access import Principal

#: Statuses whose term still counts: an active holding, or a lapsed one for moments inside it.
COUNTING = (HoldingStatus.active, HoldingStatus.lapsed)


def valid_at(moment: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """Holdings valid at ``moment`` (a value, or a column such as an order's ``paid_at``)."""
    return and_(
        CardHolding.status.in_(COUNTING),
        CardHolding.starts_at <= moment,
        CardHolding.ends_at > moment,
    )


def is_valid(holding: CardHolding, moment: datetime) -> bool:
    """:func:`valid_at` for a loaded holding."""
    counting = holding.status in COUNTING
    return counting and holding.starts_at <= moment < holding.ends_at


def _add_months(moment: datetime, months: int, timezone: str) -> datetime:
    """``months`` calendar months after ``moment`` on the tenant's local calendar, the day
    clamped to the month's length (Jan 31 + 1 month = Feb 28 or 29)."""
    local = moment.astimezone(ZoneInfo(timezone))
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(moment.tzinfo)


def term_end(card: CardType, start: datetime, timezone: str) -> datetime:
    """The end of one term of ``card`` starting at ``start``."""
    if card.validity_unit == ValidityUnit.days:
        return start + timedelta(days=card.validity_length)
    return _add_months(start, card.validity_length, timezone)


def valid_cards(
    session: Session, principal: Principal, member_id: int, moment: datetime
) -> list[tuple[CardHolding, CardType]]:
    """The member's holdings valid at ``moment`` with their card types, oldest first."""
    query = (
        select(CardHolding, CardType)
        .join(CardType, CardType.id == CardHolding.card_type_id)
        .where(CardHolding.tenant_id == principal.tenant_id, CardHolding.member_id == member_id)
        .where(CardType.tenant_id == principal.tenant_id, valid_at(moment))
        .order_by(CardHolding.id)
    )
    return [(holding, card) for holding, card in session.execute(query).all()]


def card_multiplier(
    session: Session, principal: Principal, member_id: int, moment: datetime
) -> Decimal:
    """The largest points multiplier of the member's cards valid at ``moment`` (1 without
    any): what points' earning multiplies an order's points by, beside the tier's."""
    rates = [
        card.points_multiplier_pct for _, card in valid_cards(session, principal, member_id, moment)
    ]
    return rate(max(rates, default=100))


def _card_source(holding: CardHolding, card: CardType) -> BenefitSource:
    benefits = benefits_of(card)
    return BenefitSource(
        source="card",
        code=card.code,
        name=card.name,
        holding_id=str(holding.id),
        ends_at=holding.ends_at,
        discount_rate=benefits.discount_rate,
        free_shipping=benefits.free_shipping,
        points_multiplier=benefits.points_multiplier,
    )


def member_benefits(session: Session, principal: Principal, member_id: int) -> BenefitsRead:
    """The member's benefits now, from the tier and every valid card (module docstring)."""
    now = clock.now()
    level = current_level(session, principal, member_id)
    tier = BenefitSource(
        source="tier",
        code=level.code,
        name=level.name,
        discount_rate=level.benefits.discount_rate,
        free_shipping=level.benefits.free_shipping,
        points_multiplier=level.benefits.points_multiplier,
    )
    cards = [_card_source(h, c) for h, c in valid_cards(session, principal, member_id, now)]
    card_rate = max((card.points_multiplier for card in cards), default=Decimal(1))
    return BenefitsRead(
        member_id=str(member_id),
        as_of=now,
        discount_rate=min(source.discount_rate for source in [tier, *cards]),
        free_shipping=any(source.free_shipping for source in [tier, *cards]),
        points_multiplier=tier.points_multiplier * card_rate,
        sources=[tier, *cards],
    )
