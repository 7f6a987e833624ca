"""The loyalty engine's scheduled work, run by ``memberops loyalty …`` (cron, once a day).

Each step runs in its own transaction, so a failing step leaves the others' work committed and
the next day's run (every step is idempotent: it acts on what is due now) picks up the rest:

- tier reviews whose period ended (``tiers.review_due``),
- points lots past their expiry (``points.expiry.expire_due``; the count is points),
- points expiring within the earn rules' ``expiry_reminder_days`` (``points.expiry.
  remind_expiring``: one ``PointsExpiring`` per member and local day of expiry),
- coupons past their validity (``coupons.expire_due``),
- today's birthday gifts in the tenant's timezone (``perks.grant_birthdays``),
- benefit cards: ended holdings lapsed, this local month's coupons of valid holdings
  (``cards.jobs.run_daily``, one transaction per step).

``evaluate_tiers`` places and upgrades every member after a history import, in rounds of
``EVALUATE_CHUNK`` members, one transaction each, reporting progress as it goes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.loyalty.cards import jobs as cards
from memberops.loyalty.coupons import service as coupons
from memberops.loyalty.perks import service as perks
from memberops.loyalty.points import expiry as points
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.tiers import review
from memberops.loyalty.tiers import service as tiers
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal
from memberops.tenancy.sections import load_section

#: Members evaluated per transaction by :func:`evaluate_tiers`.
EVALUATE_CHUNK = 5_000


@dataclass(frozen=True)
class DailyReport:
    """What one tenant's daily run did."""

    tier_reviews: int
    points_expired: int  # points, not lots
    coupons_expired: int
    birthday_gifts: int
    expiry_reminders: int  # (member, local day of expiry) pairs announced
    cards_lapsed: int  # benefit card holdings
    card_coupon_grants: int  # holdings given this month's coupons

    def describe(self) -> str:
        return (
            f"{self.tier_reviews} tier reviews, {self.points_expired} points expired, "
            f"{self.coupons_expired} coupons expired, {self.birthday_gifts} birthday gifts, "
            f"{self.expiry_reminders} expiry reminders, {self.cards_lapsed} cards lapsed, "
            f"{self.card_coupon_grants} card coupon grants"
        )


def run_daily(session_factory: sessionmaker[Session], tenant_principal: Principal) -> DailyReport:
    """Run the day's loyalty work for one tenant, each step in its own transaction."""
    principal = tenant_principal
    with session_factory.begin() as session:
        reviewed = review.review_due(session, principal)
    with session_factory.begin() as session:
        points_expired = points.expire_due(session, principal)
    with session_factory.begin() as session:
        days = load_section(session, principal.tenant_id, EarnRules).expiry_reminder_days
        reminders = points.remind_expiring(session, principal, days) if days else 0
    with session_factory.begin() as session:
        coupons_expired = coupons.expire_due(session, principal)
    with session_factory.begin() as session:
        gifts = perks.grant_birthdays(session, principal)
    card_run = cards.run_daily(session_factory, principal)
    return DailyReport(
        reviewed,
        points_expired,
        coupons_expired,
        gifts,
        reminders,
        card_run.lapsed,
        card_run.monthly_grants,
    )


def _member_ids(session: Session, principal: Principal) -> list[int]:
    query = select(Member.id).where(
        Member.tenant_id == principal.tenant_id, Member.status != MemberStatus.merged
    )
    return list(session.scalars(query.order_by(Member.id)))


def evaluate_tiers(
    session_factory: sessionmaker[Session],
    principal: Principal,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> int:
    """Place and upgrade every member of the tenant (what a history import leaves undone);
    returns how many moved. ``progress(done, total)`` follows each round."""
    with session_factory.begin() as session:
        ids = _member_ids(session, principal)
    moved = 0
    progress(0, len(ids))
    for start in range(0, len(ids), EVALUATE_CHUNK):
        chunk = ids[start : start + EVALUATE_CHUNK]
        with session_factory.begin() as session:
            moved += tiers.evaluate_members(session, principal, chunk)
        progress(start + len(chunk), len(ids))
    return moved
