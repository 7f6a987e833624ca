"""Benchmark of ``memberops import orders`` on a large file: the issue's acceptance, measured.

A seeded generator streams an order history in the `generic` preset as a Chinese shop exports
it: one row per order line (1-5 per order, the order's fields on its first row), members drawn
from a pool of +86 mobiles (one per ten lines) so that many buy again, SKUs from a catalogue of
five categories with list prices, one line in five sold below list, some orders with a coupon,
channels and stores, payment times over two years with +08:00 offsets, money as yuan strings,
3 % of orders refunded (in full or one line). On a fresh database (SQLite, and PostgreSQL when
one answers) the CLI imports it in a new process; the run fails unless the CLI reports no bad
row and the database then holds exactly the orders, lines, refunds, amounts and members
generated, with one `member_stats` row per member. As the baseline, the same file is loaded in
the same run by the database's own bulk loader into a plain table (text columns, no index, no
constraint): `sqlite3 .import --csv` into a new file, and `psql \\copy … (FORMAT csv, HEADER)`
into a logged table of a throwaway database.

    python bench/bulk_orders.py [--lines 10000000] [--backend both|sqlite|postgresql]
                                [--workdir /tmp] [--write docs/benchmarks.md]

Each backend's figures go into a section of their own, so the two may be measured by two runs
(``--backend sqlite`` and ``--backend postgresql``, one after the other or side by side).

PostgreSQL: ``MEMBEROPS_BENCH_DATABASE_URL`` (a server URL; throwaway databases are made and
dropped), else ``postgresql://postgres@127.0.0.1:5432/postgres`` when it answers.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

from sqlalchemy import Engine, func, make_url, select, text

from bench.common import (
    DEFAULT_PG,
    PG_URL_VAR,
    BenchFailure,
    Fresh,
    expect,
    machine,
    postgresql_databases,
    postgresql_server,
    sqlite_databases,
    write_section,
)
from bench.import_members import MEMBEROPS
from bench.ingest_load import money, phone
from memberops.activity.models import MemberStats, Order, OrderLine, Refund
from memberops.kernel.db import make_engine
from memberops.members.models import Member, MemberStatus

__all__ = ["BenchFailure"]  # raised by the checks, as the tests expect

HEADER = ["order_id", "paid_at", "phone", "channel", "store", "sku", "name", "category"]
HEADER += ["unit_price", "list_price", "quantity", "amount", "list_amount"]
HEADER += ["refund_id", "refund_amount", "refunded_at"]
#: category -> (SKU prefix, product words, list price range in cents)
CATEGORIES = {
    "茶叶": ("TEA", "西湖龙井 云南普洱 安溪铁观音 福鼎白茶 祁门红茶", 3900, 128000),
    "茶具": ("WARE", "紫砂壶 白瓷盖碗 玻璃公道杯 竹制茶盘", 2900, 88000),
    "零食": ("SNACK", "坚果礼盒 风干牛肉 凤梨酥 芒果干", 990, 12900),
    "美妆": ("BEAUTY", "保湿面霜 精华液 补水面膜 口红", 4900, 69900),
    "服饰": ("WEAR", "纯棉T恤 连帽卫衣 羊绒围巾 棉袜", 2900, 59900),
}
SKUS_PER_CATEGORY = 500
LINES_PER_ORDER = [1, 1, 1, 2, 2, 3, 4, 5]
QUANTITIES = [1, 1, 1, 1, 1, 1, 2, 2, 3]
PERCENT_OF_LIST = [100, 100, 100, 100, 100, 100, 100, 100, 90, 80]  # one line in five below
CHANNELS = ["tmall", "tmall", "taobao", "jd", "douyin", "mini_program", "pos", "pos"]
SHOPS = ["sh-jingan", "sh-xuhui", "hz-xihu", "bj-chaoyang", "gz-tianhe", "cd-jinjiang"]
REFUND_SHARE = 0.03
START = datetime(2024, 11, 1, 9, tzinfo=timezone(timedelta(hours=8)))  # then two years
SPAN = timedelta(days=730)
ORDER_FIGURES = (
    *("rows", "orders created", "orders replayed", "refunds created"),
    *("refunds replayed", "customers created", "bad rows"),
)
TABLE_HEAD = ["| backend | path | lines | orders | seconds | lines/s |"]
TABLE_HEAD += ["|---|---|---:|---:|---:|---:|"]
IMPORT = "memberops import orders (CLI)"
BASELINES = {"SQLite": "sqlite3 .import (baseline)", "PostgreSQL": "psql \\copy (baseline)"}


@dataclass(frozen=True)
class Sample:
    """A generated file and what importing it must give."""

    path: Path
    lines: int
    orders: int
    members: int
    refunds: int
    paid_cents: int
    refunded_cents: int

    def summary(self) -> dict[str, int]:
        """The figures the CLI must print: everything created, nothing replayed or bad."""
        values = (self.lines, self.orders, 0, self.refunds, 0, self.members, 0)
        return dict(zip(ORDER_FIGURES, values, strict=True))


Item = tuple[str, str, str, int]  # sku, name, category, list price in cents


def catalogue(rng: random.Random) -> list[Item]:
    """The shop's SKUs: ``SKUS_PER_CATEGORY`` per category, each with its list price (whole
    yuan, or .90 as shops like to price)."""
    items = []
    for category, (prefix, words, low, high) in CATEGORIES.items():
        names = words.split()
        for n in range(SKUS_PER_CATEGORY):
            name = f"{names[n % len(names)]} {n // len(names) + 1}号"
            price = rng.randrange(low // 100, high // 100) * 100 + rng.choice((0, 0, 90))
            items.append((f"{prefix}{n:04d}", name, category, price))
    return items


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _rows(
    rng: random.Random, items: list[Item], order_id: str
) -> tuple[list[list[str]], list[int], int]:
    """The order's line rows (order and refund columns blank), each line's cents (unit price
    × quantity) and the order's list amount."""
    rows, cents, listed = [], [], 0
    for sku, name, category, price in items:
        unit, quantity = price * rng.choice(PERCENT_OF_LIST) // 100, rng.choice(QUANTITIES)
        rows.append([order_id, "", "", "", "", sku, name, category])
        rows[-1] += [money(unit), money(price), str(quantity), "", "", "", "", ""]
        cents.append(unit * quantity)
        listed += price * quantity
    return rows, cents, listed


def _refund(rng: random.Random, row: list[str], cents: int, paid_at: datetime) -> int:
    """Write a refund of ``cents`` on ``row``, one to fifteen days after payment."""
    later = paid_at + timedelta(days=rng.randint(1, 14), seconds=rng.randrange(86400))
    row[13:16] = [f"R{row[0]}", money(cents), _stamp(later)]
    return cents


def order(
    rng: random.Random, items: list[Item], order_id: str, member: int, paid_at: datetime
) -> tuple[list[list[str]], int, int]:
    """The rows of one order of ``items`` by pool member ``member``, with its paid and
    refunded cents (a refund is of the whole order, or of the last line of a longer one)."""
    rows, cents, listed = _rows(rng, items, order_id)
    goods = sum(cents)
    paid = goods - (2000 if goods >= 19900 and rng.random() < 0.3 else 0)  # 满199减20
    channel = rng.choice(CHANNELS)
    store = rng.choice(SHOPS) if channel == "pos" else f"{channel}-flagship"
    rows[0][1:5] = [_stamp(paid_at), phone(member), channel, store]
    rows[0][11:13] = [money(paid), money(listed)]
    if rng.random() >= REFUND_SHARE:
        return rows, paid, 0
    if len(rows) == 1 or rng.random() < 0.4:
        return rows, paid, _refund(rng, rows[0], paid, paid_at)
    return rows, paid, _refund(rng, rows[-1], min(paid, cents[-1]), paid_at)


@dataclass
class _Tally:
    orders: int = 0
    refunds: int = 0
    paid_cents: int = 0
    refunded_cents: int = 0

    def add(self, paid: int, refunded: int) -> None:
        self.orders += 1
        self.refunds += refunded > 0
        self.paid_cents += paid
        self.refunded_cents += refunded


def generate(path: Path, lines: int, seed: int = 20261123) -> Sample:
    """Write exactly ``lines`` order lines to ``path``, one order after another in payment
    order, streamed (10 million lines never sit in memory); members are drawn from
    ``lines // 10`` phones, the first ones far more often (a few regulars, a long tail)."""
    rng = random.Random(seed)
    shop = catalogue(rng)
    pool = max(lines // 10, 1)
    step = SPAN.total_seconds() * sum(LINES_PER_ORDER) / len(LINES_PER_ORDER) / lines
    moment, written, members, tally = START, 0, set[int](), _Tally()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        while written < lines:
            count = min(rng.choice(LINES_PER_ORDER), lines - written)
            member = int(pool * rng.random() ** 2)
            moment += timedelta(seconds=rng.expovariate(1 / step))
            order_id = f"T{tally.orders + 1:010d}"
            rows, paid, refunded = order(rng, rng.sample(shop, count), order_id, member, moment)
            writer.writerows(rows)
            members.add(member)
            written += count
            tally.add(paid, refunded)
    figures = (tally.orders, len(members), tally.refunds, tally.paid_cents, tally.refunded_cents)
    return Sample(path, lines, *figures)


@dataclass(frozen=True)
class Run:
    """A finished process: its wall-clock seconds, its own peak memory, what it printed."""

    seconds: float
    peak_mib: float
    stdout: str


def run_process(command: list[str], env: dict[str, str], logs: Path) -> Run:
    """Run ``command`` in a new process, its output in files beside ``logs`` (a progress bar
    over millions of lines is no pipe's business); fails unless it exits 0. The peak memory is
    the process's own (``wait4``), not the largest of all children so far."""
    out, err = logs.with_suffix(".out"), logs.with_suffix(".err")
    with out.open("w") as stdout, err.open("w") as stderr:
        started = time.perf_counter()
        with subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr) as process:
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
    if process.returncode:
        tail = err.read_text()[-2000:]
        raise BenchFailure(f"{Path(command[0]).name} failed ({process.returncode}): {tail}")
    return Run(seconds, usage.ru_maxrss / 1024, out.read_text())


def _summary(stdout: str) -> dict[str, int]:
    """The figures the CLI printed, by label."""
    pairs = (line.rpartition(" ") for line in stdout.splitlines())
    return {
        label.strip(): int(value) for label, _, value in pairs if label.strip() in ORDER_FIGURES
    }


def _count(connection: Any, model: Any, *where: Any) -> int:
    return int(connection.scalar(select(func.count()).select_from(model).where(*where)))


def check_database(engine: Engine, sample: Sample) -> None:
    """The database holds exactly what was generated, and a stats row per member."""
    with engine.connect() as connection:
        found = {
            "orders": _count(connection, Order),
            "order lines": _count(connection, OrderLine),
            "refunds": _count(connection, Refund),
            "members": _count(connection, Member, Member.status == MemberStatus.active),
            "member_stats rows": _count(connection, MemberStats),
            "paid cents": connection.scalar(select(func.sum(Order.amount_cents))),
            "refunded cents": connection.scalar(select(func.sum(Order.refunded_cents))),
        }
    wanted = [sample.orders, sample.lines, sample.refunds, sample.members, sample.members]
    wanted += [sample.paid_cents, sample.refunded_cents]
    expect("database", found, dict(zip(found, wanted, strict=True)))


def import_and_check(url: str, sample: Sample, workdir: Path) -> Run:
    """``memberops init``, then the timed ``memberops import orders`` of ``sample`` into the
    empty database at ``url``; checks the figures printed, the report and the database."""
    env = {**os.environ, "MEMBEROPS_DATABASE_URL": url}
    subprocess.run([MEMBEROPS, "init"], env=env, capture_output=True, check=True)
    scheme = url.partition(":")[0]  # each backend its own report and logs
    report = workdir / f"orders-report-{scheme}.csv"
    command = [MEMBEROPS, "import", "orders", str(sample.path), "--preset", "generic"]
    run = run_process([*command, "--errors", str(report)], env, workdir / f"import-{scheme}")
    expect("summary", _summary(run.stdout), sample.summary())
    expect("report", report.read_text(encoding="utf-8-sig").splitlines()[1:], [])
    engine = make_engine(url)
    try:
        check_database(engine, sample)
    finally:
        engine.dispose()
    return run


_COLUMNS = ", ".join(f"{name} text" for name in HEADER)


def sqlite_baseline(database: Path, sample: Sample, workdir: Path) -> Run:
    """``sqlite3 .import`` of the file into a plain table of a new SQLite file, checked."""
    create = f"CREATE TABLE baseline ({_COLUMNS});"
    load = f".import --csv --skip 1 {sample.path} baseline"
    run = run_process(
        ["sqlite3", str(database), create, load], dict(os.environ), workdir / "sqlite3"
    )
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            loaded = connection.scalar(text("SELECT count(*) FROM baseline"))
    finally:
        engine.dispose()
    expect("rows loaded by sqlite3 .import", loaded, sample.lines)
    return run


def copy_baseline(url: str, sample: Sample, workdir: Path) -> Run:
    """``psql \\copy`` of the file into a plain logged table of the database at ``url``."""
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(f"CREATE TABLE baseline ({_COLUMNS})"))
        libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        copy = f"\\copy baseline FROM '{sample.path}' WITH (FORMAT csv, HEADER)"
        command = ["psql", libpq, "-v", "ON_ERROR_STOP=1", "-c", copy]
        run = run_process(command, dict(os.environ), workdir / "psql")
        with engine.connect() as connection:
            loaded = connection.scalar(text("SELECT count(*) FROM baseline"))
    finally:
        engine.dispose()
    expect("psql \\copy", run.stdout.strip(), f"COPY {sample.lines}")
    expect("rows loaded by psql \\copy", loaded, sample.lines)
    return run


@dataclass(frozen=True)
class Timing:
    backend: str
    path: str
    lines: int
    orders: int | None  # None for a baseline, which loads rows, not orders
    run: Run

    def line(self) -> str:
        orders = "–" if self.orders is None else f"{self.orders:,}"
        rate = self.lines / self.run.seconds
        figures = f"{self.lines:,} | {orders} | {self.run.seconds:.1f} | {rate:,.0f}"
        return f"| {self.backend} | {self.path} | {figures} |"


def run_backend(backend: str, fresh: Fresh, sample: Sample, workdir: Path) -> list[Timing]:
    """The checked import and the database's own loader, each on a fresh database."""
    with fresh() as url:
        imported = import_and_check(url, sample, workdir)
    with fresh() as url:
        if backend == "SQLite":
            baseline = sqlite_baseline(Path(str(make_url(url).database)), sample, workdir)
        else:
            baseline = copy_baseline(url, sample, workdir)
    return [
        Timing(backend, IMPORT, sample.lines, sample.orders, imported),
        Timing(backend, BASELINES[backend], sample.lines, None, baseline),
    ]


def results(timings: list[Timing]) -> list[str]:
    """The table, and per backend the import's time over the baseline's and its peak memory."""
    lines = [*TABLE_HEAD, *(timing.line() for timing in timings), ""]
    for backend in dict.fromkeys(timing.backend for timing in timings):
        took = {t.path: t.run for t in timings if t.backend == backend}
        imported, baseline = took[IMPORT], took[BASELINES[backend]]
        lines.append(
            f"- {backend}: the import takes {imported.seconds / baseline.seconds:.1f}x the time "
            f"of `{BASELINES[backend].split(' (')[0]}`; peak memory of the CLI "
            f"{imported.peak_mib:,.0f} MiB."
        )
    return lines


def document(backend: str, lines: list[str], about: list[str], sample: Sample) -> str:
    """This benchmark's section of docs/benchmarks.md for ``backend``."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ").replace("``", "`")
    run = (
        f"This run: {sample.lines:,} lines in {sample.orders:,} orders of {sample.members:,} "
        f"members, {sample.refunds:,} refunds. `seconds` is the whole command in a new process "
        "(for the import: reading, checking, writing orders, lines, members and refunds, and the "
        "final stats refresh, with its progress bar), timed from start to exit."
    )
    heading = f"## Bulk order import: {backend}\n"
    return "\n".join([heading, f"{intro}\n", f"{run}\n", *about, "", *lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--workdir", type=Path, help="where the file and SQLite databases go")
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    server = None if args.backend == "sqlite" else postgresql_server()
    if server is None and args.backend == "postgresql":
        raise SystemExit(f"Nothing answers at {DEFAULT_PG} (set {PG_URL_VAR})")
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        sample = generate(workdir / "orders.csv", args.lines)
        print(f"Generated {sample} in {time.perf_counter() - started:.0f} s.", flush=True)
        backends = [] if args.backend == "postgresql" else [("SQLite", sqlite_databases(workdir))]
        if server is not None:
            backends.append(("PostgreSQL", postgresql_databases(server)))
        elif args.backend == "both":
            print(f"PostgreSQL skipped: nothing answers at {DEFAULT_PG} (set {PG_URL_VAR})")
        for backend, fresh in backends:
            timings += run_backend(backend, fresh, sample, workdir)
            print("\n".join(t.line() for t in timings[-2:]), flush=True)
    for backend in dict.fromkeys(timing.backend for timing in timings):
        lines = results([timing for timing in timings if timing.backend == backend])
        print("\n".join(lines))
        if args.write:
            write_section(args.write, document(backend, lines, machine(server), sample))
            print(f"Wrote {backend}'s section of {args.write}.")


if __name__ == "__main__":
    main()
