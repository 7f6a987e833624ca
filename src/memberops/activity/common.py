"""What orders and events share: resolving the member by identities, and telling a replay from
a different request reusing an external id (a digest of the request's content)."""

import hashlib
import json

from pydantic import BaseModel
from sqlalchemy.orm import Session

from memberops.activity.schemas import MemberRef
from memberops.identity import service as identity
from memberops.identity.schemas import MemberUpsert
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
