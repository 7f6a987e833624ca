"""Load a generated merchant through the same services the API calls, in time order: members
and refunds one by one with the clock held at each action's time, orders and events through the
rooms' bulk writers (same rules, one statement per batch), so 20,000 members load in minutes.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity import stats
from memberops.activity.bulk import record_orders
from memberops.activity.bulk_events import record_events
from memberops.activity.events import HistoryLoaded
from memberops.activity.refunds import refund_order
from memberops.activity.schemas import EventCreate, OrderCreate, RefundCreate
from memberops.demo.generator import Action
from memberops.identity.schemas import MemberUpsert
from memberops.identity.service import resolve_member
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.members.models import Member
from memberops.tenancy.access import Principal

#: Actions per transaction: big enough that the bulk writers' per-batch queries (stored ids,
#: identity owners, one stats refresh) are amortised, small enough to keep a transaction short.
BATCH = 5000


def tenant_is_empty(session: Session, principal: Principal) -> bool:
    """No member yet: what ``make run`` checks before loading the demo."""
    query = select(func.count()).select_from(Member).where(Member.tenant_id == principal.tenant_id)
    return not session.scalar(query)


def load(
    factory: sessionmaker[Session],
    principal: Principal,
    actions: Iterable[Action],
    progress: Callable[[int], None] = lambda done: None,
) -> Counter[str]:
    """Apply ``actions`` in batches of :data:`BATCH`, each batch one transaction whose member
    stats are refreshed once at its end; returns how many of each kind were applied. Loading
    the same actions again changes nothing (every write is idempotent). At the end every
    member's stats are refreshed as of now and ``HistoryLoaded`` lets rooms that skip
    historical orders (tiers) settle the whole tenant."""
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
        with session.begin():
            stats.refresh(session, principal.tenant_id)
            publish(session, HistoryLoaded(principal.tenant_id, None))
    return done


def _load_batch(
    session: Session, principal: Principal, batch: list[Action], done: Counter[str]
) -> None:
    """One transaction: the batch's members, then its orders, refunds and events.

    Cause still comes before effect: a member registers before anything names them, an order
    is stored before its refund, and batches go in time order. Members and refunds are written
    one by one with the clock at the action's time (their ``created_at`` is historical); orders
    and events go in bulk through the rooms' bulk writers, with the clock at the batch's last
    action (their own times are ``paid_at`` / ``occurred_at``; ``created_at`` is off by at most
    one batch's span)."""
    if not batch:
        return
    kinds: dict[str, list[Action]] = {"member": [], "order": [], "refund": [], "event": []}
    for action in batch:
        kinds[action.kind].append(action)
    with session.begin(), stats.deferred(session, principal.tenant_id):
        for action in kinds["member"]:
            with clock.frozen(action.at):
                resolve_member(session, principal, MemberUpsert.model_validate(action.body))
        with clock.frozen(batch[-1].at):
            orders = [OrderCreate.model_validate(a.body) for a in kinds["order"]]
            _must_store(record_orders(session, principal, orders).refused)
        for action in kinds["refund"]:
            assert action.target is not None
            with clock.frozen(action.at):
                body = RefundCreate.model_validate(action.body)
                refund_order(session, principal, action.target, body)
        with clock.frozen(batch[-1].at):
            events = [EventCreate.model_validate(a.body) for a in kinds["event"]]
            _must_store(record_events(session, principal, events).refused)
    done.update({kind: len(actions) for kind, actions in kinds.items() if actions})


def _must_store(refused: Sequence[tuple[object, str]]) -> None:
    """A refusal means the generator and the rules disagree: stop, as the per-action path did
    when a service raised."""
    if refused:
        raise RuntimeError(f"The demo's own data was refused: {refused[0][1]}")
