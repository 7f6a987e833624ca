"""The worker's daily jobs with a moving clock: each runs once per tenant per local day from
``daily_jobs_at`` in the tenant's own timezone, does the rooms' real work, and a failing or
abandoned run is tried again later the same day, a bounded number of times."""

import threading
import time as time_module
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from memberops import worker
from memberops.activity.bulk import record_orders
from memberops.activity.schemas import OrderCreate
from memberops.cli import app
from memberops.insights.clv.models import ClvFit, MemberPrediction
from memberops.insights.lifecycle.models import MemberStage
from memberops.insights.rfm.models import MemberRfm
from memberops.kernel import clock, schedule
from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.models import RunStatus, ScheduledRun
from memberops.kernel.settings import Settings
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from tests.activity.support import order_body
from tests.console.support import cli, running_server

#: 16:00 UTC: midnight in Shanghai (already 4 December there), 11:00 in New York.
START = datetime(2026, 12, 3, 16, tzinfo=UTC)
SETTINGS = Settings(database_url="sqlite://", secret_key="test", daily_jobs_at=time(0, 30))
JOBS = ["loyalty.daily", "stats.rebuild", "insights.daily", "recommendations.rebuild"]


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with clock.frozen(START):
        yield


@pytest.fixture
def new_york(session: Session) -> Principal:
    """A tenant of a New York shop."""
    settings = Settings(database_url="sqlite://", default_timezone="America/New_York")
    with session.begin():
        created = tenancy.create_tenant(session, f"ny-{uuid.uuid4().hex[:6]}", settings)
    return tenancy.principal_for(created, Role.admin, "test")


def _ran(outcomes: list[worker.Outcome], *tenants: Principal) -> list[tuple[int, str, date]]:
    """(tenant id, job, day) of what ran for ``tenants`` (other tests' tenants are ignored)."""
    ids = {t.tenant_id for t in tenants}
    return [(o.tenant_id, o.job, o.day) for o in outcomes if o.tenant_id in ids]


def _runs(session: Session, principal: Principal) -> list[tuple[str, date, str, int]]:
    query = select(ScheduledRun).where(ScheduledRun.tenant_id == principal.tenant_id)
    with session.begin():
        rows = session.scalars(query.order_by(ScheduledRun.day, ScheduledRun.job)).all()
        return [(r.job, r.day, str(r.status), r.attempts) for r in rows]


def test_each_job_runs_once_a_local_day_from_the_set_time(
    session_factory: sessionmaker[Session], session: Session, tenant: Principal, new_york: Principal
) -> None:
    shanghai_day, new_york_day = date(2026, 12, 4), date(2026, 12, 3)
    # 00:00 in Shanghai (before 00:30), 11:00 in New York: only New York's day is due.
    first = worker.run_due(session_factory, SETTINGS)
    assert _ran(first, tenant, new_york) == [(new_york.tenant_id, j, new_york_day) for j in JOBS]
    assert all(o.ok for o in first)
    assert _ran(worker.run_due(session_factory, SETTINGS), tenant, new_york) == []

    clock.advance(timedelta(minutes=30))  # 00:30 in Shanghai
    second = worker.run_due(session_factory, SETTINGS)
    assert _ran(second, tenant, new_york) == [(tenant.tenant_id, j, shanghai_day) for j in JOBS]

    clock.advance(timedelta(days=1))  # both tenants are a day on
    third = _ran(worker.run_due(session_factory, SETTINGS), tenant, new_york)
    assert sorted(third) == sorted(
        [(tenant.tenant_id, j, date(2026, 12, 5)) for j in JOBS]
        + [(new_york.tenant_id, j, date(2026, 12, 4)) for j in JOBS]
    )
    assert _runs(session, new_york) == [
        *[(j, new_york_day, "done", 1) for j in sorted(JOBS)],
        *[(j, date(2026, 12, 4), "done", 1) for j in sorted(JOBS)],
    ]


def _history(session: Session, principal: Principal, customers: int = 300) -> None:
    """Two years of a BG/NBD-like shop: each customer buys at a rate of their own from a day
    of the first year on, and after each purchase may leave for good; spends vary."""
    rng = np.random.default_rng(5)
    first_day = START - timedelta(days=730)
    bodies = []
    for customer in range(customers):
        day = rng.uniform(0, 365)
        rate, leave = rng.gamma(0.8, 1 / 25), rng.beta(1, 4)
        for n in range(30):
            paid = first_day + timedelta(days=day)
            if paid >= START:
                break
            price = f"{rng.integers(50, 400)}.00"
            line = {"sku": "A1", "name": "茶", "category": "tea", "unit_price": price}
            body = order_body(
                f"T{customer}-{n}",
                f"139{customer:08d}",
                paid_at=paid.isoformat(),
                amount=price,
                list_amount=price,
                lines=[{**line, "list_price": price, "quantity": 1}],
            )
            bodies.append(OrderCreate.model_validate(body))
            if rng.random() < leave:
                break
            day += rng.exponential(1 / rate)
    with session.begin():
        record_orders(session, principal, bodies)


def test_the_jobs_do_the_rooms_daily_work(
    session_factory: sessionmaker[Session], session: Session, tenant: Principal
) -> None:
    """The day's run fits the value models (none yet), stages and scores every buyer, and
    predicts their value, all as of the run; the rest of the day it runs nothing."""
    _history(session, tenant)
    clock.advance(timedelta(hours=1))

    outcomes = [
        o for o in worker.run_due(session_factory, SETTINGS) if o.tenant_id == tenant.tenant_id
    ]

    assert [(o.job, o.ok) for o in outcomes] == [(j, True) for j in JOBS]
    assert "birthday gifts" in outcomes[0].summary
    assert outcomes[2].summary.startswith("value models refitted, ")
    with session.begin():
        assert _count(session, ClvFit, tenant) == 3
        assert _count(session, MemberPrediction, tenant) == 300
        assert _count(session, MemberStage, tenant) == 300
        assert 0 < _count(session, MemberRfm, tenant) < 300  # the last 365 days' buyers
    clock.advance(timedelta(hours=12))
    assert _ran(worker.run_due(session_factory, SETTINGS), tenant) == []


def _count(session: Session, model: Any, tenant: Principal, *where: Any) -> int:
    query = select(func.count()).select_from(model).where(model.tenant_id == tenant.tenant_id)
    return int(session.scalar(query.where(*where)) or 0)


def test_a_failed_run_is_tried_again_after_a_pause_a_bounded_number_of_times(
    session_factory: sessionmaker[Session],
    session: Session,
    tenant: Principal,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[datetime] = []

    def broken(factory: sessionmaker[Session], principal: Principal) -> str:
        calls.append(clock.now())
        raise RuntimeError("the mail server is away")

    monkeypatch.setattr(worker, "DAILY_JOBS", (worker.DailyJob("broken", broken),))
    clock.advance(timedelta(hours=1))
    day = date(2026, 12, 4)

    failed = _ran(worker.run_due(session_factory, SETTINGS), tenant)
    assert failed == [(tenant.tenant_id, "broken", day)]
    assert _runs(session, tenant) == [("broken", day, "failed", 1)]
    clock.advance(timedelta(minutes=14))
    assert _ran(worker.run_due(session_factory, SETTINGS), tenant) == []  # not yet
    for attempt in (2, 3):
        clock.advance(timedelta(minutes=15))
        assert _ran(worker.run_due(session_factory, SETTINGS), tenant) == failed
        assert _runs(session, tenant) == [("broken", day, "failed", attempt)]
    clock.advance(timedelta(hours=2))
    assert _ran(worker.run_due(session_factory, SETTINGS), tenant) == []  # three attempts a day
    with session.begin():
        summary = session.scalar(
            select(ScheduledRun.summary).where(ScheduledRun.tenant_id == tenant.tenant_id)
        )
    assert summary == "RuntimeError: the mail server is away"
    assert len(calls) == 3


def test_a_run_whose_worker_died_is_taken_over_after_the_lease(
    session_factory: sessionmaker[Session], session: Session, tenant: Principal
) -> None:
    clock.advance(timedelta(hours=1))
    day = date(2026, 12, 4)
    policy = worker._policy(SETTINGS)
    with session_factory.begin() as claimer:  # a worker that claimed the loyalty run, then died
        assert schedule.claim(claimer, tenant.tenant_id, "loyalty.daily", day, policy)

    ran = _ran(worker.run_due(session_factory, SETTINGS), tenant)
    assert [job for _, job, _ in ran] == [
        "stats.rebuild",
        "insights.daily",
        "recommendations.rebuild",
    ]
    clock.advance(timedelta(minutes=SETTINGS.job_lease_minutes))
    ran = _ran(worker.run_due(session_factory, SETTINGS), tenant)
    assert [job for _, job, _ in ran] == ["loyalty.daily"]
    assert ("loyalty.daily", day, RunStatus.done.value, 2) in _runs(session, tenant)


@pytest.mark.postgres_only
def test_workers_polling_at_once_run_each_job_once(fresh_engine: Engine) -> None:
    """Four workers on their own connections, released together, claim one run each job."""
    factory = make_session_factory(fresh_engine)
    with factory.begin() as session:
        created = tenancy.create_tenant(session, f"race-{uuid.uuid4().hex[:8]}", SETTINGS)
    barrier = threading.Barrier(4)
    found: list[list[worker.Outcome]] = []

    def poll() -> None:
        barrier.wait()
        found.append(worker.run_due(factory, SETTINGS))

    with clock.frozen(START + timedelta(hours=1)):
        threads = [threading.Thread(target=poll) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    ran = sorted(o.job for outcomes in found for o in outcomes if o.tenant_id == created.id)
    assert ran == sorted(JOBS)
    with factory.begin() as session:
        attempts = session.scalars(
            select(ScheduledRun.attempts).where(ScheduledRun.tenant_id == created.id)
        ).all()
    assert attempts == [1] * len(JOBS)


def test_the_loop_runs_rounds_until_stopped(
    session_factory: sessionmaker[Session], tenant: Principal
) -> None:
    rounds: list[int] = []
    stop = threading.Event()
    settings = SETTINGS.model_copy(update={"worker_poll_seconds": 0.01})

    def counted(factory: sessionmaker[Session], _: Settings) -> list[worker.Outcome]:
        rounds.append(1)
        if len(rounds) == 2:
            raise ConnectionError("the database restarts")  # logged; the loop goes on
        if len(rounds) == 3:
            stop.set()
        return []

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(worker, "run_due", counted)
        worker.work(session_factory, settings, stop)
    assert len(rounds) == 3


def test_worker_once_prints_what_it_ran_and_exits(
    cli_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMBEROPS_DAILY_JOBS_AT", "00:00")  # due whatever the time of day
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    with clock.frozen(START):
        first = runner.invoke(app, ["worker", "--once"])
        again = runner.invoke(app, ["worker", "--once"])
    assert first.exit_code == 0, first.output
    lines = [line.split("\t") for line in first.stdout.splitlines()]
    daily = [["default", j, "2026-12-04", "done"] for j in JOBS]
    assert [line[:4] for line in lines] == [
        *daily,
        ["default", "community.review", "2026-12-01", "done"],
    ]
    assert lines[0][4] == (
        "0 tier reviews, 0 points expired, 0 coupons expired, 0 birthday gifts, "
        "0 expiry reminders, 0 cards lapsed, 0 card coupon grants"
    )
    assert (again.exit_code, again.stdout) == (0, "")


def test_serve_runs_the_worker_beside_the_server(tmp_path: Path) -> None:
    """``make run``'s server: the day's jobs run from its in-process worker, and a Ctrl-C
    stops both."""

    def prepare(env: dict[str, str], home: Path) -> str:
        cli(env, home, "init")
        return ""

    settings = {"MEMBEROPS_WORKER_IN_PROCESS": "true", "MEMBEROPS_DAILY_JOBS_AT": "00:00"}
    with running_server(tmp_path, prepare, settings):
        engine = make_engine(f"sqlite:///{tmp_path / 'console.db'}")
        query = select(ScheduledRun.job).where(ScheduledRun.status == RunStatus.done)
        expected = sorted([*JOBS, *(job.name for job in worker.MONTHLY_JOBS)])
        for _ in range(300):
            with Session(engine) as session:
                done = session.scalars(query).all()
            if len(done) == len(expected):
                break
            time_module.sleep(0.1)
        engine.dispose()
    assert sorted(done) == expected  # the month's jobs run beside the day's
    log = (tmp_path / "server.log").read_text()
    assert "memberops.worker: worker started" in log
    assert "memberops.worker: worker stopped" in log
