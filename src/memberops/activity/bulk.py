"""Bulk writes for file imports: many orders in one statement per table, under the same rules as
:func:`~memberops.activity.orders.record_order` (one per order costs ~5 ms in resolve and
inserts; a history file holds millions of lines).

What is the same as the per-order path: each order belongs to the member its identities resolve
to (``identity.service.resolve_member``, once per distinct identity set of the batch, so members
are created or merged exactly as ``POST /orders`` would; an identity set that is wholly new,
with no identity stored or shared with another set of the batch, gets the member, identities and
two audit rows ``resolve_member`` would write, in one executemany INSERT per table — at 2-5 ms a
member, one by one, new customers were half of a large import's time); an order whose external
id is already stored is a replay when its content hash matches and a conflict otherwise; the
content hash is :func:`~memberops.activity.common.content_hash` of the ``OrderCreate`` the API
would have been sent, so an API replay of an imported order is recognised as the same order;
each new order publishes ``OrderPaid`` (marked ``historical``: a bulk load of the past); stats
are refreshed through ``stats.refresh`` (once per batch, or per import, under
``stats.deferred``). Refunds go through :func:`~memberops.activity.refunds.refund_order` itself,
which keeps the guarded ``refunded_cents`` update.

What differs: the API's 500-lines-per-order cap is a guard on HTTP bodies, not a rule about
orders (UCI invoices reach ~1,100 lines), so it is not applied here; every field is still
validated as the API validates it. Callers own the transaction and batch sizes.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.common import content_hash
from memberops.activity.errors import OrderConflict
from memberops.activity.events import OrderPaid
from memberops.activity.models import Order, OrderLine, OrderStatus
from memberops.activity.orders import address_key
from memberops.activity.schemas import EventCreate, LineCreate, MemberRef, OrderCreate
from memberops.identity import service as identity
from memberops.identity.models import Identity, IdentityType
from memberops.identity.normalise import IdentityKey, keys_of
from memberops.identity.schemas import IdentityIn, MemberUpsert
from memberops.kernel import clock
from memberops.kernel.db import insert_returning_ids, insert_rows
from memberops.kernel.events import publish
from memberops.members.models import Member
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.models import AuditEntry

_LINES = TypeAdapter(list[LineCreate])
#: Bound parameters per IN list: well under SQLite's and PostgreSQL's limits.
_IN_LIMIT = 900


@dataclass
class BulkResult:
    """What one batch did; ``refused`` holds (order body, reason) for orders not stored."""

    created: int = 0
    replayed: int = 0
    customers_created: int = 0
    refused: list[tuple[OrderCreate, str]] = field(default_factory=list)


def identity_in(key: IdentityKey) -> IdentityIn:
    """The request form of a normalised identity key (its scope is an app for WeChat openids,
    a channel otherwise)."""
    kind, scope, value = key
    if kind == IdentityType.wechat_openid:
        return IdentityIn(type=kind, value=value, app=scope or None)
    return IdentityIn(type=kind, value=value, channel=scope or None)


def order_body(document: dict[str, Any]) -> OrderCreate:
    """``document`` validated as ``POST /orders`` validates it, lines without the 500 cap."""
    lines = _LINES.validate_python(document.get("lines", []))
    head = OrderCreate.model_validate({**document, "lines": []})
    return head.model_copy(update={"lines": lines})


def chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """``values`` in slices that fit one IN list."""
    for start in range(0, len(values), _IN_LIMIT):
        yield values[start : start + _IN_LIMIT]


def _stored(session: Session, principal: Principal, ids: list[str]) -> dict[str, str]:
    """External id -> content hash of the orders already stored, one query per 900 ids."""
    found: dict[str, str] = {}
    for part in chunks(ids):
        query = tenant_scope(principal, Order).where(Order.external_id.in_(part))
        rows = session.execute(query.with_only_columns(Order.external_id, Order.content_hash))
        found.update({str(e): str(d) for e, d in rows})
    return found


def _keys(body: OrderCreate | EventCreate, region: str) -> tuple[IdentityKey, ...]:
    """The body's normalised identity keys, sorted: what two bodies of one member share."""
    return tuple(sorted(keys_of(body.member.identities, region)))


def _owners(session: Session, principal: Principal, keys: set[IdentityKey]) -> dict[Any, int]:
    """Identity key -> member id for the keys already stored: per identity type and scope, one
    ``value IN`` query per 900 values, each value a probe of the unique index. (As one IN list
    of (type, scope, value) rows, PostgreSQL took 0.7 s to plan each 900-row lookup, its 900
    ORs, at 200,000 lines.)"""
    wanted: dict[tuple[IdentityType, str], list[str]] = defaultdict(list)
    for type_, scope, value in sorted(keys):
        wanted[type_, scope].append(value)
    owners: dict[Any, int] = {}
    for (type_, scope), values in wanted.items():
        scoped = tenant_scope(principal, Identity).where(
            Identity.type == type_, Identity.scope == scope
        )
        for part in chunks(values):
            query = scoped.where(Identity.value.in_(part))
            rows = session.execute(query.with_only_columns(Identity.value, Identity.member_id))
            owners.update({(type_, scope, value): member for value, member in rows})
    return owners


Group = tuple[IdentityKey, ...]


def _wholly_new(
    wanted: dict[Group, OrderCreate | EventCreate], owners: dict[Any, int]
) -> dict[Group, OrderCreate | EventCreate]:
    """The identity sets none of whose identities is stored or in another set of the batch."""
    sets = Counter(key for group in wanted for key in group)
    return {
        group: body
        for group, body in wanted.items()
        if all(key not in owners and sets[key] == 1 for key in group)
    }


def _audit_rows(
    principal: Principal, group: Group, body: OrderCreate | EventCreate, member_id: int
) -> list[dict[str, Any]]:
    """The two audit rows ``resolve_member`` writes for a member it creates, in its order."""
    added = [f"{t.value}:{s + ':' if s else ''}{v}" for t, s, v in group]
    common = {"tenant_id": principal.tenant_id, "actor": principal.actor, "at": clock.now()}
    common |= {"entity_type": "member", "entity_id": str(member_id), "before": None}
    return [
        {"action": "member.identities", "after": {"added": added}, **common},
        {"action": "member.create", "after": {"first_channel": body.channel}, **common},
    ]


def _create_members(
    session: Session, principal: Principal, new: dict[Group, OrderCreate | EventCreate]
) -> dict[Group, int]:
    """A member per wholly new identity set, as ``resolve_member`` creates one, in one INSERT
    per table; none when a concurrent writer stored one of the identities meanwhile (the
    caller then resolves them one by one)."""
    if not new:
        return {}
    now = clock.now()
    rows = [
        {"tenant_id": principal.tenant_id, "first_channel": body.channel, "is_registered": False}
        | {"custom": {}, "created_at": now, "updated_at": now}
        for body in new.values()
    ]
    members = cast(Table, Member.__table__)
    try:
        with session.begin_nested():
            ids = dict(zip(new, insert_returning_ids(session, members, rows), strict=True))
            identities = [
                {"tenant_id": principal.tenant_id, "member_id": ids[group], "type": t, "scope": s}
                | {"value": v, "source": body.channel or principal.actor, "created_at": now}
                for group, body in new.items()
                for t, s, v in group
            ]
            insert_rows(session, cast(Table, Identity.__table__), identities)
            audits = [
                row
                for group, body in new.items()
                for row in _audit_rows(principal, group, body, ids[group])
            ]
            insert_rows(session, cast(Table, AuditEntry.__table__), audits)
    except IntegrityError:
        return {}
    return ids


def members_for(
    session: Session, principal: Principal, bodies: Sequence[OrderCreate | EventCreate]
) -> tuple[list[int], int]:
    """Member id per distinct identity set: one lookup for all; an identity set owned by one
    member as a whole is that member, wholly new sets are created together
    (:func:`_create_members`), any other goes through ``resolve_member`` (create, attach or
    merge, with its audit rows) once. A merge may absorb a member found by the lookup or
    resolved earlier in the batch, so after one every set is looked up again.
    Returns each body's member id, in order, and how many members were created (orders and
    events both carry ``member`` and ``channel``, resolved alike)."""
    region = principal.phone_region
    groups = [_keys(body, region) for body in bodies]
    wanted = dict(zip(groups, bodies, strict=True))
    every = {key for group in wanted for key in group}
    owners = _owners(session, principal, every)
    resolved = _create_members(session, principal, _wholly_new(wanted, owners))
    merged = False
    created_count = len(resolved)
    for group, body in wanted.items():
        if group in resolved or (len({owners.get(k) for k in group}) == 1 and group[0] in owners):
            continue
        request = MemberUpsert(identities=body.member.identities, channel=body.channel)
        member, created, merges = identity.resolve_member(session, principal, request)
        resolved[group] = member.id
        created_count += created
        merged = merged or bool(merges)
    if merged:  # a merge may absorb a member resolved or looked up before it: read again
        owners = _owners(session, principal, every)
        resolved = {}
    for group in wanted:
        if group not in resolved:
            resolved[group] = owners[group[0]]
    return [resolved[group] for group in groups], created_count


def _order_row(principal: Principal, body: OrderCreate, member_id: int) -> dict[str, Any]:
    address = body.shipping_address
    return {
        "tenant_id": principal.tenant_id,
        "member_id": member_id,
        "external_id": body.external_id,
        "content_hash": content_hash(body),
        "channel": body.channel,
        "store": body.store,
        "paid_at": body.paid_at.astimezone(UTC),
        "amount_cents": body.amount,
        "list_amount_cents": body.amount if body.list_amount is None else body.list_amount,
        "is_promotion": body.is_promotion,
        "shipping_address": address.model_dump(exclude_none=True) if address else None,
        "address_key": address_key(address),
        "payment_method": body.payment_method,
        "payment_account": body.payment_account,
        "refunded_cents": 0,
        "status": OrderStatus.paid.value,
        "created_at": clock.now(),
    }


def _line_rows(
    principal: Principal, body: OrderCreate, order_id: int, member_id: int
) -> Iterable[dict[str, Any]]:
    for line in body.lines:
        yield {
            "tenant_id": principal.tenant_id,
            "order_id": order_id,
            "member_id": member_id,
            "sku": line.sku,
            "name": line.name,
            "category": line.category,
            "unit_price_cents": line.unit_price,
            "list_price_cents": line.unit_price if line.list_price is None else line.list_price,
            "quantity": line.quantity,
            "is_new_product": line.is_new_product,
            "is_gift_wrap": line.is_gift_wrap,
        }


def _insert(
    session: Session, principal: Principal, new: list[tuple[OrderCreate, int]]
) -> list[int]:
    """Insert the orders (ids returned in order) and then all their lines, each table by the
    database's bulk path: the ORM's bulk layer adds nothing here but time."""
    rows = [_order_row(principal, body, member_id) for body, member_id in new]
    ids = insert_returning_ids(session, cast(Table, Order.__table__), rows)
    lines = (
        row
        for (body, member_id), order_id in zip(new, ids, strict=True)
        for row in _line_rows(principal, body, order_id, member_id)
    )
    insert_rows(session, cast(Table, OrderLine.__table__), lines)
    return ids


def record_orders(session: Session, principal: Principal, bodies: list[OrderCreate]) -> BulkResult:
    """Store the orders of ``bodies`` not stored yet (external ids unique within the list),
    replaying or refusing the others as ``record_order`` would; in the caller's transaction.

    Members are row-locked in the one lock order before their orders go in, as ``record_order``
    does, so concurrent API writes for the same members refresh stats one after the other."""
    result = BulkResult()
    stored = _stored(session, principal, [body.external_id for body in bodies])
    fresh = []
    for body in bodies:
        digest = stored.get(body.external_id)
        if digest is None:
            fresh.append(body)
        elif digest == content_hash(body):
            result.replayed += 1
        else:
            conflict = OrderConflict(
                f"Order {body.external_id!r} was already recorded with different content.",
                external_id=body.external_id,
            )
            result.refused.append((body, conflict.detail))
    if not fresh:
        return result
    members, result.customers_created = members_for(session, principal, fresh)
    new = list(zip(fresh, members, strict=True))
    lock_members(session, principal, {member_id for _, member_id in new})
    ids = _insert(session, principal, new)
    result.created = len(ids)
    stats.refresh(session, principal.tenant_id, sorted({member_id for _, member_id in new}))
    for (body, member_id), order_id in zip(new, ids, strict=True):
        publish(
            session,
            OrderPaid(
                principal.tenant_id,
                member_id,
                order_id,
                body.external_id,
                body.amount,
                historical=True,
            ),
        )
    return result


def member_ref(keys: Iterable[IdentityKey]) -> MemberRef:
    return MemberRef(identities=[identity_in(key) for key in keys])
