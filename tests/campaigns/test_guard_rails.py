"""Acceptance: the frequency cap and the quiet hours, with a moving clock across two overlapping
campaigns (and two more that meet the cap's window at its edge).

Shanghai time (the tenant's): the spring sale goes to twenty members on Monday at 18:00; the
flash sale to ten of them at 23:00, inside the quiet hours, so its messages wait until 08:00 and
are delivered then, not before. On Wednesday the ten who got both have reached the cap of two
per seven days and are skipped for it. The next Monday a minute before 18:00 the spring sale
still counts and everyone is capped; a minute after, it has left the window.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from memberops.campaigns import service
from memberops.campaigns.guard_rails import Rules, quiet_until
from memberops.campaigns.models import CampaignRecipient
from memberops.kernel import clock
from memberops.messaging.models import Message, MessageStatus
from memberops.messaging.schemas import MessageCreate
from memberops.messaging.service import enqueue
from memberops.tenancy.access import Principal
from memberops.worker import deliver_outbox
from tests.campaigns.support import LINKS, crowd, draft, seed
from tests.messaging.support import SETTINGS

MONDAY = datetime(2026, 12, 7, 10, tzinfo=UTC)  # 18:00 in Shanghai
ONE = [{"name": "A", "split_percent": 100, "body": "{{ name }}, new arrivals"}]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(MONDAY):
        yield


def _launch(session: Session, tenant: Principal, crowd_id: int, name: str) -> dict[str, int]:
    """Launch a campaign on the log channel with no holdout; its members by outcome or
    skip reason."""
    with session.begin():
        campaign = draft(
            session, tenant, crowd_id, name=name, channel="log", holdout_percent=0, variants=ONE
        )
        service.launch(session, tenant, campaign.id, Rules(), LINKS)
        read = service.read(session, tenant, campaign)
    return {str(k): v for k, v in {**read.outcomes, **read.skipped}.items()}


def _delivered(session: Session, tenant: Principal, name_of: dict[int, str]) -> dict[str, int]:
    """Delivered messages per campaign name."""
    query = (
        select(CampaignRecipient.campaign_id)
        .join(Message, Message.id == CampaignRecipient.message_id)
        .where(Message.tenant_id == tenant.tenant_id, Message.status == MessageStatus.delivered)
    )
    with session.begin():
        found: dict[str, int] = {}
        for campaign_id in session.scalars(query):
            found[name_of[campaign_id]] = found.get(name_of[campaign_id], 0) + 1
        return found


def test_cap_and_quiet_hours_across_overlapping_campaigns(
    session: Session, session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    with session.begin():
        ids = seed(session, tenant.tenant_id, 20)
        everyone = crowd(session, tenant.tenant_id, ids, "everyone")
        half = crowd(session, tenant.tenant_id, ids[:10], "half")

    assert _launch(session, tenant, everyone, "spring") == {"sent": 20}
    clock.advance(timedelta(hours=5))  # 23:00: quiet
    assert _launch(session, tenant, half, "flash") == {"deferred": 10}
    deliver_outbox(session_factory, SETTINGS)
    with session.begin():
        due = set(session.scalars(select(Message.due_at).where(Message.status == "queued")))
    assert due == {datetime(2026, 12, 8, 0, tzinfo=UTC)}  # Tuesday 08:00 in Shanghai
    with session.begin():
        names = {c.id: c.name for c in service.list_campaigns(session, tenant, None, 10)}
    assert _delivered(session, tenant, names) == {"spring": 20}
    clock.advance(timedelta(hours=8, minutes=59))  # 07:59: still quiet
    deliver_outbox(session_factory, SETTINGS)
    assert _delivered(session, tenant, names) == {"spring": 20}
    clock.advance(timedelta(minutes=1))  # 08:00: the flash sale goes out
    deliver_outbox(session_factory, SETTINGS)
    assert _delivered(session, tenant, names) == {"spring": 20, "flash": 10}

    clock.advance(timedelta(days=1, hours=10))  # Wednesday 18:00
    assert _launch(session, tenant, everyone, "clearance") == {
        "sent": 10,
        "skipped": 10,
        "frequency_cap": 10,
    }
    clock.advance(timedelta(days=5, minutes=-1))  # next Monday 17:59: spring still counts
    assert _launch(session, tenant, everyone, "monday") == {"skipped": 20, "frequency_cap": 20}
    clock.advance(timedelta(minutes=2))  # 18:01: spring has left the window
    assert _launch(session, tenant, everyone, "monday again") == {"sent": 20}


def test_journey_messages_count_towards_the_cap_and_other_messages_do_not(
    session: Session, tenant: Principal
) -> None:
    """Two journey messages yesterday cap the first member; the second's are eight days old;
    the third has one journey message and one the shop sent about an order (not marketing)."""
    with session.begin():
        ids = seed(session, tenant.tenant_id, 3)
        everyone = crowd(session, tenant.tenant_id, ids, "everyone")
    sent = {ids[0]: [(1, "journey:1:1:0:a"), (1, "journey:1:1:2:a")]}
    sent[ids[1]] = [(8, "journey:1:1:0:b"), (8, "journey:1:1:2:b")]
    sent[ids[2]] = [(1, "journey:2:1:0:c"), (1, "order:T1001:paid")]
    for member_id, messages in sent.items():
        for days, key in messages:
            with clock.frozen(MONDAY - timedelta(days=days)), session.begin():
                body = MessageCreate(channel="log", member_id=member_id, body="你好")
                enqueue(session, tenant, body, key, link_base=LINKS)
    assert _launch(session, tenant, everyone, "spring") == {
        "sent": 2,
        "skipped": 1,
        "frequency_cap": 1,
    }
    with session.begin():
        capped = session.scalars(
            select(CampaignRecipient.member_id).where(CampaignRecipient.skip_reason.is_not(None))
        ).all()
    assert capped == [ids[0]]


@pytest.mark.parametrize(
    ("local", "until"),
    [
        ("2026-12-07T21:59", None),
        ("2026-12-07T22:00", "2026-12-08T08:00"),
        ("2026-12-08T03:00", "2026-12-08T08:00"),
        ("2026-12-08T08:00", None),
    ],
)
def test_quiet_hours_run_over_midnight_in_the_tenants_timezone(
    local: str, until: str | None
) -> None:
    shanghai = timedelta(hours=8)
    now = datetime.fromisoformat(local).replace(tzinfo=UTC) - shanghai
    expected = (
        None if until is None else datetime.fromisoformat(until).replace(tzinfo=UTC) - shanghai
    )
    assert quiet_until(now, "Asia/Shanghai", Rules()) == expected
