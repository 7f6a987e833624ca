"""Acceptance of the growth page (拉新): on a real server, members join through
``POST /joins`` from parcel cards (two campaigns), store QR codes, the official account's menu
and the API, and twelve newcomers join with eleven referrers' invite codes (one of them buys,
so its referrer is rewarded). In the browser the join-source table and its CSV export hold the
figures ``GET /dashboard/joins`` answers, per source and campaign; the leaderboard's two pages
hold the rows ``GET /growth/referral-leaderboard`` answers; the page speaks English once
switched, and a merchant with nothing gets both empty states. A screenshot goes to
``test-results/console/growth.png``.
"""

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from memberops.console.formatting import BLANK, number, percent
from memberops.console.i18n import LOCALES, catalogue
from memberops.console.pages.growth.joins import COLUMNS, source_lines
from memberops.dashboard.joins import JoinReport, JoinRow
from memberops.dashboard.periods import Bucket
from memberops.growth.models import JoinSource
from tests.console.support import (
    Shop,
    api,
    arrive,
    chromium_or_skip,
    cli,
    login,
    running_server,
    screenshot,
    visit,
)

pytestmark = pytest.mark.browser

ADMIN = "growth-admin@example.com"
NEWCOMER = "growth-new-shop@example.com"  # admin of a merchant with no joins or referrals
ZH = catalogue("zh-CN")
#: Joins by named source: (source, campaign, how many).
SOURCES = (
    ("parcel_card", "double11", 3),
    ("parcel_card", "", 1),
    ("store_qr", "", 2),
    ("official_account_menu", "menu-nov", 1),
)
REFERRERS = 11  # one more than a page of the leaderboard


def _prepare(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "init")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    cli(env, cwd, "tenant", "create", "outlet")
    cli(env, cwd, "user", "create", NEWCOMER, "--tenant", "outlet", "--role", "admin")
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _join(client: httpx.Client, phone: str, **fields: Any) -> str:
    body = {"identities": [{"type": "phone", "value": phone}], **fields}
    answer = client.post("/joins", json=body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["member"]["id"])


def _load(client: httpx.Client) -> None:
    """The joins by source, then eleven referrers (the first invites two newcomers) and a
    first order of one newcomer, which rewards its referrer."""
    phone = iter(range(13700000000, 13800000000))
    for source, campaign, count in SOURCES:
        for _ in range(count):
            _join(client, str(next(phone)), source=source, campaign=campaign)
    for n in range(REFERRERS):
        referrer = _join(client, str(next(phone)), attributes={"name": f"推荐人{n:02d}"})
        code = client.get(f"/members/{referrer}/invite").json()["code"]
        for _ in range(2 if n == 0 else 1):
            newcomer = str(next(phone))
            _join(client, newcomer, invite_code=code)
    order = {
        "external_id": "growth-first-order",
        "member": {"identities": [{"type": "phone", "value": newcomer}]},
        "channel": "taobao",
        "paid_at": datetime.now(UTC).isoformat(),
        "amount": "99.00",
    }
    answer = client.post("/orders", json=order)
    assert answer.status_code == 201, answer.text


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("growth-server")
    with running_server(home, _prepare) as (base, key), api(base, key) as client:
        _load(client)
        yield Shop(base, key)


def _expected_joins(client: httpx.Client, locale: str) -> list[list[str]]:
    """The API's report of 30 days as the table should show it, per source and campaign."""
    report = client.get("/dashboard/joins", params={"days": 30, "bucket": "day"}).json()
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in report["rows"]:
        sums[(row["source"], row["campaign"])][0] += row["registrations"]
        sums[(row["source"], row["campaign"])][1] += row["bought"]
    labels = catalogue(locale)
    return sorted(
        [
            labels[f"growth.source.{source}"],
            campaign or BLANK,
            number(n),
            number(bought),
            percent(bought / n),
        ]
        for (source, campaign), (n, bought) in sums.items()
    )


def _expected_leaders(client: httpx.Client, cursor: str | None) -> tuple[list[list[str]], Any]:
    params: dict[str, Any] = {"limit": 10, **({"cursor": cursor} if cursor else {})}
    answer = client.get("/growth/referral-leaderboard", params=params).json()
    rows = []
    for item in answer["items"]:
        name = client.get(f"/members/{item['member_id']}").json()["attributes"]["name"]
        rows.append([item["member_id"], name, str(item["rewarded"]), str(item["invited"])])
    return rows, answer["next_cursor"]


def _rows(table: Locator) -> list[list[str]]:
    found = table.locator("tbody tr")
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in found.all()]


def _check_joins(page: Page, client: httpx.Client) -> None:
    expected = _expected_joins(client, "zh-CN")
    assert sum(int(row[2]) for row in expected) == 30  # 7 by source, 11 referrers, 12 invited
    table = page.locator("[data-table=joins]")
    expect(table.locator("tbody tr")).to_have_count(len(expected))
    assert sorted(_rows(table)) == expected
    expect(page.locator("[data-figure=joins_total]")).to_have_text(
        ZH["growth.joins_total"].format(count=30, bought=1)
    )
    with page.expect_download() as download:
        page.get_by_role("button", name=ZH["growth.export"]).click()
    text = Path(download.value.path()).read_text("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [ZH[f"growth.col.{c}"] for c in COLUMNS]
    assert sorted(lines[1:]) == expected


def _check_leaderboard(page: Page, client: httpx.Client) -> None:
    table = page.locator("[data-table=leaderboard]")
    first, cursor = _expected_leaders(client, None)
    assert first[0][2:] == ["1", "1"]  # the referrer whose newcomer bought leads
    assert len(first) == 10
    assert cursor
    expect(table.locator("tbody tr")).to_have_count(10)
    assert _rows(table) == [[str(n + 1), *row] for n, row in enumerate(first)]
    second, cursor = _expected_leaders(client, cursor)
    assert len(second) == 1
    assert cursor is None
    board = page.locator(".q-card").filter(has=table)
    board.get_by_role("button").filter(has_text="chevron_right").click()
    expect(board.get_by_text(ZH["members.page"].format(page=2))).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(1)
    assert _rows(table) == [["11", *second[0]]]
    board.get_by_role("button").filter(has_text="chevron_left").click()
    expect(table.locator("tbody tr")).to_have_count(10)


def test_growth_page_shows_the_apis_figures(shop: Shop, page: Page, tmp_path: Path) -> None:
    login(page, shop.base, ADMIN)
    page.get_by_role("link", name=ZH["nav.growth"]).click()
    arrive(page, "**/console/growth")
    expect(page.get_by_text(ZH["growth.joins"], exact=True)).to_be_visible()
    with shop.client() as client:
        _check_joins(page, client)
        _check_leaderboard(page, client)
        page.get_by_role("button", name=ZH["range.days"].format(days=365)).click()
        chart = ZH["growth.chart"].format(bucket=ZH["bucket.week"])
        expect(page.get_by_text(chart)).to_be_visible()
        page.get_by_role("button", name="English").click()
        expect(page.get_by_text("Where new members come from")).to_be_visible()
        table = page.locator("[data-table=joins]")
        expect(table.locator("thead")).to_contain_text("New members")
        assert sorted(_rows(table)) == _expected_joins(client, "en")
        expect(page.locator("[data-table=leaderboard] thead")).to_contain_text("Invited")
    screenshot(page, tmp_path, "growth.png", charts=True)


def test_a_merchant_with_nothing_sees_both_empty_states(shop: Shop, page: Page) -> None:
    login(page, shop.base, NEWCOMER)
    visit(page, f"{shop.base}/console/growth")
    empty = page.locator("[data-empty]")
    expect(empty).to_have_text(
        [ZH["growth.joins_empty"].format(days=30), ZH["growth.leaderboard_empty"]]
    )
    expect(page.get_by_role("button", name=ZH["growth.export"])).to_be_disabled()


def test_every_join_source_is_named_and_lines_fold_the_periods() -> None:
    for locale in LOCALES:
        assert all(catalogue(locale)[f"growth.source.{s.value}"] for s in JoinSource)
    day = date(2026, 11, 11)
    rows = [
        JoinRow(period=day, source=JoinSource.store_qr, campaign="", registrations=2, bought=1),
        JoinRow(period=day, source=JoinSource.referral, campaign="", registrations=1, bought=0),
        JoinRow(
            period=day.replace(day=12),
            source=JoinSource.store_qr,
            campaign="",
            registrations=3,
            bought=0,
        ),
    ]
    lines = source_lines(JoinReport(days=7, bucket=Bucket.day, rows=rows))
    assert [(line.source, line.registrations, line.bought) for line in lines] == [
        (JoinSource.store_qr, 5, 1),
        (JoinSource.referral, 1, 0),
    ]
