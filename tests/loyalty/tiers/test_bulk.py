"""Invariant: evaluating a whole tenant at once decides exactly what evaluating its members one
by one decides (the same function, the same SQL), whatever the history, the ladder, the members'
earlier levels and the size of the rounds."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.activity.bulk import record_orders
from memberops.activity.refunds import refund_order
from memberops.activity.schemas import OrderCreate, RefundCreate
from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.loyalty.tiers import service
from memberops.loyalty.tiers.models import MemberTier
from memberops.loyalty.tiers.rules import TierLadder
from memberops.loyalty.tiers.service import evaluate_members
from memberops.members.models import Member
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.tenancy.sections import save_section
from tests.activity.support import order_body
from tests.loyalty.tiers.support import at, change_rows, tier_rows

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
ORDERS = st.lists(
    st.tuples(
        st.integers(0, 4),  # which member
        st.integers(1, 900_000),  # cents
        st.integers(0, 500),  # days before now
        st.booleans(),  # refunded
    ),
    max_size=25,
)
EARLIER = st.dictionaries(
    st.integers(0, 4), st.sampled_from(["silver", "gold", "platinum", "diamond", "bronze"])
)
THRESHOLDS = st.tuples(st.integers(1, 8), st.integers(1, 12_000))
_serial = itertools.count()


def _ladder(figures: list[tuple[int, int]]) -> TierLadder:
    """SPEC's ladder with the qualify figures (orders, yuan) of its three higher levels."""
    ladder = TierLadder()
    for level, (orders, yuan) in zip(ladder.levels[1:], figures, strict=True):
        level.qualify_orders, level.qualify_spend = orders, yuan * 100
    return ladder


def _history(session: Session, principal: Principal, orders: list[Any]) -> list[int]:
    """Store the orders (historical: nobody is evaluated), refund those marked; member ids."""
    bodies = []
    for n, (who, cents, days, _) in enumerate(orders):
        paid = at(NOW - timedelta(days=days))
        amount = f"{cents // 100}.{cents % 100:02d}"
        bodies.append(
            OrderCreate.model_validate(
                order_body(
                    f"O{n}",
                    f"1380000000{who}",
                    amount=amount,
                    list_amount=None,
                    lines=[],
                    paid_at=paid,
                )
            )
        )
    record_orders(session, principal, bodies)
    for n, (*_, refunded) in enumerate(orders):
        if refunded:  # publishes OrderRefunded: that member is placed as it stands
            refund_order(session, principal, f"O{n}", RefundCreate(refund_id="R"))
    members = select(Member.id).where(Member.tenant_id == principal.tenant_id)
    return sorted(session.scalars(members.order_by(Member.id)))


def _earlier(session: Session, principal: Principal, ids: list[int], codes: dict[int, str]) -> None:
    """Levels held before (some codes the ladder no longer has), for members without a row."""
    placed = set(
        session.scalars(
            select(MemberTier.member_id).where(MemberTier.tenant_id == principal.tenant_id)
        )
    )
    for index, code in codes.items():
        if index < len(ids) and ids[index] not in placed:
            session.add(
                MemberTier(
                    tenant_id=principal.tenant_id,
                    member_id=ids[index],
                    tier=code,
                    since=NOW - timedelta(days=30),
                    period_ends_at=NOW,
                )
            )
    session.flush()


def _outcome(session: Session, principal: Principal, ids: list[int] | None) -> Any:
    """What evaluating ``ids`` (all at once when None, else one by one) leaves; rolled back."""
    nested = session.begin_nested()
    if ids is None:
        moved = evaluate_members(session, principal)
    else:
        moved = sum(evaluate_members(session, principal, [member]) for member in ids)
    result = (
        moved,
        tier_rows(session, principal.tenant_id),
        change_rows(session, principal.tenant_id),
    )
    nested.rollback()
    return result


@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(orders=ORDERS, earlier=EARLIER, figures=st.lists(THRESHOLDS, min_size=3, max_size=3))
def test_all_at_once_is_one_by_one(
    orders: list[Any],
    earlier: dict[int, str],
    figures: list[tuple[int, int]],
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(service, "CHUNK", 2)  # several rounds even for a few members
    with clock.frozen(NOW), session.begin():
        created = tenancy.create_tenant(
            session, f"t{next(_serial)}-{uuid.uuid4().hex[:6]}", Settings(database_url="sqlite://")
        )
        principal = tenancy.principal_for(created, Role.admin, "test")
        ids = _history(session, principal, orders)
        _earlier(session, principal, ids, earlier)
        save_section(session, principal, _ladder(figures))
        together = _outcome(session, principal, None)
        assert together == _outcome(session, principal, ids)
        again = _outcome(session, principal, ids[::-1])
        assert again == together
        nested = session.begin_nested()
        evaluate_members(session, principal)
        assert evaluate_members(session, principal) == 0  # settled: nothing moves twice
        nested.rollback()
