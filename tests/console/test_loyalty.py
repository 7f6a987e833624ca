"""Acceptance of the loyalty console (issue 4, acceptance 5): on a real server whose member
reached gold through the API (an order earning points, then a coupon issued), the loyalty page
shows the ladder — a bad threshold is refused next to the form and saves nothing, a good one
moves the member up — the points liability with its chart and the coupon template with its
stats; the member page shows the tier history, the points ledger and the coupon. Templates
are created and deactivated, check-in rewards and perks saved, an analyst reads without
changing, and a merchant without loyalty data gets the empty states. Screenshots of each tab
and of the member's loyalty go to the test's directory and ``test-results/console/``.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.console.support import (
    PASSWORD,
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

ADMIN, ANALYST = "loyalty-admin@example.com", "loyalty-analyst@example.com"
NEWCOMER = "new-shop@example.com"  # admin of a merchant with no loyalty data yet
ORDER_ID = "LOYAL-1"


@dataclass(frozen=True)
class Programme:
    """The running server, its admin key, the gold member, the coupon it holds and the order
    that earned its points."""

    base: str
    api_key: str
    member_id: str
    coupon_code: str
    order_id: str


def _prepare(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "init")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    cli(env, cwd, "tenant", "create", "outlet")
    cli(env, cwd, "user", "create", NEWCOMER, "--tenant", "outlet", "--role", "admin")
    (cwd / "outlet.csv").write_text("phone,name\n13900000099,李四\n", encoding="utf-8")
    cli(env, cwd, "import", "members", "outlet.csv", "--tenant", "outlet")  # no sign-up gifts
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body: dict[str, Any] = answer.json()
    return body


def _load(client: httpx.Client) -> tuple[str, str, str]:
    """A template, a member whose one order (¥2,500 ≥ gold's ¥2,000) earns points and makes it
    gold, and a coupon issued to it; returns (member id, coupon code, order id)."""
    _created(
        client.post("/users", json={"email": ANALYST, "password": PASSWORD, "role": "analyst"})
    )
    template = _created(
        client.post(
            "/coupon-templates",
            json={
                "name": "满100减20",
                "kind": "amount_off",
                "amount_off": "20.00",
                "threshold": "100.00",
                "valid_days": 30,
                "stock": 100,
            },
        )
    )
    paid_at = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    phone = {"type": "phone", "value": "13800000077"}
    order = {
        "external_id": ORDER_ID,
        "member": {"identities": [phone]},
        "channel": "pos",
        "paid_at": paid_at,
        "amount": "2500.00",
        "lines": [{"sku": "COAT", "name": "羊绒大衣", "unit_price": "2500.00", "quantity": 1}],
    }
    member_id = _created(client.post("/orders", json=order))["member_id"]
    coupon = _created(
        client.post(f"/members/{member_id}/coupons", json={"template_id": int(template["id"])})
    )
    assert client.get(f"/members/{member_id}/tier").json()["level"]["code"] == "gold"
    return member_id, coupon["code"], ORDER_ID


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Programme]:
    chromium_or_skip()
    with running_server(tmp_path_factory.mktemp("loyalty-server"), _prepare) as (base, key):
        with api(base, key) as client:
            loaded = _load(client)
        yield Programme(base, key, *loaded)


def _field(page: Page, name: str) -> Any:
    return page.locator(f"[data-field='{name}'] input, input[data-field='{name}']")


def test_loyalty_page_edits_the_ladder_and_shows_liability_and_coupons(
    page: Page, programme: Programme, tmp_path: Path
) -> None:
    login(page, programme.base, ADMIN)
    page.get_by_role("link", name="会员权益").click()
    arrive(page, "**/console/loyalty")
    expect(_field(page, "gold.name")).to_have_value("金卡会员")
    expect(_field(page, "gold.qualify_spend")).to_have_value("2000.00")
    _field(page, "platinum.qualify_spend").fill("12.345")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-problem]")).to_contain_text("白金卡会员 · 升级消费额")
    with api(programme.base, programme.api_key) as client:
        assert client.get("/loyalty/tiers").json()["levels"][2]["qualify_spend"] == "8000.00"
    _field(page, "platinum.qualify_spend").fill("2400")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("等级阶梯已保存,1 位会员等级变化")).to_be_visible()
    expect(page.locator("[data-problem]")).to_have_count(0)
    expect(_field(page, "platinum.qualify_spend")).to_have_value("2400.00")
    tiers_card = page.locator(".q-card").filter(has_text="各等级会员数")
    expect(tiers_card.locator("canvas")).to_have_count(1)
    screenshot(page, tmp_path, "loyalty-tiers.png", charts=True)

    with api(programme.base, programme.api_key) as client:
        liability = client.get("/points/liability").json()
    assert liability["points"] > 0
    page.get_by_role("tab", name="积分").click()
    shown = page.locator("[data-figure=liability_points]")
    expect(shown).to_have_text(f"{liability['points']:,}")
    expect(page.locator("[data-figure=liability_value]")).to_contain_text("¥")
    expect(page.get_by_text("按到期月份")).to_be_visible()
    liability_card = page.locator(".q-card").filter(has_text="积分负债")
    expect(liability_card.locator("canvas")).to_have_count(1)
    screenshot(page, tmp_path, "loyalty-points.png", charts=True)
    _field(page, "first_order_bonus").fill("150")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("积分规则已保存")).to_be_visible()
    with api(programme.base, programme.api_key) as client:
        assert client.get("/loyalty/points-rules").json()["first_order_bonus"] == 150

    page.get_by_role("tab", name="优惠券").click()
    row = page.get_by_role("row").filter(has_text="满100减20")
    expect(row).to_contain_text("减 ¥20.00(满 ¥100.00 可用)")
    expect(row).to_contain_text("领取后 30 天")
    expect(row).to_contain_text("剩 99 / 100")
    expect(row.get_by_role("cell", name="0.0%")).to_be_visible()
    screenshot(page, tmp_path, "loyalty-coupons.png", charts=True)


def test_new_template_and_deactivate(page: Page, programme: Programme) -> None:
    login(page, programme.base, ADMIN)
    visit(page, f"{programme.base}/console/loyalty")
    page.get_by_role("tab", name="优惠券").click()
    page.get_by_role("button", name="新建模板").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("名称").fill("会员八折")
    dialog.get_by_label("类型").click()
    page.get_by_role("option", name="折扣券").click()
    dialog.get_by_role("button", name="创建").click()
    problems = dialog.locator("[data-problem]")
    expect(problems.first).to_have_text(
        "折扣百分比(20 = 八折): a percent_off coupon needs percent_off"
    )
    expect(problems).to_have_count(2)  # and a validity
    dialog.get_by_label("折扣百分比").fill("20")
    dialog.get_by_label("领取后有效天数").fill("7")
    dialog.get_by_role("button", name="创建").click()
    row = page.get_by_role("row").filter(has_text="会员八折")
    expect(row).to_contain_text("20% 折扣")
    row.get_by_role("button", name="停用").click()
    expect(row).to_contain_text("已停用")
    with api(programme.base, programme.api_key) as client:
        items = client.get("/coupon-templates").json()["items"]
    assert [(t["name"], t["kind"], t["active"]) for t in items] == [
        ("会员八折", "percent_off", False),
        ("满100减20", "amount_off", True),
    ]


def test_member_page_shows_tier_history_points_and_coupons(
    page: Page, programme: Programme, tmp_path: Path
) -> None:
    login(page, programme.base, ADMIN)
    visit(page, f"{programme.base}/console/members/{programme.member_id}")
    card = page.locator(".q-card").filter(has=page.get_by_text("等级变动"))
    expect(card.get_by_role("cell", name="金卡会员").first).to_be_visible()
    expect(card.get_by_role("cell", name="消费获得")).to_be_visible()
    expect(card.get_by_role("cell", name=programme.order_id)).to_be_visible()
    expect(card.get_by_role("cell", name=programme.coupon_code)).to_be_visible()
    expect(card.get_by_role("cell", name="可使用")).to_be_visible()
    with api(programme.base, programme.api_key) as client:
        balance = client.get(f"/members/{programme.member_id}/points").json()["balance"]
    expect(card.locator("[data-figure=points_balance]")).to_have_text(f"{balance:,}")
    screenshot(page, tmp_path, "member-loyalty.png", charts=True)


def test_an_analyst_reads_the_rules_but_cannot_change_them(
    page: Page, programme: Programme, tmp_path: Path
) -> None:
    login(page, programme.base, ANALYST)
    visit(page, f"{programme.base}/console/loyalty")
    expect(page.get_by_text("仅管理员可修改这些规则")).to_be_visible()
    expect(_field(page, "gold.qualify_spend")).to_be_disabled()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    page.get_by_role("tab", name="优惠券").click()
    expect(page.get_by_text("满100减20")).to_be_visible()
    expect(page.get_by_role("button", name="新建模板")).to_have_count(0)
    page.get_by_role("tab", name="签到与礼遇").click()
    expect(_field(page, "day.7")).to_have_value("50")
    expect(_field(page, "day.7")).to_be_disabled()
    expect(page.get_by_text("会员日:每月 18 日,积分 ×2(在积分页设置)")).to_be_visible()
    screenshot(page, tmp_path, "loyalty-programme.png", charts=True)


def test_check_in_rewards_and_perks_are_saved(page: Page, programme: Programme) -> None:
    login(page, programme.base, ADMIN)
    visit(page, f"{programme.base}/console/loyalty")
    page.get_by_role("tab", name="签到与礼遇").click()
    _field(page, "day.7").fill("60")
    page.get_by_role("button", name="保存").first.click()
    expect(page.get_by_text("签到奖励已保存")).to_be_visible()
    page.get_by_label("开卡礼包优惠券").click()
    page.get_by_role("option", name="满100减20").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)  # the menu has closed and let go of focus
    _field(page, "pack_points").fill("-1")
    expect(_field(page, "pack_points")).to_have_value("-1")
    page.get_by_role("button", name="保存").last.click()
    expect(page.locator("[data-problem]")).to_contain_text("new_member_pack.points")
    _field(page, "pack_points").fill("200")
    expect(_field(page, "pack_points")).to_have_value("200")
    page.get_by_role("button", name="保存").last.click()
    expect(page.get_by_text("会员礼遇已保存")).to_be_visible()
    with api(programme.base, programme.api_key) as client:
        schedule = client.get("/loyalty/check-in-rules").json()["schedule"]
        pack = client.get("/loyalty/perk-rules").json()["new_member_pack"]
        template_id = client.get("/coupon-templates").json()["items"][-1]["id"]
    assert schedule[-1] == {"day": 7, "points": 60, "coupon_template_id": None}
    assert pack == {"points": 200, "coupon_template_ids": [int(template_id)]}


def test_empty_states(page: Page, programme: Programme) -> None:
    """A merchant that never used loyalty: no points, no templates, a member with nothing."""
    login(page, programme.base, NEWCOMER)
    visit(page, f"{programme.base}/console/loyalty")
    page.get_by_role("tab", name="积分").click()
    expect(page.get_by_text("暂无未使用的积分")).to_be_visible()
    expect(page.locator("[data-figure=liability_points]")).to_have_text("0")
    page.get_by_role("tab", name="优惠券").click()
    expect(page.get_by_text("还没有优惠券模板")).to_be_visible()
    visit(page, f"{programme.base}/console/members")
    page.get_by_role("cell", name="李四").click()
    expect(page.get_by_text("暂无等级变动")).to_be_visible()
    expect(page.get_by_text("暂无积分记录")).to_be_visible()
    expect(page.get_by_text("暂无优惠券")).to_be_visible()
    expect(page.locator("[data-figure=tier]")).to_have_text("银卡会员")
    expect(page.locator("[data-figure=points_balance]")).to_have_text("0")
