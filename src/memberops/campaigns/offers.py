"""The campaign's offer — a coupon of its template, points — given to each member it messaged.

Offers are given by the worker after launch, not during it: issuing a coupon takes stock and
checks the template's limits member by member (``loyalty.coupons.issue_coupon``), which a
million-member launch could not do inside its minute. Each grant is keyed by campaign and member
(``campaign:<id>:<member>``), so a worker killed mid-batch gives nobody the offer twice. A
refusal (out of stock, the member's limit reached) is logged and the member marked done: the
message went out, the offer did not, and retrying would refuse again.
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.campaigns.guard_rails import MESSAGED
from memberops.campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from memberops.kernel import clock
from memberops.kernel.errors import DomainError
from memberops.loyalty.coupons.models import CouponSource
from memberops.loyalty.coupons.service import issue_coupon
from memberops.loyalty.points.service import grant_bonus
from memberops.tenancy.access import Principal

log = logging.getLogger("memberops.campaigns")
_R = CampaignRecipient


def _give(session: Session, principal: Principal, campaign: Campaign, member_id: int) -> None:
    key = f"campaign:{campaign.id}:{member_id}"
    if campaign.coupon_template_id is not None:
        issue_coupon(
            session,
            principal,
            member_id,
            campaign.coupon_template_id,
            source=CouponSource.campaign,
            dedupe_key=key,
        )
    if campaign.points is not None:
        grant_bonus(
            session, principal, member_id, campaign.points, dedupe_key=key, reason="campaign"
        )


def grant_due(session: Session, principal: Principal, limit: int) -> int:
    """Give up to ``limit`` messaged members of the tenant's campaigns their offer; how many."""
    rows = session.execute(
        select(_R, Campaign)
        .join(Campaign, Campaign.id == _R.campaign_id)
        .where(_R.tenant_id == principal.tenant_id, _R.outcome.in_(MESSAGED))
        .where(_R.offer_granted_at.is_(None))
        .where(Campaign.coupon_template_id.is_not(None) | Campaign.points.is_not(None))
        .where(Campaign.status.in_((CampaignStatus.running, CampaignStatus.finished)))
        .order_by(_R.id)
        .limit(limit)
    ).all()
    for row, campaign in rows:
        try:
            with session.begin_nested():
                _give(session, principal, campaign, row.member_id)
        except DomainError as exc:
            log.warning("campaign %s: no offer for member %s: %s", campaign.id, row.member_id, exc)
        row.offer_granted_at = clock.now()
    return len(rows)
