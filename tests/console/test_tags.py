"""The tags tab of the insights page on a real server: the behaviour tags with their
definitions, levers and sizes after a refresh through the API, a tag's members with the CSV
export, a rule tag created from condition JSON (a typing mistake refused next to the form,
saving nothing), an analyst reading masked members without the manager's buttons, and the
empty state of a tag nobody holds. Screenshots go to ``test-results/console/``."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.console.support import (
    PASSWORD,
    api,
    chromium_or_skip,
    cli,
    login,
    running_server,
    screenshot,
    visit,
)

pytestmark = pytest.mark.browser

ADMIN, ANALYST = "tags-admin@example.com", "tags-analyst@example.com"
PHONE = "13800000077"


@dataclass(frozen=True)
class Shop:
    base: str
    api_key: str
    member_id: str


def _prepare(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "init")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _load(base: str, key: str) -> str:
    """A member with three discounted orders (折扣型) and the manual tag VIP; the analyst."""
    with api(base, key) as client:
        body = {"email": ANALYST, "password": PASSWORD, "role": "analyst"}
        assert client.post("/users", json=body).status_code == 201
        member = ""
        for n in range(3):
            order = {
                "external_id": f"TAG-{n}",
                "member": {"identities": [{"type": "phone", "value": PHONE}]},
                "channel": "taobao",
                "paid_at": f"2026-1{n}-01T10:00:00+08:00" if n else "2026-09-01T10:00:00+08:00",
                "amount": "80.00",
                "list_amount": "100.00",
            }
            answer = client.post("/orders", json=order)
            assert answer.status_code == 201, answer.text
            member = answer.json()["member_id"]
        vip = client.post("/tags", json={"code": "vip", "name": "VIP 客户"}).json()
        tagged = client.post(f"/members/{member}/tags", json={"tag_id": int(vip["id"])})
        assert tagged.status_code == 201, tagged.text
        assert client.post("/tags:refresh", json={}).json()["tags"]["discount_driven"] == 1
        return str(member)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("tags-server")
    with running_server(home, _prepare) as (base, key):
        yield Shop(base, key, _load(base, key))


def _open_tags(page: Page, shop: Shop, email: str) -> None:
    login(page, shop.base, email)
    visit(page, f"{shop.base}/console/insights")
    page.get_by_role("tab", name="标签").click()


def _row(page: Page, text: str) -> Locator:
    return page.get_by_role("row").filter(has_text=text)


def test_behaviour_tags_show_their_definition_lever_and_members(
    page: Page, shop: Shop, tmp_path: Path
) -> None:
    _open_tags(page, shop, ADMIN)
    row = _row(page, "折扣型")
    expect(row).to_contain_text("行为标签")
    expect(row).to_contain_text("至少80%为折扣购买")
    expect(row).to_contain_text("降价通知、买赠、免运费券")
    expect(row.get_by_role("cell", name="1", exact=True)).to_be_visible()
    expect(_row(page, "VIP 客户")).to_contain_text("手动标签")
    screenshot(page, tmp_path, "insights-tags.png")
    row.get_by_role("button", name="成员").click()
    members = page.locator(".tag-members")
    expect(members).to_contain_text("「折扣型」的成员（1 人）")
    expect(members).to_contain_text("+8613800000077")
    expect(members).to_contain_text("行为识别")
    with page.expect_download() as caught:
        members.get_by_role("button", name="导出 CSV").click()
    exported = caught.value.path().read_text(encoding="utf-8-sig")
    assert "+8613800000077" in exported
    assert shop.member_id in exported
    _row(page, "荣誉型").get_by_role("button", name="成员").click()
    expect(page.locator(".tag-members")).to_contain_text("还没有会员拥有这个标签")


def test_a_rule_tag_is_created_from_condition_json(page: Page, shop: Shop) -> None:
    _open_tags(page, shop, ADMIN)
    page.get_by_role("button", name="新建标签").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("标签代码").fill("spenders")
    dialog.get_by_label("名称").fill("消费满两百")
    dialog.get_by_label("类型").click()
    page.get_by_role("option", name="规则标签").click()
    dialog.get_by_label("条件（JSON）").fill('{"field": "stats.spend", "op": ">=", "value": 200}')
    dialog.get_by_role("button", name="创建").click()
    expect(dialog.locator("[data-problem]")).to_contain_text("条件（JSON）.value")
    with api(shop.base, shop.api_key) as client:
        assert "spenders" not in {t["code"] for t in client.get("/tags").json()["items"]}
    dialog.get_by_label("条件（JSON）").fill('{"field": "stats.spend", "op": ">=", "value": "200"}')
    dialog.get_by_role("button", name="创建").click()
    row = _row(page, "消费满两百")
    expect(row).to_contain_text("规则标签")
    expect(row).to_contain_text('"stats.spend"')
    expect(row.get_by_role("cell", name="1", exact=True)).to_be_visible()  # ¥240 spent
    row.get_by_role("button", name="停用").click()
    expect(row).to_contain_text("已停用")
    expect(row.get_by_role("cell", name="0", exact=True)).to_be_visible()


def test_an_analyst_reads_masked_members_without_managing(page: Page, shop: Shop) -> None:
    _open_tags(page, shop, ANALYST)
    expect(_row(page, "VIP 客户")).to_be_visible()
    expect(page.get_by_role("button", name="新建标签")).to_have_count(0)
    expect(page.get_by_role("button", name="重新计算标签")).to_have_count(0)
    _row(page, "VIP 客户").get_by_role("button", name="成员").click()
    members = page.locator(".tag-members")
    expect(members).to_contain_text("+86138****0077")
    expect(members).to_contain_text("手动打标")
