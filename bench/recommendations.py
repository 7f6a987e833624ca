"""Benchmark of product recommendations (`memberops.recommendations`) on UCI Online Retail.

The reference file (`online_retail.csv` in `MEMBEROPS_REFERENCE_DATA`, by default
../shared/data) is imported with the `uci` preset into a fresh database, then split in time:
the recommendations' rebuild runs as of 2011-09-01 (London), so neighbours and figures see
only the orders before it, and every customer who bought in both periods (orders not wholly
refunded, goods lines) gets 10 recommendations from what they bought before it. Hit rate at
10 = the share of those customers who bought, on or after 2011-09-01, at least one of their 10
(none of which they had bought before). Three lists are scored, each through the product's
own queries: co-purchase alone (`queries.co_purchased`), the most-popular baseline
(`queries.top_sellers`: the window's top sellers by buyers), and the blended list the API
serves (`service.blend`). The run fails unless co-purchase beats the baseline.

    python bench/recommendations.py [--backend both|sqlite|postgresql] [--data PATH]
                                    [--write docs/benchmarks.md]
"""

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` when run as a file

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.common import (
    BenchFailure,
    backend_databases,
    chosen_server,
    machine,
    write_section,
)
from memberops.activity.models import Order, OrderLine, OrderStatus
from memberops.imports.orders.jobs import import_orders
from memberops.kernel.db import make_engine, make_session_factory
from memberops.kernel.settings import Settings
from memberops.migrations import upgrade
from memberops.recommendations import queries, service
from memberops.recommendations.queries import Candidate
from memberops.recommendations.rules import RecommendationRules
from memberops.recommendations.similarity import goods
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role
from memberops.wiring import register_handlers

__all__ = ["BenchFailure"]

#: Train before, test from: midnight in London, where the shop's invoices were written.
CUT = datetime(2011, 9, 1, tzinfo=ZoneInfo("Europe/London"))
AT = 10
Lists = dict[int, list[Candidate]]
TABLE_HEAD = [
    "| backend | list | customers | hit rate @10 | seconds |",
    "|---|---|---:|---:|---:|",
]


@dataclass(frozen=True)
class Score:
    """One list's hit rate over the evaluated customers, and the time to make the lists."""

    name: str
    customers: int
    hits: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.hits / self.customers if self.customers else 0.0


@dataclass(frozen=True)
class Evaluation:
    backend: str
    import_seconds: float
    rebuild_seconds: float
    products: int
    neighbours: int
    scores: list[Score]

    def lines(self) -> list[str]:
        return [
            f"| {self.backend} | {s.name} | {s.customers:,} | {s.rate:.4f} | {s.seconds:.1f} |"
            for s in self.scores
        ]


def check(evaluation: Evaluation) -> None:
    """Fail unless co-purchase (the first score) beats the most-popular baseline (the second)."""
    co, popular = evaluation.scores[0], evaluation.scores[1]
    if co.rate <= popular.rate:
        raise BenchFailure(
            f"co-purchase hit rate {co.rate:.4f} does not beat most-popular {popular.rate:.4f}"
        )


def evaluated_customers(session: Session, principal: Principal) -> dict[int, set[str]]:
    """Each customer who bought before and after the cut, with the SKUs bought after it."""
    rules = RecommendationRules()
    lines = goods(principal.tenant_id, rules).where(Order.status != OrderStatus.refunded)
    before = lines.with_only_columns(OrderLine.member_id).where(Order.paid_at < CUT)
    after = lines.where(Order.paid_at >= CUT, OrderLine.member_id.in_(before)).distinct()
    found: dict[int, set[str]] = {}
    for member_id, sku in session.execute(after):
        found.setdefault(member_id, set()).add(sku)
    return found


def score(name: str, lists: Lists, later: dict[int, set[str]], seconds: float) -> Score:
    """How many of the customers in ``later`` bought one of their first ten after the cut."""
    hits = sum(1 for m, skus in later.items() if skus & {c.sku for c in lists.get(m, [])[:AT]})
    return Score(name, len(later), hits, seconds)


def _blended(
    session: Session, principal: Principal, members: Sequence[int]
) -> dict[int, list[Candidate]]:
    lists = {}
    for member_id in members:
        items = service.blend(session, principal.tenant_id, member_id, AT, CUT)
        lists[member_id] = [Candidate(member_id, item.sku, item.score) for item in items]
    return lists


def _timed(make: Callable[[], Lists]) -> tuple[Lists, float]:
    started = time.perf_counter()
    made = make()
    return made, time.perf_counter() - started


def evaluate(backend: str, url: str, path: Path) -> Evaluation:
    """Import ``path`` into the fresh database at ``url``, rebuild as of the cut, score."""
    engine: Engine = make_engine(url)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory.begin() as session:
            created = tenancy.create_tenant(session, "bench", Settings())
        principal = tenancy.principal_for(created, Role.admin, "bench")
        started = time.perf_counter()
        import_orders(factory, principal, path, "uci")
        imported = time.perf_counter() - started
        with factory.begin() as session:
            started = time.perf_counter()
            rebuilt = service.rebuild(session, principal, CUT)
            rebuild_seconds = time.perf_counter() - started
        with factory.begin() as session:
            later = evaluated_customers(session, principal)
            members = sorted(later)
            tenant_id = principal.tenant_id
            with queries.many_bought(session, tenant_id, members, CUT) as bought:
                co, co_s = _timed(lambda: queries.co_purchased(session, tenant_id, bought, AT))
                top, top_s = _timed(
                    lambda: queries.top_sellers(session, tenant_id, members, bought, AT)
                )
            mixed, mixed_s = _timed(lambda: _blended(session, principal, members))
        scores = [
            score("co-purchase", co, later, co_s),
            score("most popular (baseline)", top, later, top_s),
            score("blended (the API's list)", mixed, later, mixed_s),
        ]
        return Evaluation(
            backend, imported, rebuild_seconds, rebuilt.products, rebuilt.neighbours, scores
        )
    finally:
        engine.dispose()


def document(evaluations: list[Evaluation], about: list[str]) -> str:
    """This benchmark's section of docs/benchmarks.md."""
    intro = (__doc__ or "").split("\n\n")[1].replace("\n", " ")
    rules = RecommendationRules()
    settings = (
        f"Settings: the defaults — a window of {rules.window_days} days, baskets of each "
        f"member's {rules.basket_items} latest SKUs, support ≥ {rules.min_support}, "
        f"{rules.neighbours} neighbours per SKU."
    )
    notes = [
        f"- {e.backend}: import {e.import_seconds:.1f} s; rebuild as of the cut "
        f"{e.rebuild_seconds:.1f} s ({e.products:,} products, {e.neighbours:,} neighbours)."
        for e in evaluations
    ]
    table = [*TABLE_HEAD, *(line for e in evaluations for line in e.lines())]
    heading = "## Recommendations: hit rate on UCI Online Retail\n"
    return "\n".join([heading, f"{intro}\n", f"{settings}\n", *about, "", *table, "", *notes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    default = Path(os.environ.get("MEMBEROPS_REFERENCE_DATA", "../shared/data"))
    parser.add_argument("--data", type=Path, default=default / "online_retail.csv")
    parser.add_argument("--workdir", type=Path, help="where the SQLite database goes")
    parser.add_argument("--write", type=Path, help="write the results there (docs/benchmarks.md)")
    args = parser.parse_args()
    register_handlers()
    server = chosen_server(args.backend)
    evaluations = []
    with backend_databases(args.backend, server, args.workdir) as backends:
        for backend, fresh in backends:
            with fresh() as url:
                evaluation = evaluate(backend, url, args.data)
            print("\n".join([*TABLE_HEAD, *evaluation.lines()]), flush=True)
            check(evaluation)
            evaluations.append(evaluation)
    if args.write:
        write_section(args.write, document(evaluations, machine(server)))
        print(f"Wrote the recommendations section of {args.write}.")


if __name__ == "__main__":
    main()
