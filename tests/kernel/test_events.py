"""The in-transaction event bus: handlers in subscription order, registering twice is a no-op,
and a failing handler stops the publisher and rolls back the whole change."""

from collections import defaultdict
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import events
from memberops.kernel.events import DomainEvent, publish, subscribe
from memberops.kernel.settings import Settings
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Tenant


@dataclass(frozen=True)
class Happened(DomainEvent):
    what: str


@dataclass(frozen=True)
class HappenedLoudly(Happened):
    pass


@dataclass(frozen=True)
class Other(DomainEvent):
    pass


@pytest.fixture(autouse=True)
def _private_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test subscribes on an empty bus; the rooms' real subscriptions are left alone."""
    monkeypatch.setattr(events, "_handlers", defaultdict(list))


class Boom(Exception):
    pass


def test_handlers_run_in_subscription_order_with_the_session(session: Session) -> None:
    seen: list[tuple[str, Session, DomainEvent]] = []
    subscribe(Happened, lambda s, e: seen.append(("first", s, e)))
    subscribe(Happened, lambda s, e: seen.append(("second", s, e)))
    subscribe(Other, lambda s, e: seen.append(("other", s, e)))
    event = Happened(tenant_id=7, what="x")
    publish(session, event)
    assert seen == [("first", session, event), ("second", session, event)]


def test_subscribing_the_same_handler_twice_runs_it_once(session: Session) -> None:
    calls: list[DomainEvent] = []

    def handler(_: Session, event: Happened) -> None:
        calls.append(event)

    subscribe(Happened, handler)
    subscribe(Happened, handler)
    publish(session, Happened(1, "once"))
    assert calls == [Happened(1, "once")]


def test_dispatch_is_by_exact_type(session: Session) -> None:
    """A subscriber to ``Happened`` is not called for a subclass: subscribe to each type."""
    calls: list[str] = []
    subscribe(Happened, lambda _s, e: calls.append(e.what))
    publish(session, HappenedLoudly(1, "loud"))
    publish(session, Other(1))
    assert calls == []


def test_no_subscriber_is_fine(session: Session) -> None:
    publish(session, Other(1))


def test_handler_error_propagates_and_stops_later_handlers(session: Session) -> None:
    calls: list[str] = []

    def failing(_: Session, __: Happened) -> None:
        calls.append("failing")
        raise Boom("handler failed")

    subscribe(Happened, failing)
    subscribe(Happened, lambda _s, _e: calls.append("after"))
    with pytest.raises(Boom, match="handler failed"):
        publish(session, Happened(1, "x"))
    assert calls == ["failing"]


def test_failing_handler_rolls_back_the_publishers_change(session: Session) -> None:
    """Handlers write in the publisher's transaction, so nothing is half-applied."""
    name = "evented-tenant"

    def failing(s: Session, event: Happened) -> None:
        tenancy.record_audit(s, "test", event.tenant_id, "handler.wrote", ("tenant", "x"))
        s.flush()
        raise Boom("handler failed")

    def create_and_publish() -> None:
        with session.begin():
            tenant = tenancy.create_tenant(session, name, Settings(database_url="sqlite://"))
            publish(session, Happened(tenant.id, "created"))

    subscribe(Happened, failing)
    with pytest.raises(Boom):
        create_and_publish()
    assert session.scalar(select(Tenant).where(Tenant.name == name)) is None
