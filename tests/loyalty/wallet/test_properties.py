"""Acceptance 1 (issue 9): random histories of orders, top-ups (with bonus tiers), spends,
refunds and adjustments, with replays of earlier requests, at the service level on both
backends. After every step: each part of each account equals the sum of its entries and is
never negative; a spend succeeds exactly when the order is the member's, unrefunded, has room
and the balance covers it; a refused operation changes nothing; a replay answers as the first
time and changes nothing; each order's refunds have given back exactly floor(spent × refunded
/ paid) of each part."""

import uuid
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.activity import orders, refunds
from memberops.activity.models import Order
from memberops.activity.money import to_yuan
from memberops.activity.schemas import OrderCreate, RefundCreate
from memberops.kernel import clock
from memberops.kernel.errors import DomainError
from memberops.kernel.settings import Settings
from memberops.loyalty.wallet import service
from memberops.loyalty.wallet.models import EntryKind, StoredValueAccount, StoredValueEntry
from memberops.loyalty.wallet.rules import BonusTier, TopUpRules
from memberops.loyalty.wallet.schemas import AdjustIn, SpendIn, TopUpIn
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.tenancy.sections import save_section
from tests.loyalty.wallet.conftest import NOW

PHONES = ("13800000001", "13800000002")
TIERS = [BonusTier(min_amount="500", bonus="40"), BonusTier(min_amount="1000", bonus="100")]

_ops = st.lists(
    st.one_of(
        st.tuples(st.just("order"), st.integers(0, 1), st.integers(0, 200_000)),
        st.tuples(st.just("top_up"), st.integers(0, 1), st.integers(1, 150_000)),
        st.tuples(st.just("spend"), st.integers(0, 1), st.integers(0, 20), st.integers(1, 90_000)),
        st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 100)),
        st.tuples(
            st.just("adjust"),
            st.integers(0, 1),
            st.integers(1, 50_000),
            st.sampled_from(["credit", "debit"]),
            st.sampled_from(["principal", "bonus"]),
        ),
        st.tuples(st.just("replay"), st.integers(0, 50)),
    ),
    min_size=4,
    max_size=30,
)


def _sums(session: Session, tenant_id: int, *where: Any) -> tuple[int, int]:
    row = session.execute(
        select(
            func.coalesce(func.sum(StoredValueEntry.principal_cents), 0),
            func.coalesce(func.sum(StoredValueEntry.bonus_cents), 0),
        ).where(StoredValueEntry.tenant_id == tenant_id, *where)
    ).one()
    return int(row[0]), int(row[1])


def _accounts(session: Session, tenant_id: int) -> dict[int, tuple[int, int]]:
    query = select(StoredValueAccount).where(StoredValueAccount.tenant_id == tenant_id)
    return {
        a.member_id: (a.principal_cents, a.bonus_cents)
        for a in session.scalars(query.execution_options(populate_existing=True))
    }


def _check_ledgers(session: Session, tenant_id: int) -> None:
    for member_id, (held, bonus) in _accounts(session, tenant_id).items():
        assert (held, bonus) == _sums(session, tenant_id, StoredValueEntry.member_id == member_id)
        assert held >= 0
        assert bonus >= 0
        last = session.scalar(
            select(StoredValueEntry.balance_after_cents)
            .where(StoredValueEntry.tenant_id == tenant_id, StoredValueEntry.member_id == member_id)
            .order_by(StoredValueEntry.id.desc())
            .limit(1)
        )
        assert last in (None, held + bonus)


def _check_refunds(session: Session, tenant_id: int) -> None:
    query = select(Order).where(Order.tenant_id == tenant_id)
    for order in session.scalars(query.execution_options(populate_existing=True)):
        of_order = (StoredValueEntry.order_id == order.id,)
        spent = _sums(session, tenant_id, *of_order, StoredValueEntry.kind == EntryKind.spend)
        back = _sums(session, tenant_id, *of_order, StoredValueEntry.kind == EntryKind.refund)
        assert -sum(spent) <= order.amount_cents
        for part_spent, part_back in zip(spent, back, strict=True):
            expected = (
                -part_spent * order.refunded_cents // order.amount_cents
                if order.amount_cents
                else 0
            )
            assert part_back == expected
        if order.refunded_cents and back != (0, 0):
            event("a refund gave stored value back")


class Run:
    def __init__(self, session: Session) -> None:
        self.session = session
        with session.begin():
            tenant = tenancy.create_tenant(session, f"sv-{uuid.uuid4().hex[:8]}", Settings())
            self.principal: Principal = tenancy.principal_for(tenant, Role.admin, "test")
            save_section(session, self.principal, TopUpRules(bonus_tiers=TIERS))
        self.orders: list[str] = []
        self.owners: dict[str, int] = {}
        self.members: dict[int, int] = {}
        self.done: list[tuple[str, int, BaseModel, str, BaseModel]] = []
        self.steps = 0

    def order(self, who: int, cents: int) -> None:
        external_id = f"T{len(self.orders)}"
        body = {
            "external_id": external_id,
            "member": {"identities": [{"type": "phone", "value": PHONES[who]}]},
            "channel": "taobao",
            "paid_at": clock.now().isoformat(),
            "amount": to_yuan(cents),
        }
        stored, _ = orders.record_order(
            self.session, self.principal, OrderCreate.model_validate(body)
        )
        self.orders.append(external_id)
        self.owners[external_id] = who
        self.members[who] = stored.member_id

    def refund(self, index: int, percent: int) -> None:
        if not self.orders:
            return
        external_id = self.orders[index % len(self.orders)]
        order = orders.get_order(self.session, self.principal, external_id)
        self.session.refresh(order)
        left = order.amount_cents - order.refunded_cents
        if left <= 0:
            return
        cents = max(1, left * percent // 100)
        body = RefundCreate.model_validate(
            {"refund_id": f"R{self.steps}", "amount": to_yuan(cents)}
        )
        refunds.refund_order(self.session, self.principal, external_id, body)

    def _expected_spend(self, member: int, body: SpendIn) -> str:
        order = orders.find_order(self.session, self.principal, body.order_id)
        assert order is not None
        self.session.refresh(order)
        held, bonus = _accounts(self.session, self.principal.tenant_id).get(member, (0, 0))
        spent = _sums(
            self.session,
            self.principal.tenant_id,
            StoredValueEntry.order_id == order.id,
            StoredValueEntry.kind == EntryKind.spend,
        )
        if order.member_id != member:
            return "stored_value.order_mismatch"
        if order.refunded_cents:
            return "stored_value.order_refunded"
        if body.amount > order.amount_cents + sum(spent):
            return "stored_value.over_order"
        if body.amount > held + bonus:
            return "stored_value.insufficient"
        return "done"

    def attempt(self, verb: str, member: int, body: Any, expected: str = "done") -> None:
        key = f"k{self.steps}"
        before = _accounts(self.session, self.principal.tenant_id)
        outcome, answer = "done", None
        try:
            with self.session.begin_nested():
                answer, _ = getattr(service, verb)(self.session, self.principal, member, body, key)
        except DomainError as refused:
            outcome = refused.code
        event(f"{verb}: {outcome}")
        assert outcome == expected
        if answer is None:
            assert _accounts(self.session, self.principal.tenant_id) == before
        else:
            self.done.append((verb, member, body, key, answer))

    def replay(self, index: int) -> None:
        if not self.done:
            return
        verb, member, body, key, first = self.done[index % len(self.done)]
        before = _accounts(self.session, self.principal.tenant_id)
        entries = _sums(self.session, self.principal.tenant_id)
        answer, fresh = getattr(service, verb)(self.session, self.principal, member, body, key)
        assert (answer, fresh) == (first, False)
        assert _accounts(self.session, self.principal.tenant_id) == before
        assert _sums(self.session, self.principal.tenant_id) == entries

    def _pick(self, who: int, index: int) -> str:
        """Mostly one of the member's own orders; every fourth pick any order."""
        own = [o for o in self.orders if self.owners[o] == who]
        pool = own if own and index % 4 else self.orders
        return pool[index % len(pool)]

    def step(self, op: tuple[Any, ...]) -> None:
        self.steps += 1
        kind = op[0]
        event(kind)
        member = self.members.get(op[1]) if kind in ("top_up", "spend", "adjust") else None
        if kind == "order":
            self.order(op[1], op[2])
        elif kind == "refund":
            self.refund(op[1], op[2])
        elif kind == "replay":
            self.replay(op[1])
        elif member is None:
            return
        elif kind == "top_up":
            self.attempt("top_up", member, TopUpIn(amount=to_yuan(op[2])))
        elif kind == "spend":
            body = SpendIn(order_id=self._pick(op[1], op[2]), amount=to_yuan(op[3]))
            self.attempt("spend", member, body, self._expected_spend(member, body))
        elif kind == "adjust":
            held, bonus = _accounts(self.session, self.principal.tenant_id).get(member, (0, 0))
            part = held if op[4] == "principal" else bonus
            short = op[3] == "debit" and op[2] > part
            body = AdjustIn(amount=to_yuan(op[2]), direction=op[3], part=op[4], reason="test")
            self.attempt("adjust", member, body, "stored_value.insufficient" if short else "done")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=_ops)
def test_the_ledger_holds_through_any_history(session: Session, ops: list[tuple[Any, ...]]) -> None:
    with clock.frozen(NOW):
        run = Run(session)
        start = [("order", 0, 100_000), ("order", 1, 50_000), ("top_up", 0, 100_000)]
        for op in [*start, *ops]:
            with session.begin():
                run.step(op)
            with session.begin():
                _check_ledgers(session, run.principal.tenant_id)
                _check_refunds(session, run.principal.tenant_id)
