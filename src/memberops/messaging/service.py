"""Messages: put one in the outbox (once per idempotency key), read them and their receipts.

``enqueue`` only writes rows in the caller's transaction; the worker (``delivery``) sends. So a
message enqueued by a transaction that rolls back is never sent, and one that commits is sent
exactly once per idempotency key (docs/messaging.md).
"""

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.identity.models import Identity, IdentityType
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.pagination import newest_first
from memberops.members.models import Member
from memberops.members.service import get_member, refuse_inactive
from memberops.messaging import provided
from memberops.messaging.errors import MessageNotFound, NoRecipient
from memberops.messaging.links import LinkMaker, PreviewLinks, store
from memberops.messaging.models import (
    ChannelName,
    DeliveryAttempt,
    LinkClick,
    Message,
    MessageStatus,
    TrackedLink,
)
from memberops.messaging.schemas import (
    AttemptRead,
    ClickRead,
    MessageCreate,
    MessageDetail,
    MessageRead,
    PreviewRead,
    PreviewRequest,
)
from memberops.messaging.templates import MessageContext, check, render, used_names
from memberops.tenancy.access import (
    Permission,
    Principal,
    mask_email,
    mask_phone,
    mask_text,
    tenant_scope,
)

#: The identity that is a member's address on each channel that addresses people.
ADDRESS_TYPES = {
    ChannelName.email: IdentityType.email,
    ChannelName.sms: IdentityType.phone,
    ChannelName.wechat: IdentityType.wechat_openid,
}


def address_of(session: Session, principal: Principal, member_id: int, channel: str) -> str:
    """The member's newest address on ``channel``; the member id on channels that address no
    one in particular (log, webhook: the receiver knows its members by id)."""
    kind = ADDRESS_TYPES.get(ChannelName(channel))
    if kind is None:
        return str(member_id)
    value = session.scalar(
        tenant_scope(principal, Identity)
        .with_only_columns(Identity.value)
        .where(Identity.member_id == member_id, Identity.type == kind)
        .order_by(Identity.id.desc())
        .limit(1)
    )
    if value is None:
        raise NoRecipient(
            f"Member {member_id} has no {kind.value} to send a {channel} message to.",
            member_id=str(member_id),
            channel=channel,
        )
    return value


def _insert_once(session: Session, row: dict[str, object]) -> int | None:
    """Insert the message unless its key is taken; its id, or None for a replay."""
    dialect = postgresql if is_postgresql(session) else sqlite
    statement = dialect.insert(Message).values(**row).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports rowcount -1 for this statement on PostgreSQL
    created: int | None = session.scalar(statement.returning(Message.id))
    return created


def _member(session: Session, principal: Principal, member_id: int | None) -> Member | None:
    if member_id is None:
        return None
    member = get_member(session, principal, member_id)
    refuse_inactive(member, "message that member")
    return member


def personal(
    session: Session, context: MessageContext, member: Member | None, subject: str, body: str
) -> MessageContext:
    """The caller's context, with the member's own name and nickname where it left them out,
    and the fields rooms above fill (``provided``) that the templates name."""
    if member is None:
        return context
    mine = {"name": member.name, "nickname": member.nickname}
    context = context.model_copy(
        update={k: v for k, v in mine.items() if getattr(context, k) is None}
    )
    check("subject", subject)  # a template that does not parse is refused before it is read
    check("body", body)
    used = used_names(subject) | used_names(body)
    return provided.fill(session, member.tenant_id, context, member.id, used)


def preview(
    session: Session, principal: Principal, body: PreviewRequest, *, link_base: str
) -> PreviewRead:
    """A message's subject and body as one member (or none) would read them; links show their
    own URL, the unsubscribe link a sample page under ``link_base``, and nothing is stored."""
    principal.require(Permission.messages_send)
    member = _member(session, principal, body.member_id)
    context = personal(session, body.context, member, body.subject, body.body)
    links = PreviewLinks(link_base)
    return PreviewRead(
        subject=render("subject", body.subject, context, links),
        body=render("body", body.body, context, links),
    )


def enqueue(
    session: Session, principal: Principal, body: MessageCreate, key: str, *, link_base: str
) -> tuple[Message, bool]:
    """Put a message in the outbox, due now, its templates rendered for its member with links
    under ``link_base``; the message and True, or — when ``key`` was used before in this
    tenant — the first message and False, with nothing changed."""
    principal.require(Permission.messages_send)
    replay = _by_key(session, principal, key)
    if replay is not None:
        return replay, False
    member = _member(session, principal, body.member_id)
    recipient = body.recipient
    if member is not None:
        recipient = recipient or address_of(session, principal, member.id, body.channel)
    if recipient is None:
        raise NoRecipient("Name a member_id or a recipient.", channel=body.channel.value)
    links = LinkMaker(link_base, unsubscribable=member is not None and _asks_consent(body.channel))
    context = personal(session, body.context, member, body.subject, body.body)
    subject, text = (
        render("subject", body.subject, context, links),
        render("body", body.body, context, links),
    )
    now = clock.now()
    row = {
        "tenant_id": principal.tenant_id,
        "idempotency_key": key,
        "channel": body.channel.value,
        "member_id": body.member_id,
        "recipient": recipient,
        "subject": subject,
        "body": text,
        "payload": body.payload,
        "status": MessageStatus.queued.value,
        "attempts": 0,
        "due_at": now,
        "last_error": "",
        "created_by": principal.actor,
        "created_at": now,
    }
    created = _insert_once(session, row)
    found = _by_key(session, principal, key)  # a concurrent first request's row when lost
    assert found is not None
    if created is not None:
        store(session, found, links.made)
    return found, created is not None


def _asks_consent(channel: ChannelName) -> bool:
    """The channel reaches a person, who can unsubscribe from it (``unsubscribe_link()``)."""
    return channel in ADDRESS_TYPES


def _by_key(session: Session, principal: Principal, key: str) -> Message | None:
    return session.scalar(tenant_scope(principal, Message).where(Message.idempotency_key == key))


def get_message(session: Session, principal: Principal, message_id: int) -> Message:
    principal.require(Permission.messages_read)
    message = session.scalar(tenant_scope(principal, Message).where(Message.id == message_id))
    if message is None:
        raise MessageNotFound(
            f"No message {message_id} in this tenant.", message_id=str(message_id)
        )
    return message


def list_messages(
    session: Session, principal: Principal, before: int | None, limit: int
) -> list[Message]:
    """The tenant's messages, newest first."""
    principal.require(Permission.messages_read)
    return list(
        session.scalars(newest_first(tenant_scope(principal, Message), Message.id, before, limit))
    )


def _masked(principal: Principal, message: Message) -> str:
    if principal.sees_pii or message.channel in (ChannelName.log, ChannelName.webhook):
        return message.recipient
    if message.channel == ChannelName.email:
        return mask_email(message.recipient)
    if message.channel == ChannelName.sms:
        return mask_phone(message.recipient)
    return mask_text(message.recipient)


def read(principal: Principal, message: Message) -> MessageRead:
    return MessageRead(
        id=str(message.id),
        idempotency_key=message.idempotency_key,
        channel=message.channel,
        member_id=None if message.member_id is None else str(message.member_id),
        recipient=_masked(principal, message),
        subject=message.subject if principal.sees_pii else mask_text(message.subject),
        body=message.body if principal.sees_pii else mask_text(message.body),
        status=message.status,
        attempts=message.attempts,
        due_at=message.due_at,
        last_error=message.last_error,
        provider_message_id=message.provider_message_id,
        delivered_at=message.delivered_at,
        failed_at=message.failed_at,
        created_by=message.created_by,
        created_at=message.created_at,
    )


def detail(session: Session, principal: Principal, message: Message) -> MessageDetail:
    """The message with its delivery receipts (each attempt) and click receipts, oldest first."""
    attempts = session.scalars(
        tenant_scope(principal, DeliveryAttempt)
        .where(DeliveryAttempt.message_id == message.id)
        .order_by(DeliveryAttempt.id)
    )
    clicks = session.execute(
        select(TrackedLink.url, LinkClick.user_agent, LinkClick.at)
        .join(TrackedLink, TrackedLink.id == LinkClick.link_id)
        .where(LinkClick.tenant_id == principal.tenant_id, LinkClick.message_id == message.id)
        .order_by(LinkClick.id)
    )
    return MessageDetail(
        **read(principal, message).model_dump(),
        receipts=[AttemptRead.model_validate(a, from_attributes=True) for a in attempts],
        clicks=[ClickRead(url=url, user_agent=agent, at=at) for url, agent, at in clicks],
    )
