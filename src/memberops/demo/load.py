"""Load a generated merchant through the same services the API calls, in time order, with the
clock held at each action's time, so members, orders and events carry their historical times.
"""

from collections import Counter
from collections.abc import Callable, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity import stats
from memberops.activity.behaviour import record_event
from memberops.activity.orders import record_order
from memberops.activity.refunds import refund_order
from memberops.activity.schemas import EventCreate, OrderCreate, RefundCreate
from memberops.demo.generator import Action
from memberops.identity.schemas import MemberUpsert
from memberops.identity.service import resolve_member
from memberops.kernel import clock
from memberops.members.models import Member
from memberops.tenancy.access import Principal

BATCH = 500


def tenant_is_empty(session: Session, principal: Principal) -> bool:
    """No member yet: what ``make run`` checks before loading the demo."""
    query = select(func.count()).select_from(Member).where(Member.tenant_id == principal.tenant_id)
    return not session.scalar(query)


def _apply(session: Session, principal: Principal, action: Action) -> None:
    body = action.body
    if action.kind == "member":
        resolve_member(session, principal, MemberUpsert.model_validate(body))
    elif action.kind == "order":
        record_order(session, principal, OrderCreate.model_validate(body))
    elif action.kind == "refund":
        assert action.target is not None
        refund_order(session, principal, action.target, RefundCreate.model_validate(body))
    else:
        record_event(session, principal, EventCreate.model_validate(body))


def load(
    factory: sessionmaker[Session],
    principal: Principal,
    actions: Iterable[Action],
    progress: Callable[[int], None] = lambda done: None,
) -> Counter[str]:
    """Apply ``actions`` in batches of :data:`BATCH`, each batch one transaction whose member
    stats are refreshed once at its end; returns how many of each kind were applied. Loading
    the same actions again changes nothing (every write is idempotent)."""
    done: Counter[str] = Counter()
    batch: list[Action] = []
    with factory() as session:
        for action in actions:
            batch.append(action)
            if len(batch) == BATCH:
                _load_batch(session, principal, batch, done)
                progress(len(batch))
                batch = []
        _load_batch(session, principal, batch, done)
        progress(len(batch))
    return done


def _load_batch(
    session: Session, principal: Principal, batch: list[Action], done: Counter[str]
) -> None:
    with session.begin(), stats.deferred(session, principal.tenant_id):
        for action in batch:
            with clock.frozen(action.at):
                _apply(session, principal, action)
            done[action.kind] += 1
