"""The ledger's mechanics, shared by every stored-value verb: lock an account, post an entry,
take a debit guarded against going below zero, split a spend between the two parts.

Every write first takes :func:`lock_account` (the account row; after any member and order
rows, as refunds take them: members › orders › stored_value_accounts), so one member's
operations run one at a time. Balances change only by SQL expression together with the entry
explaining the change, and a debit's guard is in its UPDATE (``WHERE principal_cents >= p AND
bonus_cents >= b``), so no interleaving can take a part below zero.
"""

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.activity.money import to_yuan
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.loyalty.wallet.errors import StoredValueInsufficient
from memberops.loyalty.wallet.models import EntryKind, StoredValueAccount, StoredValueEntry
from memberops.members.service import get_member
from memberops.tenancy.access import Principal, tenant_scope


def lock_account(session: Session, principal: Principal, member_id: int) -> StoredValueAccount:
    """The member's account, created when missing and row-locked (PostgreSQL; SQLite runs one
    writer at a time) until the transaction ends, read fresh. Another tenant's member, or
    none, is a 404 ``members.not_found``."""
    get_member(session, principal, member_id)
    dialect = postgresql if is_postgresql(session) else sqlite
    row = {"tenant_id": principal.tenant_id, "member_id": member_id}
    new = {"principal_cents": 0, "bonus_cents": 0, "updated_at": clock.now()}
    session.execute(
        dialect.insert(StoredValueAccount).values(**row, **new).on_conflict_do_nothing()
    )
    query = tenant_scope(principal, StoredValueAccount).where(
        StoredValueAccount.member_id == member_id
    )
    if is_postgresql(session):
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).one()


def split(amount: int, account: StoredValueAccount) -> tuple[int, int]:
    """(principal, bonus) parts of a spend of ``amount`` from ``account``, in proportion to
    the account's parts: principal = floor(amount × principal / balance), the rest from the
    bonus. Each part fits when ``amount`` ≤ the balance."""
    balance = account.principal_cents + account.bonus_cents
    if balance <= 0:
        return amount, 0
    from_principal = amount * account.principal_cents // balance
    return from_principal, amount - from_principal


def _change(principal: Principal, member_id: int, principal_cents: int, bonus_cents: int) -> Any:
    """``UPDATE … SET principal_cents += p, bonus_cents += b … RETURNING`` both."""
    return (
        update(StoredValueAccount)
        .where(
            StoredValueAccount.tenant_id == principal.tenant_id,
            StoredValueAccount.member_id == member_id,
        )
        .values(
            principal_cents=StoredValueAccount.principal_cents + principal_cents,
            bonus_cents=StoredValueAccount.bonus_cents + bonus_cents,
            updated_at=clock.now(),
        )
        .returning(StoredValueAccount.principal_cents + StoredValueAccount.bonus_cents)
        .execution_options(synchronize_session=False)
    )


def _append(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    parts: tuple[int, int],
    balance_after: int,
    **details: Any,
) -> StoredValueEntry:
    entry = StoredValueEntry(
        tenant_id=principal.tenant_id,
        member_id=member_id,
        kind=kind,
        principal_cents=parts[0],
        bonus_cents=parts[1],
        balance_after_cents=balance_after,
        actor=principal.actor,
        occurred_at=clock.now(),
        **details,
    )
    session.add(entry)
    session.flush()
    return entry


def credit(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    parts: tuple[int, int],
    **details: Any,
) -> StoredValueEntry:
    """Add ``parts`` (principal, bonus; each ≥ 0) to the locked account as one entry
    (``details``: order_id, dedupe_key, reference, reason)."""
    statement = _change(principal, member_id, parts[0], parts[1])
    balance_after = session.execute(statement).scalar_one()
    return _append(session, principal, member_id, kind, parts, balance_after, **details)


def credit_once(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    parts: tuple[int, int],
    *,
    dedupe_key: str,
    **details: Any,
) -> StoredValueEntry | None:
    """:func:`credit`, or None changing nothing when ``dedupe_key`` was already used in the
    tenant (also by a racing transaction: the unique constraint decides)."""
    used = select(StoredValueEntry.id).where(
        StoredValueEntry.tenant_id == principal.tenant_id,
        StoredValueEntry.dedupe_key == dedupe_key,
    )
    if session.scalar(used) is not None:
        return None
    try:
        with session.begin_nested():
            return credit(
                session, principal, member_id, kind, parts, dedupe_key=dedupe_key, **details
            )
    except IntegrityError:
        return None


def debit(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: EntryKind,
    parts: tuple[int, int],
    *,
    available: int,
    **details: Any,
) -> StoredValueEntry:
    """Take ``parts`` (principal, bonus; each ≥ 0) from the locked account as one entry with
    negative amounts; 409 ``stored_value.insufficient`` changing nothing when a part is short
    (``available``: what the refusal reports as the balance, in cents)."""
    guarded = (
        _change(principal, member_id, -parts[0], -parts[1])
        .where(StoredValueAccount.principal_cents >= parts[0])
        .where(StoredValueAccount.bonus_cents >= parts[1])
    )
    balance_after = session.execute(guarded).scalar_one_or_none()
    if balance_after is None:
        asked = parts[0] + parts[1]
        raise StoredValueInsufficient(
            f"Member {member_id} has {to_yuan(available)} available; "
            f"{to_yuan(asked)} was asked for.",
            balance=to_yuan(available),
            requested=to_yuan(asked),
        )
    negative = (-parts[0], -parts[1])
    return _append(session, principal, member_id, kind, negative, balance_after, **details)
