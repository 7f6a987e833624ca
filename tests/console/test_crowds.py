"""The crowds page on a real server loaded with the demo merchant: a crowd built by clicks and
typing in the builder ("bought in the last 365 days, not in the last 30, gold or above") shows
the size ``POST /api/v1/crowds:preview`` answers for the same condition, is saved as a dynamic
crowd the list and ``GET /api/v1/crowds`` show, and exports its members as CSV with Chinese
column names; an analyst builds and previews without saving; no crowds reads as an empty
state. The screenshot goes to ``test-results/console/crowds.png``."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.console.support import (
    PASSWORD,
    Shop,
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

ADMIN, ANALYST = "crowds-admin@example.com", "crowds-analyst@example.com"
#: docs/crowds.md's example, as the builder should write it.
CONDITION = {
    "all": [
        {"field": "stats.last_order_at", "op": "within_days", "value": 365},
        {"not": {"field": "stats.last_order_at", "op": "within_days", "value": 30}},
        {"field": "loyalty.tier", "op": ">=", "value": "gold"},
    ]
}
GOLD_UP = {"all": [CONDITION["all"][2]]}
HEADER = ["会员ID", "姓名", "手机号", "性别", "城市", "订单数", "累计消费", "最近购买时间"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("crowds-server")
    with running_server(home, demo_with_admin(ADMIN)) as (base, key), api(base, key) as client:
        body = {"email": ANALYST, "password": PASSWORD, "role": "analyst"}
        assert client.post("/users", json=body).status_code == 201
        yield Shop(base, key)


def _size(shop: Shop, condition: dict[str, Any]) -> int:
    with api(shop.base, shop.api_key) as client:
        answer = client.post("/crowds:preview", json={"condition": condition, "sample": 0})
        assert answer.status_code == 200, answer.text
        return int(answer.json()["size"])


def _choose(page: Page, select: Locator, option: str) -> None:
    select.click()
    page.get_by_role("option", name=option, exact=True).click()


def _rule(page: Page, index: int, field: str, search: str) -> Locator:
    """The builder's row ``index`` with ``field`` chosen by typing part of its label."""
    row = page.locator(".crowd-rule").nth(index)
    row.get_by_label("字段").fill(search)
    page.get_by_role("option", name=field, exact=True).click()
    return row


def _build_the_example(page: Page) -> None:
    recent = _rule(page, 0, "最近购买时间", "最近购买")
    _choose(page, recent.get_by_label("运算"), "在最近 N 天内")
    recent.get_by_label("天数").fill("365")
    page.get_by_role("button", name="添加条件", exact=True).click()
    lately = _rule(page, 1, "最近购买时间", "最近购买")
    lately.get_by_label("天数").fill("30")
    lately.get_by_role("checkbox", name="不满足").click()
    page.get_by_role("button", name="添加条件", exact=True).click()
    tier = _rule(page, 2, "会员等级", "等级")
    _choose(page, tier.get_by_label("运算"), "≥")
    _choose(page, tier.get_by_label("值"), "金卡会员")


def test_a_built_crowd_is_previewed_saved_and_exported(
    page: Page, shop: Shop, tmp_path: Path
) -> None:
    size = _size(shop, CONDITION)
    assert size > 0
    login(page, shop.base, ADMIN)
    page.get_by_role("link", name="人群", exact=True).click()
    page.get_by_role("button", name="新建人群").click()
    arrive(page, "**/console/crowds/new")
    _build_the_example(page)
    expect(page.locator(".crowd-size")).to_have_text(f"{size:,}")
    expect(page.get_by_role("row")).to_have_count(min(size, 10) + 1)  # the sample, with header
    screenshot(page, tmp_path, "crowds.png")
    form = page.locator(".crowd-save")
    form.get_by_label("名称").fill("金卡以上沉默客")
    form.get_by_role("radio", name="动态").click()
    form.get_by_role("button", name="保存人群").click()
    arrive(page, "**/console/crowds")
    row = page.get_by_role("row").filter(has_text="金卡以上沉默客")
    expect(row).to_contain_text("动态")
    expect(row.get_by_role("cell", name=f"{size:,}", exact=True)).to_be_visible()
    with api(shop.base, shop.api_key) as client:
        saved = client.get("/crowds").json()["items"]
    assert [(c["name"], c["kind"], c["size"]) for c in saved] == [
        ("金卡以上沉默客", "dynamic", size)
    ]
    assert saved[0]["condition"] == CONDITION
    row.get_by_role("button", name="成员").click()
    members = page.locator(".crowd-members")
    expect(members).to_contain_text(f"「金卡以上沉默客」的成员（{size:,} 人）")
    with page.expect_download() as caught:
        members.get_by_role("button", name="导出 CSV").click()
    exported = caught.value.path().read_bytes()
    assert exported.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert lines[0] == HEADER
    assert len(lines) - 1 == size
    assert len({line[0] for line in lines[1:]}) == size
    _reopen_and_clash(page, shop, saved[0]["id"], size)


def _reopen_and_clash(page: Page, shop: Shop, crowd_id: str, size: int) -> None:
    """The saved crowd opens in the builder as built; renaming it to a taken name is refused
    in words, changing nothing."""
    with api(shop.base, shop.api_key) as client:
        body = {"name": "金卡以上", "condition": GOLD_UP}
        assert client.post("/crowds", json=body).status_code == 201
    page.locator(".crowd-members").get_by_role("button", name="条件").click()
    arrive(page, f"**/console/crowds/{crowd_id}")
    rows = page.locator(".crowd-rule")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).get_by_role("checkbox", name="不满足")).to_be_checked()
    expect(rows.nth(2)).to_contain_text("金卡会员")
    expect(page.locator(".crowd-size")).to_have_text(f"{size:,}")
    form = page.locator(".crowd-save")
    form.get_by_label("名称").fill("金卡以上")
    form.get_by_role("button", name="保存人群").click()
    expect(form.locator("[data-problem]")).to_have_text("已有名为「金卡以上」的人群，请换一个名称")
    with api(shop.base, shop.api_key) as client:
        assert client.get(f"/crowds/{crowd_id}").json()["name"] == "金卡以上沉默客"


def test_an_analyst_builds_and_previews_without_saving(page: Page, shop: Shop) -> None:
    login(page, shop.base, ANALYST)
    visit(page, f"{shop.base}/console/crowds/new")
    tier = _rule(page, 0, "会员等级", "等级")
    _choose(page, tier.get_by_label("值"), "金卡会员")
    size = page.locator(".crowd-size")
    expect(size).to_have_text(f"{_size(shop, GOLD_UP):,}")
    expect(page.get_by_text("当前角色可以圈选和预览，但不能保存人群")).to_be_visible()
    expect(page.get_by_role("button", name="保存人群")).to_have_count(0)
    page.get_by_role("button", name="添加条件组").click()
    nested = page.locator(".crowd-group .crowd-group")
    nested.get_by_role("button", name="任一满足").click()
    orders = _rule(page, 1, "近365天订单数", "近365天订单")
    orders.get_by_label("值").fill("两")
    expect(page.locator(".crowd-problem")).to_contain_text("值: expected a whole number")
    expect(orders.locator("[data-problem]")).to_contain_text("值: expected a whole number")
    orders.get_by_label("值").fill("2")
    either = {"any": [{"field": "stats.orders_365d", "op": ">=", "value": 2}]}
    expect(size).to_have_text(f"{_size(shop, {'all': [*GOLD_UP['all'], either]}):,}")
    expect(orders.locator("[data-problem]")).to_be_hidden()
    nested.get_by_role("button", name="移除").first.click()
    expect(page.locator(".crowd-rule")).to_have_count(1)
    expect(size).to_have_text(f"{_size(shop, GOLD_UP):,}")


def test_a_snapshot_is_frozen_then_deleted_down_to_the_empty_state(page: Page, shop: Shop) -> None:
    with api(shop.base, shop.api_key) as client:
        for crowd in client.get("/crowds").json()["items"]:
            assert client.delete(f"/crowds/{crowd['id']}").status_code == 204
        body = {"name": "金卡快照", "kind": "snapshot", "condition": GOLD_UP}
        assert client.post("/crowds", json=body).status_code == 201
    login(page, shop.base, ADMIN)
    visit(page, f"{shop.base}/console/crowds")
    row = page.get_by_role("row").filter(has_text="金卡快照")
    expect(row).to_contain_text("快照")
    row.get_by_role("button", name="成员").click()
    members = page.locator(".crowd-members")
    expect(members).to_contain_text("冻结于")
    members.get_by_role("button", name="重新冻结").click()
    expect(page.get_by_text("已按当前条件重新冻结")).to_be_visible()
    members.get_by_role("button", name="删除").click()
    page.get_by_role("dialog").get_by_role("button", name="删除").click()
    expect(page.locator(".crowds-empty")).to_contain_text("还没有保存的人群")
    expect(page.get_by_role("button", name="新建人群")).to_be_visible()
    with api(shop.base, shop.api_key) as client:
        assert client.get("/crowds").json()["items"] == []
