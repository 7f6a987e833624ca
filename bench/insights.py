"""Benchmark of recomputing the layering: stages, RFM and behaviour tags of a large tenant, on
SQLite and PostgreSQL, next to pandas computing the same RFM from the same orders.

A seeded generator writes a tenant of synthetic members and orders straight into the tables
(the import path is measured by `bulk_orders.py`; here only the recompute is): purchase rates
drawn per member from a Gamma distribution, so a few buy often and many once; payment times
over the two years before the as-of moment; amounts log-normal around 150 yuan; 3 % of orders
wholly and 2 % partly refunded; cart events in the last 60 days for one member in twenty (the
prospects); no order lines. Then, timed one by one in one process: the `member_stats` rebuild
the tags read, the stages of every member (each a new row and a `StageChanged`), RFM
(`INSERT … SELECT` with window functions) and the behaviour tags. The pandas baseline reads
the orders' columns from the same database and computes the same RFM in memory (quintiles as
`NTILE`, ties by member id, the 8 types); the run fails unless its scores and types equal the
stored ones for every member.

    python bench/insights.py [--members 1000000] [--orders 10000000]
                             [--backend both|sqlite|postgresql] [--write docs/benchmarks.md]
"""

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from bench.common import (
    BenchFailure,
    backend_databases,
    bulk_load,
    chosen_server,
    expect,
    machine,
    write_section,
)
from memberops.activity import stats
from memberops.insights.lifecycle.service import refresh_stages
from memberops.insights.rfm.models import MemberRfm
from memberops.insights.rfm.service import TYPES, refresh_rfm
from memberops.insights.tags.service import refresh_tags
from memberops.kernel import clock
from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.settings import Settings
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.wiring import register_handlers

__all__ = ["BenchFailure"]

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
SPAN_SECONDS = 730 * 86_400
STEPS = ("member stats rebuild", "stages", "RFM", "behaviour tags")
EPOCH = pd.Timestamp("1970-01-01", tz="UTC")


@dataclass(frozen=True)
class Tenant:
    """The synthetic tenant's columns, generated once and loaded into each backend."""

    members: int
    order_member: np.ndarray[Any, np.dtype[np.int64]]
    paid_seconds: np.ndarray[Any, np.dtype[np.int64]]
    amount: np.ndarray[Any, np.dtype[np.int64]]
    refunded: np.ndarray[Any, np.dtype[np.int64]]
    cart_member: np.ndarray[Any, np.dtype[np.int64]]
    cart_seconds: np.ndarray[Any, np.dtype[np.int64]]


def generate(members: int, orders: int, seed: int = 20261202) -> Tenant:
    """The seeded tenant described in the module docstring (member ids are 1..members)."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.6, 1.0, members)
    order_member = rng.choice(members, size=orders, p=rate / rate.sum()) + 1
    end = int(AS_OF.timestamp())
    paid = end - rng.integers(0, SPAN_SECONDS, orders)
    amount = np.maximum(100, rng.lognormal(np.log(15_000), 0.8, orders)).astype(np.int64)
    draw = rng.random(orders)
    refunded = np.where(draw < 0.03, amount, np.where(draw < 0.05, amount // 2, 0))
    carts = rng.choice(members, size=members // 20, replace=False) + 1
    cart_seconds = end - rng.integers(0, 60 * 86_400, carts.size)
    return Tenant(members, order_member, paid, amount, refunded, carts, cart_seconds)


def _stamp(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _status(amount: int, refunded: int) -> str:
    if refunded == 0:
        return "paid"
    return "refunded" if refunded >= amount else "partially_refunded"


def _members(tenant_id: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    created = _stamp(int(AS_OF.timestamp()) - SPAN_SECONDS)
    for member_id in range(1, data.members + 1):
        yield (member_id, tenant_id, "active", "tmall", False, "{}", created, created)


def _orders(tenant_id: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    columns = zip(
        data.order_member.tolist(),
        data.paid_seconds.tolist(),
        data.amount.tolist(),
        data.refunded.tolist(),
        strict=True,
    )
    for n, (member, paid, amount, refunded) in enumerate(columns):
        at = _stamp(paid)
        status = _status(amount, refunded)
        yield (
            *(tenant_id, member, f"B{n}", "0" * 64, "tmall", at, amount, amount, False),
            *(refunded, status, at),
        )


def _events(tenant_id: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    pairs = zip(data.cart_member.tolist(), data.cart_seconds.tolist(), strict=True)
    for n, (member, seconds) in enumerate(pairs):
        at = _stamp(seconds)
        yield (tenant_id, member, f"C{n}", "0" * 64, "cart_add", at, "tmall", "{}", at)


#: (table, columns, rows) in load order.
TABLES: tuple[tuple[str, str, Callable[[int, Tenant], Iterator[tuple[Any, ...]]]], ...] = (
    (
        "members",
        "id, tenant_id, status, first_channel, is_registered, custom, created_at, updated_at",
        _members,
    ),
    (
        "orders",
        "tenant_id, member_id, external_id, content_hash, channel, paid_at, amount_cents, "
        "list_amount_cents, is_promotion, refunded_cents, status, created_at",
        _orders,
    ),
    (
        "events",
        "tenant_id, member_id, external_id, content_hash, type, occurred_at, channel, "
        "properties, created_at",
        _events,
    ),
)


def load(engine: Engine, tenant_id: int, data: Tenant) -> None:
    """Write the tenant's rows by each database's fast path (``bulk_load``)."""
    bulk_load(engine, [(table, columns, rows(tenant_id, data)) for table, columns, rows in TABLES])


def _ntile(count: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    """SQL's NTILE(5) over ``count`` ordered rows (larger groups first)."""
    small, extra = divmod(count, 5)
    return np.repeat(np.arange(1, 6), [small + (g < extra) for g in range(5)])


def _scores(frame: pd.DataFrame, column: str, descending: bool) -> np.ndarray[Any, Any]:
    values = frame[column].to_numpy() * (-1 if descending else 1)
    order = np.lexsort((frame["member"].to_numpy(), values))
    scores = np.empty(len(frame), dtype=np.int64)
    scores[order] = _ntile(len(frame))
    return scores


def pandas_rfm(orders: pd.DataFrame, window_days: int = 365) -> pd.DataFrame:
    """RFM of SPEC §4 in pandas, as docs/insights.md defines it."""
    since = int((AS_OF - timedelta(days=window_days)).timestamp())
    end = int(AS_OF.timestamp())
    kept = orders[(orders["kept"]) & (orders["paid"] >= since) & (orders["paid"] <= end)]
    frame = kept.groupby("member", sort=True).agg(
        last=("paid", "max"), frequency=("net", "size"), monetary=("net", "sum")
    )
    frame = frame.reset_index()
    frame["recency"] = (end - frame["last"]) // 86_400
    frame["r"] = _scores(frame, "recency", descending=True)
    frame["f"] = _scores(frame, "frequency", descending=False)
    frame["m"] = _scores(frame, "monetary", descending=False)
    high = (
        frame["recency"] < frame["recency"].mean(),
        frame["frequency"] > frame["frequency"].mean(),
        frame["monetary"] > frame["monetary"].mean(),
    )
    names = {key: kind.value for key, kind in TYPES.items()}
    frame["type"] = [names[key] for key in zip(*(h.tolist() for h in high), strict=True)]
    return frame


def read_orders(engine: Engine) -> pd.DataFrame:
    """The orders' columns RFM needs, as pandas reads them from the database."""
    query = "SELECT member_id, paid_at, amount_cents, refunded_cents FROM orders"
    with engine.connect() as connection:
        frame = pd.read_sql_query(text(query), connection)
    paid = pd.to_datetime(frame["paid_at"], utc=True)
    return pd.DataFrame(
        {
            "member": frame["member_id"],
            "paid": (paid - EPOCH) // pd.Timedelta(seconds=1),
            "net": frame["amount_cents"] - frame["refunded_cents"],
            "kept": frame["refunded_cents"] < frame["amount_cents"],
        }
    )


@dataclass(frozen=True)
class Timing:
    backend: str
    step: str
    seconds: float
    rows: int

    def line(self) -> str:
        return f"| {self.backend} | {self.step} | {self.rows:,} | {self.seconds:.1f} |"


def _stored_rfm(session: Session, tenant_id: int) -> pd.DataFrame:
    columns = (MemberRfm.member_id, MemberRfm.r_score, MemberRfm.f_score, MemberRfm.m_score)
    query = select(*columns, MemberRfm.rfm_type).where(MemberRfm.tenant_id == tenant_id)
    frame = pd.DataFrame(session.execute(query).all(), columns=["member", "r", "f", "m", "type"])
    return frame.sort_values("member").reset_index(drop=True)


def check(stored: pd.DataFrame, computed: pd.DataFrame) -> None:
    """pandas and the database agree on every member's scores and type."""
    mine = computed[["member", "r", "f", "m", "type"]].sort_values("member").reset_index(drop=True)
    expect("RFM members", len(stored), len(mine))
    for column in ("member", "r", "f", "m", "type"):
        same = bool((stored[column].astype(str) == mine[column].astype(str)).all())
        expect(f"RFM {column} equal to pandas", same, True)


def _steps(principal: Principal) -> dict[str, Callable[[Session], int]]:
    """What each timed step runs, in its own transaction; each answers the rows it made."""
    tenant_id = principal.tenant_id

    def rebuild(session: Session) -> int:
        stats.refresh(session, tenant_id)
        return int(session.scalar(select(func.count()).select_from(text("member_stats"))) or 0)

    return {
        "member stats rebuild": rebuild,
        "stages": lambda session: refresh_stages(session, tenant_id, as_of=AS_OF).changed,
        "RFM": lambda session: refresh_rfm(session, tenant_id, AS_OF),
        "behaviour tags": lambda session: sum(refresh_tags(session, principal, AS_OF).values()),
    }


def _recompute(engine: Engine, principal: Principal, backend: str) -> list[Timing]:
    factory = make_session_factory(engine)
    timings = []
    with clock.frozen(AS_OF):
        for name, work in _steps(principal).items():
            started = time.perf_counter()
            with factory.begin() as session:
                rows = work(session)
            timings.append(Timing(backend, name, time.perf_counter() - started, rows))
    return timings


def _pandas(engine: Engine, principal: Principal, backend: str) -> list[Timing]:
    """The baseline, timed in two parts, then checked against the stored RFM."""
    started = time.perf_counter()
    orders = read_orders(engine)
    read = Timing(backend, "pandas: read orders", time.perf_counter() - started, len(orders))
    started = time.perf_counter()
    computed = pandas_rfm(orders)
    scored = Timing(backend, "pandas: RFM in memory", time.perf_counter() - started, len(computed))
    with make_session_factory(engine).begin() as session:
        check(_stored_rfm(session, principal.tenant_id), computed)
    return [read, scored]


def run_backend(backend: str, url: str, data: Tenant) -> list[Timing]:
    """Load the tenant into the empty database at ``url``, recompute, then the baseline."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_session_factory(engine).begin() as session:
            created = tenancy.create_tenant(session, "bench", Settings())
            principal = tenancy.principal_for(created, Role.admin, "bench")
        started = time.perf_counter()
        load(engine, principal.tenant_id, data)
        print(f"{backend}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
        return [*_recompute(engine, principal, backend), *_pandas(engine, principal, backend)]
    finally:
        engine.dispose()


TABLE_HEAD = ["| backend | step | rows | seconds |", "|---|---|---:|---:|"]


def document(backend: str, timings: list[Timing], about: list[str], data: Tenant) -> str:
    """This benchmark's section of docs/benchmarks.md for ``backend``."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ").replace("``", "`")
    ours = sum(t.seconds for t in timings if t.step in ("stages", "RFM", "behaviour tags"))
    rfm = next(t.seconds for t in timings if t.step == "RFM")
    baseline = sum(t.seconds for t in timings if t.step.startswith("pandas"))
    run = (
        f"This run: {data.members:,} members, {data.order_member.size:,} orders, "
        f"{data.cart_member.size:,} cart events."
    )
    notes = [
        f"- Stages + RFM + behaviour tags: {ours:.1f} s. RFM in the database {rfm:.1f} s; "
        f"pandas reading the orders and computing the same RFM {baseline:.1f} s "
        f"({baseline / rfm:.1f}x the database's RFM); scores and types equal for every member.",
    ]
    lines = [*TABLE_HEAD, *(t.line() for t in timings)]
    heading = f"## Insights recompute: {backend}\n"
    return "\n".join([heading, f"{intro}\n", f"{run}\n", *about, "", *lines, "", *notes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--workdir", type=Path, help="where the SQLite database goes")
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    register_handlers()
    server = chosen_server(args.backend)
    data = generate(args.members, args.orders)
    with backend_databases(args.backend, server, args.workdir) as backends:
        for backend, fresh in backends:
            with fresh() as url:
                timings = run_backend(backend, url, data)
            print("\n".join([*TABLE_HEAD, *(t.line() for t in timings)]), flush=True)
            if args.write:
                write_section(args.write, document(backend, timings, machine(server), data))
                print(f"Wrote {backend}'s section of {args.write}.")


if __name__ == "__main__":
    main()
