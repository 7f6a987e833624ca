"""Benchmark of ``memberops import members``: the issue's acceptance, measured.

A seeded generator writes a member CSV as a Chinese shop exports it (names, +86 mobiles in mixed
formats, emails, regions, consent), with 1 % bad rows of eight kinds at known row numbers, some
people on two rows and some rows linking two people. On a fresh database (SQLite, and PostgreSQL
when one answers) the CLI imports it twice; the run fails unless the report lists exactly the bad
rows, the figures are the expected ones and the second import adds nothing (members, identities,
consent, audit rows, the latest ``updated_at``). As a named baseline, a slice is imported by the
bulk job and by the naive way (every row through ``upsert_member``, committed in the same
batches), so the speed-up is measured, not claimed.

    python bench/import_members.py [--rows 100000] [--slice 5000] [--write docs/benchmarks.md]

PostgreSQL: ``MEMBEROPS_BENCH_DATABASE_URL`` (a server URL; a throwaway database is made and
dropped), else ``postgresql://postgres@127.0.0.1:5432/postgres`` when it answers.
"""

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.common import (
    DEFAULT_PG,
    PG_URL_VAR,
    BenchFailure,
    Fresh,
    machine,
    postgresql_databases,
    postgresql_server,
    sqlite_databases,
    write_section,
)
from bench.common import expect as _expect
from memberops.identity.models import Identity
from memberops.identity.service import upsert_member
from memberops.imports.reader import ImportSource, load_source
from memberops.imports.run import check_rows, run_import
from memberops.imports.service import as_upsert
from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.settings import Settings
from memberops.members.models import Consent, Member, MemberStatus
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import AuditEntry, Role

__all__ = ["BenchFailure"]  # raised by the checks, as the tests expect

MEMBEROPS = str(Path(sys.executable).with_name("memberops"))
HEADER = ["手机号", "姓名", "性别", "生日", "省份", "城市", "邮箱"]
HEADER += ["consent_sms", "consent_wechat", "channel", "registered"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华玉萍红玲芬燕彬鑫宇浩然轩涵诺欣怡"
REGIONS = [(pair[:2], pair[2:]) for pair in "浙江杭州 浙江宁波 上海上海 北京北京 广东广州".split()]
REGIONS += [(pair[:2], pair[2:]) for pair in "广东深圳 江苏南京 江苏苏州 四川成都 湖北武汉".split()]
PREFIXES = ["130", "131", "135", "136", "137", "138", "139", "150", "151", "152", "158", "159"]
PREFIXES += ["176", "177", "180", "181", "186", "187", "188", "189", "199"]
DOMAINS = ["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com"]
CHANNELS = ["pos", "taobao", "tmall", "mini_program", "wechat_oa", ""]
FIGURES = ("rows", "created", "matched", "updated", "merged", "bad rows")
#: (column the report names, value written there); "" is a row-level problem.
BAD_KINDS = [("手机号", "1380013"), ("邮箱", "zhang.san@"), ("生日", "1990-13-45"), ("性别", "X")]
BAD_KINDS += [("consent_sms", "maybe"), ("", ""), ("姓名", "张" * 201), ("生日", "31/12/1990")]


@dataclass(frozen=True)
class Sample:
    """A generated file and what importing it must give."""

    path: Path
    rows: int
    bad: list[tuple[int, str]]  # (row, column) of each line the report must hold, in order
    people: int  # members after the first import

    def summary(self, first: bool) -> dict[str, int]:
        """The figures the CLI must print: the first run creates everyone, the second none."""
        created, bad = (self.people if first else 0), len(self.bad)
        matched = self.rows - bad - created
        return dict(zip(FIGURES, (self.rows, created, matched, 0, 0, bad), strict=True))


def _phone(number: str, style: int) -> str:
    a, b, c = number[:3], number[3:7], number[7:]
    return [number, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86 {a} {b} {c}", f"+86{number}"][style % 5]


def _person(rng: random.Random, index: int, number: str) -> dict[str, str]:
    province, city = rng.choice(REGIONS)
    born = f"{rng.randint(1960, 2005)}{rng.choice('-/')}{rng.randint(1, 12):02d}"
    return {
        "手机号": _phone(number, index),
        "姓名": rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
        "性别": rng.choice(["男", "女", "女", ""]),
        "生日": f"{born}{born[4]}{rng.randint(1, 28):02d}" if index % 3 else "",
        "省份": province,
        "城市": city,
        "邮箱": f"u{index}.{rng.randrange(10**6)}@{rng.choice(DOMAINS)}" if index % 5 != 4 else "",
        "consent_sms": rng.choice(["1", "0", "是", "否", ""]),
        "consent_wechat": rng.choice(["true", "false", ""]),
        "channel": rng.choice(CHANNELS),
        "registered": rng.choice(["1", "0"]),
    }


def generate(path: Path, rows: int, seed: int = 20261123) -> Sample:
    """Write ``rows`` data rows to ``path``. Row i (0-based; file row i + 2) is bad when
    i % 100 == 37, repeats the person of row i - 150 with a new email when i % 200 == 101, and
    links the people of rows i - 300 (phone) and i - 600 (email) when i % 1000 == 703; every
    other row is a new person. Those rules never pick a bad or repeated row as a source."""
    rng = random.Random(seed)
    numbers = [rng.choice(PREFIXES) + f"{n:08d}" for n in rng.sample(range(10**8), rows)]
    written: list[dict[str, str]] = []
    bad: list[tuple[int, str]] = []
    people = 0
    for i in range(rows):
        row = _person(rng, i, numbers[i])
        if i % 100 == 37:
            column, value = BAD_KINDS[(i // 100) % len(BAD_KINDS)]
            row.update({column: value} if column else {"手机号": "", "邮箱": ""})
            bad.append((i + 2, column))
        elif i % 200 == 101 and i >= 150:
            row = {**dict.fromkeys(HEADER, ""), "手机号": _phone(numbers[i - 150], i + 1)}
            row |= {"姓名": written[i - 150]["姓名"], "邮箱": f"again{i}@{rng.choice(DOMAINS)}"}
        elif i % 1000 == 703:
            row = {**dict.fromkeys(HEADER, ""), "手机号": written[i - 300]["手机号"]}
            row["邮箱"] = written[i - 600]["邮箱"]
            people -= 1
        else:
            people += 1
        written.append(row)
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.DictWriter(out, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(written)
    return Sample(path, rows, bad, people)


@dataclass(frozen=True)
class Timing:
    backend: str
    path: str
    rows: int
    run: str
    seconds: float

    def line(self) -> str:
        figures = (
            f"{self.rows:,} | {self.run} | {self.seconds:.1f} | {self.rows / self.seconds:,.0f}"
        )
        return f"| {self.backend} | {self.path} | {figures} |"


def _state(engine: Engine) -> dict[str, object]:
    """What a second import must leave exactly as it was."""
    with engine.connect() as connection:
        tables = {"identities": Identity, "consents": Consent, "audit rows": AuditEntry}
        counted = {
            k: connection.scalar(select(func.count()).select_from(t)) for k, t in tables.items()
        }
        return counted | {
            "members": connection.scalar(
                select(func.count()).where(Member.status == MemberStatus.active)
            ),
            "latest update": connection.scalar(select(func.max(Member.updated_at))),
        }


def _summary(stdout: str) -> dict[str, int]:
    """The figures the CLI printed, by label."""
    pairs = (line.rpartition(" ") for line in stdout.splitlines())
    return {label.strip(): int(value) for label, _, value in pairs if label.strip() in FIGURES}


def _import_cli(url: str, sample: Sample, report: Path, first: bool) -> float:
    env = {**os.environ, "MEMBEROPS_DATABASE_URL": url}
    command = [MEMBEROPS, "import", "members", str(sample.path), "--errors", str(report)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchFailure(f"import failed ({done.returncode}): {done.stderr}")
    _expect("summary", _summary(done.stdout), sample.summary(first))
    with report.open(encoding="utf-8-sig", newline="") as lines:
        listed = [(int(r["row"]), r["column"]) for r in csv.DictReader(lines)]
    _expect("report lines (row, column)", listed, sample.bad)
    return seconds


def verify_cli(url: str, sample: Sample, backend: str, workdir: Path) -> list[Timing]:
    """Import ``sample`` twice through the CLI into the empty database at ``url``, checking
    the report, the figures and that the second run adds nothing."""
    env = {**os.environ, "MEMBEROPS_DATABASE_URL": url}
    subprocess.run([MEMBEROPS, "init"], env=env, capture_output=True, check=True)
    engine = make_engine(url)
    try:
        first = _import_cli(url, sample, workdir / "report-1.csv", first=True)
        before = _state(engine)
        _expect("members after the first import", before["members"], sample.people)
        second = _import_cli(url, sample, workdir / "report-2.csv", first=False)
        _expect("state after the second import", _state(engine), before)
    finally:
        engine.dispose()
    runs = (("first", first), ("second", second))
    return [Timing(backend, "bulk (CLI)", sample.rows, run, took) for run, took in runs]


BATCH = 2000


def _naive(factory: sessionmaker[Session], principal: Principal, source: ImportSource) -> None:
    """The baseline: each valid row through ``upsert_member`` on its own, in file order,
    committed per batch as the bulk job commits."""
    entries, _ = check_rows(source.rows(), source.columns, principal.phone_region)
    for start in range(0, len(entries), BATCH):
        with factory.begin() as session:
            for entry in entries[start : start + BATCH]:
                upsert_member(session, principal, as_upsert(entry))


def time_in_process(url: str, sample: Sample, naive: bool) -> float:
    """Seconds to import ``sample`` (reading and checking included) into the empty database
    at ``url`` by the bulk job, or by the naive path; checks the members it ends with."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory.begin() as session:
            tenant = tenancy.create_tenant(session, "default", Settings())
        principal = tenancy.principal_for(tenant, Role.admin, "bench")
        started = time.perf_counter()
        source = load_source(sample.path.name, sample.path.read_bytes(), "generic")
        if naive:
            _naive(factory, principal, source)
        else:
            run_import(factory, principal, source, batch_size=BATCH)
        seconds = time.perf_counter() - started
        _expect("members", _state(engine)["members"], sample.people)
    finally:
        engine.dispose()
    return seconds


def run_backend(backend: str, fresh: Fresh, sample: Sample, part: Sample) -> list[Timing]:
    """The acceptance run on ``sample`` and the bulk / naive comparison on ``part``."""
    with fresh() as url:
        timings = verify_cli(url, sample, backend, sample.path.parent)
    for naive, path in ((False, "bulk (job)"), (True, "naive upsert_member")):
        with fresh() as url:
            seconds = time_in_process(url, part, naive)
        timings.append(Timing(backend, path, part.rows, "first", seconds))
    return timings


TABLE_HEAD = ["| backend | path | rows | run | seconds | rows/s |", "|---|---|---:|---|---:|---:|"]


def results(timings: list[Timing]) -> list[str]:
    """The table, the bulk job's speed-up over the naive path, and the CLI's peak memory."""
    lines = [*TABLE_HEAD, *(timing.line() for timing in timings), ""]
    for backend in dict.fromkeys(timing.backend for timing in timings):
        took = {t.path: t.seconds for t in timings if t.backend == backend and t.run == "first"}
        speedup = took["naive upsert_member"] / took["bulk (job)"]
        lines.append(f"- {backend}: the bulk job is {speedup:.0f}x faster than the naive path.")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return [*lines, f"- Peak memory of the CLI (its largest import): {peak:.0f} MiB."]


def document(lines: list[str], about: list[str], sample: Sample, part: Sample) -> str:
    """This benchmark's section of docs/benchmarks.md: how the figures were made, the machine,
    the results."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ").replace("``", "`")
    return "\n".join(
        [
            "## Member import\n",
            f"{intro}\n",
            f"This run: {sample.rows:,} rows ({len(sample.bad):,} bad, {sample.people:,} people), "
            f"a {part.rows:,}-row slice. `bulk (CLI)` is the whole command in a new process; "
            "`second` is the re-import, which matches every row and writes nothing. `bulk (job)` "
            "and `naive upsert_member` run in-process on the slice, each on an empty database.\n",
            *about,
            "",
            *lines,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--slice", type=int, default=5_000, help="rows of the naive comparison")
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    server = postgresql_server()
    timings: list[Timing] = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sample = generate(workdir / "members.csv", args.rows)
        part = generate(workdir / "slice.csv", args.slice)
        backends = [("SQLite", sqlite_databases(workdir))]
        if server is None:
            print(f"PostgreSQL skipped: nothing answers at {DEFAULT_PG} (set {PG_URL_VAR})")
        else:
            backends.append(("PostgreSQL", postgresql_databases(server)))
        for backend, fresh in backends:
            timings += run_backend(backend, fresh, sample, part)
    lines = results(timings)
    print("\n".join(lines))
    if args.write:
        write_section(args.write, document(lines, machine(server), sample, part))
        print(f"Wrote {args.write}.")


if __name__ == "__main__":
    main()
