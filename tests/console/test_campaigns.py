"""The campaigns pages on a real server loaded with the demo merchant: with no campaign the
list says so; a campaign drafted in the editor (a saved crowd, the log channel, two variants)
shows the forecast ``POST /api/v1/campaigns/{id}/forecast`` answers, is launched after a
confirmation, delivered by ``memberops worker --once``, and its progress and results show the
counts ``GET /api/v1/campaigns/{id}/results`` answers. An analyst sees campaigns but cannot
launch them. The screenshot goes to ``test-results/console/campaigns.png``.

Quiet hours are off (equal start and end), so the launch sends at whatever hour the test runs.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from memberops.console.formatting import number, percent, yuan
from tests.console.support import (
    PASSWORD,
    api,
    arrive,
    chromium_or_skip,
    cli,
    demo_with_admin,
    login,
    running_server,
    screenshot,
    visit,
)

pytestmark = pytest.mark.browser

ADMIN, ANALYST = "campaigns-admin@example.com", "campaigns-analyst@example.com"
CROWD = {"all": [{"field": "stats.last_order_at", "op": "within_days", "value": 365}]}
SETTINGS = {"MEMBEROPS_CAMPAIGN_QUIET_START": "00:00", "MEMBEROPS_CAMPAIGN_QUIET_END": "00:00"}


@dataclass(frozen=True)
class Shop:
    base: str
    api_key: str
    env: dict[str, str]
    home: Path

    def client(self) -> httpx.Client:
        return api(self.base, self.api_key)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("campaigns-server")
    seen: dict[str, Any] = {}

    def prepare(env: dict[str, str], cwd: Path) -> str:
        seen["env"] = env
        return demo_with_admin(ADMIN)(env, cwd)

    with running_server(home, prepare, SETTINGS) as (base, key), api(base, key) as client:
        body = {"email": ANALYST, "password": PASSWORD, "role": "analyst"}
        assert client.post("/users", json=body).status_code == 201
        crowd = client.post("/crowds", json={"name": "一年内购买过", "condition": CROWD})
        assert crowd.status_code == 201, crowd.text
        yield Shop(base, key, seen["env"], home)


def _draft(page: Page) -> None:
    """Fill the editor: a name, the saved crowd, two variants of 50 % each."""
    editor = page.locator(".campaign-editor")
    editor.get_by_label("活动名称").fill("老客回购")
    editor.get_by_label("目标人群").click()
    page.get_by_role("option", name="一年内购买过", exact=True).click()
    editor.get_by_label("赠送积分").fill("20")
    editor.get_by_role("button", name="添加版本").click()
    variants = page.locator(".campaign-variant")
    expect(variants).to_have_count(2)
    variants.nth(0).get_by_label("分流 %").fill("50")
    variants.nth(0).get_by_label("正文").fill("{{ name }}，回来看看新品")
    variants.nth(1).get_by_label("分流 %").fill("50")
    variants.nth(1).get_by_label("正文").fill("送您 20 积分，本周有效")
    variants.nth(0).get_by_role("button", name="预览").click()
    expect(variants.nth(0).locator(".campaign-preview-body")).to_contain_text("，回来看看新品")


def _change_the_draft(page: Page, shop: Shop, campaign_id: str) -> None:
    """A saved draft's form keeps what was saved; a blank figure is refused in words and an
    edit is saved (the points cleared, the holdout raised)."""
    editor = page.locator(".campaign-editor")
    expect(editor.get_by_label("赠送积分")).to_have_value("20")
    editor.get_by_label("归因天数").fill("0")
    editor.get_by_role("button", name="保存草稿").click()
    expect(editor.locator("[data-problem]")).to_contain_text("归因天数: Input should be greater")
    editor.get_by_label("归因天数").fill("7")
    editor.get_by_label("赠送积分").fill("")
    editor.get_by_label("对照组比例 %").fill("20")
    with page.expect_navigation():  # saved, the draft's page opens again
        editor.get_by_role("button", name="保存草稿").click()
    with shop.client() as client:
        saved = client.get(f"/campaigns/{campaign_id}").json()
    assert (saved["points"], saved["holdout_percent"], saved["attribution_days"]) == (None, 20, 7)


def _figure(page: Page, name: str) -> Any:
    return page.locator(f"[data-figure={name}] .figure-value")


def _forecast_matches_the_api(page: Page, shop: Shop, campaign_id: str) -> None:
    with shop.client() as client:
        answer = client.post(f"/campaigns/{campaign_id}/forecast")
    assert answer.status_code == 200, answer.text
    forecast = answer.json()
    assert forecast["reach"] > 0
    expected = {
        "crowd": number(forecast["crowd_members"]),
        "holdout": number(forecast["holdout"]),
        "left_out": number(forecast["crowd_members"] - forecast["holdout"] - forecast["reach"]),
        "reach": number(forecast["reach"]),
        "expected_buyers": f"{forecast['expected_buyers']:,.1f}",
        "expected_revenue": yuan(_cents(forecast["expected_revenue"])),
        "cost": yuan(_cents(forecast["cost"])),
        "roi": percent(forecast["roi"]),
    }
    for name, shown in expected.items():
        expect(_figure(page, name)).to_have_text(shown)
    expect(page.locator(".campaign-forecast")).to_contain_text("按规则排除：")


def _cents(yuan_text: str) -> int:
    sign = -1 if yuan_text.startswith("-") else 1
    whole, _, fraction = yuan_text.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int(fraction))


def _buy(shop: Shop, campaign_id: str, outcome: str, buyers: int) -> None:
    """The first ``buyers`` members of ``outcome`` pay an order of ¥99 now, in the window."""
    with shop.client() as client:
        query = {"outcome": outcome, "limit": buyers}
        rows = client.get(f"/campaigns/{campaign_id}/recipients", params=query).json()["items"]
        for row in rows:
            identity = client.get(f"/members/{row['member_id']}").json()["identities"][0]
            order = {
                "external_id": f"campaign-test-{row['member_id']}",
                "member": {"identities": [{"type": identity["type"], "value": identity["value"]}]},
                "channel": "tmall",
                "paid_at": datetime.now(UTC).isoformat(),
                "amount": "99.00",
            }
            answer = client.post("/orders", json=order)
            assert answer.status_code == 201, answer.text


def test_a_campaign_is_drafted_forecast_launched_and_measured(
    page: Page, shop: Shop, tmp_path: Path
) -> None:
    login(page, shop.base, ADMIN)
    page.get_by_role("link", name="营销活动", exact=True).click()
    expect(page.locator(".campaigns-empty")).to_contain_text("还没有营销活动")
    page.get_by_role("button", name="新建活动").click()
    arrive(page, "**/console/campaigns/new")
    _draft(page)
    page.get_by_role("button", name="保存草稿").click()
    arrive(page, re.compile(r".*/console/campaigns/\d+$"))
    campaign_id = page.url.rsplit("/", 1)[1]
    with shop.client() as client:
        saved = client.get(f"/campaigns/{campaign_id}").json()
    assert (saved["name"], saved["status"], saved["channel"]) == ("老客回购", "draft", "log")
    assert [(v["name"], v["split_percent"]) for v in saved["variants"]] == [("A", 50), ("B", 50)]
    assert (saved["points"], saved["holdout_percent"]) == (20, 10)
    _change_the_draft(page, shop, campaign_id)
    _forecast_matches_the_api(page, shop, campaign_id)
    page.get_by_role("button", name="发起活动").click()
    page.get_by_role("dialog").get_by_role("button", name="发起活动").click()
    expect(page.locator(".campaign-status")).to_have_text("进行中")
    cli(shop.env, shop.home, "worker", "--once")
    _buy(shop, campaign_id, "sent", 12)
    _buy(shop, campaign_id, "holdout", 1)
    with shop.client() as client:
        results = client.get(f"/campaigns/{campaign_id}/results").json()
    overall = results["overall"]
    assert overall["sent"] > 0
    assert overall["delivered"] == overall["sent"]
    expect(_figure(page, "delivered")).to_have_text(number(overall["delivered"]))  # the timer
    expect(_figure(page, "sent")).to_have_text(number(overall["sent"]))
    page.locator(".campaign-results").get_by_role("button", name="刷新").click()
    every = page.locator(".campaign-results-table").get_by_role("row").filter(has_text="全部版本")
    expect(every.get_by_role("cell").nth(2)).to_have_text(number(overall["sent"]))
    assert overall["converted"] == 12
    expect(every.get_by_role("cell").nth(5)).to_have_text("12")
    expect(every.get_by_role("cell").nth(6)).to_have_text(percent(overall["conversion_rate"]))
    holdout = page.locator(".campaign-results-table").get_by_role("row").filter(has_text="对照组")
    expect(holdout.get_by_role("cell").nth(1)).to_have_text(number(results["holdout"]["members"]))
    expect(page.locator(".campaign-chart canvas")).to_have_count(1)
    screenshot(page, tmp_path, "campaigns.png")
    page.get_by_role("link", name="返回活动列表").click()
    row = page.get_by_role("row").filter(has_text="老客回购")
    expect(row).to_contain_text("一年内购买过")
    expect(row.get_by_role("cell", name=number(overall["sent"]), exact=True)).to_be_visible()


def test_an_analyst_sees_campaigns_but_cannot_launch(page: Page, shop: Shop) -> None:
    with shop.client() as client:
        crowd_id = client.get("/crowds").json()["items"][0]["id"]
        body = {
            "name": "只读草稿",
            "crowd_id": crowd_id,
            "channel": "log",
            "variants": [{"name": "A", "split_percent": 100, "body": "hi"}],
        }
        draft = client.post("/campaigns", json=body)
    assert draft.status_code == 201, draft.text
    login(page, shop.base, ANALYST)
    visit(page, f"{shop.base}/console/campaigns/{draft.json()['id']}")
    expect(page.get_by_text("当前角色可以查看活动，但不能修改、发起或取消")).to_be_visible()
    expect(page.locator("[data-figure=reach] .figure-value")).not_to_be_empty()
    expect(page.get_by_role("button", name="发起活动")).to_have_count(0)
    expect(page.get_by_role("button", name="保存草稿")).to_have_count(0)


def test_a_campaign_at_a_local_time_is_scheduled_then_cancelled(page: Page, shop: Shop) -> None:
    login(page, shop.base, ADMIN)
    visit(page, f"{shop.base}/console/campaigns/new")
    editor = page.locator(".campaign-editor")
    editor.get_by_label("活动名称").fill("新年预告")
    editor.get_by_label("目标人群").click()
    page.get_by_role("option", name="一年内购买过", exact=True).click()
    editor.get_by_role("radio", name="定时发送").click()
    editor.get_by_label("发送时间（YYYY-MM-DD HH:MM）").fill("2030-01-01 10:00")
    editor.get_by_role("checkbox", name="按每位会员最常点击和购买的时段发送").click()
    expect(editor).to_contain_text("时区：Asia/Shanghai")
    editor.get_by_role("button", name="保存草稿").click()
    arrive(page, re.compile(r".*/console/campaigns/\d+$"))
    campaign_id = page.url.rsplit("/", 1)[1]
    with shop.client() as client:
        saved = client.get(f"/campaigns/{campaign_id}").json()
    assert datetime.fromisoformat(saved["send_at"]) == datetime(2030, 1, 1, 2, tzinfo=UTC)
    assert saved["best_time"] is True
    page.get_by_role("button", name="发起活动").click()
    page.get_by_role("dialog").get_by_role("button", name="发起活动").click()
    expect(page.locator(".campaign-status")).to_have_text("已排期")
    page.get_by_role("button", name="取消活动").click()
    page.get_by_role("dialog").get_by_role("button", name="取消活动").click()
    expect(page.locator(".campaign-status")).to_have_text("已取消")
    expect(page.get_by_role("button", name="取消活动")).to_have_count(0)
    with shop.client() as client:
        assert client.get(f"/campaigns/{campaign_id}").json()["status"] == "cancelled"
