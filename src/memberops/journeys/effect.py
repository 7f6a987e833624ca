"""What a journey earned: each entry's orders in the attribution window after it entered, the
members it treated against its holdout, with the campaigns' uplift statistics
(``campaigns/uplift.py``: Newcombe's interval of the difference of conversion rates).

An entry converts when its member paid an order not wholly refunded within ``attribution_days``
of entering; its revenue is what those orders kept (paid minus refunded). Entries are counted,
not members: a member entering an ``every_time`` journey twice is two entries, each with its
own window, as each is its own chance to act.
"""

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from memberops.activity.models import Order, OrderStatus
from memberops.campaigns.effect_schemas import UpliftRead
from memberops.campaigns.measurement import uplift_read
from memberops.campaigns.uplift import Group, compare
from memberops.insights.sql import DAY_SECONDS, epoch_seconds
from memberops.journeys.models import Journey, JourneyPosition, PositionStatus
from memberops.journeys.schemas import EffectGroup, JourneyEffect

_P = JourneyPosition
#: Days after entering that an order counts for the journey, unless the reader asks otherwise.
ATTRIBUTION_DAYS = 7


def _groups(session: Session, journey: Journey, days: int) -> dict[bool, Group]:
    """Entries by whether they were held out: how many, how many converted, their revenue."""
    entered, paid = epoch_seconds(session, _P.entered_at), epoch_seconds(session, Order.paid_at)
    in_window = and_(
        Order.tenant_id == _P.tenant_id,
        Order.member_id == _P.member_id,
        paid >= entered,
        paid < entered + days * DAY_SECONDS,
    )
    kept = case((Order.status != OrderStatus.refunded.value, 1), else_=0)
    per_entry = (
        select(
            (_P.status == PositionStatus.holdout).label("held"),
            func.coalesce(func.max(kept), 0).label("converted"),
            func.coalesce(func.sum(Order.amount_cents - Order.refunded_cents), 0).label("revenue"),
        )
        .outerjoin(Order, in_window)
        .where(_P.tenant_id == journey.tenant_id, _P.journey_id == journey.id)
        .group_by(_P.id, _P.status)
        .subquery("entries")
    )
    rows = session.execute(
        select(
            per_entry.c.held,
            func.count(),
            func.sum(per_entry.c.converted),
            func.sum(per_entry.c.revenue),
        ).group_by(per_entry.c.held)
    ).all()
    found = {bool(held): Group(n, int(won or 0), int(cents or 0)) for held, n, won, cents in rows}
    return {held: found.get(held, Group(0, 0, 0)) for held in (False, True)}


def _read(group: Group) -> EffectGroup:
    return EffectGroup(
        entries=group.members,
        converted=group.conversions,
        conversion_rate=group.rate,
        revenue=group.revenue_cents,
    )


def measure(session: Session, journey: Journey, days: int = ATTRIBUTION_DAYS) -> JourneyEffect:
    """The journey's treated entries against its holdout over ``days`` after each entry."""
    groups = _groups(session, journey, days)
    uplift = compare(groups[False], groups[True])
    effect: UpliftRead | None = None if uplift is None else uplift_read(uplift)
    return JourneyEffect(
        attribution_days=days,
        treated=_read(groups[False]),
        holdout=_read(groups[True]),
        uplift=effect,
    )
