"""The worker: the work nobody's request starts. ``memberops worker`` runs it as a process of its
own; ``memberops serve`` runs it in a thread beside the server (``worker_in_process``, what
``make run`` uses).

Each round, for every tenant whose local time has passed ``daily_jobs_at``, the daily jobs run
in order — the loyalty engine's day (tier reviews, points and coupon expiry, birthday gifts),
the member-stats rebuild (windowed figures age without any write), then the layering (value
models refitted when due, stages, RFM, tags, predictions), then the recommendations' rebuild
(co-purchase neighbours, product figures) — each once per tenant per local day
however many workers poll, through the claims of ``kernel.schedule``. A job that fails is
logged, recorded on its run and tried again later the same day; it never stops the worker.

Every ``outbox_poll_seconds`` it also starts the scheduled campaigns that are due, gives
campaign offers and finishes campaigns with nothing left to send (``campaigns.jobs``), and
enters and advances the members of active journeys (``journeys.jobs``), and evaluates the
watches due (``watches.jobs``). Once a local month per tenant, beside the daily jobs and through
the same claims (keyed by the month's first day), it reviews the VIP community groups
(``community.review``).

Between daily rounds (every ``worker_poll_seconds``) the worker delivers the messaging outbox
every ``outbox_poll_seconds`` — at once again while batches come back full — through
``messaging.delivery`` (claimed batches, so any number of workers deliver each message once).
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from memberops.activity import stats
from memberops.campaigns import jobs as campaigns
from memberops.community import review as community
from memberops.insights import jobs as insights
from memberops.journeys import jobs as journeys
from memberops.kernel import clock, schedule
from memberops.kernel.settings import Settings
from memberops.loyalty import jobs as loyalty
from memberops.messaging.channels.registry import Channels
from memberops.messaging.delivery import Delivered, deliver_due
from memberops.recommendations import jobs as recommendations
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant
from memberops.watches import jobs as watches

log = logging.getLogger("memberops.worker")
#: Who the audit log names for changes the worker makes.
ACTOR = "worker"

Factory = sessionmaker[Session]


def _rebuild_stats(factory: Factory, principal: Principal) -> str:
    with factory.begin() as session:
        stats.refresh(session, principal.tenant_id)
    return "member stats rebuilt"


@dataclass(frozen=True)
class DailyJob:
    """A job run once a day per tenant, in this module's order."""

    name: str
    run: Callable[[Factory, Principal], str]


DAILY_JOBS = (
    DailyJob("loyalty.daily", lambda f, p: loyalty.run_daily(f, p).describe()),
    DailyJob("stats.rebuild", _rebuild_stats),
    DailyJob("insights.daily", lambda f, p: insights.run_daily(f, p).describe()),
    DailyJob("recommendations.rebuild", lambda f, p: recommendations.run_daily(f, p).describe()),
)


def _review_vip(factory: Factory, principal: Principal) -> str:
    with factory.begin() as session:
        done = community.run_review(session, principal, clock.now())
    return f"VIP review: {done.invited} invited, {done.removed} removed"


#: Jobs run once a month per tenant, on the first day its daily jobs run: their claim's day is
#: the local month's first day (``kernel.schedule``), so a month runs them once.
MONTHLY_JOBS = (DailyJob("community.review", _review_vip),)


@dataclass(frozen=True)
class Outcome:
    """One job run by this worker: for whom, for which local day, and how it ended."""

    tenant_id: int
    tenant: str
    job: str
    day: date
    ok: bool
    summary: str


def _policy(settings: Settings) -> schedule.RetryPolicy:
    return schedule.RetryPolicy(
        lease=timedelta(minutes=settings.job_lease_minutes),
        retry_after=timedelta(minutes=settings.job_retry_minutes),
        attempts=settings.job_attempts,
    )


def _run_job(factory: Factory, tenant: Tenant, job: DailyJob, day: date) -> Outcome:
    principal = tenancy.principal_for(tenant, Role.admin, ACTOR)
    try:
        summary, ok = job.run(factory, principal), True
    except Exception as exc:  # a failing job is recorded and retried, never fatal
        log.exception("%s of %s failed", job.name, tenant.name)
        summary, ok = f"{type(exc).__name__}: {exc}", False
    with factory.begin() as session:
        schedule.finish(session, tenant.id, job.name, day, ok, summary)
    return Outcome(tenant.id, tenant.name, job.name, day, ok, summary)


def run_due(factory: Factory, settings: Settings) -> list[Outcome]:
    """Run every daily job that is due now and not yet claimed; what was run."""
    now, policy = clock.now(), _policy(settings)
    with factory.begin() as session:
        tenants = tenancy.list_tenants(session)
    outcomes = []
    for tenant in tenants:
        local = now.astimezone(ZoneInfo(tenant.timezone))
        if local.time() < settings.daily_jobs_at:
            continue
        for job in DAILY_JOBS:
            with factory.begin() as session:
                if not schedule.claim(session, tenant.id, job.name, local.date(), policy):
                    continue
            outcome = _run_job(factory, tenant, job, local.date())
            log.info("%s %s %s: %s", tenant.name, job.name, outcome.day, outcome.summary)
            outcomes.append(outcome)
    return outcomes


def run_monthly(factory: Factory, settings: Settings) -> list[Outcome]:
    """Run every monthly job not yet run for the tenant's local month (from ``daily_jobs_at``
    of any of its days, so the first of the month, or the first day a worker polls); what was
    run."""
    now, policy = clock.now(), _policy(settings)
    with factory.begin() as session:
        tenants = tenancy.list_tenants(session)
    outcomes = []
    for tenant in tenants:
        local = now.astimezone(ZoneInfo(tenant.timezone))
        if local.time() < settings.daily_jobs_at:
            continue
        month = local.date().replace(day=1)
        for job in MONTHLY_JOBS:
            with factory.begin() as session:
                if not schedule.claim(session, tenant.id, job.name, month, policy):
                    continue
            outcome = _run_job(factory, tenant, job, month)
            log.info("%s %s %s: %s", tenant.name, job.name, outcome.day, outcome.summary)
            outcomes.append(outcome)
    return outcomes


def _deliver(factory: Factory, settings: Settings, channels: Channels) -> bool:
    """One outbox batch; whether it was full (more may be due at once)."""
    try:
        return deliver_due(factory, settings, channels).claimed >= settings.outbox_batch_size
    except Exception:  # the database may be back by the next round
        log.exception("outbox delivery failed")
        return False


def _campaigns(factory: Factory, settings: Settings) -> None:
    """Start the campaigns due, give offers, finish campaigns (``campaigns.jobs``)."""
    try:
        campaigns.run_round(factory, settings)
    except Exception:  # the database may be back by the next round
        log.exception("campaigns round failed")


def _journeys(factory: Factory, settings: Settings) -> None:
    """Enter scheduled journeys' members and advance due positions (``journeys.jobs``)."""
    try:
        journeys.run_round(factory, settings)
    except Exception:  # the database may be back by the next round
        log.exception("journeys round failed")


def _watches(factory: Factory) -> None:
    """Evaluate the watches due (``watches.jobs``): one that crossed tells its operator."""
    try:
        watches.run_round(factory)
    except Exception:  # the database may be back by the next round
        log.exception("watches round failed")


def deliver_outbox(factory: Factory, settings: Settings) -> Delivered:
    """Deliver every message due now, batch after batch (``memberops worker --once``)."""
    total = Delivered()
    with Channels(settings) as channels:
        while True:
            batch = deliver_due(factory, settings, channels)
            total.claimed += batch.claimed
            for outcome, count in batch.outcomes.items():
                total.outcomes[outcome] = total.outcomes.get(outcome, 0) + count
            if batch.claimed < settings.outbox_batch_size:
                return total


def work(factory: Factory, settings: Settings, stop: threading.Event) -> None:
    """Run rounds until ``stop`` is set: the daily jobs every ``worker_poll_seconds``, the
    outbox every ``outbox_poll_seconds`` (at once while batches are full). A round that fails
    (the database is away) is logged and the next one tried."""
    log.info("worker started: daily jobs from %s local time", settings.daily_jobs_at)
    daily_due = campaigns_due = 0.0
    with Channels(settings) as channels:
        while not stop.is_set():
            if time.monotonic() >= daily_due:
                try:
                    run_due(factory, settings)
                    run_monthly(factory, settings)
                except Exception:  # the database may be back by the next round
                    log.exception("worker round failed")
                daily_due = time.monotonic() + settings.worker_poll_seconds
            if time.monotonic() >= campaigns_due:
                _campaigns(factory, settings)
                _journeys(factory, settings)
                _watches(factory)
                campaigns_due = time.monotonic() + settings.outbox_poll_seconds
            if _deliver(factory, settings, channels):
                continue
            pause = min(settings.outbox_poll_seconds, daily_due - time.monotonic())
            stop.wait(max(pause, 0))
    log.info("worker stopped")


def start_in_thread(
    factory: Factory, settings: Settings
) -> tuple[threading.Thread, threading.Event]:
    """The worker in a daemon thread beside a server; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=work, args=(factory, settings, stop), name="memberops-worker", daemon=True
    )
    thread.start()
    return thread, stop
