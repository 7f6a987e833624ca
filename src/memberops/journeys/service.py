"""Journeys: keep them, version them, switch them on and off, read them and their counts.

A version is immutable once a member entered it: an edit of the trigger or steps then writes
the next version and points the journey at it, so members mid-way finish on the version they
entered and new entrants take the new one. Before anyone entered, an edit rewrites the current
version in place. Status moves by conditional ``UPDATE`` (``WHERE status IN …``), so two
concurrent activations cannot both pass.
"""

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.journeys.checks import check_refs, check_rules
from memberops.journeys.definition import Definition
from memberops.journeys.errors import JourneyNameTaken, JourneyNotFound, JourneyState
from memberops.journeys.models import (
    MOVING,
    EntryRule,
    Journey,
    JourneyPosition,
    JourneyStatus,
    JourneyVersion,
    PositionStatus,
)
from memberops.journeys.schemas import (
    JourneyCreate,
    JourneyPatch,
    JourneyRead,
    JourneyReport,
    StepCount,
)
from memberops.kernel import clock
from memberops.kernel.pagination import newest_first
from memberops.tenancy.access import Permission, Principal, tenant_scope
from memberops.tenancy.service import audit

_P = JourneyPosition
#: Where a session keeps the active journeys it has read, per tenant, for one transaction.
_ACTIVE = "journeys.active"


def get_journey(session: Session, principal: Principal, journey_id: int) -> Journey:
    principal.require(Permission.campaigns_read)
    found = session.scalar(tenant_scope(principal, Journey).where(Journey.id == journey_id))
    if found is None:
        raise JourneyNotFound(f"No journey {journey_id}.", journey_id=str(journey_id))
    return found


def active_triggers(session: Session, tenant_id: int) -> list[tuple[Journey, dict[str, Any]]]:
    """The tenant's active journeys with their current trigger, read once per transaction: a
    stage refresh publishes one event per member whose stage moved, up to the whole tenant.
    Any change of a journey in the transaction forgets them (:func:`_forget_active`)."""
    transaction = session.get_transaction()
    held = session.info.get(_ACTIVE)
    if held is None or held[0] is not transaction:
        held = session.info[_ACTIVE] = (transaction, {})
    found: dict[int, list[tuple[Journey, dict[str, Any]]]] = held[1]
    if tenant_id not in found:
        query = select(Journey, JourneyVersion.trigger).join(
            JourneyVersion,
            (JourneyVersion.journey_id == Journey.id) & (JourneyVersion.number == Journey.version),
        )
        rows = session.execute(
            query.where(Journey.tenant_id == tenant_id, Journey.status == JourneyStatus.active)
        )
        found[tenant_id] = [(journey, trigger) for journey, trigger in rows]
    return found[tenant_id]


def _forget_active(session: Session) -> None:
    session.info.pop(_ACTIVE, None)


def get_version(session: Session, journey: Journey, number: int) -> JourneyVersion:
    version = session.scalar(
        select(JourneyVersion).where(
            JourneyVersion.journey_id == journey.id, JourneyVersion.number == number
        )
    )
    assert version is not None, f"journey {journey.id} has no version {number}"
    return version


def list_journeys(
    session: Session, principal: Principal, before: int | None, limit: int
) -> list[Journey]:
    """The tenant's journeys, newest first."""
    principal.require(Permission.campaigns_read)
    query = newest_first(tenant_scope(principal, Journey), Journey.id, before, limit)
    return list(session.scalars(query))


def _named(session: Session, journey: Journey) -> None:
    """Flush, turning a clash of names into ``journeys.name_taken``."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        name = journey.name
        raise JourneyNameTaken(f"A journey is already named {name!r}.", name=name) from exc


def _definition(trigger: Any, steps: Any) -> Definition:
    return Definition.model_validate({"trigger": trigger, "steps": steps})


def create_journey(session: Session, principal: Principal, body: JourneyCreate) -> Journey:
    """A draft journey and its version 1. Audited."""
    principal.require(Permission.campaigns_manage)
    definition = Definition(trigger=body.trigger, steps=body.steps)
    rule = body.entry_rule or EntryRule.once_ever
    check_rules(rule, body.period_days, definition)
    check_refs(session, principal, definition)
    now = clock.now()
    journey = Journey(
        tenant_id=principal.tenant_id,
        name=body.name,
        status=JourneyStatus.draft,
        entry_rule=rule,
        period_days=body.period_days,
        holdout_percent=10 if body.holdout_percent is None else body.holdout_percent,
        version=1,
        trigger_type=definition.trigger.type,
        created_by=principal.actor,
        created_at=now,
        updated_at=now,
    )
    session.add(journey)
    _named(session, journey)
    _write_version(session, principal, journey, definition, 1)
    after = body.model_dump(mode="json", exclude_none=True)
    audit(session, principal, "journey.create", ("journey", str(journey.id)), None, after)
    return journey


def _write_version(
    session: Session, principal: Principal, journey: Journey, definition: Definition, number: int
) -> None:
    trigger, steps = definition.stored()
    session.add(
        JourneyVersion(
            tenant_id=principal.tenant_id,
            journey_id=journey.id,
            number=number,
            trigger=trigger,
            steps=steps,
            created_by=principal.actor,
        )
    )
    session.flush()


def _entered(session: Session, journey: Journey) -> bool:
    """Whether any member entered the journey's current version."""
    query = select(_P.id).where(_P.journey_id == journey.id, _P.version == journey.version)
    return session.scalar(query.limit(1)) is not None


def update_journey(
    session: Session, principal: Principal, journey_id: int, body: JourneyPatch
) -> Journey:
    """Change the journey; a new trigger or steps after members entered make a new version.
    Audited."""
    principal.require(Permission.campaigns_manage)
    journey = _lock(session, principal, journey_id)
    if journey.status == JourneyStatus.archived:
        raise _state(journey)
    current = get_version(session, journey, journey.version)
    definition = _definition(
        current.trigger if body.trigger is None else body.trigger,
        current.steps if body.steps is None else body.steps,
    )
    given = body.model_dump(include={"name", "entry_rule", "period_days", "holdout_percent"})
    for name in body.model_fields_set & given.keys():
        setattr(journey, name, given[name])
    check_rules(journey.entry_rule, journey.period_days, definition)
    check_refs(session, principal, definition)
    if body.trigger is not None or body.steps is not None:
        _redefine(session, principal, journey, current, definition)
    journey.updated_at = clock.now()
    _named(session, journey)
    _forget_active(session)
    changed = body.model_dump(mode="json", exclude_unset=True)
    audit(session, principal, "journey.update", ("journey", str(journey.id)), None, changed)
    return journey


def _redefine(
    session: Session,
    principal: Principal,
    journey: Journey,
    current: JourneyVersion,
    definition: Definition,
) -> None:
    """The new definition as the next version, or in place when nobody entered yet."""
    journey.trigger_type = definition.trigger.type
    if _entered(session, journey):
        journey.version += 1
        _write_version(session, principal, journey, definition, journey.version)
        return
    current.trigger, current.steps = definition.stored()


def _lock(session: Session, principal: Principal, journey_id: int) -> Journey:
    """The journey, row-locked for a change (edits of one journey take turns)."""
    get_journey(session, principal, journey_id)
    query = tenant_scope(principal, Journey).where(Journey.id == journey_id)
    locked = session.scalar(query.with_for_update().execution_options(populate_existing=True))
    assert locked is not None
    return locked


def _state(journey: Journey) -> JourneyState:
    return JourneyState(f"Journey {journey.id} is {journey.status}.", status=str(journey.status))


def _move(
    session: Session,
    principal: Principal,
    journey_id: int,
    allowed: tuple[JourneyStatus, ...],
    to: JourneyStatus,
) -> Journey:
    """Move the journey to ``to`` if it is (still, as committed) in one of ``allowed``.
    Audited."""
    principal.require(Permission.campaigns_manage)
    journey = get_journey(session, principal, journey_id)
    before = str(journey.status)
    moved = session.scalar(
        update(Journey)
        .where(Journey.tenant_id == principal.tenant_id, Journey.id == journey.id)
        .where(Journey.status.in_(allowed))
        .values(status=to, updated_at=clock.now())
        .returning(Journey.id)
        .execution_options(synchronize_session=False)
    )
    session.refresh(journey)
    if moved is None:
        raise _state(journey)
    _forget_active(session)
    entity = ("journey", str(journey.id))
    audit(session, principal, f"journey.{to}", entity, {"status": before}, {"status": str(to)})
    return journey


def activate(session: Session, principal: Principal, journey_id: int) -> Journey:
    """Members start entering; a paused journey resumes too."""
    allowed = (JourneyStatus.draft, JourneyStatus.paused)
    return _move(session, principal, journey_id, allowed, JourneyStatus.active)


def pause(session: Session, principal: Principal, journey_id: int) -> Journey:
    """Nobody enters and nobody advances; every position is kept for :func:`resume`."""
    allowed = (JourneyStatus.active,)
    return _move(session, principal, journey_id, allowed, JourneyStatus.paused)


def resume(session: Session, principal: Principal, journey_id: int) -> Journey:
    """Advance again: steps that fell due while paused run at the next worker pass."""
    allowed = (JourneyStatus.paused,)
    return _move(session, principal, journey_id, allowed, JourneyStatus.active)


def archive(session: Session, principal: Principal, journey_id: int) -> Journey:
    """End the journey for good: nobody enters or advances again, and it can no longer be
    edited or activated; its positions stay for the report."""
    allowed = (JourneyStatus.draft, JourneyStatus.active, JourneyStatus.paused)
    return _move(session, principal, journey_id, allowed, JourneyStatus.archived)


def read(session: Session, journey: Journey) -> JourneyRead:
    version = get_version(session, journey, journey.version)
    return JourneyRead(
        id=str(journey.id),
        name=journey.name,
        status=journey.status,
        entry_rule=journey.entry_rule,
        period_days=journey.period_days,
        holdout_percent=journey.holdout_percent,
        version=journey.version,
        trigger=version.trigger,
        steps=version.steps,
        created_by=journey.created_by,
        created_at=journey.created_at,
        updated_at=journey.updated_at,
    )


def report(session: Session, principal: Principal, journey_id: int) -> JourneyReport:
    """Where the journey's entries are now, from one grouped pass over its positions."""
    journey = get_journey(session, principal, journey_id)
    rows = session.execute(
        select(_P.version, _P.status, _P.step, func.count())
        .where(_P.journey_id == journey.id)
        .group_by(_P.version, _P.status, _P.step)
        .order_by(_P.version, _P.step)
    ).all()
    by_status = dict.fromkeys(PositionStatus, 0)
    at: dict[tuple[int, int], int] = {}
    types = _step_types(session, journey)
    for version, status, step, count in rows:
        by_status[PositionStatus(status)] += count
        if status in MOVING:
            at[(version, step)] = at.get((version, step), 0) + count
    return JourneyReport(
        entered=sum(by_status.values()),
        holdout=by_status[PositionStatus.holdout],
        done=by_status[PositionStatus.done],
        exited=by_status[PositionStatus.exited],
        at_steps=[
            StepCount(version=v, step=s, type=_step_type(types, journey, v, s), members=n)
            for (v, s), n in sorted(at.items())
        ],
    )


def _step_types(session: Session, journey: Journey) -> dict[int, list[str]]:
    """Each version's step types, by version number."""
    rows = session.execute(
        select(JourneyVersion.number, JourneyVersion.steps).where(
            JourneyVersion.journey_id == journey.id
        )
    )
    return {number: [str(step["type"]) for step in steps] for number, steps in rows}


def _step_type(types: dict[int, list[str]], journey: Journey, number: int, step: int) -> str:
    steps = types.get(number, [])
    return steps[step] if step < len(steps) else "end"
