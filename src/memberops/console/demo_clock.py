"""The demo clock (``MEMBEROPS_DEMO_CLOCK``): an admin of a demo moves the process's clock
forward (``kernel.clock.shift``) and the journeys catch up at once.

The move goes an hour at a time, each hour followed by one journeys round of the worker —
scheduled entries, then the due positions (``journeys.jobs.run_round``) — as a worker polling
through those hours would have run them: a birthday at 09:00 on a day passed over still enters
its members, and a wait that ended on the way lets its members go on. The worker of ``make
run`` (a thread of the same process) reads the same clock, so its daily jobs and outbox follow
at their next poll.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from memberops.journeys import jobs as journeys
from memberops.kernel import clock
from memberops.kernel.settings import Settings

#: How far the clock moves between two journeys rounds.
STEP = timedelta(hours=1)
#: The longest move at once (a round per hour: about a minute's work on a laptop).
LONGEST = timedelta(days=60)


@dataclass(frozen=True)
class Moved:
    """Where the clock is now, and what the journeys did on the way."""

    now: datetime
    rounds: int
    entered: int
    advanced: int


def move(factory: sessionmaker[Session], settings: Settings, delta: timedelta) -> Moved:
    """Move the clock forward by ``delta`` (at most :data:`LONGEST`), a journeys round after
    every :data:`STEP`; refused (ValueError) when the deployment has no demo clock."""
    if not settings.demo_clock:
        raise ValueError("the demo clock is off (MEMBEROPS_DEMO_CLOCK)")
    if not timedelta(0) < delta <= LONGEST:
        raise ValueError(f"the clock moves forward by up to {LONGEST.days} days")
    rounds = entered = advanced = 0
    left = delta
    while left > timedelta(0):
        part = min(STEP, left)
        clock.shift(part)
        left -= part
        done = journeys.run_round(factory, settings)
        rounds, entered, advanced = rounds + 1, entered + done.entered, advanced + done.advanced
    return Moved(clock.now(), rounds, entered, advanced)
