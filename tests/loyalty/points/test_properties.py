"""Acceptance: random sequences of orders, refunds, redemptions, adjustments, expiry runs and
clock moves, at the service level. After every step: each balance equals the sum of its
ledger and ``sum(lot remaining) - debt``; a redemption succeeds exactly when the unexpired
points cover it and never takes a balance below zero; refunds leave none of their order's
points behind (its reversal is exactly floor(earned × refunded / paid), plus the first-order
bonus once fully refunded)."""

import uuid
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.activity import orders, refunds
from memberops.activity.models import Order
from memberops.activity.money import to_yuan
from memberops.activity.schemas import OrderCreate, RefundCreate
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.loyalty.points import service
from memberops.loyalty.points.errors import PointsInsufficient
from memberops.loyalty.points.expiry import expire_due
from memberops.loyalty.points.models import EntryKind, PointsAccount, PointsEntry, PointsLot
from memberops.loyalty.points.schemas import AdjustIn, RedeemIn
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.loyalty.points.conftest import NOW

PHONES = ("13800000001", "13800000002")

_ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("order"),
            st.integers(0, 1),
            st.integers(0, 40000),
            st.sampled_from(["taobao", "app"]),
        ),
        st.tuples(st.just("refund"), st.integers(0, 20), st.integers(1, 100)),
        st.tuples(st.just("redeem"), st.integers(0, 1), st.integers(1, 300)),
        st.tuples(
            st.just("adjust"), st.integers(0, 1), st.integers(-300, -1) | st.integers(1, 300)
        ),
        st.tuples(st.just("expire")),
        st.tuples(st.just("clock"), st.integers(0, 200)),
    ),
    min_size=4,
    max_size=25,
)


def _sum(session: Session, column: Any, *where: Any) -> int:
    return int(session.scalar(select(func.coalesce(func.sum(column), 0)).where(*where)) or 0)


def _spendable(session: Session, principal: Principal, member_id: int) -> int:
    """What a redemption may take now: unexpired lots minus debt."""
    lots = _sum(
        session,
        PointsLot.remaining,
        PointsLot.tenant_id == principal.tenant_id,
        PointsLot.member_id == member_id,
        PointsLot.expires_at > clock.now(),
    )
    debt = session.scalar(
        select(PointsAccount.debt).where(
            PointsAccount.tenant_id == principal.tenant_id, PointsAccount.member_id == member_id
        )
    )
    return lots - (debt or 0)


def _check_ledgers(session: Session, principal: Principal) -> None:
    tenant = principal.tenant_id
    for account in session.scalars(select(PointsAccount).where(PointsAccount.tenant_id == tenant)):
        session.refresh(account)
        member = account.member_id
        entries = _sum(
            session,
            PointsEntry.points,
            PointsEntry.tenant_id == tenant,
            PointsEntry.member_id == member,
        )
        lots = _sum(
            session,
            PointsLot.remaining,
            PointsLot.tenant_id == tenant,
            PointsLot.member_id == member,
        )
        assert account.balance == entries == lots - account.debt
        assert account.debt >= 0
        if account.debt:
            event("a refund left debt")


def _check_refunds(session: Session, principal: Principal) -> None:
    for order in session.scalars(select(Order).where(Order.tenant_id == principal.tenant_id)):
        session.refresh(order)
        of_order = (PointsEntry.tenant_id == principal.tenant_id, PointsEntry.order_id == order.id)
        earned = _sum(session, PointsEntry.points, *of_order, PointsEntry.kind == EntryKind.earn)
        bonus = _sum(session, PointsEntry.points, *of_order, PointsEntry.kind == EntryKind.bonus)
        reversed_ = -_sum(
            session, PointsEntry.points, *of_order, PointsEntry.kind == EntryKind.reverse
        )
        expected = earned * order.refunded_cents // order.amount_cents if order.amount_cents else 0
        if order.amount_cents and order.refunded_cents == order.amount_cents:
            expected += bonus
            assert earned + bonus - reversed_ == 0
        assert reversed_ == expected


class Run:
    def __init__(self, session: Session) -> None:
        self.session = session
        with session.begin():
            tenant = tenancy.create_tenant(session, f"p-{uuid.uuid4().hex[:8]}", Settings())
        self.principal = tenancy.principal_for(tenant, Role.admin, "test")
        self.orders: list[str] = []
        self.members: dict[int, int] = {}
        self.steps = 0

    def order(self, who: int, cents: int, channel: str) -> None:
        external_id = f"T{len(self.orders)}"
        body = {
            "external_id": external_id,
            "member": {"identities": [{"type": "phone", "value": PHONES[who]}]},
            "channel": channel,
            "paid_at": clock.now().isoformat(),
            "amount": to_yuan(cents),
        }
        stored, _ = orders.record_order(
            self.session, self.principal, OrderCreate.model_validate(body)
        )
        self.orders.append(external_id)
        self.members[who] = stored.member_id

    def refund(self, index: int, percent: int) -> None:
        """Refund ``percent`` of what is left of an order (at least a cent; 100: the rest)."""
        if not self.orders:
            return
        external_id = self.orders[index % len(self.orders)]
        order = orders.get_order(self.session, self.principal, external_id)
        left = order.amount_cents - order.refunded_cents
        if left <= 0:
            return
        cents = max(1, left * percent // 100)
        body = RefundCreate.model_validate(
            {"refund_id": f"R{self.steps}", "amount": to_yuan(cents)}
        )
        refunds.refund_order(self.session, self.principal, external_id, body)

    def spend(self, who: int, points: int, adjustment: bool) -> None:
        member = self.members.get(who)
        if member is None:
            return
        spendable = _spendable(self.session, self.principal, member)
        key = f"k{self.steps}"
        answer: Any = None
        try:
            with self.session.begin_nested():
                if adjustment:
                    body = AdjustIn(points=-points, reason="test")
                    answer = service.adjust(self.session, self.principal, member, body, key)[0]
                else:
                    asked = RedeemIn(points=points, reason="test")
                    answer = service.redeem(self.session, self.principal, member, asked, key)[0]
        except PointsInsufficient:
            event("refused")  # checked below
        assert (answer is not None) == (points <= spendable)
        assert answer is None or answer.balance_after >= 0

    def step(self, op: tuple[Any, ...]) -> None:
        self.steps += 1
        kind = op[0]
        event(kind)
        if kind == "order":
            self.order(op[1], op[2], op[3])
        elif kind == "refund":
            self.refund(op[1], op[2])
        elif kind == "redeem":
            self.spend(op[1], op[2], adjustment=False)
        elif kind == "adjust" and op[2] < 0:
            self.spend(op[1], -op[2], adjustment=True)
        elif kind == "adjust" and op[1] in self.members:
            body = AdjustIn(points=op[2], reason="test")
            service.adjust(
                self.session, self.principal, self.members[op[1]], body, f"k{self.steps}"
            )
        elif kind == "expire":
            expire_due(self.session, self.principal)
        elif kind == "clock":
            clock.advance(timedelta(days=op[1]))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=_ops)
def test_the_ledger_holds_through_any_history(session: Session, ops: list[tuple[Any, ...]]) -> None:
    with clock.frozen(NOW):
        run = Run(session)
        for op in [("order", 0, 10000, "taobao"), ("order", 1, 5000, "app"), *ops]:
            with session.begin():
                run.step(op)
            with session.begin():
                _check_ledgers(session, run.principal)
                _check_refunds(session, run.principal)
