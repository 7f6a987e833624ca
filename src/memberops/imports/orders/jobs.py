"""The order import job: read a history file chunk by chunk and write it in batches, each batch
its own transaction, so a crash loses nothing already written and running the same file again
carries on (stored orders and refunds replay as no-ops: their external ids are unique per
tenant).

Within a chunk, orders are written before refunds (a refund may name an order of the same
chunk). Both go through the activity room's bulk paths (``activity.bulk.record_orders``,
``activity.bulk_refunds.record_refunds``), under the API's rules.

Stats are refreshed once, at the end, for every member the import touched
(``stats.refresh_many``; the whole tenant in one statement when they are many). A refresh per
batch would rank all the tenant's SKUs again each time (the top-decile figure is tenant-wide):
on the UCI file 59 such refreshes took 3.4 s of a 34 s import, and at ten million lines they
would dominate; ranked once at the end, every member's figures are also as of one SKU ranking.
An import that stops early leaves the stats of what it wrote stale until it is run again (the
rerun's replays trigger a whole-tenant rebuild) or ``memberops recompute stats`` runs.

On PostgreSQL the job runs ``ANALYZE`` each time the rows read double (:func:`_analysed`).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity import stats
from memberops.activity.bulk import member_ref, order_body, record_orders
from memberops.activity.bulk_refunds import RefundItem, record_refunds
from memberops.activity.events import HistoryLoaded
from memberops.activity.money import to_yuan
from memberops.activity.schemas import OrderCreate, RefundCreate
from memberops.imports.orders.parsed import (
    REFRESHING_STATS,
    Chunk,
    ParsedOrder,
    ParsedRefund,
    Progress,
)
from memberops.imports.orders.read import CHUNK_ROWS, read_orders
from memberops.imports.rows import Problem
from memberops.kernel.db import is_postgresql
from memberops.kernel.errors import DomainError
from memberops.kernel.events import publish
from memberops.tenancy.access import Permission, Principal

T = TypeVar("T")
#: Rows read before the first ``ANALYZE`` (PostgreSQL).
ANALYZE_FROM = 10_000


def _quiet(stage: str, done: int, total: int) -> None:
    """The progress of a caller that does not watch."""


@dataclass
class OrdersOutcome:
    """What an order import did; ``problems`` is the row-level report, sorted by row."""

    rows: int = 0
    orders_created: int = 0
    orders_replayed: int = 0
    refunds_created: int = 0
    refunds_replayed: int = 0
    customers_created: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({problem.row for problem in self.problems})

    def refuse(self, rows: Sequence[int], value: str, reason: str) -> None:
        self.problems += [Problem(row, "", value, reason) for row in rows]


def _batches(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _document(order: ParsedOrder) -> dict[str, Any]:
    """The ``POST /orders`` body the file's order amounts to (money as yuan strings)."""
    return {
        "external_id": order.external_id,
        "member": member_ref(order.identities),
        "channel": order.channel,
        "store": order.store,
        "paid_at": order.paid_at,
        "amount": to_yuan(order.amount_cents),
        "list_amount": to_yuan(order.list_amount_cents),
        "lines": [
            {
                "sku": line.sku,
                "name": line.name,
                "category": line.category,
                "unit_price": to_yuan(line.unit_price_cents),
                "list_price": to_yuan(line.list_price_cents),
                "quantity": line.quantity,
                "is_new_product": line.is_new_product,
                "is_gift_wrap": line.is_gift_wrap,
            }
            for line in order.lines
        ],
    }


def _bodies(orders: Sequence[ParsedOrder], outcome: OrdersOutcome) -> list[OrderCreate]:
    """The orders as the API validates them; one that fails is reported on all its rows."""
    bodies: list[OrderCreate] = []
    for order in orders:
        try:
            bodies.append(order_body(_document(order)))
        except (ValidationError, DomainError) as exc:
            outcome.refuse(order.rows, order.external_id, str(exc).splitlines()[0])
    return bodies


def _write_orders(
    session: Session, principal: Principal, orders: Sequence[ParsedOrder], outcome: OrdersOutcome
) -> None:
    bodies = _bodies(orders, outcome)
    result = record_orders(session, principal, bodies)
    outcome.orders_created += result.created
    outcome.orders_replayed += result.replayed
    outcome.customers_created += result.customers_created
    rows = {order.external_id: order.rows for order in orders}
    for body, reason in result.refused:
        outcome.refuse(rows[body.external_id], body.external_id, reason)


def _write_refunds(
    session: Session, principal: Principal, refunds: Sequence[ParsedRefund], outcome: OrdersOutcome
) -> None:
    """The refunds through the bulk path; a refused one (its order was refused, it would pass
    the paid amount, its id was used with another amount) is reported on its rows."""
    items: list[RefundItem] = []
    read: list[ParsedRefund] = []
    for refund in refunds:
        try:
            body = RefundCreate(
                refund_id=refund.refund_id,
                amount=to_yuan(refund.amount_cents),
                refunded_at=refund.refunded_at,
            )
        except ValidationError as exc:
            outcome.refuse(refund.rows, refund.refund_id, str(exc).splitlines()[0])
            continue
        items.append((refund.order_external_id, body))
        read.append(refund)
    result = record_refunds(session, principal, items)
    outcome.refunds_created += result.created
    outcome.refunds_replayed += result.replayed
    for position, reason in result.refused:
        outcome.refuse(read[position].rows, read[position].refund_id, reason)


def _write_chunk(
    factory: sessionmaker[Session],
    principal: Principal,
    chunk: Chunk,
    batch_size: int,
    outcome: OrdersOutcome,
    touched: set[int],
) -> None:
    tenant = principal.tenant_id
    for orders in _batches(chunk.orders, batch_size):
        with factory.begin() as session, stats.deferred(session, tenant, into=touched):
            _write_orders(session, principal, orders, outcome)
    for refunds in _batches(chunk.refunds, batch_size):
        with factory.begin() as session, stats.deferred(session, tenant, into=touched):
            _write_refunds(session, principal, refunds, outcome)


def _analysed(factory: sessionmaker[Session], rows: int, last: int) -> int:
    """``ANALYZE`` on PostgreSQL once ``rows`` read is twice the ``last`` analysed (or
    :data:`ANALYZE_FROM`); returns the rows as of the latest one.

    Each batch looks up stored orders, identities and members to lock with the plans the
    statistics give, and the tables this import fills were last analysed nearly empty (or never:
    autovacuum analyses late, or not at all when it is off). Each lookup then reads the tenant's
    whole table (``Rows Removed by Filter``), so batches slow down as the tables grow: measured
    at 200,000 lines, an identity lookup of 900 phones took 371 ms instead of 25 ms. Doubling
    keeps the plans on the indexes in about log2(lines / 10,000) runs; the whole database is
    analysed, as rooms react to the import's events in tables of their own (tiers)."""
    if rows < max(ANALYZE_FROM, 2 * last):
        return last
    with factory.begin() as session:
        if is_postgresql(session):
            session.execute(text("ANALYZE"))
    return rows


def _refresh_stats(
    factory: sessionmaker[Session], principal: Principal, outcome: OrdersOutcome, touched: set[int]
) -> None:
    """The touched members' stats (the whole tenant's after replays: a rerun of an import that
    stopped early, whose written batches were never refreshed), then ``HistoryLoaded`` so rooms
    that skip historical orders (tiers) settle the same members."""
    whole = bool(outcome.orders_replayed or outcome.refunds_replayed)
    if not (whole or touched):
        return
    with factory.begin() as session:
        if whole:
            stats.refresh(session, principal.tenant_id)
        else:
            stats.refresh_many(session, principal.tenant_id, touched)
        many = whole or len(touched) > stats.REBUILD_ABOVE
        members = None if many else tuple(sorted(touched))
        publish(session, HistoryLoaded(principal.tenant_id, members))


def import_orders(
    factory: sessionmaker[Session],
    principal: Principal,
    path: Path,
    preset: str,
    *,
    timezone: str | None = None,
    batch_size: int = 1000,
    chunk_rows: int = CHUNK_ROWS,
    progress: Progress = _quiet,
) -> OrdersOutcome:
    """Import the orders and refunds of ``path`` read with ``preset``, ``batch_size`` orders
    (or refunds) per transaction. Times without an offset are read in ``timezone``, by default
    the tenant's for ``generic`` and the preset's zone for ``uci`` and ``cdnow``. An unknown
    preset, an unreadable file or missing columns raise before anything is written."""
    principal.require(Permission.imports_run)
    zone = timezone or (principal.timezone if preset == "generic" else None)
    chunks = read_orders(
        path,
        preset,
        timezone=zone,
        region=principal.phone_region,
        chunk_rows=chunk_rows,
        progress=progress,
    )
    outcome = OrdersOutcome()
    touched: set[int] = set()
    analysed = 0
    for chunk in chunks:
        outcome.rows += chunk.rows
        outcome.problems += chunk.problems
        _write_chunk(factory, principal, chunk, batch_size, outcome, touched)
        analysed = _analysed(factory, outcome.rows, analysed)
    progress(REFRESHING_STATS, 0, 1)
    _refresh_stats(factory, principal, outcome, touched)
    progress(REFRESHING_STATS, 1, 1)
    outcome.problems.sort(key=lambda problem: problem.row)
    return outcome
