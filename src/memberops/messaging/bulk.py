"""Many messages of one template at once, as a campaign sends them.

``service.enqueue`` renders and inserts one message per call; a campaign to a million members
cannot afford a call (and a query for its replay) per member. The caller here has decided its
members already and gives their addresses and idempotency keys; the rows are written in a few
statements, in the caller's transaction like any enqueue:

- a template that names neither the member's name nor nickname nor a link, nor a field a room
  above provides (``provided``: ``recommended_products``) that the batch's context left empty,
  reads the same for everyone: it is rendered once and :func:`insert_selected` writes every
  message with one ``INSERT … SELECT``;
- otherwise :func:`insert_rendered` renders each member's text from the template compiled once
  and inserts a chunk of messages (and their tracked links) per statement, each provider asked
  once for the whole chunk.

Keys must be new: the caller guarantees it (a campaign decides each member once, behind its own
unique constraint), so a clash is a bug and fails the transaction.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, insert, literal, select, update
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.db import insert_rows
from memberops.messaging import provided
from memberops.messaging.links import LinkMaker
from memberops.messaging.models import ChannelName, Message, MessageStatus, TrackedLink
from memberops.messaging.service import ADDRESS_TYPES
from memberops.messaging.templates import MessageContext, renderer, used_names

#: Fields that make a template read differently for each member.
PERSONAL = frozenset({"name", "nickname", "link", "unsubscribe_link"})
_COLUMNS = Message.__table__.c


@dataclass(frozen=True)
class Batch:
    """What every message of one bulk enqueue shares."""

    channel: ChannelName
    subject: str
    body: str
    context: MessageContext
    link_base: str
    due_at: datetime
    created_by: str

    @property
    def used(self) -> set[str]:
        """The fields and functions its subject and body name."""
        return used_names(self.subject) | used_names(self.body)

    @property
    def personal(self) -> bool:
        """Whether each member's text must be rendered for them."""
        used = self.used
        return bool(used & PERSONAL or provided.asked(self.context, used))


@dataclass(frozen=True)
class Addressed:
    """One member's message: its id (given by the caller), where it goes, its key, and the
    member's own fields."""

    id: int
    member_id: int
    recipient: str
    key: str
    name: str | None
    nickname: str | None


def _shared(batch: Batch) -> dict[str, Any]:
    now = clock.now()
    return {
        "channel": batch.channel.value,
        "payload": {},
        "status": MessageStatus.queued.value,
        "attempts": 0,
        "due_at": batch.due_at,
        "last_error": "",
        "created_by": batch.created_by,
        "created_at": now,
    }


def insert_selected(session: Session, tenant_id: int, rows: Select[Any], batch: Batch) -> None:
    """One message per row of ``rows`` (``id``, ``member_id``, ``recipient``,
    ``idempotency_key``), the text rendered once for all (``batch`` must not be
    :attr:`Batch.personal`)."""
    assert not batch.personal
    fields = batch.context.model_dump()
    subject = renderer("subject", batch.subject)(fields, LinkMaker(batch.link_base))
    body = renderer("body", batch.body)(fields, LinkMaker(batch.link_base))
    given = rows.subquery()
    constants = {**_shared(batch), "tenant_id": tenant_id, "subject": subject, "body": body}
    selected = select(
        given.c.id,
        given.c.member_id,
        given.c.recipient,
        given.c.idempotency_key,
        *(literal(value, _COLUMNS[name].type).label(name) for name, value in constants.items()),
    )
    names = ["id", "member_id", "recipient", "idempotency_key", *constants]
    session.execute(insert(Message).from_select(names, selected))


def insert_rendered(
    session: Session, tenant_id: int, rows: Sequence[Addressed], batch: Batch
) -> None:
    """One message per row, each rendered with the member's own name and nickname, the provided
    fields found for the member (each provider asked once for all the rows) and its own tracked
    links. Each message is handed to the database as soon as it is rendered, so on
    PostgreSQL the server writes the chunk's first messages while the rest are rendered."""
    subject, body = renderer("subject", batch.subject), renderer("body", batch.body)
    base, shared = batch.context.model_dump(), {**_shared(batch), "tenant_id": tenant_id}
    found = provided.for_members(
        session, tenant_id, batch.context, [row.member_id for row in rows], batch.used
    )
    links: list[dict[str, Any]] = []

    def messages() -> Iterator[dict[str, Any]]:
        for row in rows:
            own = {"name": base["name"] or row.name, "nickname": base["nickname"] or row.nickname}
            fields = {**base, **own, **found[row.member_id]}
            maker = LinkMaker(batch.link_base, unsubscribable=batch.channel in ADDRESS_TYPES)
            yield {
                **shared,
                "id": row.id,
                "member_id": row.member_id,
                "recipient": row.recipient,
                "idempotency_key": row.key,
                "subject": subject(fields, maker),
                "body": body(fields, maker),
            }
            links.extend(
                {
                    "tenant_id": tenant_id,
                    "token": token,
                    "message_id": row.id,
                    "member_id": row.member_id,
                    "url": url,
                    "created_at": shared["created_at"],
                }
                for token, url in maker.made
            )

    insert_rows(session, cast(Table, Message.__table__), messages())
    insert_rows(session, cast(Table, TrackedLink.__table__), links)  # after their messages


def cancel_queued(session: Session, tenant_id: int, message_ids: Select[Any]) -> int:
    """Fail the messages among ``message_ids`` not sent yet, so the worker never sends them (a
    cancelled campaign); how many."""
    result = session.execute(
        update(Message)
        .where(Message.tenant_id == tenant_id, Message.status == MessageStatus.queued)
        .where(Message.id.in_(message_ids))
        .values(status=MessageStatus.failed, failed_at=clock.now(), last_error="cancelled")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
