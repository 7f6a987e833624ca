"""Template fields that a room above messaging fills for a member (``recommended_products``
from ``recommendations``): messaging may not import those rooms, so ``wiring`` registers each
one's provider here, and a message names the field without its caller having to fill it.

A provider is asked only when a template names its field, the message has a member and the
caller left the field empty; it answers for many members at once (a map from member id), so a
campaign's bulk send (``bulk.insert_rendered``) asks it once per chunk of members."""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from memberops.messaging.templates import FIELDS, MessageContext

#: ``(session, tenant_id, member_ids) -> {member_id: value}``.
Provider = Callable[[Session, int, Sequence[int]], dict[int, Any]]

_PROVIDERS: dict[str, Provider] = {}


def provide(field: str, provider: Provider) -> None:
    """Fill ``field`` (one of the templates' :data:`FIELDS`) with ``provider``."""
    if field not in FIELDS:
        raise ValueError(f"{field!r} is not a template field")
    _PROVIDERS[field] = provider


def asked(context: MessageContext, used: set[str]) -> dict[str, Provider]:
    """The providers of the fields the templates use (``used``) and ``context`` left empty:
    a template naming one reads differently for each member."""
    return {f: p for f, p in _PROVIDERS.items() if f in used and not getattr(context, f)}


def for_members(
    session: Session,
    tenant_id: int,
    context: MessageContext,
    member_ids: Sequence[int],
    used: set[str],
) -> dict[int, dict[str, Any]]:
    """Per member, the values of the :func:`asked` fields that their provider found for them;
    each provider is asked once for all the members (a campaign's chunk, or one member)."""
    found: dict[int, dict[str, Any]] = {member_id: {} for member_id in member_ids}
    for field, provider in asked(context, used).items():
        for member_id, value in provider(session, tenant_id, member_ids).items():
            if value and member_id in found:
                found[member_id][field] = value
    return found


def fill(
    session: Session,
    tenant_id: int,
    context: MessageContext,
    member_id: int | None,
    used: set[str],
) -> MessageContext:
    """``context`` with each provided field the templates use, and the caller left empty,
    filled in for the member."""
    if member_id is None:
        return context
    found = for_members(session, tenant_id, context, [member_id], used)
    return context.model_copy(update=found[member_id])
