"""The ledger's mechanics, shared by every points verb: lock an account, post an entry, add a
lot, take from lots oldest-expiry first, expire a member's due lots.

Every write to a member's points first takes :func:`lock_account` (the account row, after any
member rows: members › points_accounts), so one member's operations run one at a time and a
balance check cannot race a debit. Balances change only by SQL expression, together with the
entry that explains the change; ``balance_after`` is read back from that same statement.
"""

import calendar
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.loyalty.points.errors import PointsInsufficient
from memberops.loyalty.points.models import EntryKind, PointsAccount, PointsEntry, PointsLot
from memberops.members.service import get_member
from memberops.tenancy.access import Principal, tenant_scope


def lock_account(session: Session, principal: Principal, member_id: int) -> PointsAccount:
    """The member's account, created when missing and row-locked (PostgreSQL; SQLite already
    runs one writer at a time) until the transaction ends: the one way to touch an account.
    Another tenant's member, or none, is a 404 ``members.not_found``."""
    get_member(session, principal, member_id)
    dialect = postgresql if is_postgresql(session) else sqlite
    row = {"tenant_id": principal.tenant_id, "member_id": member_id, "balance": 0, "debt": 0}
    session.execute(
        dialect.insert(PointsAccount).values(**row, updated_at=clock.now()).on_conflict_do_nothing()
    )
    query = tenant_scope(principal, PointsAccount).where(PointsAccount.member_id == member_id)
    if is_postgresql(session):
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one()


def balance_of(session: Session, principal: Principal, member_id: int) -> int:
    query = select(PointsAccount.balance).where(
        PointsAccount.tenant_id == principal.tenant_id, PointsAccount.member_id == member_id
    )
    return session.scalar(query) or 0


def dedupe_used(session: Session, principal: Principal, dedupe_key: str) -> bool:
    query = select(PointsEntry.id).where(
        PointsEntry.tenant_id == principal.tenant_id, PointsEntry.dedupe_key == dedupe_key
    )
    return session.scalar(query) is not None


def _balance_change(principal: Principal, member_id: int, points: int) -> Any:
    """``UPDATE points_accounts SET balance = balance + points … RETURNING balance``."""
    return (
        update(PointsAccount)
        .where(PointsAccount.tenant_id == principal.tenant_id, PointsAccount.member_id == member_id)
        .values(balance=PointsAccount.balance + points, updated_at=clock.now())
        .returning(PointsAccount.balance)
        .execution_options(synchronize_session=False)
    )


def _append(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    points: int,
    balance_after: int,
    **details: Any,
) -> PointsEntry:
    entry = PointsEntry(
        tenant_id=principal.tenant_id,
        member_id=member_id,
        kind=kind,
        points=points,
        balance_after=balance_after,
        actor=principal.actor,
        occurred_at=clock.now(),
        **details,
    )
    session.add(entry)
    session.flush()
    return entry


def post(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    points: int,
    **details: Any,
) -> PointsEntry:
    """Append an entry changing the (locked) account by ``points`` (``details``: order_id,
    dedupe_key, reference, reason). May take the balance below zero: only reversals and
    expiries post a negative amount; spending goes through :func:`debit`."""
    balance_after = session.execute(_balance_change(principal, member_id, points)).scalar_one()
    return _append(session, principal, member_id, kind, points, balance_after, **details)


def post_once(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    points: int,
    *,
    dedupe_key: str,
    **details: Any,
) -> PointsEntry | None:
    """:func:`post`, or None changing nothing when ``dedupe_key`` was already used in the
    tenant (also by a racing transaction: the unique constraint decides)."""
    if dedupe_used(session, principal, dedupe_key):
        return None
    try:
        with session.begin_nested():
            return post(
                session, principal, member_id, kind, points, dedupe_key=dedupe_key, **details
            )
    except IntegrityError:
        return None


def debit(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    points: int,
    *,
    reference: str | None = None,
    reason: str | None = None,
) -> PointsEntry:
    """Take ``points`` from the (locked, expired-up-to-now) account and its lots oldest-expiry
    first; 409 ``points.insufficient`` when the balance is short (the guard is in the UPDATE,
    so a balance never goes below zero this way)."""
    guarded = _balance_change(principal, member_id, -points).where(PointsAccount.balance >= points)
    balance_after = session.execute(guarded).scalar_one_or_none()
    if balance_after is None:
        balance = balance_of(session, principal, member_id)
        raise PointsInsufficient(
            f"Member {member_id} has {balance} points; {points} were asked for.",
            balance=balance,
            requested=points,
        )
    take_from_lots(session, principal, member_id, points)
    return _append(
        session,
        principal,
        member_id,
        kind,
        -points,
        balance_after,
        reference=reference,
        reason=reason,
    )


def add_months(moment: datetime, months: int, timezone: str) -> datetime:
    """``moment`` plus calendar ``months`` in the tenant's timezone (Jan 31 + 1 → Feb 28/29)."""
    local = moment.astimezone(ZoneInfo(timezone))
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(moment.tzinfo)


def add_lot(
    session: Session,
    principal: Principal,
    entry: PointsEntry,
    expiry_months: int,
    order_id: int | None = None,
) -> PointsLot:
    """The lot of an incoming entry, expiring ``expiry_months`` after the entry; any debt is
    paid off from it first (the lot keeps only what is left)."""
    debt = session.scalar(
        select(PointsAccount.debt).where(
            PointsAccount.tenant_id == principal.tenant_id,
            PointsAccount.member_id == entry.member_id,
        )
    )
    paid = min(debt or 0, entry.points)
    if paid:
        session.execute(
            update(PointsAccount)
            .where(
                PointsAccount.tenant_id == principal.tenant_id,
                PointsAccount.member_id == entry.member_id,
                PointsAccount.debt >= paid,
            )
            .values(debt=PointsAccount.debt - paid)
            .execution_options(synchronize_session=False)
        )
    lot = PointsLot(
        tenant_id=principal.tenant_id,
        member_id=entry.member_id,
        entry_id=entry.id,
        order_id=order_id,
        points=entry.points,
        remaining=entry.points - paid,
        earned_at=entry.occurred_at,
        expires_at=add_months(entry.occurred_at, expiry_months, principal.timezone),
    )
    session.add(lot)
    session.flush()
    return lot


def take_from_lots(
    session: Session,
    principal: Principal,
    member_id: int,
    points: int,
    order_id: int | None = None,
) -> int:
    """Take up to ``points`` from the member's unexpired lots, ``order_id``'s own lots first,
    then oldest expiry first; returns how many were taken."""
    query = select(PointsLot.id, PointsLot.remaining).where(
        PointsLot.tenant_id == principal.tenant_id,
        PointsLot.member_id == member_id,
        PointsLot.remaining > 0,
        PointsLot.expires_at > clock.now(),
    )
    oldest_first: list[Any] = [PointsLot.expires_at, PointsLot.id]
    if order_id is not None:
        oldest_first.insert(0, case((PointsLot.order_id == order_id, 0), else_=1))
    taken = 0
    for lot_id, remaining in session.execute(query.order_by(*oldest_first)).all():
        part = min(remaining, points - taken)
        session.execute(
            update(PointsLot)
            .where(PointsLot.tenant_id == principal.tenant_id, PointsLot.id == lot_id)
            .where(PointsLot.remaining >= part)
            .values(remaining=PointsLot.remaining - part)
            .execution_options(synchronize_session=False)
        )
        taken += part
        if taken == points:
            break
    return taken


def expire_member(session: Session, principal: Principal, member_id: int) -> int:
    """Expire the (locked) member's lots whose expiry has come, one ``expire`` entry per lot;
    returns the points expired."""
    due = select(PointsLot.id, PointsLot.remaining).where(
        PointsLot.tenant_id == principal.tenant_id,
        PointsLot.member_id == member_id,
        PointsLot.remaining > 0,
        PointsLot.expires_at <= clock.now(),
    )
    expired = 0
    for lot_id, remaining in session.execute(
        due.order_by(PointsLot.expires_at, PointsLot.id)
    ).all():
        entry = post_once(
            session,
            principal,
            member_id,
            EntryKind.expire,
            -remaining,
            dedupe_key=f"expire:lot:{lot_id}",
            reference=f"lot:{lot_id}",
        )
        if entry is None:
            continue
        session.execute(
            update(PointsLot)
            .where(PointsLot.tenant_id == principal.tenant_id, PointsLot.id == lot_id)
            .where(PointsLot.remaining == remaining)
            .values(remaining=0)
            .execution_options(synchronize_session=False)
        )
        expired += remaining
    return expired
