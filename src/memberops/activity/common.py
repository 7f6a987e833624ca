"""What orders and events share: resolving the member by identities, and telling a replay from
a different request reusing an external id (a digest of the request's content)."""

import hashlib
import json
from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity.models import Event, Order
from memberops.activity.schemas import MemberRef
from memberops.identity import service as identity
from memberops.identity.normalise import keys_of
from memberops.identity.schemas import MemberUpsert
from memberops.kernel.errors import DomainError
from memberops.tenancy.access import Principal


def content_hash(body: BaseModel) -> str:
    """SHA-256 of the request's canonical JSON (amounts as cents, keys sorted): the same order
    sent as ``"199"`` or ``"199.00"``, keys in any order, is the same content."""
    document = body.model_dump(mode="json")
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def resolve_member(
    session: Session, principal: Principal, member: MemberRef, channel: str | None
) -> int:
    """The member these identities belong to, created (or merged) as ``POST /members`` would."""
    request = MemberUpsert(identities=member.identities, channel=channel)
    return identity.resolve_member(session, principal, request)[0].id


def new_external_ids(
    session: Session, principal: Principal, model: type[Order] | type[Event], ids: list[str]
) -> set[str]:
    """Which of ``ids`` no stored order (or event) of the tenant has yet: one query."""
    stored = session.scalars(
        select(model.external_id).where(
            model.tenant_id == principal.tenant_id, model.external_id.in_(ids)
        )
    )
    return set(ids) - set(stored)


def resolve_members_in_order(
    session: Session, principal: Principal, members: Sequence[tuple[MemberRef, str | None]]
) -> None:
    """Resolve (create, find or merge) the members of a whole batch first, in one global order
    of their normalised identities, before any item is stored.

    Items then find their members already resolved and locked by this transaction. Without this,
    two concurrent batches naming the same people in different orders take member locks and
    unique-index entries in different orders and deadlock. A member that cannot be resolved is
    skipped here: its item reports the problem when it is stored.
    """
    keyed = []
    for member, channel in members:
        try:
            keyed.append(
                (
                    sorted(map(str, keys_of(member.identities, principal.phone_region))),
                    member,
                    channel,
                )
            )
        except DomainError:
            continue
    for _, member, channel in sorted(keyed, key=lambda entry: entry[0]):
        try:
            with session.begin_nested():
                resolve_member(session, principal, member, channel)
        except DomainError:
            continue
