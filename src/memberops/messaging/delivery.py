"""The outbox's delivery: claim due messages, send each through its channel, record the outcome.

Each step commits on its own, so the window in which a send's outcome can be lost is one
provider call: the claim (status ``sending``, ``due_at`` = the lease's end, one more attempt)
commits before anything is sent, and each message's outcome commits right after its send. A
worker killed in that window leaves its claimed messages ``sending``; once the lease ends
another worker claims and sends them again with the same delivery id, which the provider uses
to drop the duplicate. Claims take ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers split
the queue; on SQLite ``BEGIN IMMEDIATE`` already makes them take turns.

Retryable failures wait ``outbox_backoff_seconds`` doubled per attempt (at most
``outbox_backoff_max_seconds``, at least the provider's ``Retry-After``), up to
``outbox_max_attempts``; permanent ones fail the message at once with the reason.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.settings import Settings
from memberops.messaging.channels import Envelope, SendFailed
from memberops.messaging.channels.registry import Channels
from memberops.messaging.models import AttemptOutcome, DeliveryAttempt, Message, MessageStatus

log = logging.getLogger("memberops.messaging")
Factory = sessionmaker[Session]
#: Longest reason kept on a message and a receipt.
REASON_LENGTH = 500
_CLAIMABLE = (MessageStatus.queued, MessageStatus.sending)


@dataclass
class Delivered:
    """What one call of :func:`deliver_due` did."""

    claimed: int = 0
    outcomes: dict[AttemptOutcome, int] = field(default_factory=dict)

    def count(self, outcome: AttemptOutcome) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def delivery_id(message: Message) -> str:
    """The id providers dedupe on: the same for every attempt of one message (one per tenant
    and idempotency key)."""
    return f"mo-{message.tenant_id}-{message.id}"


def _give_up_abandoned(session: Session, settings: Settings, now: datetime) -> None:
    """A message whose last allowed attempt was claimed and never finished fails."""
    session.execute(
        update(Message)
        .where(Message.status == MessageStatus.sending, Message.due_at <= now)
        .where(Message.attempts >= settings.outbox_max_attempts)
        .values(
            status=MessageStatus.failed,
            failed_at=now,
            last_error="no outcome recorded for the last attempt (the worker stopped)",
        )
    )


def claim(factory: Factory, settings: Settings) -> tuple[list[Message], datetime]:
    """Claim up to a batch of due messages, oldest due first, and commit the claim; the
    messages and the end of their lease."""
    now = clock.now()
    lease_end = now + timedelta(seconds=settings.outbox_lease_seconds)
    with factory.begin() as session:
        _give_up_abandoned(session, settings, now)
        due = (
            select(Message.id)
            .where(Message.status.in_(_CLAIMABLE), Message.due_at <= now)
            .order_by(Message.due_at, Message.id)
            .limit(settings.outbox_batch_size)
        )
        if is_postgresql(session):
            due = due.with_for_update(skip_locked=True)
        ids = list(session.scalars(due))
        if not ids:
            return [], lease_end
        claimed = session.scalars(
            update(Message)
            .where(Message.id.in_(ids))
            .values(status=MessageStatus.sending, due_at=lease_end, attempts=Message.attempts + 1)
            .returning(Message)
            .execution_options(populate_existing=True)
        ).all()
    return sorted(claimed, key=lambda m: m.id), lease_end


def envelope_of(message: Message) -> Envelope:
    return Envelope(
        delivery_id=delivery_id(message),
        idempotency_key=message.idempotency_key,
        tenant_id=message.tenant_id,
        recipient=message.recipient,
        subject=message.subject,
        body=message.body,
        payload=message.payload,
    )


def backoff(settings: Settings, attempts: int, retry_after: float | None) -> timedelta:
    """The wait before the next attempt after ``attempts`` failed ones."""
    wait = settings.outbox_backoff_seconds * 2 ** (attempts - 1)
    wait = min(wait, settings.outbox_backoff_max_seconds)
    return timedelta(seconds=max(wait, retry_after or 0))


def _send(
    channels: Channels, message: Message
) -> tuple[AttemptOutcome, str, str | None, float | None]:
    """(outcome, detail, provider id, Retry-After) of one send."""
    channel = channels.get(message.channel)
    if channel is None:
        return AttemptOutcome.failed, f"no channel {message.channel!r}", None, None
    try:
        provider_id = channel.send(envelope_of(message))
    except SendFailed as failure:
        outcome = AttemptOutcome.failed if failure.permanent else AttemptOutcome.retry
        return outcome, failure.reason, None, failure.retry_after
    except Exception as exc:  # an adapter's bug must not lose the message: try it again later
        log.exception("channel %s failed on message %s", message.channel, message.id)
        return AttemptOutcome.retry, f"{type(exc).__name__}: {exc}", None, None
    return AttemptOutcome.delivered, "", provider_id, None


def _record(
    session: Session,
    settings: Settings,
    message: Message,
    sent: tuple[AttemptOutcome, str, str | None, float | None],
) -> AttemptOutcome:
    """Write the attempt's receipt and move the message on — unless another worker took it
    over since (its lease ran out), which then records its own attempt."""
    outcome, detail, provider_id, retry_after = sent
    now = clock.now()
    if outcome == AttemptOutcome.retry and message.attempts >= settings.outbox_max_attempts:
        outcome, detail = (
            AttemptOutcome.failed,
            f"gave up after {message.attempts} attempts: {detail}",
        )
    changes: dict[str, object] = {"last_error": detail[:REASON_LENGTH]}
    if outcome == AttemptOutcome.delivered:
        changes |= {"status": MessageStatus.delivered, "delivered_at": now}
        changes |= {"provider_message_id": provider_id}
    elif outcome == AttemptOutcome.failed:
        changes |= {"status": MessageStatus.failed, "failed_at": now}
    else:
        wait = backoff(settings, message.attempts, retry_after)
        changes |= {"status": MessageStatus.queued, "due_at": now + wait}
    session.execute(
        update(Message)
        .where(Message.id == message.id, Message.status == MessageStatus.sending)
        .where(Message.attempts == message.attempts)
        .values(**changes)
    )
    session.add(
        DeliveryAttempt(
            tenant_id=message.tenant_id,
            message_id=message.id,
            number=message.attempts,
            outcome=outcome,
            detail=detail[:REASON_LENGTH],
            provider_message_id=provider_id,
            at=now,
        )
    )
    return outcome


def deliver_due(factory: Factory, settings: Settings, channels: Channels) -> Delivered:
    """Claim one batch of due messages and send them, committing each outcome as it comes;
    messages left when the lease is about to end are left for the next claim."""
    messages, lease_end = claim(factory, settings)
    done = Delivered(claimed=len(messages))
    margin = timedelta(seconds=settings.outbox_send_timeout_seconds)
    for sent_so_far, message in enumerate(messages):
        if clock.now() + margin >= lease_end:
            left = len(messages) - sent_so_far
            log.warning("outbox lease ending: %d messages left to the next claim", left)
            break
        sent = _send(channels, message)
        with factory.begin() as session:
            done.count(_record(session, settings, message, sent))
    return done
