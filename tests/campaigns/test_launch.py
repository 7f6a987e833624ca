"""Launching a campaign decides each member of its crowd once: the guard rails' reason for those
skipped, the holdout and the variant by the hash of (campaign, member), and a message in the
outbox for everyone sent, rendered for them and keyed by campaign, step and member."""

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.campaigns import service
from memberops.campaigns.assign import draw, variant_of
from memberops.campaigns.guard_rails import Rules
from memberops.campaigns.models import CampaignRecipient
from memberops.kernel import clock
from memberops.messaging.models import Message, TrackedLink
from memberops.tenancy.access import Principal
from tests.campaigns.support import LINKS, NOW, crowd, draft, kind_of, phone_of, seed

MEMBERS = 300


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


def test_each_member_is_decided_once_by_the_rails_the_holdout_and_the_split(
    session: Session, tenant: Principal
) -> None:
    with session.begin():
        ids = seed(session, tenant.tenant_id, MEMBERS)
        campaign = draft(session, tenant, crowd(session, tenant.tenant_id, ids))
        service.launch(session, tenant, campaign.id, Rules(), LINKS)
        variants = service.variants_of(session, tenant, campaign.id)
        rows = {
            r.member_id: r
            for r in session.scalars(
                select(CampaignRecipient).where(CampaignRecipient.campaign_id == campaign.id)
            )
        }
        messages = {
            m.member_id: m
            for m in session.scalars(select(Message).where(Message.tenant_id == tenant.tenant_id))
        }
        links = session.scalars(
            select(TrackedLink).where(TrackedLink.tenant_id == tenant.tenant_id)
        ).all()

    splits = [(v.id, v.split_percent) for v in variants]
    assert sorted(rows) == sorted(ids)
    for n, member in enumerate(ids):
        row, kind = rows[member], kind_of(n)
        if kind != "reachable":
            assert (row.outcome, row.skip_reason, row.message_id) == ("skipped", kind, None)
        elif draw(campaign.id, member, 0) < 10:
            assert (row.outcome, row.variant_id, row.message_id) == ("holdout", None, None)
            assert member not in messages
        else:
            message = messages[member]
            assert (row.outcome, row.variant_id) == (
                "sent",
                variant_of(campaign.id, member, splits),
            )
            assert row.message_id == message.id
            assert message.recipient == phone_of(n)
            assert message.idempotency_key == f"campaign:{campaign.id}:1:{member}"
            assert message.channel == "sms"
    sent = [r for r in rows.values() if r.outcome == "sent"]
    assert len(messages) == len(sent) > 0
    a, b = variants
    assert {messages[r.member_id].body.split(",")[0] for r in sent if r.variant_id == a.id} == {
        f"Hello M{ids.index(r.member_id)}" for r in sent if r.variant_id == a.id
    }
    assert {messages[r.member_id].body for r in sent if r.variant_id == b.id} == {"Winter sale "}
    assert len(links) == sum(1 for r in sent if r.variant_id == a.id)
