"""Keep watches, and evaluate one: read its figure, and when the figure is past the threshold
queue one message per period to the operator (the outbox's idempotency key
``watch:<id>:<period start>`` makes it once however many passes see it)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from memberops.crowds.models import Crowd
from memberops.kernel import clock
from memberops.kernel.pagination import newest_first
from memberops.messaging.models import ChannelName
from memberops.messaging.schemas import MessageCreate
from memberops.messaging.service import enqueue
from memberops.tenancy.access import Permission, Principal, tenant_scope
from memberops.tenancy.service import audit
from memberops.watches.errors import WatchInvalid, WatchNameTaken, WatchNotFound
from memberops.watches.figures import value_of
from memberops.watches.models import Direction, Figure, Period, Watch
from memberops.watches.schemas import WatchCreate, WatchPatch, WatchRead

#: The prefix of a watch's message keys.
KEY_PREFIX = "watch:"
#: Two decimals: what shares and money are shown with.
CENT = Decimal("0.01")
#: What the API's decimal is in stored units: hundredths (of a percent, of a yuan), members.
SCALE = {Figure.crowd_size: 1}
UNIT = {
    Figure.dormant_share: "%",
    Figure.redemption_rate: "%",
    Figure.daily_gmv: " yuan",
    Figure.crowd_size: " members",
}


def _scale(figure: Figure) -> int:
    return SCALE.get(figure, 100)


def stored(figure: Figure, value: Decimal) -> int:
    return int(value * _scale(figure))


def shown(figure: Figure, value: int) -> Decimal:
    scale = _scale(figure)
    return (Decimal(value) / scale).quantize(CENT) if scale > 1 else Decimal(value)


def _invalid(field: str, message: str) -> WatchInvalid:
    return WatchInvalid(message, errors=[{"loc": ["body", field], "msg": message}])


def _check(session: Session, principal: Principal, body: WatchCreate) -> None:
    """A crowd's size watches one of the tenant's crowds, in whole members; no other figure
    names a crowd."""
    if body.figure != Figure.crowd_size:
        if body.crowd_id is not None:
            raise _invalid("crowd_id", "crowd_id goes with crowd_size only")
        return
    if body.crowd_id is None:
        raise _invalid("crowd_id", "crowd_size watches a crowd: give crowd_id")
    crowd = session.scalar(tenant_scope(principal, Crowd).where(Crowd.id == body.crowd_id))
    if crowd is None:
        raise _invalid("crowd_id", f"no crowd {body.crowd_id} in this tenant")
    if body.threshold != body.threshold.to_integral_value():
        raise _invalid("threshold", "a crowd's size is a whole number of members")


def _name_taken(session: Session, principal: Principal, name: str, but: int | None) -> None:
    query = tenant_scope(principal, Watch).where(Watch.name == name)
    found = session.scalar(query)
    if found is not None and found.id != but:
        raise WatchNameTaken(f"A watch is named {name!r}.", name=name)


def create_watch(session: Session, principal: Principal, body: WatchCreate) -> Watch:
    principal.require(Permission.insights_manage)
    _check(session, principal, body)
    _name_taken(session, principal, body.name, None)
    now = clock.now()
    watch = Watch(
        tenant_id=principal.tenant_id,
        name=body.name,
        figure=body.figure,
        crowd_id=body.crowd_id,
        threshold=stored(body.figure, body.threshold),
        direction=body.direction,
        period=body.period,
        channel=body.channel,
        recipient=body.recipient,
        active=body.active,
        created_by=principal.actor,
        created_at=now,
        updated_at=now,
    )
    session.add(watch)
    session.flush()
    audit(session, principal, "watches.create", ("watch", str(watch.id)), None, {"name": body.name})
    return watch


def get_watch(session: Session, principal: Principal, watch_id: int) -> Watch:
    principal.require(Permission.insights_read)
    watch = session.scalar(tenant_scope(principal, Watch).where(Watch.id == watch_id))
    if watch is None:
        raise WatchNotFound(f"No watch {watch_id}.", watch_id=str(watch_id))
    return watch


def list_watches(
    session: Session, principal: Principal, before: int | None, limit: int
) -> list[Watch]:
    principal.require(Permission.insights_read)
    query = newest_first(tenant_scope(principal, Watch), Watch.id, before, limit)
    return list(session.scalars(query))


def update_watch(session: Session, principal: Principal, watch_id: int, body: WatchPatch) -> Watch:
    principal.require(Permission.insights_manage)
    watch = get_watch(session, principal, watch_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    if "name" in changes:
        _name_taken(session, principal, changes["name"], watch.id)
    figure = Figure(watch.figure)
    current = {
        "name": watch.name,
        "figure": figure,
        "crowd_id": watch.crowd_id,
        "threshold": shown(figure, watch.threshold),
        "direction": watch.direction,
        "period": watch.period,
        "channel": watch.channel,
        "recipient": watch.recipient,
        "active": watch.active,
    }
    merged = WatchCreate.model_validate({**current, **changes})
    _check(session, principal, merged)
    before = {k: str(current[k]) for k in changes}
    for field in changes:
        value = getattr(merged, field)
        setattr(watch, field, stored(figure, value) if field == "threshold" else value)
    watch.updated_at = clock.now()
    after = {k: str(getattr(merged, k)) for k in changes}
    audit(session, principal, "watches.update", ("watch", str(watch.id)), before, after)
    return watch


def delete_watch(session: Session, principal: Principal, watch_id: int) -> None:
    principal.require(Permission.insights_manage)
    watch = get_watch(session, principal, watch_id)
    session.delete(watch)
    audit(session, principal, "watches.delete", ("watch", str(watch_id)), {"name": watch.name})


def read(watch: Watch) -> WatchRead:
    figure = Figure(watch.figure)
    last = None if watch.last_value is None else shown(figure, watch.last_value)
    return WatchRead(
        id=str(watch.id),
        name=watch.name,
        figure=figure,
        crowd_id=None if watch.crowd_id is None else str(watch.crowd_id),
        threshold=shown(figure, watch.threshold),
        direction=watch.direction,
        period=watch.period,
        channel=watch.channel,
        recipient=watch.recipient,
        active=watch.active,
        checked_at=watch.checked_at,
        last_value=last,
        notified_at=watch.notified_at,
        notified_period=watch.notified_period,
        message_id=None if watch.message_id is None else str(watch.message_id),
        created_by=watch.created_by,
        created_at=watch.created_at,
        updated_at=watch.updated_at,
    )


def period_start(period: Period, now: datetime, timezone: str) -> date:
    """The first local day of the period ``now`` falls in (weeks start on Monday)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    if period == Period.week:
        return today - timedelta(days=today.weekday())
    if period == Period.month:
        return today.replace(day=1)
    return today


def crossed(watch: Watch, value: int) -> bool:
    if watch.direction == Direction.above:
        return value > watch.threshold
    return value < watch.threshold


def evaluate(session: Session, principal: Principal, watch: Watch, now: datetime) -> bool:
    """Read the watch's figure now and, past the threshold, queue its period's message (once
    per period); whether a message was queued by this call."""
    value = value_of(session, principal, watch, now)
    watch.last_value, watch.checked_at = value, now
    if not crossed(watch, value):
        return False
    start = period_start(Period(watch.period), now, principal.timezone)
    figure = Figure(watch.figure)
    name = watch.name.replace("{", "(").replace("}", ")")  # never a template
    shown_value = f"{shown(figure, value)}{UNIT[figure]}"
    limit = f"{shown(figure, watch.threshold)}{UNIT[figure]}"
    body = MessageCreate(
        channel=ChannelName(watch.channel),
        recipient=watch.recipient,
        subject=f"Watch {name}: {figure.value} {watch.direction} {limit}",
        body=f"{name}: {figure.value} is {shown_value}, {watch.direction} {limit}.",
    )
    key = f"{KEY_PREFIX}{watch.id}:{start.isoformat()}"
    message, created = enqueue(session, principal, body, key, link_base="")
    if created:
        watch.notified_at, watch.notified_period = now, start.isoformat()
        watch.message_id = message.id
    return created
