"""Durable execution: the worker claims due positions of active journeys and moves each through
its version's steps until it waits, exits or finishes.

A batch is one transaction (opened by ``jobs.advance_due``): the claim (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so workers split the due positions; on SQLite ``BEGIN IMMEDIATE`` makes
them take turns), every step's effects (outbox messages, coupons, points, tags) and every
position's move commit together or not at all. A worker killed mid-batch leaves the batch as it
was, and the next pass runs it once; unlike the outbox, no lease is needed, because nothing here
leaves the database before the commit (messages are only queued). Each effect is keyed besides
(``effects``), so even a step run twice for one position does its work once.

Each position runs in a savepoint: a step a service refuses (a coupon out of stock, a tag
switched off) is logged on the position and the journey goes on; anything else undoes that
position alone, which is retried after :data:`RETRY` with the error kept on it.
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.campaigns.guard_rails import Rules
from memberops.journeys import effects
from memberops.journeys.definition import (
    BranchStep,
    CouponStep,
    ExitStep,
    GroupStep,
    PointsStep,
    SendStep,
    Step,
    TagStep,
    WaitStep,
)
from memberops.journeys.effects import Run
from memberops.journeys.models import (
    MOVING,
    Journey,
    JourneyPosition,
    JourneyStatus,
    JourneyVersion,
    PositionStatus,
)
from memberops.kernel.db import is_postgresql
from memberops.kernel.errors import DomainError
from memberops.members.models import Member, MemberStatus
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role, Tenant

log = logging.getLogger("memberops.journeys")
_P = JourneyPosition
_STEPS = TypeAdapter(list[Step])
#: Who the audit log names for what journeys do.
ACTOR = "journeys"
#: How long a position whose step failed unexpectedly waits before it is tried again.
RETRY = timedelta(minutes=5)
#: Longest error kept on a position.
ERROR_LENGTH = 500
#: What a step says next: the index of the step to run, a time to wait until, or exit (None).
Next = int | datetime | None


def wait_until(step: WaitStep, now: datetime, timezone: str) -> datetime:
    """The end of a wait starting ``now``: the duration, then the next ``at`` in the tenant's
    timezone (that same moment when it falls exactly on ``at``)."""
    end = now + timedelta(days=step.days, hours=step.hours, minutes=step.minutes)
    if step.at is None:
        return end
    local = end.astimezone(ZoneInfo(timezone))
    at = datetime.combine(local.date(), step.at, tzinfo=local.tzinfo)
    if at < local:
        at = datetime.combine(local.date() + timedelta(days=1), step.at, tzinfo=local.tzinfo)
    return at.astimezone(now.tzinfo)


def _run_step(run: Run, step: Step, position: JourneyPosition) -> Next:
    after = position.step + 1
    if isinstance(step, WaitStep):
        waited = position.status == PositionStatus.waiting
        return after if waited else wait_until(step, run.now, run.principal.timezone)
    if isinstance(step, BranchStep):
        target = step.yes if effects.holds(run, step, position.member_id) else step.no
        return after if target is None else target
    if isinstance(step, ExitStep):
        return None
    try:
        with run.session.begin_nested():
            _effect(run, step, position)
    except DomainError as exc:  # refused by the service: noted, and the journey goes on
        log.info("journey %s step %s: %s", position.journey_id, position.step, exc)
        position.last_error = f"step {position.step}: {exc.detail}"[:ERROR_LENGTH]
    return after


def _effect(run: Run, step: Step, position: JourneyPosition) -> None:
    if isinstance(step, SendStep):
        effects.send(run, step, position)
    elif isinstance(step, CouponStep):
        effects.issue(run, step, position)
    elif isinstance(step, PointsStep):
        effects.grant(run, step, position)
    elif isinstance(step, TagStep):
        effects.retag(run, step, position)
    elif isinstance(step, GroupStep):
        effects.regroup(run, step, position)


def advance(run: Run, steps: list[Step], position: JourneyPosition) -> None:
    """Run the position's steps until it waits, exits or passes the last one. Branches jump
    forward only, so this takes at most as many turns as there are steps."""
    for _ in range(len(steps) + 1):
        if position.step >= len(steps):
            _finish(position, PositionStatus.done, run.now)
            return
        following = _run_step(run, steps[position.step], position)
        if following is None:
            _finish(position, PositionStatus.exited, run.now)
            return
        if isinstance(following, datetime):
            position.status, position.due_at = PositionStatus.waiting, following
            position.updated_at = run.now
            return
        position.step, position.status = following, PositionStatus.active
    raise AssertionError(f"position {position.id} did not reach the end of its steps")


def _finish(position: JourneyPosition, status: PositionStatus, now: datetime) -> None:
    position.status, position.due_at, position.updated_at = status, None, now


def _claim(session: Session, now: datetime, batch: int) -> list[JourneyPosition]:
    """Up to ``batch`` due positions of active journeys, row-locked: journey by journey, the
    journey with the oldest due position first, each journey's oldest due first. One range of
    the ``(journey_id, due_at)`` index per journey, so the due positions of a paused journey,
    however many, are never read."""
    earliest = select(func.min(_P.due_at)).where(_P.journey_id == Journey.id).scalar_subquery()
    journeys = session.scalars(
        select(Journey.id)
        .where(Journey.status == JourneyStatus.active, earliest <= now)
        .order_by(earliest, Journey.id)
    ).all()
    claimed: list[JourneyPosition] = []
    for journey_id in journeys:
        if len(claimed) >= batch:
            break
        query = (
            select(_P)
            .where(_P.journey_id == journey_id, _P.due_at <= now, _P.status.in_(MOVING))
            .order_by(_P.due_at, _P.id)
            .limit(batch - len(claimed))
        )
        if is_postgresql(session):
            query = query.with_for_update(skip_locked=True)
        claimed.extend(session.scalars(query))
    return claimed


def _versions(
    session: Session, positions: list[JourneyPosition]
) -> dict[tuple[int, int], list[Step]]:
    """The parsed steps of every version the positions follow, read once."""
    wanted = {(p.journey_id, p.version) for p in positions}
    journeys = {journey for journey, _ in wanted}
    rows = session.scalars(select(JourneyVersion).where(JourneyVersion.journey_id.in_(journeys)))
    return {
        (v.journey_id, v.number): _STEPS.validate_python(v.steps)
        for v in rows
        if (v.journey_id, v.number) in wanted
    }


def _active_members(session: Session, positions: list[JourneyPosition]) -> set[int]:
    ids = {p.member_id for p in positions}
    query = select(Member.id).where(Member.id.in_(ids), Member.status == MemberStatus.active)
    return set(session.scalars(query))


def _one(run: Run, steps: list[Step], position: JourneyPosition) -> None:
    """Advance one position in its savepoint; an unexpected failure undoes it alone and
    retries it later."""
    try:
        with run.session.begin_nested():
            advance(run, steps, position)
    except Exception as exc:  # one member's failure never stops the batch
        log.exception("journey %s: position %s failed", position.journey_id, position.id)
        run.session.refresh(position)
        position.due_at = run.now + RETRY
        position.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]


def advance_batch(session: Session, now: datetime, batch: int, rules: Rules, link_base: str) -> int:
    """Claim up to ``batch`` due positions and advance each, in the caller's transaction (one
    per batch: ``jobs.advance_due``); how many were claimed (fewer than ``batch``: none are
    left due)."""
    positions = _claim(session, now, batch)
    if not positions:
        return 0
    steps = _versions(session, positions)
    members = _active_members(session, positions)
    by_tenant: dict[int, list[JourneyPosition]] = defaultdict(list)
    for position in positions:
        by_tenant[position.tenant_id].append(position)
    for tenant_id, mine in by_tenant.items():
        tenant = session.get_one(Tenant, tenant_id)
        run = Run(session, tenancy.principal_for(tenant, Role.admin, ACTOR), rules, link_base, now)
        for position in mine:
            if position.member_id not in members:  # merged away or erased
                _finish(position, PositionStatus.exited, now)
                continue
            _one(run, steps[(position.journey_id, position.version)], position)
    return len(positions)
