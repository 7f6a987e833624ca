"""Monthly coupons: every local calendar month (the tenant's timezone) a valid holding gives
its card type's ``monthly_coupons``, once per (holding, month).

Each coupon is issued through ``coupons.issue_coupon`` (source ``benefit_card``) with the dedupe
key ``card:<holding>:<YYYY-MM>:<template>:<n>``, so a retried issue gives nothing twice. The
month's grant row (unique per holding and month) is written once every coupon of the month is
issued; a coupon whose template refuses now (out of stock, inactive, limit reached) is skipped
and tried again by the next day's run of the same month, which then issues only what is
missing. The month's coupons are issued at purchase and renewal, then by the daily job.
"""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.errors import Conflict
from memberops.loyalty.cards.benefits import valid_at
from memberops.loyalty.cards.models import CardCouponGrant, CardHolding, CardType, HoldingStatus
from memberops.loyalty.coupons import service as coupons
from memberops.loyalty.coupons.errors import TemplateNotFound
from memberops.loyalty.coupons.models import CouponSource
from memberops.members.models import MemberStatus
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, local_today

#: Holdings given their coupons per round of the daily job (a bounded lock set and IN list).
CHUNK = 500


def current_period(principal: Principal) -> str:
    """The tenant's local month now, as grants key it ("2026-11")."""
    return local_today(principal).strftime("%Y-%m")


def coupon_key(holding_id: int, period: str, template_id: int, n: int) -> str:
    return f"card:{holding_id}:{period}:{template_id}:{n}"


def holding_coupon_keys(holding_id: int) -> str:
    """A LIKE pattern matching every coupon key of the holding."""
    return f"card:{holding_id}:%"


def _granted(session: Session, principal: Principal, holding_id: int, period: str) -> bool:
    query = select(CardCouponGrant.id).where(
        CardCouponGrant.tenant_id == principal.tenant_id,
        CardCouponGrant.holding_id == holding_id,
        CardCouponGrant.period == period,
    )
    return session.scalar(query) is not None


def _issue(
    session: Session, principal: Principal, member_id: int, template_id: int, key: str
) -> str | None:
    """The coupon's code, or None when its template refuses now (a savepoint undoes it)."""
    try:
        with session.begin_nested():
            coupon = coupons.issue_coupon(
                session,
                principal,
                member_id,
                template_id,
                source=CouponSource.benefit_card,
                dedupe_key=key,
            )
            return coupon.code
    except (Conflict, TemplateNotFound):
        return None


def grant_month(
    session: Session, principal: Principal, holding: CardHolding, card: CardType
) -> CardCouponGrant | None:
    """Issue this month's coupons of a valid holding (its member locked by the caller); the
    grant, or None when the card gives none, the month was granted, or a coupon is missing."""
    period = current_period(principal)
    if not card.monthly_coupons or _granted(session, principal, holding.id, period):
        return None
    codes: list[str | None] = []
    for entry in card.monthly_coupons:
        template_id = int(entry["template_id"])
        for n in range(int(entry["quantity"])):
            key = coupon_key(holding.id, period, template_id, n)
            codes.append(_issue(session, principal, holding.member_id, template_id, key))
    issued = [code for code in codes if code is not None]
    if len(issued) < len(codes):
        return None
    grant = CardCouponGrant(
        tenant_id=principal.tenant_id,
        member_id=holding.member_id,
        holding_id=holding.id,
        period=period,
        coupon_codes=issued,
        granted_at=clock.now(),
    )
    session.add(grant)
    session.flush()
    return grant


def _due(session: Session, principal: Principal, period: str) -> list[tuple[int, int]]:
    """(member, holding) of the valid holdings with monthly coupons not yet granted this
    month. A card type's coupons are a JSON list, read per type rather than in SQL."""
    types = session.execute(
        select(CardType.id, CardType.monthly_coupons).where(
            CardType.tenant_id == principal.tenant_id
        )
    ).all()
    giving = [type_id for type_id, monthly in types if monthly]
    granted = exists().where(
        CardCouponGrant.tenant_id == principal.tenant_id,
        CardCouponGrant.holding_id == CardHolding.id,
        CardCouponGrant.period == period,
    )
    query = (
        select(CardHolding.member_id, CardHolding.id)
        .where(CardHolding.tenant_id == principal.tenant_id)
        .where(CardHolding.card_type_id.in_(giving), valid_at(clock.now()), ~granted)
        .order_by(CardHolding.member_id, CardHolding.id)
    )
    return [(member_id, holding_id) for member_id, holding_id in session.execute(query).all()]


def _grant_chunk(session: Session, principal: Principal, due: list[tuple[int, int]]) -> int:
    locked = lock_members(session, principal, [member_id for member_id, _ in due])
    active = {member.id for member in locked if member.status == MemberStatus.active}
    rows = session.execute(
        select(CardHolding, CardType)
        .join(CardType, CardType.id == CardHolding.card_type_id)
        .where(CardHolding.tenant_id == principal.tenant_id)
        .where(CardHolding.id.in_([holding_id for _, holding_id in due]))
        .where(CardHolding.status == HoldingStatus.active, valid_at(clock.now()))
        .order_by(CardHolding.id)
        .execution_options(populate_existing=True)
    ).all()
    granted = [
        grant_month(session, principal, holding, card)
        for holding, card in rows
        if holding.member_id in active
    ]
    return sum(grant is not None for grant in granted)


def grant_monthly_due(session: Session, principal: Principal) -> int:
    """Give every valid holding its coupons of the current local month if it has not had
    them; returns how many holdings got them. Members who are not active get nothing."""
    due = _due(session, principal, current_period(principal))
    return sum(
        _grant_chunk(session, principal, due[start : start + CHUNK])
        for start in range(0, len(due), CHUNK)
    )
