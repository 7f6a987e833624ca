"""Acceptance of the overview (issue 3): on a real server loaded with the demo merchant
(``memberops demo --members 300``), the console's landing page shows seed 003's figures — the
active and dormant buyers it shows add up to the 365-day buyers it shows, and every card equals
what ``GET /api/v1/dashboard/overview`` answers — with a screenshot at a laptop's size; a tenant
without orders gets the empty state; the member page pages through the order timeline.
"""

import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.console.support import (
    RESULTS,
    api,
    arrive,
    chromium_or_skip,
    cli,
    login,
    running_server,
    visit,
)

pytestmark = pytest.mark.browser

ADMIN, OUTLET = "boss@example.com", "outlet@example.com"
CARDS = {
    "buyers_365d": ("buyers", "buyers_365d"),
    "active_30d": ("buyers", "active_30d"),
    "dormant": ("buyers", "dormant"),
    "interested_30d": ("interest", "interested_30d"),
    "shop_favourites_30d": ("interest", "shop_favourites_30d"),
    "item_favourites_30d": ("interest", "item_favourites_30d"),
    "cart_adders_30d": ("interest", "cart_adders_30d"),
}


@dataclass(frozen=True)
class Loaded:
    """The server, the overview its API answers, and the member with the most orders."""

    base: str
    overview: dict[str, Any]
    busiest: int
    busiest_orders: int


def _prepare(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "init")
    cli(env, cwd, "tenant", "create", "outlet")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    cli(env, cwd, "user", "create", OUTLET, "--tenant", "outlet", "--role", "analyst")
    cli(env, cwd, "demo", "--members", "300", "--seed", "7")
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _busiest(database: Path) -> tuple[int, int]:
    """The member with the most orders, read from the server's file (a fixture's view)."""
    with sqlite3.connect(database) as connection:
        query = "SELECT member_id, count(*) FROM orders GROUP BY member_id ORDER BY 2 DESC"
        member_id, count = connection.execute(query).fetchone()
    return int(member_id), int(count)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("overview-server")
    with running_server(home, _prepare) as (base, key), api(base, key) as client:
        answer = client.get("/dashboard/overview")
        assert answer.status_code == 200, answer.text
        yield Loaded(base, answer.json(), *_busiest(home / "console.db"))


def _figure(page: Page, key: str) -> int:
    return int(page.locator(f"[data-figure={key}]").inner_text().replace(",", ""))


def test_overview_shows_buyers_split_into_active_and_dormant(
    page: Page, loaded: Loaded, tmp_path: Path
) -> None:
    login(page, loaded.base, ADMIN)
    expect(page.get_by_text("经营概览").first).to_be_visible()
    shown = {key: _figure(page, key) for key in CARDS}
    assert shown["active_30d"] + shown["dormant"] == shown["buyers_365d"] > 0
    assert shown == {key: loaded.overview[group][name] for key, (group, name) in CARDS.items()}
    expect(page.locator("[data-figure=member_gmv_share]")).to_contain_text("%")
    expect(page.locator("canvas")).to_have_count(3)  # bars, sales trend, new members
    page.wait_for_timeout(1000)  # let ECharts finish its entry animation before the picture
    shot = tmp_path / "overview.png"
    page.screenshot(path=shot, full_page=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, RESULTS / "overview.png")
    page.get_by_role("button", name="近 365 天").click()
    expect(page.get_by_text("成交额趋势(按周)")).to_be_visible()


def test_a_merchant_without_orders_sees_how_to_start(page: Page, loaded: Loaded) -> None:
    login(page, loaded.base, OUTLET)
    expect(page.get_by_text("还没有订单 —— 用 `memberops demo` 载入演示商户")).to_be_visible()
    expect(page.locator("[data-figure=buyers_365d]")).to_have_count(0)


#: An order's amount cell (a partly refunded order's status cell also names a sum, after a word).
AMOUNT = re.compile(r"^¥")


def test_member_page_pages_through_the_timeline(page: Page, loaded: Loaded, tmp_path: Path) -> None:
    assert loaded.busiest_orders > 10  # more than one page of orders
    login(page, loaded.base, ADMIN)
    page.get_by_role("link", name="会员", exact=True).click()
    arrive(page, "**/console/members")
    visit(page, f"{loaded.base}/console/members/{loaded.busiest}")
    orders = page.locator(".q-card").filter(has=page.get_by_text("付款时间"))
    expect(orders.get_by_role("cell", name=AMOUNT)).to_have_count(10)
    expect(orders.get_by_text("第 1 页")).to_be_visible()
    page.screenshot(path=tmp_path / "member.png", full_page=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "member.png", RESULTS / "member-timeline.png")
    orders.get_by_role("button").filter(has_text="chevron_right").click()
    expect(orders.get_by_text("第 2 页")).to_be_visible()
    rest = min(10, loaded.busiest_orders - 10)
    expect(orders.get_by_role("cell", name=AMOUNT)).to_have_count(rest)
    orders.get_by_role("button").filter(has_text="chevron_left").click()
    expect(orders.get_by_text("第 1 页")).to_be_visible()
