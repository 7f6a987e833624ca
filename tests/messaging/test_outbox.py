"""The outbox: one message per idempotency key, claimed in batches under a lease, sent through
its channel, delivered or retried with backoff or failed for good, with a receipt per attempt."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.identity.models import IdentityType
from memberops.kernel import clock
from memberops.messaging import service
from memberops.messaging.channels.registry import Channels
from memberops.messaging.delivery import backoff, claim, deliver_due
from memberops.messaging.errors import NoRecipient
from memberops.messaging.models import AttemptOutcome, Message, MessageStatus
from memberops.tenancy.access import Principal
from tests.conditions.support import give_identity, make_member
from tests.messaging.servers import Answer, WebhookReceiver, http_server
from tests.messaging.support import LINKS, NOW, SETTINGS, message, receipts, state

Factory = sessionmaker[Session]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture
def channels() -> Iterator[Channels]:
    with Channels(SETTINGS) as made:
        yield made


def _enqueue(session: Session, principal: Principal, key: str, **overrides: object) -> int:
    with session.begin():
        queued, created = service.enqueue(
            session, principal, message(**overrides), key, link_base=LINKS
        )
        assert created
        return queued.id


def _count(session: Session, principal: Principal) -> int:
    query = select(func.count()).where(Message.tenant_id == principal.tenant_id)
    with session.begin():
        return int(session.scalar(query.select_from(Message)) or 0)


def test_a_replayed_key_returns_the_first_message_and_changes_nothing(
    session: Session, tenant: Principal
) -> None:
    first = _enqueue(session, tenant, "k1", body="first")
    with session.begin():
        again, created = service.enqueue(
            session, tenant, message(body="second"), "k1", link_base=LINKS
        )
    assert (again.id, again.body, created) == (first, "first", False)
    assert _count(session, tenant) == 1


def test_the_same_key_in_another_tenant_is_another_message(
    session: Session, tenant: Principal, other_tenant: Principal
) -> None:
    assert _enqueue(session, tenant, "k1") != _enqueue(session, other_tenant, "k1")


def test_a_members_address_comes_from_its_identities(session: Session, tenant: Principal) -> None:
    with session.begin():
        member = make_member(session, tenant)
        give_identity(session, tenant, member, IdentityType.email, "old@example.com")
        give_identity(session, tenant, member, IdentityType.email, "new@example.com")
        give_identity(session, tenant, member, IdentityType.phone, "+8613800000001")
    email = _enqueue(session, tenant, "e", channel="email", recipient=None, member_id=member)
    sms = _enqueue(session, tenant, "s", channel="sms", recipient=None, member_id=member)
    hook = _enqueue(session, tenant, "w", channel="webhook", recipient=None, member_id=member)
    assert state(session, email).recipient == "new@example.com"
    assert state(session, sms).recipient == "+8613800000001"
    assert state(session, hook).recipient == str(member)


def test_a_member_without_an_address_on_the_channel_is_refused(
    session: Session, tenant: Principal
) -> None:
    with session.begin():
        member = make_member(session, tenant)
    with pytest.raises(NoRecipient), session.begin():
        service.enqueue(
            session,
            tenant,
            message(channel="wechat", recipient=None, member_id=member),
            "k",
            link_base=LINKS,
        )
    with pytest.raises(NoRecipient), session.begin():
        service.enqueue(session, tenant, message(recipient=None), "k", link_base=LINKS)
    assert _count(session, tenant) == 0


def test_log_messages_are_delivered_with_a_receipt(
    session_factory: Factory, session: Session, tenant: Principal, channels: Channels
) -> None:
    ids = [_enqueue(session, tenant, f"k{n}") for n in range(12)]
    first = deliver_due(session_factory, SETTINGS, channels)
    second = deliver_due(session_factory, SETTINGS, channels)
    assert (first.claimed, second.claimed) == (10, 2)
    assert deliver_due(session_factory, SETTINGS, channels).claimed == 0
    done = state(session, ids[0])
    assert (done.status, done.attempts, done.delivered_at) == (MessageStatus.delivered, 1, NOW)
    assert done.provider_message_id == f"mo-{tenant.tenant_id}-{ids[0]}"
    assert receipts(session, ids[0]) == [(1, "delivered", "")]


def test_retryable_failures_back_off_then_fail_after_the_last_attempt(
    session_factory: Factory, session: Session, tenant: Principal
) -> None:
    receiver = WebhookReceiver(lambda n, _: Answer(503, {"error": "busy"}))
    with http_server(receiver) as (url, _):
        settings = SETTINGS.model_copy(update={"webhook_url": url})
        with Channels(settings) as channels:
            sent = _enqueue(session, tenant, "k", channel="webhook")
            deliver_due(session_factory, settings, channels)
            waiting = state(session, sent)
            assert (waiting.status, waiting.due_at) == (
                MessageStatus.queued,
                NOW + timedelta(seconds=10),
            )
            clock.advance(timedelta(seconds=9))
            assert deliver_due(session_factory, settings, channels).claimed == 0
            clock.advance(timedelta(seconds=1))
            deliver_due(session_factory, settings, channels)
            assert state(session, sent).due_at == clock.now() + timedelta(seconds=20)
            clock.advance(timedelta(seconds=20))
            deliver_due(session_factory, settings, channels)
    failed = state(session, sent)
    assert (failed.status, failed.attempts, failed.failed_at) == (
        MessageStatus.failed,
        3,
        clock.now(),
    )
    assert failed.last_error.startswith("gave up after 3 attempts: HTTP 503")
    assert [(n, o) for n, o, _ in receipts(session, sent)] == [
        (1, "retry"),
        (2, "retry"),
        (3, "failed"),
    ]


def test_backoff_doubles_up_to_the_most_and_honours_retry_after() -> None:
    waits = [backoff(SETTINGS, n, None).total_seconds() for n in (1, 2, 3, 4)]
    assert waits == [10, 20, 25, 25]
    assert backoff(SETTINGS, 1, 120).total_seconds() == 120
    assert backoff(SETTINGS, 2, 5).total_seconds() == 20


def test_a_rate_limit_waits_as_long_as_the_provider_says(
    session_factory: Factory, session: Session, tenant: Principal
) -> None:
    receiver = WebhookReceiver(
        lambda n, _: Answer(429, None, {"Retry-After": "90"}) if n == 0 else None
    )
    with http_server(receiver) as (url, _):
        settings = SETTINGS.model_copy(update={"webhook_url": url})
        with Channels(settings) as channels:
            sent = _enqueue(session, tenant, "k", channel="webhook")
            deliver_due(session_factory, settings, channels)
            assert state(session, sent).due_at == NOW + timedelta(seconds=90)
            clock.advance(timedelta(seconds=90))
            deliver_due(session_factory, settings, channels)
    assert state(session, sent).status == MessageStatus.delivered
    assert [(n, o) for n, o, _ in receipts(session, sent)] == [(1, "retry"), (2, "delivered")]


def test_a_permanent_refusal_fails_at_once_with_the_reason(
    session_factory: Factory, session: Session, tenant: Principal
) -> None:
    receiver = WebhookReceiver(lambda n, _: Answer(400, {"error": "unknown member"}))
    with http_server(receiver) as (url, _):
        settings = SETTINGS.model_copy(update={"webhook_url": url})
        with Channels(settings) as channels:
            sent = _enqueue(session, tenant, "k", channel="webhook")
            deliver_due(session_factory, settings, channels)
    failed = state(session, sent)
    assert (failed.status, failed.attempts) == (MessageStatus.failed, 1)
    assert failed.last_error == 'HTTP 400: {"error": "unknown member"}'


def test_an_unconfigured_channel_fails_the_message(
    session_factory: Factory, session: Session, tenant: Principal, channels: Channels
) -> None:
    sent = _enqueue(session, tenant, "k", channel="webhook")
    deliver_due(session_factory, SETTINGS, channels)
    assert (
        state(session, sent).last_error
        == "webhook channel not configured (MEMBEROPS_WEBHOOK_URL, _SECRET)"
    )


def test_a_dead_workers_claim_is_taken_over_when_its_lease_ends(
    session_factory: Factory, session: Session, tenant: Principal, channels: Channels
) -> None:
    sent = _enqueue(session, tenant, "k")
    claimed, lease_end = claim(session_factory, SETTINGS)  # ... and the worker dies
    assert [m.id for m in claimed] == [sent]
    assert (state(session, sent).status, lease_end) == (
        MessageStatus.sending,
        NOW + timedelta(seconds=60),
    )
    assert deliver_due(session_factory, SETTINGS, channels).claimed == 0
    clock.advance(timedelta(seconds=60))
    assert deliver_due(session_factory, SETTINGS, channels).claimed == 1
    done = state(session, sent)
    assert (done.status, done.attempts) == (MessageStatus.delivered, 2)


def test_a_claim_abandoned_on_the_last_attempt_fails(
    session_factory: Factory, session: Session, tenant: Principal, channels: Channels
) -> None:
    sent = _enqueue(session, tenant, "k")
    for _ in range(SETTINGS.outbox_max_attempts):
        assert len(claim(session_factory, SETTINGS)[0]) == 1
        clock.advance(timedelta(seconds=60))
    assert deliver_due(session_factory, SETTINGS, channels).claimed == 0
    failed = state(session, sent)
    assert (failed.status, failed.attempts) == (MessageStatus.failed, 3)
    assert failed.last_error == "no outcome recorded for the last attempt (the worker stopped)"


def test_a_batch_stops_sending_before_its_lease_ends(
    session_factory: Factory, session: Session, tenant: Principal, channels: Channels
) -> None:
    """A batch stops while there is still time to send one more message before its lease ends,
    so a message is never sent by two workers at once."""
    ids = [_enqueue(session, tenant, f"k{n}") for n in range(3)]
    short = SETTINGS.model_copy(update={"outbox_lease_seconds": 2})
    assert deliver_due(session_factory, short, channels).outcomes == {}
    assert {state(session, i).status for i in ids} == {MessageStatus.sending}


class _Broken:
    """An adapter with a bug: it raises what no adapter should."""

    def send(self, envelope: object) -> str:
        raise KeyError("template_id")


def test_an_adapter_bug_is_retried_not_lost(
    session_factory: Factory, session: Session, tenant: Principal, channels: Channels
) -> None:
    sent = _enqueue(session, tenant, "k")
    channels.adapters["log"] = _Broken()
    assert deliver_due(session_factory, SETTINGS, channels).outcomes == {AttemptOutcome.retry: 1}
    waiting = state(session, sent)
    assert (waiting.status, waiting.last_error) == (MessageStatus.queued, "KeyError: 'template_id'")
