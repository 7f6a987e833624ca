"""The community pages on a real server: an admin opens a VIP group (the empty state before),
sees the VIP rule set through the API and runs the review from the page, and the group's row
and roster then show exactly the members the rule selects — the API's count, the roster's
names, who invited them; a bad name is refused in the dialog. Screenshots of both pages go to
the test's directory and ``test-results/console/``."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.console.support import (
    Shop,
    arrive,
    chromium_or_skip,
    cli,
    login,
    running_server,
    screenshot,
    visit,
)

pytestmark = pytest.mark.browser

ADMIN = "community-admin@example.com"
#: Members imported: (phone, name, city); the VIP rule selects those in Hangzhou.
PEOPLE = (
    ("13900000001", "王一", "杭州"),
    ("13900000002", "王二", "杭州"),
    ("13900000003", "王三", "上海"),
)
VIP_RULE = {"all": [{"field": "member.city", "op": "=", "value": "杭州"}]}


def _prepare(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "init")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    lines = ["phone,name,city", *(",".join(person) for person in PEOPLE)]
    (cwd / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cli(env, cwd, "import", "members", "people.csv")
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("community-server")
    with running_server(home, _prepare) as (base, key):
        yield Shop(base, key)


def test_a_vip_group_is_opened_reviewed_and_its_roster_read(
    shop: Shop, page: Page, tmp_path: Path
) -> None:
    login(page, shop.base, ADMIN)
    page.get_by_role("link", name="社群", exact=True).click()
    arrive(page, "**/console/community")
    expect(page.locator("[data-empty]")).to_contain_text("还没有社群")
    expect(page.get_by_text("尚未设置 VIP 规则")).to_be_visible()
    page.get_by_role("button", name="新建社群").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="创建").click()  # no name
    expect(dialog.locator("[data-problem]")).to_contain_text("名称")
    dialog.get_by_label("名称").fill("杭州VIP")
    expect(dialog.get_by_label("名称")).to_have_value("杭州VIP")
    dialog.get_by_label("类型").click()
    page.get_by_role("option", name="VIP 群").click()
    dialog.get_by_role("button", name="创建").click()
    expect(page.get_by_text("社群「杭州VIP」已开通")).to_be_visible()
    row = page.locator(".community-groups").get_by_role("row").filter(has_text="杭州VIP")
    expect(row).to_contain_text("VIP 群")
    expect(row).to_contain_text("0 / 400")

    with shop.client() as client:
        (group,) = client.get("/community-groups").json()["items"]
        rules = {"group_size": 400, "vip_rule": VIP_RULE, "vip_group_id": int(group["id"])}
        answer = client.put("/community-groups/rules", json=rules)
        assert answer.status_code == 200, answer.text
    visit(page, f"{shop.base}/console/community")
    expect(page.locator("[data-rule]")).to_contain_text("member.city")
    page.get_by_role("button", name="立即评审").click()
    expect(page.get_by_text("评审完成:符合 2 人,邀请 2 人,移出 0 人")).to_be_visible()
    expect(row).to_contain_text("2 / 400")
    screenshot(page, tmp_path, "community.png")
    with shop.client() as client:
        detail = client.get(f"/community-groups/{group['id']}").json()
    assert (detail["kind"], detail["size"]) == ("vip", 2)
    assert {entry["invited_by"] for entry in detail["roster"]} == {"review"}

    row.get_by_role("button", name="成员").click()
    arrive(page, f"**/console/community/{group['id']}")
    expect(page.locator("[data-figure=members]")).to_have_text("2")
    roster = page.locator(".community-roster")
    for name in ("王一", "王二"):
        expect(roster.get_by_role("row").filter(has_text=name)).to_contain_text("VIP 评审")
    expect(roster.get_by_role("row").filter(has_text="王三")).to_have_count(0)
    screenshot(page, tmp_path, "community-roster.png")
