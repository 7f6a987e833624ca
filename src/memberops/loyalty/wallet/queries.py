"""Reads: a member's stored value (balance, parts, entries newest first) and the tenant's
liability report. The console calls :func:`read_stored_value` and :func:`liability` as the API
does, so the page and the API cannot disagree."""

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.activity.money import to_yuan
from memberops.kernel import clock
from memberops.kernel.pagination import cut_page, newest_first
from memberops.loyalty.points.queries import month_table
from memberops.loyalty.wallet.models import EntryKind, StoredValueAccount, StoredValueEntry
from memberops.loyalty.wallet.schemas import LiabilityMonth, LiabilityRead, StoredValueRead
from memberops.loyalty.wallet.service import read_entry
from memberops.members.service import get_member
from memberops.tenancy.access import Principal, tenant_scope


def _entries(principal: Principal, member_id: int) -> Any:
    return (
        select(StoredValueEntry, Order.external_id)
        .outerjoin(Order, Order.id == StoredValueEntry.order_id)
        .where(
            StoredValueEntry.tenant_id == principal.tenant_id,
            StoredValueEntry.member_id == member_id,
        )
    )


def parts_of(session: Session, principal: Principal, member_id: int) -> tuple[int, int]:
    """(principal, bonus) of the member's account in cents; (0, 0) without one."""
    account = session.scalar(
        tenant_scope(principal, StoredValueAccount).where(StoredValueAccount.member_id == member_id)
    )
    return (0, 0) if account is None else (account.principal_cents, account.bonus_cents)


def read_stored_value(
    session: Session, principal: Principal, member_id: int, before_id: int | None, limit: int
) -> StoredValueRead:
    """The member's balance and parts, and one page of entries newest first (``before_id``:
    the cursor's entry id)."""
    get_member(session, principal, member_id)
    query = _entries(principal, member_id)
    rows = list(session.execute(newest_first(query, StoredValueEntry.id, before_id, limit + 1)))
    page = cut_page([entry for entry, _ in rows], limit)
    orders = {entry.id: external_id for entry, external_id in rows}
    held, bonus = parts_of(session, principal, member_id)
    return StoredValueRead(
        member_id=str(member_id),
        balance=held + bonus,
        principal=held,
        bonus=bonus,
        entries=[read_entry(entry, orders[entry.id]) for entry in page.items],
        next_cursor=page.next_cursor,
    )


def stored_value_section(session: Session, principal: Principal, member_id: int) -> Any:
    """``stored_value`` in ``GET /members/{id}``: the balance and its two parts, in yuan."""
    held, bonus = parts_of(session, principal, member_id)
    parts = {"balance": held + bonus, "principal": held, "bonus": bonus}
    return {name: to_yuan(cents) for name, cents in parts.items()}


def stored_value_export(session: Session, principal: Principal, member_id: int) -> Any:
    """``stored_value`` of a member export: the parts and every entry, oldest first."""
    rows = session.execute(_entries(principal, member_id).order_by(StoredValueEntry.id))
    entries = [
        read_entry(entry, external_id).model_dump(mode="json") for entry, external_id in rows
    ]
    held, bonus = parts_of(session, principal, member_id)
    return {"principal_cents": held, "bonus_cents": bonus, "entries": entries}


def _months_back(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def _by_month(session: Session, principal: Principal, months: int) -> list[LiabilityMonth]:
    """What moved in each of the last ``months`` local months, in one grouped query."""
    today = clock.now().astimezone(ZoneInfo(principal.timezone)).date()
    table = month_table(_months_back(today, months), today, principal.timezone)
    entry = StoredValueEntry
    amount = entry.principal_cents + entry.bonus_cents

    def total(kind: EntryKind, value: Any) -> Any:
        return func.coalesce(func.sum(case((entry.kind == kind.value, value), else_=0)), 0)

    query = (
        select(
            table.c.month,
            total(EntryKind.top_up, entry.principal_cents),
            total(EntryKind.bonus, entry.bonus_cents),
            total(EntryKind.spend, -amount),
            total(EntryKind.spend, -entry.principal_cents),
            total(EntryKind.refund, amount),
            total(EntryKind.adjustment, amount),
        )
        .select_from(table)
        .outerjoin(
            entry,
            and_(
                entry.tenant_id == principal.tenant_id,
                entry.occurred_at >= table.c.start,
                entry.occurred_at < table.c.end,
            ),
        )
        .group_by(table.c.n, table.c.month)
        .order_by(table.c.n)
    )
    names = ("topped_up", "bonus_given", "spent", "spent_principal", "refunded", "adjusted")
    return [
        LiabilityMonth(month=row[0], **dict(zip(names, map(int, row[1:]), strict=True)))
        for row in session.execute(query)
    ]


def liability(session: Session, principal: Principal, months: int = 12) -> LiabilityRead:
    """Outstanding principal (the prepaid liability) and bonus of the tenant, members holding
    a balance, and the last ``months`` local months' movements, as of now."""
    account = StoredValueAccount
    held = account.principal_cents + account.bonus_cents
    totals = session.execute(
        select(
            func.coalesce(func.sum(account.principal_cents), 0),
            func.coalesce(func.sum(account.bonus_cents), 0),
            func.coalesce(func.sum(case((held > 0, 1), else_=0)), 0),
        ).where(account.tenant_id == principal.tenant_id)
    ).one()
    return LiabilityRead(
        as_of=clock.now(),
        principal=int(totals[0]),
        bonus=int(totals[1]),
        balance=int(totals[0]) + int(totals[1]),
        members_with_balance=int(totals[2]),
        by_month=_by_month(session, principal, months),
    )
