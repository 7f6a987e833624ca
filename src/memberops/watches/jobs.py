"""The watches' part of each worker round (every ``outbox_poll_seconds``): every active watch
not checked for :data:`CHECK_EVERY` is claimed by a conditional update of ``checked_at`` (so
two workers never evaluate it at once) and evaluated in a transaction of its own.

Why each round and not a daily job: a crowd's size or the dormant share can cross a threshold
at any hour, and the operator should hear of it that hour; checking each watch at most every
quarter of an hour bounds the cost (one set-based query per watch), and the notification is
once per period whatever the number of checks (the outbox's idempotency key)."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from memberops.kernel import clock
from memberops.tenancy import service as tenancy
from memberops.tenancy.models import Role, Tenant
from memberops.watches.models import Watch
from memberops.watches.service import evaluate

log = logging.getLogger("memberops.watches")
#: How often a watch's figure is read at most.
CHECK_EVERY = timedelta(minutes=15)
#: Who the audit log and the outbox name for what watches do.
ACTOR = "watches"

Factory = sessionmaker[Session]


@dataclass
class Round:
    checked: int = 0
    notified: int = 0


def _due(session: Session, now: datetime) -> list[int]:
    stale = or_(Watch.checked_at.is_(None), Watch.checked_at <= now - CHECK_EVERY)
    query = select(Watch.id).where(Watch.active.is_(True), stale).order_by(Watch.id)
    return list(session.scalars(query))


def _claim(session: Session, watch_id: int, now: datetime) -> Watch | None:
    """The watch, when this caller moved its ``checked_at`` first."""
    stale = or_(Watch.checked_at.is_(None), Watch.checked_at <= now - CHECK_EVERY)
    claimed = session.execute(
        update(Watch)
        .where(Watch.id == watch_id, Watch.active.is_(True), stale)
        .values(checked_at=now)
        .returning(Watch.id)
    ).first()
    return None if claimed is None else session.get(Watch, watch_id, populate_existing=True)


def check_watch(session: Session, watch_id: int, now: datetime) -> bool | None:
    """Evaluate the watch if it is due and nobody else took it; whether it notified (None: not
    taken)."""
    watch = _claim(session, watch_id, now)
    if watch is None:
        return None
    tenant = session.get_one(Tenant, watch.tenant_id)
    return evaluate(session, tenancy.principal_for(tenant, Role.admin, ACTOR), watch, now)


def run_round(factory: Factory, now: datetime | None = None) -> Round:
    """Every due watch, each in a transaction of its own; one that fails is logged and tried
    again at its next check."""
    moment = now or clock.now()
    with factory.begin() as session:
        due = _due(session, moment)
    done = Round()
    for watch_id in due:
        try:
            with factory.begin() as session:
                outcome = check_watch(session, watch_id, moment)
        except Exception:  # one watch's failure never stops the others
            log.exception("watch %s failed", watch_id)
            continue
        done.checked += outcome is not None
        done.notified += bool(outcome)
    return done
