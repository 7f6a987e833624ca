"""Benchmark of crowd previews: how long `POST /crowds:preview`'s work takes — the count of a
condition's members and a sample of twenty with their figures — for twenty representative
crowds of a million-member tenant, on SQLite and PostgreSQL.

A seeded generator writes a tenant straight into the tables the condition fields read (the
recompute that would make them is measured by `insights.py`): members with gender, city and
birthday for most; purchase stats for two in three (orders, spend, last order over three years,
discount shares, visits and carts); lifecycle stages from those; RFM scores and types for the
year's buyers; predictions for every buyer; a tier on the default ladder and a points balance;
phones and WeChat unionids; SMS and WeChat consent; eleven tags held by 3 to 15 % each. Each
crowd is previewed through `crowds.service.preview` in-process, as the console does, once to
warm the caches and then ten times; the table gives each crowd's size and median, and p50 / p99
over all runs. The baseline is the floor of any preview: counting the tenant's active members.
After loading, PostgreSQL's tables are vacuumed and analysed, as autovacuum does on a running
server (without it no page is marked all-visible, and an index-only scan reads the table too);
SQLite's are analysed. The sizes must be equal on both backends (the run fails otherwise).

    python bench/crowds.py [--members 1000000] [--backend both|sqlite|postgresql]
                           [--write docs/benchmarks.md]
"""

import argparse
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

import numpy as np
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

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
from memberops.crowds.schemas import CrowdPreviewRequest
from memberops.crowds.service import preview
from memberops.insights.tags.models import Tag
from memberops.kernel import clock
from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.settings import Settings
from memberops.members.models import Member, MemberStatus
from memberops.migrations import upgrade
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.wiring import register_handlers

__all__ = ["BenchFailure"]

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
DAY = 86_400
RUNS = 10
CITIES = [
    "上海",
    "北京",
    "杭州",
    "广州",
    "深圳",
    "成都",
    "南京",
    "武汉",
    "苏州",
    "西安",
    "重庆",
    "天津",
]
TIERS = ["silver", "gold", "platinum", "diamond"]
STAGES = ["unengaged", "prospect", "new", "active", "dormant", "churned"]
TYPES = [
    "important_value",
    "important_development",
    "important_retention",
    "important_winback",
    "general_value",
    "general_development",
    "general_retention",
    "general_winback",
]
SEGMENTS = [
    "champions",
    "loyal",
    "potential_loyalist",
    "new",
    "promising",
    "need_attention",
    "about_to_sleep",
    "at_risk",
    "cant_lose",
    "hibernating",
    "lost",
]
#: Tag code: share of members holding it.
TAGS = {
    "discount_driven": 0.12,
    "stock_up": 0.04,
    "promotion_driven": 0.08,
    "novelty_seeker": 0.06,
    "herd": 0.05,
    "gift_giver": 0.07,
    "honour": 0.03,
    "circle": 0.04,
    "price_tolerance_high": 0.1,
    "price_tolerance_low": 0.15,
    "vip": 0.05,
}


def _leaf(field: str, op: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


BOUGHT_365 = _leaf("stats.last_order_at", "within_days", 365)
BOUGHT_30 = _leaf("stats.last_order_at", "within_days", 30)
#: The crowds previewed, by name: seed 004's behaviour conditions and SPEC §7's layering.
CROWDS: dict[str, dict[str, Any]] = {
    "bought in 30 days": BOUGHT_30,
    "bought in 365 days, not in 30": {"all": [BOUGHT_365, {"not": BOUGHT_30}]},
    "…and tier ≥ gold": {
        "all": [BOUGHT_365, {"not": BOUGHT_30}, _leaf("loyalty.tier", ">=", "gold")]
    },
    "women aged 25-35": {
        "all": [_leaf("member.gender", "=", "female"), _leaf("member.age", "between", [25, 35])]
    },
    "in Shanghai or Hangzhou": _leaf("member.city", "in", ["上海", "杭州"]),
    "RFM important value": _leaf("rfm.type", "=", "important_value"),
    "at risk or can't lose": _leaf("rfm.segment", "in", ["at_risk", "cant_lose"]),
    "churned, spent ≥ 1,000": {
        "all": [_leaf("lifecycle.stage", "=", "churned"), _leaf("stats.spend", ">=", "1000.00")]
    },
    "P(alive) < 0.3, CLV ≥ 500": {
        "all": [_leaf("clv.p_alive", "<", 0.3), _leaf("clv.clv_12m", ">=", "500")]
    },
    "discount-driven": _leaf("tags.tag", "=", "discount_driven"),
    "not VIP, not herd": _leaf("tags.tag", "not_in", ["vip", "herd"]),
    "WeChat fans who agreed": {
        "all": [
            _leaf("identity.is_wechat_fan", "=", True),
            _leaf("member.consent_wechat", "=", True),
        ]
    },
    "points ≥ 1,000": _leaf("loyalty.points", ">=", 1000),
    "3+ orders in 2 years, AOV ≥ 200": {
        "all": [_leaf("stats.orders_2y", ">=", 3), _leaf("stats.average_order_value", ">=", "200")]
    },
    "December birthdays": _leaf("member.birthday_month", "=", 12),
    "carted in 7 days, no visit in 30": {
        "all": [
            _leaf("stats.last_cart_at", "within_days", 7),
            _leaf("stats.last_visit_at", "not_within_days", 30),
        ]
    },
    "new or reactivated": {
        "any": [_leaf("lifecycle.stage", "=", "new"), _leaf("lifecycle.reactivated", "=", True)]
    },
    "80 % of orders discounted": _leaf("stats.discount_share", ">=", 0.8),
    "SMS reachable, no order in 90 days": {
        "all": [
            _leaf("identity.has_phone", "=", True),
            _leaf("member.consent_sms", "=", True),
            _leaf("stats.last_order_at", "not_within_days", 90),
        ]
    },
    "a nested win-back tree": {
        "all": [
            {
                "any": [
                    _leaf("lifecycle.stage", "in", ["dormant", "churned"]),
                    _leaf("clv.churn_risk", "=", "high"),
                ]
            },
            {"not": _leaf("tags.tag", "in", ["price_tolerance_low"])},
            {
                "any": [
                    _leaf("loyalty.tier", ">=", "platinum"),
                    {
                        "all": [
                            _leaf("stats.spend_365d", ">=", "300"),
                            _leaf("member.gender", "!=", "unknown"),
                        ]
                    },
                ]
            },
            _leaf("identity.has_phone", "=", True),
        ]
    },
}


@dataclass(frozen=True)
class Tenant:
    """The generated tenant, as numpy columns (member ids are 1..members)."""

    members: int
    columns: dict[str, Any]


def generate(members: int, seed: int = 20261203) -> Tenant:
    """The seeded tenant of the module docstring."""
    rng = np.random.default_rng(seed)
    end = int(AS_OF.timestamp())
    buyer = rng.random(members) < 0.65
    orders = np.where(buyer, np.minimum(1 + rng.geometric(0.45, members) - 1, 60), 0)
    kept = orders - rng.binomial(orders, 0.05)
    aov = np.maximum(1_000, rng.lognormal(np.log(15_000), 0.7, members)).astype(np.int64)
    last = end - (rng.power(0.6, members) * 1_095 * DAY).astype(np.int64)
    first = last - (rng.random(members) * (orders > 1) * 700 * DAY).astype(np.int64)
    in_year = (end - last) <= 365 * DAY
    orders_365d = np.where(in_year & (kept > 0), np.maximum(1, rng.binomial(kept, 0.5)), 0)
    discounted = rng.binomial(orders, rng.beta(1.2, 2.0, members))
    columns = {
        "buyer": buyer,
        "orders": orders,
        "kept": kept,
        "aov": aov,
        "last": last,
        "first": first,
        "orders_365d": orders_365d,
        "discounted": discounted,
        "gender": rng.choice(
            np.array(["male", "female", "unknown", ""]), members, p=[0.4, 0.45, 0.05, 0.1]
        ),
        "city": rng.choice(np.array([*CITIES, ""]), members),
        "born": rng.integers(-3_650, 16_800, members),  # days since 1970-01-01
        "has_birthday": rng.random(members) < 0.7,
        "registered": rng.random(members) < 0.6,
        "created": end - rng.integers(0, 1_095 * DAY, members),
        "visit": np.where(rng.random(members) < 0.5, end - rng.integers(0, 90 * DAY, members), 0),
        "cart": np.where(rng.random(members) < 0.2, end - rng.integers(0, 60 * DAY, members), 0),
        "tier": rng.choice(4, members, p=[0.7, 0.2, 0.08, 0.02]),
        "phone": rng.random(members) < 0.8,
        "wechat": rng.random(members) < 0.4,
        "sms": rng.random(members) < 0.5,
        "consent_wechat": rng.random(members) < 0.3,
        "p_alive": rng.beta(2.0, 2.0, members),
        "rfm": rng.integers(1, 6, (members, 3)),
        "type": rng.integers(0, 8, members),
        "segment": rng.integers(0, 11, members),
        "reactivated": rng.random(members) < 0.05,
        "tags": {code: rng.random(members) < share for code, share in TAGS.items()},
    }
    return Tenant(members, columns)


def _at(seconds: int) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def _stage(c: dict[str, Any], i: int, end: int) -> str:
    if not c["buyer"][i]:
        return "prospect" if c["cart"][i] and end - c["cart"][i] <= 30 * DAY else "unengaged"
    ago = end - c["last"][i]
    if end - c["first"][i] <= 30 * DAY:
        return "new"
    return "active" if ago <= 30 * DAY else "dormant" if ago <= 365 * DAY else "churned"


def _members(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c = data.columns
    for i in range(data.members):
        born = (
            date(1970, 1, 1) + timedelta(days=int(c["born"][i])) if c["has_birthday"][i] else None
        )
        created = _at(int(c["created"][i]))
        yield (
            i + 1,
            t,
            "active",
            "tmall",
            bool(c["registered"][i]),
            c["gender"][i] or None,
            c["city"][i] or None,
            born,
            "{}",
            created,
            created,
        )


def _stats(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c = data.columns
    for i in range(data.members):
        if not c["buyer"][i] and not c["cart"][i]:
            continue
        kept, aov = int(c["kept"][i]), int(c["aov"][i])
        spend, year = kept * aov, int(c["orders_365d"][i])
        two_years = year + (kept - year) // 2
        last = _at(int(c["last"][i])) if c["buyer"][i] else None
        first = _at(int(c["first"][i])) if c["buyer"][i] else None
        yield (
            t,
            i + 1,
            AS_OF,
            first,
            last,
            int(c["orders"][i]),
            kept,
            spend,
            aov * 2,
            year,
            year * aov,
            two_years,
            two_years * aov,
            int(c["discounted"][i]),
            spend,
            spend // 3,
            spend // 10,
            1 + i % 3,
            int(c["orders"][i]) - kept,
            _at(int(c["visit"][i])),
            _at(int(c["cart"][i])),
            None,
            None,
        )


def _layers(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c, end = data.columns, int(AS_OF.timestamp())
    for i in range(data.members):
        stage = _stage(c, i, end)
        yield (t, i + 1, stage, bool(c["reactivated"][i]) and stage == "active", AS_OF, AS_OF)


def _rfm(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c, end = data.columns, int(AS_OF.timestamp())
    for i in range(data.members):
        if c["orders_365d"][i]:
            r, f, m = (int(v) for v in c["rfm"][i])
            recency = (end - int(c["last"][i])) // DAY
            year = int(c["orders_365d"][i])
            yield (
                t,
                i + 1,
                AS_OF,
                365,
                recency,
                year,
                year * int(c["aov"][i]),
                r,
                f,
                m,
                TYPES[c["type"][i]],
                SEGMENTS[c["segment"][i]],
                AS_OF,
            )


def _predictions(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c = data.columns
    for i in range(data.members):
        if c["buyer"][i]:
            alive = float(c["p_alive"][i])
            risk = "high" if alive < 0.3 else "low" if alive >= 0.7 else "medium"
            yield (
                t,
                i + 1,
                AS_OF.date(),
                int(c["orders"][i]) - 1,
                10.0,
                400.0,
                alive,
                alive / 4,
                alive * 0.75,
                alive * 3,
                int(c["aov"][i]),
                int(alive * 3 * int(c["aov"][i])),
                risk,
                None,
                AS_OF,
            )


def _loyalty(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    for i in range(data.members):
        yield (t, i + 1, TIERS[data.columns["tier"][i]], AS_OF, AS_OF + timedelta(days=365), AS_OF)


def _points(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c = data.columns
    for i in range(data.members):
        if c["buyer"][i]:
            yield (t, i + 1, int(c["kept"][i]) * int(c["aov"][i]) // 100, 0, AS_OF)


def _identities(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c = data.columns
    for i in range(data.members):
        if c["phone"][i]:
            yield (t, i + 1, "phone", "", f"+86138{i:08d}", "bench", AS_OF)
        if c["wechat"][i]:
            yield (t, i + 1, "wechat_unionid", "", f"oU-{i}", "bench", AS_OF)


def _consents(t: int, data: Tenant) -> Iterator[tuple[Any, ...]]:
    c = data.columns
    for i in range(data.members):
        yield (t, i + 1, "sms", bool(c["sms"][i]), "bench", AS_OF)
        if c["consent_wechat"][i]:
            yield (t, i + 1, "wechat", True, "bench", AS_OF)


def _member_tags(t: int, data: Tenant, tag_ids: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    for code, holds in data.columns["tags"].items():
        for member in np.flatnonzero(holds).tolist():
            yield (t, member + 1, tag_ids[code], "behaviour", AS_OF)


def tables(t: int, data: Tenant, tag_ids: dict[str, int]) -> list[Rows]:
    """Every table the crowds read, in load order, with its rows."""
    stats_columns = (
        "tenant_id, member_id, as_of, first_order_at, last_order_at, orders_count, kept_orders, "
        "spend_cents, max_order_cents, orders_365d, spend_365d_cents, orders_2y, spend_2y_cents, "
        "discounted_orders, lines_cents, special_price_cents, top_price_cents, "
        "shipping_addresses, refunds_count, last_visit_at, last_cart_at, last_favorite_at, "
        "last_follow_at"
    )
    return [
        (
            "members",
            "id, tenant_id, status, first_channel, is_registered, gender, city, "
            "birthday, custom, created_at, updated_at",
            _members(t, data),
        ),
        ("member_stats", stats_columns, _stats(t, data)),
        (
            "member_stages",
            "tenant_id, member_id, stage, reactivated, since, computed_at",
            _layers(t, data),
        ),
        (
            "member_rfm",
            "tenant_id, member_id, as_of, window_days, recency_days, frequency, "
            "monetary_cents, r_score, f_score, m_score, rfm_type, segment, computed_at",
            _rfm(t, data),
        ),
        (
            "member_predictions",
            "tenant_id, member_id, as_of, frequency, recency_days, age_days, "
            "p_alive, expected_30d, expected_90d, expected_365d, spend_per_order_cents, "
            "clv_12m_cents, churn_risk, next_order_on, computed_at",
            _predictions(t, data),
        ),
        (
            "member_tiers",
            "tenant_id, member_id, tier, since, period_ends_at, updated_at",
            _loyalty(t, data),
        ),
        ("points_accounts", "tenant_id, member_id, balance, debt, updated_at", _points(t, data)),
        (
            "identities",
            "tenant_id, member_id, type, scope, value, source, created_at",
            _identities(t, data),
        ),
        (
            "member_consents",
            "tenant_id, member_id, channel, granted, source, at",
            _consents(t, data),
        ),
        (
            "member_tags",
            "tenant_id, member_id, tag_id, source, added_at",
            _member_tags(t, data, tag_ids),
        ),
    ]


@dataclass(frozen=True)
class Timing:
    """One crowd's previews on one backend: its size and every run's seconds."""

    crowd: str
    size: int
    seconds: list[float]


def _tags(session: Session, principal: Principal) -> dict[str, int]:
    found = {}
    for code in TAGS:
        tag = Tag(tenant_id=principal.tenant_id, code=code, name=code, kind="behaviour")
        session.add(tag)
        session.flush()
        found[code] = tag.id
    return found


def _timed(session: Session, principal: Principal, condition: dict[str, Any]) -> tuple[int, float]:
    started = time.perf_counter()
    answer = preview(session, principal, CrowdPreviewRequest(condition=condition, sample=20))
    return answer.size, time.perf_counter() - started


def _baseline(session: Session, principal: Principal) -> Timing:
    """Counting the tenant's active members: the floor under every preview."""
    query = select(func.count()).where(
        Member.tenant_id == principal.tenant_id, Member.status == MemberStatus.active
    )
    session.scalar(query)
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        size = int(session.scalar(query) or 0)
        runs.append(time.perf_counter() - started)
    return Timing("baseline: count the active members", size, runs)


def measure(engine: Engine, principal: Principal) -> list[Timing]:
    """Each crowd warmed once, then previewed :data:`RUNS` times; the baseline last."""
    timings = []
    with clock.frozen(AS_OF), make_session_factory(engine).begin() as session:
        for name, condition in CROWDS.items():
            size, _ = _timed(session, principal, condition)
            runs = [_timed(session, principal, condition)[1] for _ in range(RUNS)]
            timings.append(Timing(name, size, runs))
            print(
                f"{name}: {size:,} members, median {statistics.median(runs) * 1000:.0f} ms",
                flush=True,
            )
        timings.append(_baseline(session, principal))
    return timings


def vacuum(engine: Engine) -> None:
    """On PostgreSQL, what autovacuum would have done to freshly loaded tables by the time
    anyone previews a crowd: mark the pages all-visible (so an index-only scan skips the
    table) and gather the planner's statistics. ``bulk_load`` has analysed SQLite already."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))


def run_backend(backend: str, url: str, data: Tenant) -> list[Timing]:
    """Load the tenant into the empty database at ``url`` and time the previews."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        with make_session_factory(engine).begin() as session:
            created = tenancy.create_tenant(session, "bench", Settings())
            principal = tenancy.principal_for(created, Role.admin, "bench")
            tag_ids = _tags(session, principal)
        started = time.perf_counter()
        bulk_load(engine, tables(principal.tenant_id, data, tag_ids))
        vacuum(engine)
        print(f"{backend}: loaded in {time.perf_counter() - started:.0f} s", flush=True)
        return measure(engine, principal)
    finally:
        engine.dispose()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (p99 of 200 runs is the second largest)."""
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def document(results: dict[str, list[Timing]], about: list[str], data: Tenant) -> str:
    """This benchmark's section of docs/benchmarks.md: one column of medians per backend."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ").replace("`", "`")
    backends = list(results)
    head = [
        "| crowd | members | " + " | ".join(f"{b} median ms" for b in backends) + " |",
        "|---|---:|" + "---:|" * len(backends),
    ]
    first = results[backends[0]]
    rows = [
        f"| {t.crowd} | {t.size:,} | "
        + " | ".join(_ms(statistics.median(results[b][n].seconds)) for b in backends)
        + " |"
        for n, t in enumerate(first)
    ]
    notes = []
    for backend, timings in results.items():
        runs = [s for t in timings if not t.crowd.startswith("baseline") for s in t.seconds]
        notes.append(
            f"- {backend}: p50 {_ms(percentile(runs, 0.5))} ms, p99 {_ms(percentile(runs, 0.99))}"
            f" ms over {len(runs)} previews of {len(CROWDS)} crowds."
        )
    run = f"This run: {data.members:,} members."
    heading = "## Crowd previews\n"
    return "\n".join([heading, f"{intro}\n", f"{run}\n", *about, "", *head, *rows, "", *notes])


def check_sizes(results: dict[str, list[Timing]]) -> None:
    """Both backends selected the same members' counts for every crowd."""
    sizes = [[t.size for t in timings] for timings in results.values()]
    for other in sizes[1:]:
        expect("crowd sizes equal on both backends", other, sizes[0])


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
    results: dict[str, list[Timing]] = {}
    with backend_databases(args.backend, server, args.workdir) as backends:
        for backend, fresh in backends:
            with fresh() as url:
                results[backend] = run_backend(backend, url, data)
    check_sizes(results)
    section = document(results, machine(server), data)
    print(section)
    if args.write:
        write_section(args.write, section)
        print(f"Wrote the crowd previews' section of {args.write}.")


if __name__ == "__main__":
    main()
