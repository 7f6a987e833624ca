"""Benchmark of a campaign launch: how long `POST /campaigns/{id}:launch`'s work takes for a
crowd of a million members — every member decided (guard rails, holdout, A/B variant) and every
message written to the outbox — on SQLite and PostgreSQL.

A seeded generator writes a tenant straight into the tables the launch reads: members with a
name, phones for 90 %, SMS consent for 75 % (5 % more unsubscribed), a snapshot crowd of them
all, and two earlier campaigns' recipients (30 % and 15 % of the members, sent two and three
days before), so members the two reached are at the frequency cap of two per seven days. The
campaign has two variants of one half each: A greets each member by name and carries a tracked
link (rendered per member in Python), B reads the same for all (written by one `INSERT …
SELECT`). The launch runs through `campaigns.service.launch` in one transaction, committed
inside the timing; the counts by outcome must be equal on both backends (the run fails
otherwise). Offers are given by the worker afterwards and are not part of the launch.

    python bench/campaigns.py [--members 1000000] [--backend both|sqlite|postgresql]
                              [--write docs/benchmarks.md]
"""

import argparse
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

import numpy as np
from sqlalchemy import Engine, func, select

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
from memberops.campaigns import service
from memberops.campaigns.guard_rails import Rules
from memberops.campaigns.models import Campaign, CampaignStatus
from memberops.campaigns.schemas import CampaignCreate
from memberops.crowds.models import Crowd, CrowdKind
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

AS_OF = datetime(2026, 12, 1, 10, tzinfo=UTC)  # 18:00 in Shanghai: outside the quiet hours
LINKS = "https://club.example"
VARIANTS = [
    {
        "name": "A",
        "split_percent": 50,
        "body": "{{ name }}, 冬季新品: {{ link('https://s.example/w') }}",
    },
    {"name": "B", "split_percent": 50, "body": "冬季新品上市, 会员专享 8 折"},
]


@dataclass(frozen=True)
class Tenant:
    """The generated tenant, as numpy columns (member ids are 1..members)."""

    members: int
    columns: dict[str, Any]


def generate(members: int, seed: int = 20261203) -> Tenant:
    rng = np.random.default_rng(seed)
    consent = rng.random(members)
    return Tenant(
        members,
        {
            "phone": rng.random(members) < 0.9,
            "granted": consent < 0.75,
            "unsubscribed": (consent >= 0.75) & (consent < 0.8),
            "autumn": rng.random(members) < 0.3,
            "flash": rng.random(members) < 0.15,
        },
    )


def _members(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    for i in range(data.members):
        yield (i + 1, t, "active", False, f"会员{i + 1}", "{}", AS_OF, AS_OF)


def _phones(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    for i in np.flatnonzero(data.columns["phone"]).tolist():
        yield (t, i + 1, "phone", "", f"+86139{i:08d}", "bench", AS_OF)


def _consents(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c = data.columns
    for i in np.flatnonzero(c["granted"] | c["unsubscribed"]).tolist():
        source = "unsubscribe" if c["unsubscribed"][i] else "bench"
        yield (t, i + 1, "sms", bool(c["granted"][i]), source, AS_OF)


def _crowd(t: int, crowd_id: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    for i in range(data.members):
        yield (t, crowd_id, i + 1)


def _earlier(t: int, campaigns: dict[str, int], data: Tenant) -> Iterator[tuple[Any, ...]]:
    for days, name in ((3, "autumn"), (2, "flash")):
        at = AS_OF - timedelta(days=days)
        for i in np.flatnonzero(data.columns[name]).tolist():
            yield (t, campaigns[name], i + 1, "sent", "sms", at)


def tables(t: int, crowd_id: int, earlier: dict[str, int], data: Tenant) -> list[Rows]:
    return [
        (
            "members",
            "id, tenant_id, status, is_registered, name, custom, created_at, updated_at",
            _members(t, data),
        ),
        (
            "identities",
            "tenant_id, member_id, type, scope, value, source, created_at",
            _phones(t, data),
        ),
        (
            "member_consents",
            "tenant_id, member_id, channel, granted, source, at",
            _consents(t, data),
        ),
        ("crowd_members", "tenant_id, crowd_id, member_id", _crowd(t, crowd_id, data)),
        (
            "campaign_recipients",
            "tenant_id, campaign_id, member_id, outcome, channel, decided_at",
            _earlier(t, earlier, data),
        ),
    ]


@dataclass(frozen=True)
class Result:
    """One backend's launch: its seconds, the messages it wrote and its members by outcome."""

    seconds: float
    messages: int
    counts: dict[str, int]


def _setup(session: Any, principal: Principal, members: int) -> tuple[int, dict[str, int]]:
    """The crowd, the two earlier campaigns (finished) and the draft to launch."""
    crowd = Crowd(
        tenant_id=principal.tenant_id,
        name="everyone",
        kind=CrowdKind.snapshot,
        condition={},
        size=members,
        counted_at=AS_OF,
        frozen_at=AS_OF,
        created_by="bench",
    )
    session.add(crowd)
    session.flush()
    earlier = {}
    for name in ("autumn", "flash", "winter"):
        body = {"name": name, "crowd_id": crowd.id, "variants": VARIANTS}
        campaign = service.create_campaign(session, principal, CampaignCreate.model_validate(body))
        earlier[name] = campaign.id
        if name != "winter":
            campaign.status = CampaignStatus.finished
    return crowd.id, earlier


def launch(engine: Engine, principal: Principal, campaign_id: int) -> Result:
    always = Rules(quiet_start=day_time(0), quiet_end=day_time(0))
    factory = make_session_factory(engine)
    with clock.frozen(AS_OF):
        started = time.perf_counter()
        with factory.begin() as session:
            service.launch(session, principal, campaign_id, always, LINKS)
        seconds = time.perf_counter() - started
    with factory.begin() as session:
        campaign = session.get_one(Campaign, campaign_id)
        read = service.read(session, principal, campaign)
        query = select(func.count()).select_from(Message)
        messages = int(session.scalar(query.where(Message.tenant_id == principal.tenant_id)) or 0)
    counts = {str(k): v for k, v in {**read.outcomes, **read.skipped}.items()}
    return Result(seconds, messages, counts)


def run_backend(backend: str, url: str, data: Tenant) -> Result:
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_session_factory(engine).begin() as session:
            created = tenancy.create_tenant(session, "bench", Settings())
            principal = tenancy.principal_for(created, Role.admin, "bench")
            crowd_id, campaigns = _setup(session, principal, data.members)
        started = time.perf_counter()
        bulk_load(engine, tables(principal.tenant_id, crowd_id, campaigns, data))
        print(f"{backend}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
        result = launch(engine, principal, campaigns["winter"])
        print(f"{backend}: launched in {result.seconds:.1f} s: {result.counts}", flush=True)
        expect("one message per sent member", result.messages, result.counts["sent"])
        return result
    finally:
        engine.dispose()


def document(results: dict[str, Result], about: list[str], data: Tenant) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ")
    backends = list(results)
    first = results[backends[0]]
    head = ["| | " + " | ".join(backends) + " |", "|---|" + "---:|" * len(backends)]
    rows = [
        "| launch, seconds | " + " | ".join(f"{results[b].seconds:.1f}" for b in backends) + " |",
        "| messages written | " + " | ".join(f"{results[b].messages:,}" for b in backends) + " |",
        *(
            f"| members {name} | "
            + " | ".join(f"{results[b].counts[name]:,}" for b in backends)
            + " |"
            for name in first.counts
        ),
    ]
    run = f"This run: {data.members:,} members."
    heading = "## Campaign launch\n"
    return "\n".join([heading, f"{intro}\n", f"{run}\n", *about, "", *head, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--workdir", type=Path, help="where the SQLite database goes")
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    register_handlers()
    server = chosen_server(args.backend)
    data = generate(args.members)
    results: dict[str, Result] = {}
    with backend_databases(args.backend, server, args.workdir) as backends:
        for backend, fresh in backends:
            with fresh() as url:
                results[backend] = run_backend(backend, url, data)
    counts = [r.counts for r in results.values()]
    for other in counts[1:]:
        expect("members by outcome equal on both backends", other, counts[0])
    section = document(results, machine(server), data)
    print(section)
    if args.write:
        write_section(args.write, section)
        print(f"Wrote the campaign launch's section of {args.write}.")


if __name__ == "__main__":
    main()
