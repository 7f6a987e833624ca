"""Verbs on a member's stored value: top up (with the tenant's bonus), spend against one of the
member's orders, adjust one part by hand. Each takes the account lock and is idempotent on the
request's ``Idempotency-Key`` (``kernel.idempotency.once``): a replay returns the first answer
and changes nothing.

A spend takes from the two parts in proportion to them (``ledger.split``): a member who topped
up 1,000 and got 100 spends principal and bonus 10 : 1, so the principal left is always what
the member paid in and has not used — the honest liability, whatever order the spends come in.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.activity.errors import OrderNotFound
from memberops.activity.models import Order
from memberops.activity.money import to_yuan
from memberops.kernel.db import is_postgresql
from memberops.kernel.idempotency import once
from memberops.loyalty.wallet import ledger
from memberops.loyalty.wallet.errors import (
    StoredValueOrderMismatch,
    StoredValueOrderRefunded,
    StoredValueOverOrder,
)
from memberops.loyalty.wallet.models import EntryKind, StoredValueAccount, StoredValueEntry
from memberops.loyalty.wallet.rules import TopUpRules
from memberops.loyalty.wallet.schemas import (
    AdjustIn,
    Direction,
    EntryRead,
    Part,
    SpendIn,
    SpendRead,
    TopUpIn,
    TopUpRead,
)
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import load_section
from memberops.tenancy.service import audit


def top_up(
    session: Session, principal: Principal, member_id: int, body: TopUpIn, key: str | None
) -> tuple[TopUpRead, bool]:
    """Credit ``amount`` as principal (a ``top_up`` entry) and the highest bonus tier it
    reaches as bonus (a ``bonus`` entry); returns the answer and whether it happened now."""

    def run() -> TopUpRead:
        ledger.lock_account(session, principal, member_id)
        paid = ledger.credit(
            session,
            principal,
            member_id,
            EntryKind.top_up,
            (body.amount, 0),
            reference=body.reference,
        )
        bonus = load_section(session, principal.tenant_id, TopUpRules).bonus_for(body.amount)
        last = paid
        if bonus:
            last = ledger.credit(
                session,
                principal,
                member_id,
                EntryKind.bonus,
                (0, bonus),
                reference=f"top_up:{paid.id}",
            )
        return TopUpRead(
            entry_id=str(paid.id),
            member_id=str(member_id),
            amount=body.amount,
            bonus=bonus,
            balance=last.balance_after_cents,
            reference=body.reference,
            topped_up_at=paid.occurred_at,
        )

    request = {"member_id": member_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "stored_value.top_up", key, request, TopUpRead, run)


def locked_order(session: Session, principal: Principal, external_id: str) -> Order:
    """The order as stored now, share-locked until the transaction ends (PostgreSQL), taken
    before the account lock: a refund updates the order row before its give-back locks the
    account, so a spend and a refund of one order run one after the other, in the same lock
    order (order › account), and a spend never slips past a refund it cannot see. 404
    ``orders.not_found``."""
    query = tenant_scope(principal, Order).where(Order.external_id == external_id)
    if is_postgresql(session):
        query = query.with_for_update(read=True)
    order = session.scalar(query.execution_options(populate_existing=True))
    if order is None:
        raise OrderNotFound(f"No order {external_id!r} in this tenant.", external_id=external_id)
    return order


def spent_on_order(session: Session, principal: Principal, order_id: int) -> tuple[int, int]:
    """(principal, bonus) the order's spends took, as positive cents."""
    query = select(
        func.coalesce(func.sum(StoredValueEntry.principal_cents), 0),
        func.coalesce(func.sum(StoredValueEntry.bonus_cents), 0),
    ).where(
        StoredValueEntry.tenant_id == principal.tenant_id,
        StoredValueEntry.order_id == order_id,
        StoredValueEntry.kind == EntryKind.spend,
    )
    from_principal, from_bonus = session.execute(query).one()
    return -int(from_principal), -int(from_bonus)


def _check_order(
    session: Session, principal: Principal, member_id: int, body: SpendIn, order: Order
) -> None:
    if order.member_id != member_id:
        raise StoredValueOrderMismatch(
            f"Order {body.order_id!r} is not member {member_id}'s.",
            errors=[{"loc": ["body", "order_id"], "msg": "the order is another member's"}],
        )
    if order.refunded_cents > 0:
        raise StoredValueOrderRefunded(
            f"Order {body.order_id!r} has been refunded; stored value cannot pay it now.",
            order_id=body.order_id,
        )
    remaining = order.amount_cents - sum(spent_on_order(session, principal, order.id))
    if body.amount > remaining:
        raise StoredValueOverOrder(
            f"Order {body.order_id!r} can take {to_yuan(remaining)} more of stored value.",
            order_id=body.order_id,
            remaining=to_yuan(remaining),
        )


def spend(
    session: Session, principal: Principal, member_id: int, body: SpendIn, key: str | None
) -> tuple[SpendRead, bool]:
    """Pay ``amount`` of the member's order from the balance, both parts in proportion.
    Refusals change nothing: 404 unknown order, 422 another member's, 409 refunded order,
    over the order's amount, or over the balance."""

    def run() -> SpendRead:
        order = locked_order(session, principal, body.order_id)
        account = ledger.lock_account(session, principal, member_id)
        _check_order(session, principal, member_id, body, order)
        parts = ledger.split(body.amount, account)
        balance = account.principal_cents + account.bonus_cents
        entry = ledger.debit(
            session,
            principal,
            member_id,
            EntryKind.spend,
            parts,
            available=balance,
            order_id=order.id,
            reference=f"order:{order.external_id}",
        )
        return SpendRead(
            entry_id=str(entry.id),
            member_id=str(member_id),
            order_id=order.external_id,
            amount=body.amount,
            from_principal=parts[0],
            from_bonus=parts[1],
            balance=entry.balance_after_cents,
            spent_at=entry.occurred_at,
        )

    request = {"member_id": member_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "stored_value.spend", key, request, SpendRead, run)


def read_entry(entry: StoredValueEntry, order_external_id: str | None) -> EntryRead:
    return EntryRead(
        id=str(entry.id),
        kind=entry.kind,
        amount=entry.principal_cents + entry.bonus_cents,
        principal=entry.principal_cents,
        bonus=entry.bonus_cents,
        balance_after=entry.balance_after_cents,
        order_id=order_external_id,
        reference=entry.reference,
        reason=entry.reason,
        actor=entry.actor,
        occurred_at=entry.occurred_at,
    )


def _parts(account: StoredValueAccount) -> dict[str, str]:
    return {"principal": to_yuan(account.principal_cents), "bonus": to_yuan(account.bonus_cents)}


def adjust(
    session: Session, principal: Principal, member_id: int, body: AdjustIn, key: str | None
) -> tuple[EntryRead, bool]:
    """An operator's ``adjustment`` of one part, with its reason, audited with the parts
    before and after; a debit may not take the part below zero (409
    ``stored_value.insufficient``, nothing changed)."""

    def run() -> EntryRead:
        account = ledger.lock_account(session, principal, member_id)
        before = _parts(account)
        parts = (body.amount, 0) if body.part == Part.principal else (0, body.amount)
        details = {"reason": body.reason}
        if body.direction == Direction.credit:
            entry = ledger.credit(
                session, principal, member_id, EntryKind.adjustment, parts, **details
            )
        else:
            held = account.principal_cents if body.part == Part.principal else account.bonus_cents
            entry = ledger.debit(
                session,
                principal,
                member_id,
                EntryKind.adjustment,
                parts,
                available=held,
                **details,
            )
        after = _parts(ledger.lock_account(session, principal, member_id))
        audit(
            session,
            principal,
            "stored_value.adjust",
            ("member", str(member_id)),
            {**before, "reason": body.reason},
            {**after, "entry_id": str(entry.id)},
        )
        return read_entry(entry, None)

    request = {"member_id": member_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "stored_value.adjust", key, request, EntryRead, run)
