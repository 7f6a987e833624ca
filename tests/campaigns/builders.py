"""Campaign rows written straight into the tables, for the results and forecast tests: a
launched campaign, its variants, recipients with their messages, receipts and orders."""

from datetime import UTC, datetime, timedelta
from itertools import count

from sqlalchemy.orm import Session

from memberops.activity.models import Order, OrderStatus
from memberops.campaigns.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CampaignVariant,
    Outcome,
    SkipReason,
)
from memberops.crowds.models import Crowd, CrowdKind
from memberops.members.models import Member
from memberops.messaging.models import LinkClick, Message, MessageStatus, TrackedLink

LAUNCH = datetime(2026, 11, 1, 2, tzinfo=UTC)
_serial = count(1)


def crowd(session: Session, tenant_id: int) -> Crowd:
    crowd = Crowd(
        tenant_id=tenant_id,
        name=f"crowd-{next(_serial)}",
        kind=CrowdKind.dynamic,
        condition={"field": "member.gender", "op": "is_set"},
        counted_at=LAUNCH,
        created_by="test",
    )
    session.add(crowd)
    session.flush()
    return crowd


def campaign(
    session: Session,
    tenant_id: int,
    status: CampaignStatus = CampaignStatus.running,
) -> Campaign:
    """A campaign over an empty crowd, launched at ``LAUNCH`` unless a draft."""
    launched = status != CampaignStatus.draft
    row = Campaign(
        tenant_id=tenant_id,
        name=f"campaign-{next(_serial)}",
        status=status,
        crowd_id=crowd(session, tenant_id).id,
        channel="sms",
        launched_at=LAUNCH if launched else None,
        created_by="test",
    )
    session.add(row)
    session.flush()
    return row


class Builder:
    """Members of one campaign with their messages, receipts and orders."""

    def __init__(self, session: Session, campaign: Campaign) -> None:
        self.session, self.campaign = session, campaign

    def variant(self, name: str) -> CampaignVariant:
        variant = CampaignVariant(
            tenant_id=self.campaign.tenant_id,
            campaign_id=self.campaign.id,
            name=name,
            split_percent=50,
            body="hi",
        )
        self.session.add(variant)
        self.session.flush()
        return variant

    def member(
        self,
        variant: CampaignVariant | None,
        outcome: Outcome = Outcome.sent,
        delivered: bool = True,
        clicks: int = 0,
    ) -> Member:
        tenant_id = self.campaign.tenant_id
        member = Member(tenant_id=tenant_id)
        self.session.add(member)
        self.session.flush()
        message = None
        if outcome in (Outcome.sent, Outcome.deferred):
            message = self._message(member, delivered, clicks)
        self.session.add(
            CampaignRecipient(
                tenant_id=tenant_id,
                campaign_id=self.campaign.id,
                member_id=member.id,
                variant_id=None if variant is None else variant.id,
                outcome=outcome,
                skip_reason=SkipReason.no_consent if outcome == Outcome.skipped else None,
                channel=None if message is None else "sms",
                message_id=None if message is None else message.id,
                decided_at=LAUNCH,
            )
        )
        return member

    def _message(self, member: Member, delivered: bool, clicks: int) -> Message:
        message = Message(
            tenant_id=member.tenant_id,
            idempotency_key=f"m-{next(_serial)}",
            channel="sms",
            member_id=member.id,
            recipient="+8613800000000",
            body="hi",
            status=MessageStatus.delivered if delivered else MessageStatus.queued,
            due_at=LAUNCH,
            delivered_at=LAUNCH if delivered else None,
            created_by="test",
        )
        self.session.add(message)
        self.session.flush()
        if clicks:
            link = TrackedLink(
                tenant_id=member.tenant_id,
                token=f"t{next(_serial)}",
                message_id=message.id,
                member_id=member.id,
                url="https://club.example",
            )
            self.session.add(link)
            self.session.flush()
            for _ in range(clicks):
                self.session.add(
                    LinkClick(
                        tenant_id=member.tenant_id,
                        link_id=link.id,
                        message_id=message.id,
                        member_id=member.id,
                    )
                )
        return message

    def order(self, member: Member, cents: int, after: timedelta, refunded: int = 0) -> None:
        status = OrderStatus.paid
        if refunded:
            status = OrderStatus.refunded if refunded == cents else OrderStatus.partially_refunded
        self.session.add(
            Order(
                tenant_id=member.tenant_id,
                member_id=member.id,
                external_id=f"o-{next(_serial)}",
                content_hash="x",
                channel="taobao",
                paid_at=LAUNCH + after,
                amount_cents=cents,
                list_amount_cents=cents,
                refunded_cents=refunded,
                status=status,
            )
        )


DAY = timedelta(days=1)
