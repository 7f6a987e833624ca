"""Load a generated merchant through the same services the API calls, in time order: stores,
join scenes, customer records, joins and refunds one by one with the clock held at each
action's time, orders and events through the rooms' bulk writers (same rules, one statement per
batch), so 20,000 members load in minutes.

Bulk orders are history (``OrderPaid`` marked ``historical``), which growth does not decide a
referral on; the demo's newcomers are live in its story, so after each batch's orders their
pending referrals are decided on their first order, at its time, as ``OrderPaid`` would have.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from memberops.activity import stats
from memberops.activity.bulk import record_orders
from memberops.activity.bulk_events import record_events
from memberops.activity.events import HistoryLoaded
from memberops.activity.models import Order
from memberops.activity.refunds import refund_order
from memberops.activity.schemas import EventCreate, OrderCreate, RefundCreate
from memberops.demo.generator import Action
from memberops.growth.invites import code_of
from memberops.growth.joins import enrol
from memberops.growth.models import JoinScene, Referral, ReferralStatus
from memberops.growth.referrals import reward_first_order
from memberops.growth.scenes import create_scene
from memberops.growth.schemas import JoinIn, SceneCreate
from memberops.identity.schemas import IdentityIn, MemberUpsert
from memberops.identity.service import find_by_identity, resolve_member
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.members.models import Member
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.models import Store
from memberops.tenancy.schemas import StoreCreate
from memberops.tenancy.service import create_store

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
    """One transaction: the batch's stores, scenes, members and joins, then its orders, the
    referrals they decide, its refunds and events.

    Cause still comes before effect: a member registers before anything names them, an order
    is stored before its refund, and batches go in time order. Registrations and refunds are
    written one by one with the clock at the action's time (their ``created_at`` is
    historical); orders and events go in bulk through the rooms' bulk writers, with the clock
    at the batch's last action (their own times are ``paid_at`` / ``occurred_at``;
    ``created_at`` is off by at most one batch's span)."""
    if not batch:
        return
    kinds: dict[str, list[Action]] = {"order": [], "refund": [], "event": []}
    first = [action for action in batch if action.kind not in kinds]
    for action in batch:
        kinds.setdefault(action.kind, []).append(action)
    with session.begin(), stats.deferred(session, principal.tenant_id):
        for action in first:
            with clock.frozen(action.at):
                _ENTRANCES[action.kind](session, principal, action)
        with clock.frozen(batch[-1].at):
            orders = [OrderCreate.model_validate(a.body) for a in kinds["order"]]
            _must_store(record_orders(session, principal, orders).refused)
        _decide_referrals(session, principal)
        for action in kinds["refund"]:
            assert action.target is not None
            with clock.frozen(action.at):
                body = RefundCreate.model_validate(action.body)
                refund_order(session, principal, action.target, body)
        with clock.frozen(batch[-1].at):
            events = [EventCreate.model_validate(a.body) for a in kinds["event"]]
            _must_store(record_events(session, principal, events).refused)
    done.update({kind: len(actions) for kind, actions in kinds.items() if actions})


def _open_store(session: Session, principal: Principal, action: Action) -> None:
    body = StoreCreate.model_validate(action.body)
    if not session.scalar(tenant_scope(principal, Store).where(Store.code == body.code)):
        create_store(session, principal, body.code, body.name, body.channel)


def _make_scene(session: Session, principal: Principal, action: Action) -> None:
    body = SceneCreate.model_validate(action.body)
    if not session.scalar(tenant_scope(principal, JoinScene).where(JoinScene.name == body.name)):
        create_scene(session, principal, body)


def _add_customer(session: Session, principal: Principal, action: Action) -> None:
    resolve_member(session, principal, MemberUpsert.model_validate(action.body))


def _join(session: Session, principal: Principal, action: Action) -> None:
    """A registration by its scene's QR code or its referrer's invite code, found by name and
    phone since codes are made as the demo loads."""
    body = JoinIn.model_validate(action.body)
    how, _, what = (action.target or "").partition(":")
    if how == "scene":
        named = tenant_scope(principal, JoinScene).where(JoinScene.name == what)
        body.scene = session.scalars(named).one().code
    elif how == "invite":
        referrer = find_by_identity(session, principal, IdentityIn(type="phone", value=what))
        body.invite_code = code_of(session, principal, referrer.id).code
    enrol(session, principal, body)


_ENTRANCES: dict[str, Callable[[Session, Principal, Action], None]] = {
    "store": _open_store,
    "scene": _make_scene,
    "member": _add_customer,
    "join": _join,
}


def _decide_referrals(session: Session, principal: Principal) -> None:
    """Each pending referral whose newcomer has paid, decided on its first order at that
    order's time (see the module)."""
    first_orders = session.execute(
        select(Referral.newcomer_id, func.min(Order.id))
        .join(
            Order,
            (Order.tenant_id == Referral.tenant_id) & (Order.member_id == Referral.newcomer_id),
        )
        .where(Referral.tenant_id == principal.tenant_id, Referral.status == ReferralStatus.pending)
        .group_by(Referral.newcomer_id)
    ).all()
    for newcomer_id, order_id in first_orders:
        with clock.frozen(session.get_one(Order, order_id).paid_at):
            reward_first_order(session, principal, newcomer_id, order_id)


def _must_store(refused: Sequence[tuple[object, str]]) -> None:
    """A refusal means the generator and the rules disagree: stop, as the per-action path did
    when a service raised."""
    if refused:
        raise RuntimeError(f"The demo's own data was refused: {refused[0][1]}")
