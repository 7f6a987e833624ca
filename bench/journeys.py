"""Benchmark of the journeys' worker: how many members a second it advances through a journey
that holds a million of them, on SQLite and PostgreSQL.

A generator writes a tenant of members and one active journey — a welcome: wait a day, a
message greeting the member by name (log channel, so every member can be sent to), exit — with
every member's position written straight into `journey_positions`: a sample of them at the end
of their day's wait (due a minute ago), the rest just entered (due now). The worker's own
batches (`journeys.jobs.advance_due`, 500 positions a transaction, as each worker round runs
them) then advance the sample through the message and the exit (the guard rails judged, the
message rendered and queued, the position finished), and as many of the rest into the wait
(each given its end a day later). The baseline is the floor of the second: one `UPDATE` that
gives as many more positions the same wait, set-based.

    python bench/journeys.py [--members 1000000] [--sample 20000]
                             [--backend both|sqlite|postgresql] [--write docs/benchmarks.md]
"""

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

from sqlalchemy import Engine, func, select, update

from bench.common import (
    BenchFailure,
    Rows,
    backend_databases,
    bulk_load,
    chosen_server,
    expect,
    machine,
    write_section,
)
from memberops.campaigns.guard_rails import Rules
from memberops.journeys import service
from memberops.journeys.jobs import BATCH, advance_due
from memberops.journeys.models import JourneyPosition, PositionStatus
from memberops.journeys.schemas import JourneyCreate
from memberops.kernel import clock
from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.settings import Settings
from memberops.messaging.models import Message
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.wiring import register_handlers

__all__ = ["BenchFailure"]

AS_OF = datetime(2026, 12, 1, 2, tzinfo=UTC)  # 10:00 in Shanghai: outside the quiet hours
WELCOME = {
    "name": "welcome",
    "trigger": {"type": "member_registered"},
    "holdout_percent": 0,
    "steps": [
        {"type": "wait", "days": 1},
        {"type": "send", "channel": "log", "body": "{{ name }}，欢迎加入会员俱乐部"},
        {"type": "exit"},
    ],
}


def _members(t: int, members: int) -> Iterator[tuple[Any, ...]]:
    for i in range(members):
        yield (i + 1, t, "active", True, f"会员{i + 1}", "{}", AS_OF, AS_OF)


def _positions(t: int, journey_id: int, members: int, sample: int) -> Iterator[tuple[Any, ...]]:
    waited = AS_OF - timedelta(minutes=1)
    for i in range(members):
        status, due = ("waiting", waited) if i < sample else ("active", AS_OF)
        yield (t, journey_id, 1, i + 1, 0, status, due, "once", AS_OF, AS_OF, "")


def tables(t: int, journey_id: int, members: int, sample: int) -> list[Rows]:
    return [
        (
            "members",
            "id, tenant_id, status, is_registered, name, custom, created_at, updated_at",
            _members(t, members),
        ),
        (
            "journey_positions",
            "tenant_id, journey_id, version, member_id, step, status, due_at, entry_key,"
            " entered_at, updated_at, last_error",
            _positions(t, journey_id, members, sample),
        ),
    ]


@dataclass(frozen=True)
class Result:
    """One backend's rates, in members a second, and what the sample ended as."""

    waited: float
    sent: float
    floor: float
    messages: int
    finished: int


def _advance(engine: Engine, sample: int, at: datetime) -> float:
    """Members a second through ``sample`` positions, in the worker's batches."""
    factory = make_session_factory(engine)
    done, started = 0, time.perf_counter()
    with clock.frozen(at):
        while done < sample:
            claimed = advance_due(factory, at, min(BATCH, sample - done), rules=Rules())
            if claimed == 0:
                raise BenchFailure(f"only {done} of {sample} positions were due")
            done += claimed
    return sample / (time.perf_counter() - started)


def _floor(engine: Engine, sample: int) -> float:
    """Members a second when one UPDATE gives ``sample`` due positions a day's wait."""
    p = JourneyPosition
    chosen = (
        select(p.id)
        .where(p.status == PositionStatus.active, p.due_at <= AS_OF)
        .order_by(p.due_at, p.id)
        .limit(sample)
    )
    wait = (
        update(p)
        .where(p.id.in_(chosen.scalar_subquery()))
        .values(status=PositionStatus.waiting, due_at=AS_OF + timedelta(days=1))
    )
    with make_session_factory(engine).begin() as session:
        started = time.perf_counter()
        result = session.execute(wait.execution_options(synchronize_session=False))
        moved = result.rowcount  # type: ignore[attr-defined]
        seconds = time.perf_counter() - started
    expect("positions the floor's UPDATE moved", moved, sample)
    return sample / seconds


def run_backend(backend: str, url: str, members: int, sample: int) -> Result:
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_session_factory(engine).begin() as session, clock.frozen(AS_OF):
            created = tenancy.create_tenant(session, "bench", Settings())
            principal = tenancy.principal_for(created, Role.admin, "bench")
            journey = service.create_journey(session, principal, JourneyCreate(**WELCOME))
            service.activate(session, principal, journey.id)
        started = time.perf_counter()
        bulk_load(engine, tables(principal.tenant_id, journey.id, members, sample))
        print(f"{backend}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
        sent = _advance(engine, sample, AS_OF)  # the sample is due first: it is the oldest
        waited = _advance(engine, sample, AS_OF)
        floor = _floor(engine, sample)
        result = Result(waited, sent, floor, *_outcome(engine, principal))
        print(f"{backend}: {result}", flush=True)
        expect("one message per member sent to", result.messages, sample)
        expect("positions finished", result.finished, sample)
        return result
    finally:
        engine.dispose()


def _outcome(engine: Engine, principal: Principal) -> tuple[int, int]:
    """Messages queued and positions finished (the sample's)."""
    with make_session_factory(engine).begin() as session:
        messages = session.scalar(
            select(func.count()).where(Message.tenant_id == principal.tenant_id)
        )
        finished = session.scalar(
            select(func.count()).where(JourneyPosition.status == PositionStatus.exited)
        )
    return int(messages or 0), int(finished or 0)


def document(results: dict[str, Result], about: list[str], members: int, sample: int) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ")
    backends = list(results)

    def row(name: str, value: Any) -> str:
        return f"| {name} | " + " | ".join(value(results[b]) for b in backends) + " |"

    rows = [
        "| | " + " | ".join(backends) + " |",
        "|---|" + "---:|" * len(backends),
        row("wait step (worker), members/s", lambda r: f"{r.waited:,.0f}"),
        row("message + exit (worker), members/s", lambda r: f"{r.sent:,.0f}"),
        row("baseline: one set-based UPDATE of the wait, members/s", lambda r: f"{r.floor:,.0f}"),
        row("messages queued", lambda r: f"{r.messages:,}"),
        row("positions finished", lambda r: f"{r.finished:,}"),
    ]
    run = f"This run: {members:,} members in the journey, a sample of {sample:,} advanced."
    return "\n".join(["## Journeys\n", f"{intro}\n", f"{run}\n", *about, "", *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--workdir", type=Path, help="where the SQLite database goes")
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    register_handlers()
    server = chosen_server(args.backend)
    results: dict[str, Result] = {}
    with backend_databases(args.backend, server, args.workdir) as backends:
        for backend, fresh in backends:
            with fresh() as url:
                results[backend] = run_backend(backend, url, args.members, args.sample)
    section = document(results, machine(server), args.members, args.sample)
    print(section)
    if args.write:
        write_section(args.write, section)
        print(f"Wrote the journeys' section of {args.write}.")


if __name__ == "__main__":
    main()
