"""The journeys' part of each worker round (every ``outbox_poll_seconds``): enter the members
scheduled triggers select, then advance due positions batch after batch, at most
:data:`MAX_BATCHES` per round so the outbox and the campaigns get their turn."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from memberops.campaigns.guard_rails import Rules
from memberops.journeys import scheduled
from memberops.journeys.engine import advance_batch
from memberops.kernel import clock
from memberops.kernel.settings import Settings

#: Positions advanced per transaction.
BATCH = 500
#: Batches per round at most.
MAX_BATCHES = 20

Factory = sessionmaker[Session]


@dataclass
class Round:
    entered: int = 0
    advanced: int = 0


def advance_due(
    factory: Factory,
    now: datetime,
    batch: int,
    *,
    rules: Rules | None = None,
    link_base: str = "",
) -> int:
    """One batch of due positions advanced and committed together (``engine``); how many were
    claimed."""
    with factory.begin() as session:
        return advance_batch(session, now, batch, rules or Rules(), link_base)


def enter_scheduled(factory: Factory, now: datetime) -> int:
    """Check every scheduled journey that is due, each in a transaction of its own; how many
    members entered."""
    with factory.begin() as session:
        due = scheduled.due_journeys(session, now)
    entered = 0
    for journey_id, tenant_id in due:
        with factory.begin() as session:
            entered += scheduled.check(session, journey_id, tenant_id, now)
    return entered


def run_round(factory: Factory, settings: Settings) -> Round:
    done = Round(entered=enter_scheduled(factory, clock.now()))
    rules, links = Rules.of(settings), settings.public_base_url
    for _ in range(MAX_BATCHES):
        claimed = advance_due(factory, clock.now(), BATCH, rules=rules, link_base=links)
        done.advanced += claimed
        if claimed < BATCH:
            break
    return done
