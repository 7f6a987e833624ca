"""Benchmark of order ingest over HTTP: the issue's acceptance, measured.

A real server (`memberops serve`, one uvicorn process) runs on a fresh SQLite file and on a
throwaway PostgreSQL database; several client processes post a deterministic stream of
realistic orders to it with httpx (distinct external ids, members drawn from a pool so that
many buy again, 1-4 lines, money as strings, one item in twenty a replay sent on purpose), one
order per `POST /api/v1/orders` and then 100 per `POST /api/v1/orders:batch`. Every answer must
be 201 (200 for the replays; an order refused with `identity.contention`, the API's "retry", is
sent again and counted in the notes), and afterwards the database must hold exactly the orders
and members sent and sampled orders must read back through `GET /api/v1/orders/{id}`: a run
that loses an order fails. Two baselines are measured in the same run: `GET /healthz` from the same
clients (the HTTP stack and one `SELECT 1`: the floor under any endpoint) and `pgbench` TPC-B
on the same PostgreSQL server (what the database itself does with small write transactions).

    python bench/ingest.py [--clients 4] [--orders 2000] [--batch-orders 2000]
                           [--no-pgbench] [--sqlite-only] [--write docs/benchmarks.md]

PostgreSQL: ``MEMBEROPS_BENCH_DATABASE_URL`` (a server URL; throwaway databases are made and
dropped), else ``postgresql://postgres@127.0.0.1:5432/postgres`` when it answers.
"""

import argparse
import multiprocessing
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

import httpx
from sqlalchemy import func, select, text

from bench.common import (
    DEFAULT_PG,
    PG_URL_VAR,
    BenchFailure,
    expect,
    machine,
    postgresql_databases,
    postgresql_server,
    sqlite_databases,
    write_section,
)
from bench.ingest_load import Job, Outcome, Posted, init_client, run_client, stream
from bench.pgbench import Baseline, find_pgbench, pgbench_tpcb
from memberops.activity.models import Order
from memberops.identity.models import Identity
from memberops.kernel.db import make_engine

MEMBEROPS = str(Path(sys.executable).with_name("memberops"))
MODES = {"healthz": "GET /healthz (baseline)", "single": "POST /orders", "batch": "POST :batch"}
TABLE_HEAD = [
    "| backend | mode | clients | orders | seconds | orders/s | p50 ms | p99 ms |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
]


@dataclass(frozen=True)
class Options:
    """How much to send: per backend, ``orders`` single orders, ``batch_orders`` in batches of
    ``batch_size``, as many ``healthz`` GETs; each phase stops after ``seconds``."""

    clients: int = 4
    orders: int = 2000
    batch_orders: int = 2000
    batch_size: int = 100
    healthz: int = 2000
    pool: int = 3000
    seconds: float = 60.0
    seed: int = 20261123


@dataclass(frozen=True)
class Phase:
    """One measured phase: items (orders, or GETs) answered in ``seconds`` by ``clients``."""

    backend: str
    mode: str
    clients: int
    items: int
    seconds: float
    latencies: tuple[float, ...]
    retried: int = 0
    planned: int = 0
    deadlocks: int = 0
    dropped: tuple[str, ...] = ()

    def line(self) -> str:
        """The phase's row of the table (batch latencies are per request of many orders)."""
        ms = sorted(1000 * x for x in self.latencies)
        p50, p99 = statistics.median(ms), ms[min(len(ms) - 1, int(0.99 * len(ms)))]
        rate = self.items / self.seconds
        figures = f"{self.items:,} | {self.seconds:.1f} | {rate:,.0f} | {p50:.1f} | {p99:.1f}"
        return f"| {self.backend} | {MODES[self.mode]} | {self.clients} | {figures} |"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(process: subprocess.Popen[bytes], base: str) -> None:
    """Poll /healthz for at most 60 seconds; fail if the server exits first."""
    with httpx.Client(trust_env=False, timeout=1) as client:
        for _ in range(600):
            try:
                if client.get(f"{base}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            raise BenchFailure(f"the server exited with status {process.returncode}")
    raise BenchFailure("the server did not answer /healthz within 60 seconds")


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([MEMBEROPS, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchFailure(f"memberops {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip()


def _keep(log: Path) -> Path:
    """A copy of ``log`` outside the temporary directory, for after a failed run."""
    kept = Path(tempfile.gettempdir()) / f"memberops-ingest-{log.name}"
    shutil.copyfile(log, kept)
    return kept


@contextmanager
def serving(url: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """`memberops init` and `serve` on ``url`` at 127.0.0.1; yields the base URL and a `pos`
    API key. The server is stopped (Ctrl-C, then killed) whatever happens."""
    # The server alone is measured: no in-process worker beside it.
    env = {**os.environ, "MEMBEROPS_DATABASE_URL": url, "MEMBEROPS_SECRET_KEY": "bench"}
    env["MEMBEROPS_WORKER_IN_PROCESS"] = "false"
    _cli(env, "init")
    key = _cli(env, "apikey", "create", "--tenant", "default", "--scope", "pos")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with (workdir / f"server-{port}.log").open("wb") as log:
        command = [MEMBEROPS, "serve", "--host", "127.0.0.1", "--port", str(port)]
        process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        try:
            _wait_ready(process, base)
            yield base, key
        except BaseException:
            print(f"Server log: {_keep(workdir / f'server-{port}.log')}", file=sys.stderr)
            raise
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def jobs(base: str, key: str, mode: str, count: int, options: Options) -> list[Job]:
    """``count`` items shared out between the clients, the first ones taking the remainder."""
    share, extra = divmod(count, options.clients)
    prefix, size = mode[0].upper(), options.batch_size
    job = Job(base, key, mode, 0, 0, options.pool, options.seed, prefix, size, options.seconds)
    return [replace(job, client=c, count=share + (c < extra)) for c in range(options.clients)]


def run_clients(work: list[Job]) -> list[Outcome]:
    """Run each job in its own process; all start their timed requests together."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(work))
    with context.Pool(len(work), initializer=init_client, initargs=(barrier,)) as pool:
        outcomes = pool.map(run_client, work)
    problems = [problem for outcome in outcomes for problem in outcome.problems]
    if problems:
        raise BenchFailure("unexpected answers:\n" + "\n".join(problems))
    return outcomes


def sent_items(work: list[Job], outcomes: list[Outcome]) -> list[Posted]:
    """The items the clients actually sent (a client out of time sends a prefix of its
    stream)."""
    return [
        posted
        for job, outcome in zip(work, outcomes, strict=True)
        for posted in stream(job.seed, job.prefix, job.client, job.count, job.pool)[: outcome.items]
    ]


def deadlocks(url: str) -> int:
    """Deadlocks PostgreSQL has detected in the database at ``url`` so far (0 on SQLite)."""
    if not url.startswith("postgres"):
        return 0
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_stat_force_next_flush()"))
            query = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
            return int(connection.scalar(text(query)) or 0)
    finally:
        engine.dispose()


def verify(url: str, base: str, key: str, posted: list[Posted], phones: set[str]) -> None:
    """The database holds exactly the orders sent (under their prefix) and one member per
    phone sent so far; a sample of orders reads back through the API as sent."""
    orders = {p.order["external_id"]: p.order for p in posted}
    prefix = next(iter(orders)).split("-", 1)[0] + "-"
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            stored = connection.scalar(
                select(func.count()).where(Order.external_id.startswith(prefix))
            )
            members = connection.scalar(select(func.count(func.distinct(Identity.member_id))))
    finally:
        engine.dispose()
    expect(f"orders stored under {prefix}", stored, len(orders))
    expect("members (one per phone sent)", members, len(phones))
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, headers=headers, trust_env=False, timeout=30) as client:
        for external_id in random.Random(0).sample(sorted(orders), min(20, len(orders))):
            got = client.get(f"/api/v1/orders/{external_id}")
            expect(f"GET /orders/{external_id}", got.status_code, 200)
            sent = orders[external_id]
            expect(f"amount of {external_id}", got.json()["amount"], sent["amount"])
            expect(f"lines of {external_id}", len(got.json()["lines"]), len(sent["lines"]))


def measure(backend: str, work: list[Job], outcomes: list[Outcome]) -> Phase:
    """The phase the clients' outcomes make: items, seconds from the common start to the last
    answer, every request's latency."""
    seconds = max(o.ended for o in outcomes) - min(o.started for o in outcomes)
    items, retried = sum(o.items for o in outcomes), sum(o.retried for o in outcomes)
    latencies = tuple(x for o in outcomes for x in o.latencies)
    planned, dropped = sum(job.count for job in work), tuple(x for o in outcomes for x in o.dropped)
    phase = Phase(backend, work[0].mode, len(work), items, seconds, latencies, retried, planned)
    return replace(phase, dropped=dropped)


def run_backend(backend: str, url: str, workdir: Path, options: Options) -> list[Phase]:
    """Serve ``url``, then measure /healthz, single orders and batches, checking each (and
    counting PostgreSQL's deadlocks, read after the check so the server has reported them)."""
    phases, phones = [], set[str]()
    counts = {"healthz": options.healthz, "single": options.orders, "batch": options.batch_orders}
    with serving(url, workdir) as (base, key):
        for mode, count in ((m, c) for m, c in counts.items() if c):
            work, before = jobs(base, key, mode, count, options), deadlocks(url)
            outcomes = run_clients(work)
            phase = measure(backend, work, outcomes)
            if mode != "healthz":
                posted = sent_items(work, outcomes)
                phones |= {p.order["member"]["identities"][0]["value"] for p in posted}
                verify(url, base, key, posted, phones)
            phases.append(replace(phase, deadlocks=deadlocks(url) - before))
    return phases


def _notes(phase: Phase) -> str:
    """What the table cannot say about ``phase``: retries, and the time cap cutting it short."""
    notes = []
    if phase.retried:
        notes.append(
            f"{phase.retried:,} orders were refused with `identity.contention` (409, retry) and "
            "posted again (counted once)"
        )
    if phase.dropped:
        lost = f"{len(phase.dropped)} requests lost their connection ({phase.dropped[0]})"
        notes.append(f"{lost} and were sent again")
    if phase.deadlocks:
        notes.append(f"PostgreSQL counted {phase.deadlocks:,} deadlocks between requests")
    if phase.items < phase.planned:
        notes.append(f"the time cap stopped it after {phase.items:,} of {phase.planned:,}")
    return f"- {phase.backend}, {MODES[phase.mode]}: {'; '.join(notes)}." if notes else ""


def results(phases: list[Phase], baseline: Baseline | None) -> list[str]:
    """The table and what it says: orders/s against the /healthz and pgbench baselines."""
    lines = [*TABLE_HEAD, *(phase.line() for phase in phases)]
    if baseline is not None:
        lines.append(baseline.line())
    lines.append("")
    rate = {(p.backend, p.mode): p.items / p.seconds for p in phases}
    for backend in dict.fromkeys(p.backend for p in phases):
        single, batch = rate.get((backend, "single")), rate.get((backend, "batch"))
        healthz = rate.get((backend, "healthz"))
        if single and healthz:
            share = f"{single / healthz:.0%} of the /healthz rate"
            lines.append(f"- {backend}: single orders at {single:,.0f}/s, {share}.")
        if single and batch:
            lines.append(f"- {backend}: orders in batches at {batch / single:.1f}x that rate.")
        lines += [note for p in phases if p.backend == backend and (note := _notes(p))]
    if baseline is not None and (single := rate.get(("PostgreSQL", "single"))):
        ratio = baseline.tps / single
        lines.append(f"- pgbench TPC-B does {ratio:.1f} transactions per single order posted.")
    return lines


def document(lines: list[str], about: list[str], options: Options) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ")
    run = (
        f"This run: {options.clients} client processes, per backend {options.healthz:,} GETs, "
        f"{options.orders:,} single orders and {options.batch_orders:,} orders in batches of "
        f"{options.batch_size}, members drawn from a pool of {options.pool:,} phones. `orders` "
        "counts the items answered (GETs for /healthz; replays included); `seconds` is from the "
        "clients' common start to the last answer; latencies are per request (for `:batch`, a "
        "request of 100 orders). Server, clients and PostgreSQL share the machine's cores, so "
        "figures vary between runs: compare the rows of one run, not runs."
    )
    return "\n".join(["## Order ingest over HTTP\n", f"{intro}\n", f"{run}\n", *about, "", *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    defaults = Options()
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--orders", type=int, default=defaults.orders, help="single orders")
    parser.add_argument("--batch-orders", type=int, default=defaults.batch_orders)
    parser.add_argument("--seconds", type=float, default=defaults.seconds, help="cap per phase")
    parser.add_argument("--pgbench-seconds", type=int, default=30)
    parser.add_argument("--no-pgbench", action="store_true")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    options = replace(
        defaults, clients=args.clients, orders=args.orders, batch_orders=args.batch_orders
    )
    options = replace(options, healthz=args.orders, seconds=args.seconds)
    server = None if args.sqlite_only else postgresql_server()
    if server is None and not args.sqlite_only:
        print(f"PostgreSQL skipped: nothing answers at {DEFAULT_PG} (set {PG_URL_VAR})")
    phases: list[Phase] = []
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with sqlite_databases(workdir)() as url:
            phases += run_backend("SQLite", url, workdir, options)
        if server is not None:
            with postgresql_databases(server)() as url:
                phases += run_backend("PostgreSQL", url, workdir, options)
            pgbench = None if args.no_pgbench else find_pgbench()
            if pgbench is not None:
                with postgresql_databases(server)() as url:
                    baseline = pgbench_tpcb(
                        pgbench, url, args.clients, args.pgbench_seconds, workdir
                    )
    lines = results(phases, baseline)
    print("\n".join(lines))
    if args.write:
        about = machine(server) + (baseline.about() if baseline else [])
        write_section(args.write, document(lines, about, options))
        print(f"Wrote {args.write}.")


if __name__ == "__main__":
    main()
