"""The database's own baseline for ``bench/ingest.py``: ``pgbench`` TPC-B on the same
PostgreSQL server in the same run (``pgbench -i -s 10`` then ``-c CLIENTS -j CORES -T 30``),
with per-transaction latencies from its log."""

import glob
import os
import re
import shutil
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url

from bench.common import BenchFailure

SCALE = 10
TPS = re.compile(r"^tps = ([\d.]+) \(without initial connection time\)$", re.MULTILINE)
DONE = re.compile(r"^number of transactions actually processed: (\d+)", re.MULTILINE)


@dataclass(frozen=True)
class Baseline:
    """What pgbench measured: transactions per second, and each transaction's latency."""

    tps: float
    transactions: int
    seconds: int
    clients: int
    threads: int
    latencies_ms: tuple[float, ...]
    version: str

    def line(self) -> str:
        """The baseline's row of the ingest table."""
        ms = sorted(self.latencies_ms)
        p50, p99 = statistics.median(ms), ms[min(len(ms) - 1, int(0.99 * len(ms)))]
        figures = f"{self.transactions:,} | {self.seconds:.1f} | {self.tps:,.0f}"
        return f"| PostgreSQL | pgbench TPC-B (baseline) | {self.clients} | {figures} | " + (
            f"{p50:.1f} | {p99:.1f} |"
        )

    def about(self) -> list[str]:
        """The baseline's line of the machine description."""
        return [
            f"- {self.version}: TPC-B-like, scale {SCALE} ({SCALE * 100_000:,} accounts), "
            f"`-c {self.clients} -j {self.threads} -T {self.seconds}`; `orders` are "
            "transactions (5 statements each)"
        ]


def find_pgbench() -> str | None:
    """pgbench on PATH or in Debian's PostgreSQL directory; installed with apt-get
    (postgresql-client) when running as root and missing; None when it cannot be had."""
    found = shutil.which("pgbench") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))), None
    )
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        if not found:
            print("pgbench baseline skipped: pgbench is not installed (postgresql-client)")
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql-client"], env=env, check=True)
    return shutil.which("pgbench")


def libpq_url(url: str) -> str:
    """``url`` without SQLAlchemy's driver name, as libpq (pgbench) reads it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def parse(output: str) -> tuple[float, int]:
    """tps (without connection time) and transactions processed, from pgbench's report."""
    tps, done = TPS.search(output), DONE.search(output)
    if tps is None or done is None:
        raise BenchFailure(f"pgbench printed no tps:\n{output}")
    return float(tps.group(1)), int(done.group(1))


def _logged_latencies(workdir: Path) -> tuple[float, ...]:
    """Per-transaction latencies (ms) from pgbench's logs (third field, microseconds)."""
    files = sorted(workdir.glob("pgbench_log.*"))
    latencies = [
        int(line.split()[2]) / 1000 for path in files for line in path.read_text().splitlines()
    ]
    for path in files:
        path.unlink()
    return tuple(latencies)


def _run(workdir: Path, *command: str) -> str:
    """Run ``command`` in ``workdir``; its standard output, or ``BenchFailure``."""
    done = subprocess.run(command, cwd=workdir, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchFailure(f"{' '.join(command[:2])} failed: {done.stderr}")
    return done.stdout


def pgbench_tpcb(pgbench: str, url: str, clients: int, seconds: int, workdir: Path) -> Baseline:
    """Initialise TPC-B tables at scale 10 in the (throwaway) database ``url`` and run it."""
    dsn = libpq_url(url)
    _run(workdir, pgbench, "-i", "-q", "-s", str(SCALE), dsn)
    threads = max(1, min(clients, os.cpu_count() or 1))
    load = ["-c", str(clients), "-j", str(threads), "-T", str(seconds), "-l", dsn]
    output = _run(workdir, pgbench, *load)
    tps, transactions = parse(output)
    version = _run(workdir, pgbench, "--version").strip()
    return Baseline(
        tps,
        transactions,
        seconds,
        clients,
        threads,
        _logged_latencies(workdir),
        version,
    )
