"""Referrals (老带新): a newcomer who joined with an invite code, rewarded on both sides on
the newcomer's first paid order, once. Callers own the transaction.

The decision is taken once, by a guarded update (``status = 'pending'`` → rewarded or
refused), in the transaction of the order that decides it: a replayed order publishes nothing,
and a second order finds the referral decided. Rewards are points (``points.grant_bonus``) and
coupons (``coupons.issue_coupon``), each under a dedupe key naming the referral and the side,
so they are given once even if a grant is retried. A refusal keeps its reason."""

from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session, aliased

from memberops.activity.models import Order
from memberops.growth.abuse import shared_trace
from memberops.growth.models import Referral, ReferralStatus
from memberops.growth.rules import GrowthRules
from memberops.growth.schemas import LeaderRead, ReferralRead
from memberops.kernel import clock
from memberops.kernel.errors import Conflict
from memberops.loyalty.coupons import service as coupons
from memberops.loyalty.coupons.errors import TemplateNotFound
from memberops.loyalty.coupons.models import CouponSource
from memberops.loyalty.perks.rules import Gift
from memberops.loyalty.points import service as points
from memberops.members.models import MemberStatus
from memberops.members.service import get_member, survivor_of
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import load_section


def _has_orders(session: Session, principal: Principal, member_id: int) -> bool:
    query = select(Order.id).where(
        Order.tenant_id == principal.tenant_id, Order.member_id == member_id
    )
    return session.scalar(query.limit(1)) is not None


def _paid_before(session: Session, principal: Principal, member_id: int, order_id: int) -> bool:
    """Whether the member has an order paid before ``order_id`` (at the same instant: stored
    before it). The first paid order is the earliest paid, so orders of the same member
    already stored but paid later (a batch holding its first and second) do not count."""
    this = aliased(Order)
    earlier = (Order.paid_at < this.paid_at) | (
        (Order.paid_at == this.paid_at) & (Order.id < this.id)
    )
    query = (
        select(Order.id)
        .join(this, this.id == order_id)
        .where(Order.tenant_id == principal.tenant_id, Order.member_id == member_id, earlier)
    )
    return session.scalar(query.limit(1)) is not None


def record_referral(
    session: Session, principal: Principal, referrer_id: int, newcomer_id: int, code: str
) -> Referral:
    """The newcomer joined with ``referrer_id``'s code. A customer who had bought before is no
    newcomer: the referral is refused at once (``existing_customer``)."""
    bought = _has_orders(session, principal, newcomer_id)
    referral = Referral(
        tenant_id=principal.tenant_id,
        member_id=referrer_id,
        newcomer_id=newcomer_id,
        code=code,
        status=ReferralStatus.refused if bought else ReferralStatus.pending,
        reason="existing_customer" if bought else None,
        rewards={},
        created_at=clock.now(),
        decided_at=clock.now() if bought else None,
    )
    session.add(referral)
    session.flush()
    return referral


def _refusal(
    session: Session, principal: Principal, referral: Referral, order_id: int
) -> str | None:
    if _paid_before(session, principal, referral.newcomer_id, order_id):
        return "not_first_order"
    referrer = survivor_of(session, principal, get_member(session, principal, referral.member_id))
    if referrer.status != MemberStatus.active:
        return "referrer_inactive"
    return shared_trace(session, principal, referrer.id, referral.newcomer_id)


def _coupon(
    session: Session, principal: Principal, member_id: int, template_id: int, key: str
) -> str | None:
    """A reward coupon's code, or None when its template refuses now or is gone (the points
    and the other coupons are still given); a savepoint undoes the attempt."""
    try:
        with session.begin_nested():
            coupon = coupons.issue_coupon(
                session, principal, member_id, template_id, source=CouponSource.rule, dedupe_key=key
            )
            return coupon.code
    except (Conflict, TemplateNotFound):
        return None


def _give(
    session: Session, principal: Principal, member_id: int, gift: Gift, key: str
) -> dict[str, Any]:
    if gift.points > 0:
        points.grant_bonus(
            session, principal, member_id, gift.points, dedupe_key=key, reason="referral"
        )
    codes = [
        _coupon(session, principal, member_id, template_id, f"{key}:{template_id}")
        for template_id in gift.coupon_template_ids
    ]
    return {
        "member_id": str(member_id),
        "points": gift.points,
        "coupon_codes": [c for c in codes if c],
    }


def _decide(session: Session, referral: Referral, order_id: int, reason: str | None) -> bool:
    """Move the referral out of ``pending`` (one guarded update); False when another
    transaction decided it first."""
    decided = session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.status == ReferralStatus.pending)
        .values(
            status=ReferralStatus.refused if reason else ReferralStatus.rewarded,
            reason=reason,
            order_id=order_id,
            decided_at=clock.now(),
        )
        .returning(Referral.id)
        .execution_options(synchronize_session=False)
    )
    return decided.first() is not None


def _reward(session: Session, principal: Principal, referral: Referral) -> dict[str, Any]:
    """Both sides' rewards under the tenant's rules (the referrer followed to its survivor)."""
    rules = load_section(session, principal.tenant_id, GrowthRules).referral
    referrer = survivor_of(session, principal, get_member(session, principal, referral.member_id))
    key = f"referral:{referral.id}"
    return {
        "referrer": _give(session, principal, referrer.id, rules.referrer, f"{key}:referrer"),
        "newcomer": _give(
            session, principal, referral.newcomer_id, rules.newcomer, f"{key}:newcomer"
        ),
    }


def reward_first_order(
    session: Session, principal: Principal, member_id: int, order_id: int
) -> Referral | None:
    """Decide the member's pending referral on its paid order ``order_id``: both sides
    rewarded, or refused with the reason. None when the member has no pending referral."""
    referral = session.scalar(
        tenant_scope(principal, Referral).where(
            Referral.newcomer_id == member_id, Referral.status == ReferralStatus.pending
        )
    )
    if referral is None:
        return None
    reason = _refusal(session, principal, referral, order_id)
    if not _decide(session, referral, order_id, reason):
        return None
    session.refresh(referral)
    if reason is None:
        referral.rewards = _reward(session, principal, referral)
        session.flush()
    return referral


def read_referral(referral: Referral) -> ReferralRead:
    return ReferralRead(
        referrer_id=str(referral.member_id),
        newcomer_id=str(referral.newcomer_id),
        code=referral.code,
        status=referral.status,
        reason=referral.reason,
        order_id=None if referral.order_id is None else str(referral.order_id),
        rewards=referral.rewards,
        created_at=referral.created_at,
        decided_at=referral.decided_at,
    )


def referrals_of(session: Session, principal: Principal, member_id: int) -> list[Referral]:
    """The member's referrals, as referrer or as newcomer, oldest first."""
    query = tenant_scope(principal, Referral).where(
        (Referral.member_id == member_id) | (Referral.newcomer_id == member_id)
    )
    return list(session.scalars(query.order_by(Referral.id)))


def counts_of(session: Session, principal: Principal, member_id: int) -> dict[ReferralStatus, int]:
    """How many of the member's referrals are in each status (every status present)."""
    rows = session.execute(
        select(Referral.status, func.count())
        .where(Referral.tenant_id == principal.tenant_id, Referral.member_id == member_id)
        .group_by(Referral.status)
    )
    found = {ReferralStatus(status): n for status, n in rows}
    return {status: found.get(status, 0) for status in ReferralStatus}


def leaderboard(
    session: Session, principal: Principal, offset: int, limit: int
) -> list[LeaderRead]:
    """Referrers by rewarded referrals, then by invitations, then by id: one grouped query,
    ``limit`` rows from rank ``offset``."""
    rewarded = func.sum(case((Referral.status == ReferralStatus.rewarded, 1), else_=0))
    invited = func.count()
    rows = session.execute(
        select(Referral.member_id, rewarded, invited)
        .where(Referral.tenant_id == principal.tenant_id)
        .group_by(Referral.member_id)
        .order_by(rewarded.desc(), invited.desc(), Referral.member_id)
        .offset(offset)
        .limit(limit)
    )
    return [LeaderRead(member_id=str(m), rewarded=int(r), invited=n) for m, r, n in rows]
