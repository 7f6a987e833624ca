"""Invariant, checked against a model under random sequences of purchases, renewals, refunds,
waits and daily runs: every holding's status and end are what the rules say, the member's
points are the opening balance less what was paid and not returned, and the benefits' points
multiplier is the largest of the holdings valid now."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock
from memberops.kernel.settings import Settings
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.loyalty.cards.support import (
    NOW,
    act,
    balance,
    benefits,
    buy,
    holdings,
    make_card,
    make_member,
    run_daily,
)

#: Two card types: (code, price in points, days per term, points multiplier).
TYPES = (("week", 100, 7, Decimal(3)), ("month", 250, 30, Decimal(2)))
OPENING = 1_000_000
OPS = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["buy", "renew", "refund"]), st.sampled_from([0, 1])),
        st.tuples(st.just("wait"), st.integers(min_value=1, max_value=40)),
        st.tuples(st.just("daily"), st.just(0)),
    ),
    max_size=12,
)


@dataclass
class Held:
    """The model of one holding."""

    id: str
    kind: int
    status: str
    end: datetime
    paid: int


class Model:
    """The member's holdings as the rules say they are, and the points spent net of refunds."""

    def __init__(self) -> None:
        self.holdings: list[Held] = []
        self.spent = 0

    def latest(self, kind: int) -> Held | None:
        return next((h for h in reversed(self.holdings) if h.kind == kind), None)

    def valid(self, now: datetime) -> list[Held]:
        return [h for h in self.holdings if h.status != "refunded" and now < h.end]


def _buy(
    client: TestClient,
    admin: dict[str, str],
    model: Model,
    member: str,
    cards: list[Any],
    kind: int,
) -> None:
    now, (_, price, days, _) = clock.now(), TYPES[kind]
    latest = model.latest(kind)
    response = buy(client, admin, member, cards[kind]["id"])
    if latest is not None and latest.status == "active" and latest.end > now:
        assert response.json()["code"] == "cards.already_held"
        return
    assert response.status_code == 201, response.text
    if latest is not None and latest.status == "active":
        latest.status = "lapsed"  # ended, not yet marked: the purchase marks it
    model.holdings.append(
        Held(response.json()["id"], kind, "active", now + timedelta(days=days), price)
    )
    model.spent += price


def _renew(client: TestClient, admin: dict[str, str], model: Model, member: str, kind: int) -> None:
    now, (_, price, days, _) = clock.now(), TYPES[kind]
    latest = model.latest(kind)
    if latest is None:
        return
    response = act(client, admin, member, latest.id, "renew")
    if latest.status == "refunded":
        assert response.json()["code"] == "cards.not_renewable"
        return
    assert response.status_code == 201, response.text
    start = latest.end if latest.status == "active" and latest.end > now else now
    latest.status, latest.end = "active", start + timedelta(days=days)
    latest.paid += price
    model.spent += price


def _refund(
    client: TestClient, admin: dict[str, str], model: Model, member: str, kind: int
) -> None:
    latest = model.latest(kind)
    if latest is None:
        return
    response = act(client, admin, member, latest.id, "refund", reason="property")
    if latest.status != "active" or latest.end <= clock.now():
        assert response.json()["code"] == "cards.not_refundable"
        return
    assert response.status_code == 201, response.text
    latest.status = "refunded"
    model.spent -= latest.paid


def _daily(model: Model, factory: sessionmaker[Session], tenant: Principal) -> None:
    due = [h for h in model.holdings if h.status == "active" and h.end <= clock.now()]
    assert run_daily(factory, tenant).lapsed == len(due)
    for held in due:
        held.status = "lapsed"


def _stamp(at: datetime) -> str:
    """A moment as the API writes it."""
    return at.isoformat().replace("+00:00", "Z")


def _check(client: TestClient, admin: dict[str, str], model: Model, member: str) -> None:
    seen = {h["id"]: (h["status"], h["ends_at"]) for h in holdings(client, admin, member)}
    assert seen == {h.id: (h.status, _stamp(h.end)) for h in model.holdings}
    assert balance(client, admin, member) == OPENING - model.spent
    rates = [TYPES[h.kind][3] for h in model.valid(clock.now())]
    assert Decimal(benefits(client, admin, member)["points_multiplier"]) == max(rates, default=1)


def _fresh_tenant(session: Session) -> tuple[Principal, dict[str, str]]:
    """A tenant of the example's own (the daily job counts a whole tenant) and its admin key."""
    settings = Settings(database_url="sqlite://", secret_key="test")
    with session.begin():
        created = tenancy.create_tenant(session, f"prop-{uuid.uuid4().hex[:8]}", settings)
        principal = tenancy.principal_for(created, Role.admin, "test")
        key = tenancy.create_api_key(session, principal, Role.admin)
    return principal, {"Authorization": f"Bearer {key}"}


def _cards(client: TestClient, admin: dict[str, str]) -> list[Any]:
    return [
        make_card(client, admin, code=code, price_points=price, validity_length=days,
                  benefits={"points_multiplier": str(rate)})
        for code, price, days, rate in TYPES
    ]  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_holdings_follow_the_rules_under_any_sequence(
    ops: list[tuple[str, int]],
    client: TestClient,
    session: Session,
    session_factory: sessionmaker[Session],
) -> None:
    tenant, admin = _fresh_tenant(session)
    cards = _cards(client, admin)
    with clock.frozen(NOW):
        member = make_member(client, admin)
        opening = balance(client, admin, member)
        client.post(
            f"/api/v1/members/{member}/points/adjust",
            json={"points": OPENING - opening, "reason": "opening"},
            headers={**admin, "Idempotency-Key": "opening"},
        )
        model = Model()
        for op, arg in ops:
            if op == "buy":
                _buy(client, admin, model, member, cards, arg)
            elif op == "renew":
                _renew(client, admin, model, member, arg)
            elif op == "refund":
                _refund(client, admin, model, member, arg)
            elif op == "wait":
                clock.advance(timedelta(days=arg))
            else:
                _daily(model, session_factory, tenant)
            _check(client, admin, model, member)
