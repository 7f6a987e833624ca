"""Bulk writes of refunds for history imports: a batch of refunds in a few statements, under the
same rules as :func:`~memberops.activity.refunds.refund_order` (one by one, each refund costs an
order lookup, a lock, a guarded update, an insert, a stats refresh and the reactions of tiers
and points: ~15 ms on PostgreSQL, half an hour of a ten-million-line import).

What is the same as the per-refund path: a refund names its order by external id (an unknown
one is refused with ``orders.not_found``); a refund id already stored on that order is a replay
when its content hash (:func:`~memberops.activity.common.content_hash` of the ``RefundCreate``)
matches and a conflict otherwise, and a repeated one within the batch is judged against its
first occurrence, as if sent one after the other; a refund without an amount takes the rest of
the order; none may take the order's refunded total past its paid amount (``exceeds``); the
members are row-locked in the one lock order first, so the amounts left read after the lock
stay true until the transaction ends (every writer of ``refunded_cents`` locks the member);
each new refund publishes ``OrderRefunded``, marked ``historical``; stats go through
``stats.refresh`` (deferred by the import). Callers own the transaction and the batch size.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, update
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.bulk import chunks
from memberops.activity.common import content_hash
from memberops.activity.errors import OrderNotFound
from memberops.activity.events import OrderRefunded
from memberops.activity.models import Order, OrderStatus, Refund
from memberops.activity.refunds import conflict, exceeds
from memberops.activity.schemas import RefundCreate
from memberops.kernel import clock
from memberops.kernel.db import insert_returning_ids
from memberops.kernel.errors import DomainError
from memberops.kernel.events import publish
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, tenant_scope

#: A refund as a history file gives it: the order's external id and the refund.
RefundItem = tuple[str, RefundCreate]


@dataclass
class RefundsResult:
    """What one batch did; ``refused`` holds (position in the batch, reason) for refunds not
    stored."""

    created: int = 0
    replayed: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Order:
    """What the batch needs of an order: its ids and what is left to refund."""

    id: int
    member_id: int
    external_id: str
    amount_cents: int
    refunded_cents: int


def _orders(session: Session, principal: Principal, external_ids: list[str]) -> dict[str, _Order]:
    """External id -> the order as stored now, one query per IN list."""
    columns = (Order.id, Order.member_id, Order.external_id, Order.amount_cents)
    found: dict[str, _Order] = {}
    for part in chunks(external_ids):
        query = tenant_scope(principal, Order).where(Order.external_id.in_(part))
        for row in session.execute(query.with_only_columns(*columns, Order.refunded_cents)):
            found[row.external_id] = _Order(*row)
    return found


def _stored(session: Session, principal: Principal, order_ids: list[int]) -> dict[Any, str]:
    """(order id, refund id) -> content hash of the refunds already stored on these orders."""
    found: dict[Any, str] = {}
    for part in chunks(order_ids):
        query = tenant_scope(principal, Refund).where(Refund.order_id.in_(part))
        columns = (Refund.order_id, Refund.external_id, Refund.content_hash)
        found.update({(o, e): d for o, e, d in session.execute(query.with_only_columns(*columns))})
    return found


def _locked_orders(
    session: Session, principal: Principal, items: Sequence[RefundItem]
) -> dict[str, _Order]:
    """The batch's orders, read again once their members are locked: a refund of another writer
    may have changed them before the lock, and a merge may have moved one to another member,
    who is then locked too."""
    external_ids = sorted({order_id for order_id, _ in items})
    orders = _orders(session, principal, external_ids)
    locked: set[int] = set()
    while wanted := {order.member_id for order in orders.values()} - locked:
        lock_members(session, principal, wanted)
        locked |= wanted
        orders = _orders(session, principal, external_ids)
    return orders


def _row(
    principal: Principal, order: _Order, body: RefundCreate, digest: str, amount: int
) -> dict[str, Any]:
    return {
        "tenant_id": principal.tenant_id,
        "order_id": order.id,
        "member_id": order.member_id,
        "external_id": body.refund_id,
        "content_hash": digest,
        "amount_cents": amount,
        "refunded_at": (body.refunded_at or clock.now()).astimezone(UTC),
        "reason": body.reason,
        "created_at": clock.now(),
    }


def _judge(
    principal: Principal,
    items: Sequence[RefundItem],
    orders: dict[str, _Order],
    stored: dict[Any, str],
    result: RefundsResult,
) -> list[tuple[_Order, dict[str, Any]]]:
    """The rows of the refunds to store, in the batch's order; replays counted, refusals noted
    (each refund after the ones before it, as if sent one after the other)."""
    rows: list[tuple[_Order, dict[str, Any]]] = []
    for position, (order_external_id, body) in enumerate(items):
        digest = content_hash(body)
        try:
            order = orders.get(order_external_id)
            if order is None:
                raise OrderNotFound(
                    f"No order {order_external_id!r} in this tenant.",
                    external_id=order_external_id,
                )
            known = stored.get((order.id, body.refund_id))
            if known is not None:
                if known != digest:
                    raise conflict(body.refund_id)
                result.replayed += 1
                continue
            left = order.amount_cents - order.refunded_cents
            amount = left if body.amount is None else body.amount
            if amount <= 0 or amount > left:
                raise exceeds(order_external_id, left)
        except DomainError as refusal:
            result.refused.append((position, refusal.detail))
            continue
        order.refunded_cents += amount
        stored[order.id, body.refund_id] = digest
        rows.append((order, _row(principal, order, body, digest, amount)))
    return rows


def _apply(
    session: Session, principal: Principal, rows: list[tuple[_Order, dict[str, Any]]]
) -> None:
    """Add each order's new refunds to its refunded total by SQL expression, one UPDATE
    executed many. No guard is needed: the amounts were judged under the members' locks, which
    every writer of ``refunded_cents`` takes first."""
    added: dict[int, int] = defaultdict(int)
    for order, row in rows:
        added[order.id] += row["amount_cents"]
    orders = cast(Table, Order.__table__)
    total = orders.c.refunded_cents + bindparam("added")
    statement = (
        update(orders)
        .where(orders.c.id == bindparam("order"), orders.c.tenant_id == principal.tenant_id)
        .values(
            refunded_cents=total,
            status=case(
                (total == orders.c.amount_cents, OrderStatus.refunded.value),
                else_=OrderStatus.partially_refunded.value,
            ),
        )
    )
    params = [{"order": order_id, "added": amount} for order_id, amount in sorted(added.items())]
    session.execute(statement, params)


def record_refunds(
    session: Session, principal: Principal, items: Sequence[RefundItem]
) -> RefundsResult:
    """Store the refunds of ``items`` not stored yet, replaying or refusing the others as
    ``refund_order`` would; in the caller's transaction."""
    result = RefundsResult()
    if not items:
        return result
    orders = _locked_orders(session, principal, items)
    stored = _stored(session, principal, sorted(order.id for order in orders.values()))
    rows = _judge(principal, items, orders, stored, result)
    if not rows:
        return result
    _apply(session, principal, rows)
    ids = insert_returning_ids(session, cast(Table, Refund.__table__), [row for _, row in rows])
    result.created = len(ids)
    stats.refresh(session, principal.tenant_id, sorted({order.member_id for order, _ in rows}))
    for (order, row), refund_id in zip(rows, ids, strict=True):
        refunded = OrderRefunded(
            principal.tenant_id,
            order.member_id,
            order.id,
            refund_id,
            row["amount_cents"],
            historical=True,
        )
        publish(session, refunded)
    return result
