"""Acceptance of the benefit-card and stored-value pages (issue 9, acceptance 5), on a real
server loaded with the demo merchant: a card type is created in the loyalty page's cards tab (a
money card without a price refused next to the form first), bonus tiers are saved in the stored
value tab, and on a member's page the card is bought, bought again (refused: already held,
nothing changed), renewed, and stored value topped up (by a double click: once) with the bonus
the tiers give; every figure shown is the one the API answers (``/members/{id}/benefit-cards``,
``/benefits``, ``/stored-value``, ``/stored-value/liability``). An analyst reads without the
actions, and a merchant without cards or stored value gets the empty states. Screenshots of
both tabs and of the member's cards and stored value go to the test's directory and
``test-results/console/``.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from memberops.activity.money import to_cents
from memberops.console.formatting import yuan
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

ADMIN, ANALYST = "cards-admin@example.com", "cards-analyst@example.com"
NEWCOMER = "cards-new-shop@example.com"  # admin of a merchant with no cards or stored value


@dataclass(frozen=True)
class Shop:
    """The running server, its admin key and an active demo member."""

    base: str
    api_key: str
    member_id: str

    def client(self) -> httpx.Client:
        return api(self.base, self.api_key)


def _prepare(env: dict[str, str], cwd: Path) -> str:
    key = demo_with_admin(ADMIN)(env, cwd)
    cli(env, cwd, "tenant", "create", "outlet")
    cli(env, cwd, "user", "create", NEWCOMER, "--tenant", "outlet", "--role", "admin")
    (cwd / "outlet.csv").write_text("phone,name\n13900000098,王五\n", encoding="utf-8")
    cli(env, cwd, "import", "members", "outlet.csv", "--tenant", "outlet")
    return key


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("cards-server")
    with running_server(home, _prepare) as (base, key), api(base, key) as client:
        body = {"email": ANALYST, "password": PASSWORD, "role": "analyst"}
        assert client.post("/users", json=body).status_code == 201
        found = client.get("/members", params={"limit": 20}).json()["items"]
        member = next(m for m in found if m["status"] == "active")
        yield Shop(base, key, str(member["id"]))


def _field(page: Page, name: str) -> Locator:
    return page.locator(f"[data-field='{name}'] input, input[data-field='{name}']")


def _shown_yuan(amount: str) -> str:
    """An API amount (``"1100.00"``) as the console writes it (``¥1,100.00``)."""
    return yuan(to_cents(amount))


def _create_card_type(page: Page) -> None:
    page.get_by_role("button", name="新建权益卡").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("代码").fill("plus_year")
    dialog.get_by_label("名称").fill("PLUS 年卡")
    dialog.get_by_role("button", name="创建").click()
    expect(dialog.locator("[data-problem]")).to_have_text(["价格(元): a money card needs price"])
    dialog.get_by_label("价格(元)").fill("88")
    dialog.get_by_label("折扣率").fill("0.95")
    dialog.get_by_label("积分倍数").fill("2")
    dialog.get_by_role("checkbox", name="包邮").click()
    dialog.get_by_role("button", name="创建").click()
    expect(page.get_by_text("权益卡「PLUS 年卡」已创建")).to_be_visible()


def _save_bonus_tiers(page: Page, shop: Shop) -> None:
    page.get_by_role("tab", name="储值").click()
    expect(page.get_by_text("未设置赠送档位:充值不送")).to_be_visible()
    _field(page, "tier.1.min_amount").fill("1000")
    _field(page, "tier.1.bonus").fill("100")
    _field(page, "tier.2.min_amount").fill("500")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("[data-problem]")).to_contain_text("档位 2 · 赠送(元): ")
    with shop.client() as client:
        assert client.get("/stored-value/rules").json() == {"bonus_tiers": []}
    _field(page, "tier.2.bonus").fill("40")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("充值赠送档位已保存")).to_be_visible()
    with shop.client() as client:
        assert client.get("/stored-value/rules").json() == {
            "bonus_tiers": [
                {"min_amount": "1000.00", "bonus": "100.00"},
                {"min_amount": "500.00", "bonus": "40.00"},
            ]
        }


def _buy_and_renew(page: Page, shop: Shop, wallet: Locator) -> None:
    wallet.get_by_role("button", name="购买权益卡").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("支付流水号").fill("wx-pay-card-1")
    dialog.get_by_role("button", name="购买").click()
    expect(page.get_by_text("已购买PLUS 年卡")).to_be_visible()
    row = wallet.get_by_role("row").filter(has_text="PLUS 年卡")
    expect(row).to_contain_text("有效")
    expect(row).to_contain_text("¥88.00")
    # Bought again while held: refused by the room, announced, nothing recorded.
    wallet.get_by_role("button", name="购买权益卡").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("支付流水号").fill("wx-pay-card-2")
    dialog.get_by_role("button", name="购买").click()
    expect(page.get_by_text("already holds 'plus_year'; renew it instead")).to_be_visible()
    dialog.get_by_role("button", name="取消").click()
    row.get_by_role("button", name="续费").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("支付流水号").fill("wx-pay-card-3")
    dialog.get_by_role("button", name="续费").click()
    expect(page.get_by_text("PLUS 年卡已续费")).to_be_visible()
    expect(row).to_contain_text("¥88.00 + ¥88.00")
    with shop.client() as client:
        (holding,) = client.get(f"/members/{shop.member_id}/benefit-cards").json()["items"]
    assert holding["status"] == "active"
    assert [p["payment_reference"] for p in holding["payments"]] == [
        "wx-pay-card-1",
        "wx-pay-card-3",
    ]
    assert holding["ends_at"] == holding["payments"][1]["period_ends_at"]


def _top_up(page: Page, shop: Shop, wallet: Locator) -> None:
    wallet.get_by_role("button", name="充值").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("充值金额").fill("1000")
    expect(dialog.locator("[data-bonus]")).to_have_text("按档位赠送:¥100.00")
    dialog.get_by_label("支付流水号").fill("wx-pay-sv-1")
    # A double click sends the dialog's one key twice: the money goes in once.
    dialog.get_by_role("button", name="充值").dblclick()
    done = page.get_by_text("已充值 ¥1,000.00,赠送 ¥100.00,余额 ¥1,100.00")
    expect(done.first).to_be_visible()
    with shop.client() as client:
        stored = client.get(f"/members/{shop.member_id}/stored-value").json()
    assert (stored["balance"], stored["principal"], stored["bonus"]) == (
        "1100.00",
        "1000.00",
        "100.00",
    )
    assert [e["kind"] for e in stored["entries"]] == ["bonus", "top_up"]  # once, newest first
    assert stored["entries"][1]["reference"] == "wx-pay-sv-1"
    for name in ("balance", "principal", "bonus"):
        shown = wallet.locator(f"[data-figure=stored_value_{name}]")
        expect(shown).to_have_text(_shown_yuan(stored[name]))
    expect(wallet.get_by_role("cell", name="充值", exact=True)).to_be_visible()
    expect(wallet.get_by_role("cell", name="赠送", exact=True)).to_be_visible()


def _benefits_line(benefits: dict[str, Any]) -> str:
    """The member's benefits now as the page should write them, from the API's answer."""
    rate = Decimal(benefits["discount_rate"])
    parts = []
    if rate < 1:
        off = f"{((1 - rate) * 100).normalize():f}"
        parts.append(f"{(rate * 10).normalize():f}折(省 {off}%)")
    if benefits["free_shipping"]:
        parts.append("包邮")
    multiplier = Decimal(benefits["points_multiplier"])
    if multiplier > 1:
        parts.append(f"积分 ×{multiplier.normalize():f}")
    return " · ".join(parts)


def test_a_card_is_created_sold_renewed_and_stored_value_topped_up(
    page: Page, shop: Shop, tmp_path: Path
) -> None:
    login(page, shop.base, ADMIN)
    page.get_by_role("link", name="会员权益").click()
    arrive(page, "**/console/loyalty")
    page.get_by_role("tab", name="权益卡").click()
    expect(page.get_by_text("还没有权益卡")).to_be_visible()
    _create_card_type(page)
    with shop.client() as client:
        (card,) = client.get("/benefit-cards").json()["items"]
    assert (card["code"], card["price_kind"], card["price"], card["holders"]) == (
        "plus_year",
        "money",
        "88.00",
        0,
    )
    assert card["benefits"]["discount_rate"] == "0.95"
    row = page.get_by_role("row").filter(has_text="PLUS 年卡")
    expect(row).to_contain_text("¥88.00")
    expect(row).to_contain_text("12 个月")
    expect(row).to_contain_text("9.5折(省 5%) · 包邮 · 积分 ×2")
    _save_bonus_tiers(page, shop)

    visit(page, f"{shop.base}/console/members/{shop.member_id}")
    wallet = page.locator(".member-wallet")
    expect(wallet.get_by_text("暂无权益卡")).to_be_visible()
    expect(wallet.get_by_text("暂无储值记录")).to_be_visible()
    _buy_and_renew(page, shop, wallet)
    _top_up(page, shop, wallet)
    with shop.client() as client:
        benefits = client.get(f"/members/{shop.member_id}/benefits").json()
    assert benefits["free_shipping"] is True
    expect(wallet.locator("[data-figure=benefits_now]")).to_have_text(
        f"当前权益(等级与权益卡):{_benefits_line(benefits)}"
    )
    expect(page.locator(".q-notification")).to_have_count(0)  # gone after their 5 s
    wallet.scroll_into_view_if_needed()
    screenshot(page, tmp_path, "member-cards-and-stored-value.png", charts=True)

    visit(page, f"{shop.base}/console/loyalty")
    page.get_by_role("tab", name="权益卡").click()
    expect(page.get_by_role("row").filter(has_text="PLUS 年卡")).to_contain_text("在售")
    expect(
        page.get_by_role("row")
        .filter(has_text="PLUS 年卡")
        .get_by_role("cell", name="1", exact=True)
    ).to_be_visible()
    screenshot(page, tmp_path, "loyalty-cards.png", charts=True)
    page.get_by_role("tab", name="储值").click()
    with shop.client() as client:
        report = client.get("/stored-value/liability").json()
    assert (report["principal"], report["bonus"], report["members_with_balance"]) == (
        "1000.00",
        "100.00",
        1,
    )
    for name in ("principal", "bonus", "balance"):
        shown = page.locator(f"[data-figure=stored_value_{name}]")
        expect(shown).to_have_text(_shown_yuan(report[name]))
    expect(page.locator("[data-figure=stored_value_members_with_balance]")).to_have_text("1")
    liability_card = page.locator(".q-card").filter(has_text="储值负债")
    expect(liability_card.locator("canvas")).to_have_count(1)
    screenshot(page, tmp_path, "loyalty-stored-value.png", charts=True)


def test_an_analyst_reads_cards_and_stored_value_without_the_actions(
    page: Page, shop: Shop
) -> None:
    login(page, shop.base, ANALYST)
    visit(page, f"{shop.base}/console/loyalty")
    page.get_by_role("tab", name="权益卡").click()
    expect(page.get_by_text("仅管理员或运营可新建或停售权益卡")).to_be_visible()
    expect(page.get_by_role("button", name="新建权益卡")).to_have_count(0)
    page.get_by_role("tab", name="储值").click()
    tiers = page.locator(".q-card").filter(has_text="充值赠送档位")
    expect(tiers.get_by_text("仅管理员可修改这些规则")).to_be_visible()
    expect(page.get_by_role("button", name="保存")).to_have_count(0)
    visit(page, f"{shop.base}/console/members/{shop.member_id}")
    wallet = page.locator(".member-wallet")
    expect(wallet.get_by_text("储值余额", exact=True)).to_be_visible()
    expect(wallet.get_by_role("button")).to_have_count(0)


def test_empty_states(page: Page, shop: Shop) -> None:
    """A merchant that never sold a card nor took stored value."""
    login(page, shop.base, NEWCOMER)
    visit(page, f"{shop.base}/console/loyalty")
    page.get_by_role("tab", name="权益卡").click()
    expect(page.get_by_text("还没有权益卡")).to_be_visible()
    page.get_by_role("tab", name="储值").click()
    expect(page.get_by_text("近 12 个月没有储值变动")).to_be_visible()
    expect(page.locator("[data-figure=stored_value_principal]")).to_have_text("¥0.00")
    visit(page, f"{shop.base}/console/members")
    page.get_by_role("cell", name="王五").click()
    expect(page.get_by_text("暂无权益卡")).to_be_visible()
    expect(page.get_by_text("暂无储值记录")).to_be_visible()
    expect(page.locator("[data-figure=stored_value_balance]")).to_have_text("¥0.00")
