"""Computing RFM for a whole tenant in one ``INSERT … SELECT``.

Definitions (kept orders: not wholly refunded, paid in the window up to the as-of moment):
R = whole days from the member's last such order to the moment; F = how many; M = what they
paid net of refunds, in cents. Only members with F ≥ 1 are scored.

Scores: by quintile, ``NTILE(5)`` over the buyers ordered by the measure (R descending, so the
most recent get 5), ties broken by member id so every run gives the same groups; or by the
tenant's thresholds. The 8-type model compares each measure with the buyers' mean (R is high
when below the mean: recent). The 11 segments come from the R score and the FM score
(``(F + M + 1) // 2``, F and M averaged, half up) through :data:`SEGMENT_GRID`.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from memberops.activity.models import Order, OrderStatus
from memberops.insights.rfm.models import MemberRfm, RfmType, Segment
from memberops.insights.rules import LayeringRules, RfmScoring
from memberops.insights.sql import whole_days_before
from memberops.kernel import clock
from memberops.kernel.db import UTCDateTime
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.sections import load_section

#: (R score, FM score) → segment; rows R 5 to 1, columns FM 1 to 5.
SEGMENT_GRID: dict[tuple[int, int], Segment] = {
    (r, fm): segment
    for r, row in zip(
        (5, 4, 3, 2, 1),
        (
            ("new", "potential_loyalist", "potential_loyalist", "champions", "champions"),
            ("promising", "potential_loyalist", "loyal", "loyal", "champions"),
            ("about_to_sleep", "need_attention", "need_attention", "loyal", "loyal"),
            ("hibernating", "about_to_sleep", "at_risk", "at_risk", "cant_lose"),
            ("lost", "hibernating", "at_risk", "cant_lose", "cant_lose"),
        ),
        strict=True,
    )
    for fm, segment in zip((1, 2, 3, 4, 5), map(Segment, row), strict=True)
}
#: (R high, F high, M high) → type.
TYPES: dict[tuple[bool, bool, bool], RfmType] = {
    (True, True, True): RfmType.important_value,
    (True, False, True): RfmType.important_development,
    (False, True, True): RfmType.important_retention,
    (False, False, True): RfmType.important_winback,
    (True, True, False): RfmType.general_value,
    (True, False, False): RfmType.general_development,
    (False, True, False): RfmType.general_retention,
    (False, False, False): RfmType.general_winback,
}


def _measures(session: Session, tenant_id: int, as_of: datetime, window_days: int) -> Any:
    since = as_of - timedelta(days=window_days)
    figures = (
        select(
            Order.member_id,
            func.max(Order.paid_at).label("last_at"),
            func.count().label("frequency"),
            func.sum(Order.amount_cents - Order.refunded_cents).label("monetary"),
        )
        .join(Member, Member.id == Order.member_id)
        .where(Order.tenant_id == tenant_id, Order.status != OrderStatus.refunded)
        .where(Order.paid_at >= since, Order.paid_at <= as_of)
        .where(Member.status == MemberStatus.active)
        .group_by(Order.member_id)
        .subquery("figures")
    )
    days = whole_days_before(session, int(as_of.timestamp()), figures.c.last_at)
    return select(
        figures.c.member_id,
        days.label("recency_days"),
        figures.c.frequency,
        figures.c.monetary,
    ).subquery("measures")


def _quintile(measure: Any, member_id: Any, *, descending: bool = False) -> ColumnElement[int]:
    order = measure.desc() if descending else measure
    return func.ntile(5).over(order_by=(order, member_id))


def _rising(measure: Any, cuts: list[int]) -> ColumnElement[int]:
    """2 from the first cut on, … 5 from the last; 1 below the first."""
    whens = [
        (measure >= cut, score) for score, cut in zip((5, 4, 3, 2), reversed(cuts), strict=True)
    ]
    return case(*whens, else_=1)


def _scores(measures: Any, rules: LayeringRules) -> tuple[Any, Any, Any]:
    c = measures.c
    if rules.rfm_scoring == RfmScoring.quintile:
        return (
            _quintile(c.recency_days, c.member_id, descending=True),
            _quintile(c.frequency, c.member_id),
            _quintile(c.monetary, c.member_id),
        )
    recency = [
        (c.recency_days <= cut, s) for s, cut in zip((5, 4, 3, 2), rules.recency_days, strict=True)
    ]
    return (
        case(*recency, else_=1),
        _rising(c.frequency, rules.frequency_orders),
        _rising(c.monetary, rules.monetary),
    )


def _scored(measures: Any, rules: LayeringRules) -> Any:
    c = measures.c
    r, f, m = _scores(measures, rules)
    means = [func.avg(column).over() for column in (c.recency_days, c.frequency, c.monetary)]
    return select(
        *c,
        r.label("r_score"),
        f.label("f_score"),
        m.label("m_score"),
        (c.recency_days < means[0]).label("r_high"),
        (c.frequency > means[1]).label("f_high"),
        (c.monetary > means[2]).label("m_high"),
    ).subquery("scored")


def _type(scored: Any) -> ColumnElement[str]:
    c = scored.c
    whens = [
        (and_(c.r_high == r, c.f_high == f, c.m_high == m), kind.value)
        for (r, f, m), kind in TYPES.items()
    ]
    return case(*whens)


def _segment(scored: Any) -> ColumnElement[str]:
    c = scored.c
    fm = (c.f_score + c.m_score + 1) // 2
    whens = [
        (and_(c.r_score == r, fm == score), segment.value)
        for (r, score), segment in SEGMENT_GRID.items()
    ]
    return case(*whens)


def rfm_query(
    session: Session, tenant_id: int, as_of: datetime, rules: LayeringRules, now: datetime
) -> Any:
    """The ``member_rfm`` rows of the tenant's buyers as of ``as_of``."""
    scored = _scored(_measures(session, tenant_id, as_of, rules.rfm_window_days), rules)
    c = scored.c
    return select(
        literal(tenant_id).label("tenant_id"),
        c.member_id,
        literal(as_of, UTCDateTime).label("as_of"),
        literal(rules.rfm_window_days, Integer).label("window_days"),
        c.recency_days,
        c.frequency,
        c.monetary.label("monetary_cents"),
        c.r_score,
        c.f_score,
        c.m_score,
        _type(scored).label("rfm_type"),
        _segment(scored).label("segment"),
        literal(now, UTCDateTime).label("computed_at"),
    )


def refresh_rfm(session: Session, tenant_id: int, as_of: datetime | None = None) -> int:
    """Replace the tenant's RFM rows with those as of ``as_of`` (now); returns how many."""
    now = clock.now()
    rules = load_section(session, tenant_id, LayeringRules)
    query = rfm_query(session, tenant_id, as_of or now, rules, now)
    session.execute(delete(MemberRfm).where(MemberRfm.tenant_id == tenant_id))
    names = [column.name for column in query.selected_columns]
    session.execute(insert(MemberRfm).from_select(names, query))
    count = select(func.count()).where(MemberRfm.tenant_id == tenant_id)
    return int(session.scalar(count.select_from(MemberRfm)) or 0)
