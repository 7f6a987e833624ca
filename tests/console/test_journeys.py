"""The journeys pages on a real server loaded with the demo merchant (400 members, each with a
birthday), with the demo clock on (``MEMBEROPS_DEMO_CLOCK``): with no journey the list points
at the template gallery; a journey shows its trigger and steps as a tree, is activated after a
confirmation, and its counts are the ones ``GET /api/v1/journeys/{id}/report`` answers; the
editor adds, moves and removes steps and saves a new version once members entered; and
(acceptance 4 of issue 8) the birthday template started from the gallery, activated, and the
demo clock moved forward changes the step counts on the journey's page. The screenshot goes to
``test-results/console/journeys.png``."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from memberops.console.formatting import number
from memberops.console.i18n import translate
from memberops.console.pages.journeys import effect as effect_card
from memberops.journeys.schemas import JourneyEffect
from tests.console.support import (
    PASSWORD,
    api,
    arrive,
    chromium_or_skip,
    demo_with_admin,
    login,
    running_server,
    screenshot,
    visit,
)

pytestmark = pytest.mark.browser

ADMIN, ANALYST = "journeys-admin@example.com", "journeys-analyst@example.com"
SETTINGS = {"MEMBEROPS_DEMO_CLOCK": "true"}
COUPON = {
    "name": "生日券",
    "kind": "amount_off",
    "amount_off": "20.00",
    "threshold": "100.00",
    "valid_days": 30,
    "stock": 1000,
}


@dataclass(frozen=True)
class Shop:
    base: str
    api_key: str
    coupon_id: int

    def client(self) -> httpx.Client:
        return api(self.base, self.api_key)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("journeys-server")
    with (
        running_server(home, demo_with_admin(ADMIN), SETTINGS) as (base, key),
        api(base, key) as client,
    ):
        body = {"email": ANALYST, "password": PASSWORD, "role": "analyst"}
        assert client.post("/users", json=body).status_code == 201
        coupon = client.post("/coupon-templates", json=COUPON)
        assert coupon.status_code == 201, coupon.text
        yield Shop(base, key, int(coupon.json()["id"]))


def _figure(page: Page, name: str) -> Any:
    return page.locator(f"[data-figure={name}] .figure-value")


def _report(shop: Shop, journey_id: str) -> dict[str, Any]:
    with shop.client() as client:
        answer = client.get(f"/journeys/{journey_id}/report")
    assert answer.status_code == 200, answer.text
    report: dict[str, Any] = answer.json()
    return report


def _counts_match_the_api(page: Page, shop: Shop, journey_id: str) -> dict[str, Any]:
    """The figures and each step's members as the report answers them."""
    report = _report(shop, journey_id)
    with shop.client() as client:
        version = client.get(f"/journeys/{journey_id}").json()["version"]
    moving = sum(s["members"] for s in report["at_steps"])
    for name, value in (
        ("entered", report["entered"]),
        ("moving", moving),
        ("done", report["done"]),
        ("exited", report["exited"]),
        ("holdout", report["holdout"]),
    ):
        expect(_figure(page, name)).to_have_text(number(value))
    for count in report["at_steps"]:
        if count["version"] == version:
            step = page.locator(f".journey-tree [data-step='{count['step']}'] .step-members")
            expect(step).to_have_text(f"当前 {number(count['members'])} 人")
    _effect_matches_the_api(page, JourneyEffect.model_validate(report["effect"]))
    return report


def _effect_matches_the_api(page: Page, effect: JourneyEffect) -> None:
    """The effect card's verdict, and its table of treated and held-out entries when a holdout
    is kept, as the report's ``effect`` reads."""
    card = page.locator(".journey-effect")
    expect(card.locator(".journey-verdict")).to_have_text(
        translate("zh-CN", effect_card.verdict(effect))
    )
    if effect.holdout.entries:
        for group, label in ((effect.treated, "触达组"), (effect.holdout, "对照组")):
            row = card.get_by_role("row").filter(has_text=label)
            expect(row).to_contain_text(number(group.entries))


def _act(page: Page, action: str, status: str) -> None:
    page.get_by_role("button", name=action, exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name=action, exact=True).click()
    expect(page.locator(".journey-title")).to_contain_text(status)


def test_the_birthday_template_runs_as_the_demo_clock_moves(
    page: Page, shop: Shop, tmp_path: Path
) -> None:
    """Acceptance 4 of issue 8: start the birthday template from the gallery, activate it,
    move the demo clock ten days, and see the step counts change."""
    login(page, shop.base, ADMIN)
    page.get_by_role("link", name="旅程", exact=True).click()
    expect(page.locator(".journeys-empty")).to_contain_text("还没有旅程")
    page.get_by_role("link", name="打开模板库").click()
    arrive(page, "**/console/journeys/templates")
    card = page.locator("[data-template=birthday_care]")
    expect(card).to_contain_text("生日关怀")
    card.get_by_role("button", name="使用此模板").click()
    dialog = page.locator(".journey-template-start")
    expect(dialog.get_by_label("优惠券模板")).to_have_value("生日券")  # the newest, chosen
    expect(dialog.get_by_label("生日前几天")).to_have_value("3")
    dialog.get_by_role("button", name="创建旅程").click()
    arrive(page, re.compile(r".*/console/journeys/\d+$"))
    journey_id = page.url.rsplit("/", 1)[1]
    with shop.client() as client:
        created = client.get(f"/journeys/{journey_id}").json()
    assert (created["name"], created["status"]) == ("生日关怀", "draft")
    assert created["trigger"] == {"type": "birthday", "days_before": 3, "at": "09:00:00"}
    assert created["steps"][0] == {"type": "issue_coupon", "coupon_template_id": shop.coupon_id}
    wait = next(i for i, s in enumerate(created["steps"]) if s["type"] == "wait")
    tree = page.locator(".journey-tree")
    expect(tree.locator(".journey-trigger")).to_contain_text("提前天数: 3 · 时间点（HH:MM）: 09:00")
    _act(page, "启用", "运行中")
    before = _counts_match_the_api(page, shop, journey_id)
    assert (before["entered"], before["at_steps"]) == (0, [])
    _move_clock(page, 10)
    after = _counts_match_the_api(page, shop, journey_id)
    moving = sum(s["members"] for s in after["at_steps"])
    assert after["entered"] > 0
    assert after["done"] + moving > 0  # members ran their steps, or wait for the birthday
    assert {s["step"] for s in after["at_steps"]} <= {wait}
    expect(_figure(page, "entered")).not_to_have_text("0")
    expect(page.locator(".journey-chart canvas")).to_have_count(1)
    screenshot(page, tmp_path, "journeys.png")
    page.get_by_role("link", name="返回旅程列表").click()
    row = page.get_by_role("row").filter(has_text="生日关怀")
    expect(row).to_contain_text("运行中")
    expect(row.get_by_role("cell", name=number(after["entered"]), exact=True).first).to_be_visible()


def test_a_journey_shows_its_steps_and_is_activated_paused_and_resumed(
    page: Page, shop: Shop
) -> None:
    body = {
        "name": "下单关怀",
        "trigger": {"type": "order_paid"},
        "holdout_percent": 0,
        "steps": [
            {
                "type": "branch",
                "condition": {"field": "member.gender", "op": "=", "value": "female"},
                "no": 2,
            },
            {"type": "issue_coupon", "coupon_template_id": shop.coupon_id},
            {"type": "send", "channel": "log", "body": "谢谢 {{ name }}"},
        ],
    }
    with shop.client() as client:
        created = client.post("/journeys", json=body)
    assert created.status_code == 201, created.text
    journey_id = created.json()["id"]
    login(page, shop.base, ADMIN)
    page.get_by_role("link", name="旅程", exact=True).click()
    row = page.get_by_role("row").filter(has_text="下单关怀")
    expect(row).to_contain_text("草稿")
    expect(row).to_contain_text("订单付款")
    row.get_by_role("button", name="打开").click()
    arrive(page, f"**/console/journeys/{journey_id}")
    tree = page.locator(".journey-tree")
    expect(tree.locator(".journey-trigger")).to_contain_text("触发：订单付款")
    expect(tree.locator("[data-step='1']")).to_contain_text("优惠券模板: 生日券")
    expect(tree.locator("[data-step='0']")).to_contain_text("不满足 → 步骤 3")
    indent = tree.locator("[data-step='1']").evaluate("e => getComputedStyle(e).paddingLeft")
    top = tree.locator("[data-step='0']").evaluate("e => getComputedStyle(e).paddingLeft")
    assert float(indent.rstrip("px")) > float(top.rstrip("px"))  # the branch's step, indented
    expect(page.locator(".journey-chart canvas")).to_have_count(1)
    _act(page, "启用", "运行中")
    _act(page, "暂停", "已暂停")
    _act(page, "恢复", "运行中")
    with shop.client() as client:
        assert client.get(f"/journeys/{journey_id}").json()["status"] == "active"
    _counts_match_the_api(page, shop, journey_id)


def test_an_analyst_sees_journeys_but_cannot_change_them(page: Page, shop: Shop) -> None:
    body = {
        "name": "分析师看到的旅程",
        "trigger": {"type": "member_registered"},
        "steps": [{"type": "wait", "days": 1}],
    }
    with shop.client() as client:  # its own journey: the module's tests run in any order
        created = client.post("/journeys", json=body)
        assert created.status_code == 201, created.text
        journey_id = created.json()["id"]
    login(page, shop.base, ANALYST)
    visit(page, f"{shop.base}/console/journeys/{journey_id}")
    expect(page.get_by_text("当前角色可以查看旅程，但不能修改、启用或暂停")).to_be_visible()
    expect(page.get_by_role("button", name="归档")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("演示时钟"))).to_have_count(0)
    visit(page, f"{shop.base}/console/journeys/99999")
    expect(page.get_by_text("没有旅程 99999")).to_be_visible()


def _move_clock(page: Page, days: int) -> None:
    """Move the demo clock forward from the header and wait for the page drawn again."""
    button = page.get_by_role("button", name=re.compile("演示时钟"))
    before = button.inner_text()
    button.click()
    dialog = page.locator(".demo-clock")
    dialog.get_by_label("前进").fill(str(days))
    dialog.get_by_role("button", name="天").click()
    dialog.get_by_role("button", name="前进").click()
    expect(button).not_to_have_text(before, timeout=120_000)  # the page, drawn again
    expect(dialog).to_have_count(0)
    expect(page.get_by_text(re.compile(r"时钟已到 .*人进入旅程"))).to_be_visible()


def _birthday_journey(shop: Shop) -> str:
    body = {
        "name": "生日前三天",
        "trigger": {"type": "birthday", "days_before": 3, "at": "09:00"},
        "entry_rule": "every_time",
        "steps": [
            {"type": "issue_coupon", "coupon_template_id": shop.coupon_id},
            {"type": "wait", "days": 3, "at": "09:00"},
            {"type": "send", "channel": "log", "body": "生日快乐 {{ name }}"},
        ],
    }
    with shop.client() as client:
        created = client.post("/journeys", json=body)
        assert created.status_code == 201, created.text
        journey_id: str = created.json()["id"]
        assert client.post(f"/journeys/{journey_id}:activate").status_code == 200
    return journey_id


def test_the_demo_clock_runs_a_journey_and_an_edit_makes_a_new_version(
    page: Page, shop: Shop, tmp_path: Path
) -> None:
    journey_id = _birthday_journey(shop)
    login(page, shop.base, ADMIN)
    visit(page, f"{shop.base}/console/journeys/{journey_id}")
    expect(_figure(page, "entered")).to_have_text("0")
    _move_clock(page, 5)
    report = _counts_match_the_api(page, shop, journey_id)
    assert report["entered"] > 0
    assert {s["step"] for s in report["at_steps"]} <= {1}  # waiting for the birthday itself
    expect(page.locator(".journey-tree [data-step='1']")).to_contain_text(
        "天数: 3 · 时间点（HH:MM）: 09:00"
    )
    page.get_by_role("button", name="编辑步骤").click()
    arrive(page, f"**/console/journeys/{journey_id}/edit")
    editor = page.locator(".journey-editor")
    expect(editor.locator(".journey-step-form")).to_have_count(3)
    editor.get_by_role("button", name="添加步骤").click()
    steps = editor.locator(".journey-step-form")
    expect(steps).to_have_count(4)
    steps.nth(3).get_by_label("正文").fill("礼物已送达")
    steps.nth(3).get_by_role("button", name="上移").click()
    expect(steps.nth(2).get_by_label("正文")).to_have_value("礼物已送达")
    steps.nth(0).get_by_role("button", name="删除步骤").click()
    expect(steps).to_have_count(3)
    with page.expect_navigation():
        editor.get_by_role("button", name="保存旅程").click()
    with shop.client() as client:
        saved = client.get(f"/journeys/{journey_id}").json()
    assert saved["version"] == 2
    assert [s["type"] for s in saved["steps"]] == ["wait", "send", "send"]
    assert saved["steps"][1]["body"] == "礼物已送达"
    expect(page.locator(".journey-title")).to_be_visible()
    expect(page.get_by_text("版本 2", exact=True)).to_be_visible()
    expect(page.locator(".journey-counts")).to_contain_text("版本 1 · 步骤 2（等待）")
