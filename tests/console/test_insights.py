"""The insights page on a real server loaded with the demo merchant, its models fitted and its
members layered (``memberops clv fit``, ``memberops recompute insights``): the RFM 8-type table
shows what ``GET /api/v1/insights/overview`` answers, the value tab its churn-risk counts, and
a member's page its stage, RFM scores and prediction, and the watches tab adds a watch (a bad
threshold refused next to the form) and pauses it — with screenshots at a laptop's size."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.console.support import (
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

ADMIN = "boss@example.com"
TYPE_NAMES = {
    "important_value": "重要价值客户",
    "important_development": "重要发展客户",
    "important_retention": "重要保持客户",
    "important_winback": "重要挽留客户",
    "general_value": "一般价值客户",
    "general_development": "一般发展客户",
    "general_retention": "一般保持客户",
    "general_winback": "一般挽留客户",
}
STAGE_NAMES = {"new": "新客", "active": "活跃", "dormant": "沉睡", "churned": "流失"}


@dataclass(frozen=True)
class Loaded:
    base: str
    api_key: str
    overview: dict[str, Any]
    member: dict[str, Any]  # a member's insights, with RFM and a prediction


def _prepare(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "init")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    cli(env, cwd, "demo", "--members", "200", "--seed", "11")
    cli(env, cwd, "clv", "fit", "--unit", "week")
    cli(env, cwd, "recompute", "insights")
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _scored_member(client: Any) -> dict[str, Any]:
    """The first listed member whose insights hold RFM and a prediction."""
    for member in client.get("/members", params={"limit": 100}).json()["items"]:
        insights = client.get(f"/members/{member['id']}/insights").json()
        if insights["rfm"] and insights["prediction"]:
            return dict(insights)
    raise AssertionError("no member with RFM and a prediction")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("insights-server")
    with running_server(home, _prepare) as (base, key), api(base, key) as client:
        answer = client.get("/insights/overview")
        assert answer.status_code == 200, answer.text
        yield Loaded(base, key, answer.json(), _scored_member(client))


def test_the_rfm_matrix_shows_the_overview(page: Page, loaded: Loaded, tmp_path: Path) -> None:
    login(page, loaded.base, ADMIN)
    page.get_by_role("link", name="会员分层", exact=True).click()
    arrive(page, "**/console/insights")
    expect(page.get_by_text("RFM 八类客户矩阵")).to_be_visible()
    table = page.locator(".rfm-types")
    scored = 0
    for cell in loaded.overview["rfm_types"]:
        row = table.get_by_role("row").filter(has_text=TYPE_NAMES[cell["rfm_type"]])
        expect(row).to_contain_text(f"{cell['members']:,}")
        expect(row).to_contain_text(f"¥{float(cell['revenue']):,.2f}")
        scored += cell["members"]
    assert scored > 0
    expect(page.locator(".nicegui-echart:visible")).to_have_count(3)  # funnel, matrix, segments
    screenshot(page, tmp_path, "insights-rfm.png", charts=True)
    page.get_by_role("tab", name="价值预测").click()
    risk = loaded.overview["churn_risk"]
    expect(page.get_by_text("高流失风险")).to_be_visible()
    for label, count in (("高流失风险", risk["high"]), ("低流失风险", risk["low"])):
        card = page.locator(".q-card").filter(has_text=label)
        expect(card).to_contain_text(f"{count:,}")
    screenshot(page, tmp_path, "insights-value.png", charts=True)


def test_a_members_page_shows_its_layering(page: Page, loaded: Loaded, tmp_path: Path) -> None:
    member, rfm = loaded.member, loaded.member["rfm"]
    login(page, loaded.base, ADMIN)
    visit(page, f"{loaded.base}/console/members/{member['member_id']}")
    card = page.locator(".member-insights")
    expect(card).to_contain_text(f"R{rfm['r_score']} F{rfm['f_score']} M{rfm['m_score']}")
    expect(card).to_contain_text(TYPE_NAMES[rfm["rfm_type"]])
    expect(card).to_contain_text(STAGE_NAMES[member["stage"]["stage"]])
    expect(card).to_contain_text(f"¥{float(member['prediction']['clv_12m']):,.2f}")
    screenshot(page, tmp_path, "member-insights.png", charts=True)


def test_an_operator_adds_a_watch_and_pauses_it(page: Page, loaded: Loaded, tmp_path: Path) -> None:
    login(page, loaded.base, ADMIN)
    visit(page, f"{loaded.base}/console/insights")
    page.get_by_role("tab", name="多维监控").click()
    expect(page.locator("[data-empty]")).to_contain_text("还没有监控")
    page.get_by_role("button", name="新建监控").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("名称").fill("沉睡预警")
    dialog.get_by_label("阈值").fill("三十")
    dialog.get_by_role("button", name="创建").click()
    expect(dialog.locator("[data-problem]")).to_contain_text("阈值")
    dialog.get_by_label("阈值").fill("30")
    expect(dialog.get_by_label("阈值")).to_have_value("30")
    dialog.get_by_role("button", name="创建").click()
    expect(page.get_by_text("监控「沉睡预警」已创建")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="沉睡预警")
    for shown in ("沉睡会员占比", "> 30.00%", "每天", "控制台日志 · operator", "监控中"):
        expect(row).to_contain_text(shown)
    screenshot(page, tmp_path, "insights-watches.png", charts=True)
    row.get_by_role("button", name="暂停").click()
    expect(page.get_by_text("「沉睡预警」已暂停")).to_be_visible()
    expect(row).to_contain_text("已暂停")
    with api(loaded.base, loaded.api_key) as client:
        (watch,) = client.get("/watches").json()["items"]
    assert (watch["name"], watch["figure"], watch["threshold"]) == (
        "沉睡预警",
        "dormant_share",
        "30.00",
    )
    assert (watch["direction"], watch["period"], watch["active"]) == ("above", "day", False)
