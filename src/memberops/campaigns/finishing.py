"""Finishing campaigns: a running campaign with no message left to send becomes finished, by
one guarded update per tenant (``WHERE status = 'running'``), so however many workers run the
round each campaign finishes once; each one finished publishes ``CampaignFinished`` with its
members counted by outcome, in the same transaction."""

from datetime import datetime

from sqlalchemy import exists, update
from sqlalchemy.orm import Session

from memberops.campaigns.events import CampaignFinished
from memberops.campaigns.models import Campaign, CampaignRecipient, CampaignStatus, Outcome
from memberops.campaigns.service import counts
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.messaging.models import Message, MessageStatus
from memberops.tenancy.access import Principal

_R = CampaignRecipient


def finish_done(session: Session, principal: Principal) -> int:
    """Running campaigns of the tenant with no message left to send become finished; how
    many."""
    waiting = exists().where(
        _R.tenant_id == principal.tenant_id,
        _R.campaign_id == Campaign.id,
        Message.id == _R.message_id,
        Message.status.in_((MessageStatus.queued, MessageStatus.sending)),
    )
    now = clock.now()
    finished = session.execute(
        update(Campaign)
        .where(Campaign.tenant_id == principal.tenant_id, Campaign.status == CampaignStatus.running)
        .where(~waiting)
        .values(status=CampaignStatus.finished, finished_at=now, updated_at=now)
        .returning(Campaign.id, Campaign.name)
        .execution_options(synchronize_session=False)
    ).all()
    for campaign_id, name in sorted(finished):
        publish(session, _finished(session, principal, campaign_id, name, now))
    return len(finished)


def _finished(
    session: Session, principal: Principal, campaign_id: int, name: str, at: datetime
) -> CampaignFinished:
    outcomes = dict.fromkeys(map(str, Outcome), 0)
    skipped: dict[str, int] = {}
    for outcome, reason, n in counts(session, principal, campaign_id):
        outcomes[str(outcome)] += n
        if reason is not None:
            skipped[str(reason)] = n
    return CampaignFinished(
        principal.tenant_id,
        campaign_id=campaign_id,
        name=name,
        finished_at=at,
        outcomes=outcomes,
        skipped=dict(sorted(skipped.items())),
    )
