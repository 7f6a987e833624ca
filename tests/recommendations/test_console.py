"""The member page's recommendations card on a real server loaded with the demo merchant and
its recommendations rebuilt (``POST /recommendations:rebuild``): the card lists what
``GET /members/{id}/recommendations`` answers, with each reason — with a screenshot."""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.console.conftest import browser, page  # the console's Playwright fixtures
from tests.console.support import RESULTS, api, chromium_or_skip, cli, login, running_server

pytestmark = pytest.mark.browser
__all__ = ["browser", "page"]

ADMIN = "boss@example.com"
REASONS = {
    "bought_together": "常与其已购商品一起购买",
    "favourite_category": "偏好品类的热销品",
    "new_arrival": "新品（尝鲜型）",
    "top_seller": "热销",
}


@dataclass(frozen=True)
class Loaded:
    base: str
    member_id: str
    items: list[dict[str, Any]]


def _prepare(env: dict[str, str], cwd: Path) -> str:
    cli(env, cwd, "init")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    cli(env, cwd, "demo", "--members", "200", "--seed", "11")
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _recommended_member(client: Any) -> tuple[str, list[dict[str, Any]]]:
    """The first listed member with something bought together among their recommendations."""
    for member in client.get("/members", params={"limit": 100}).json()["items"]:
        found = client.get(f"/members/{member['id']}/recommendations").json()["items"]
        if any(item["reason"] == "bought_together" for item in found):
            return member["id"], found
    raise AssertionError("no member with co-purchase recommendations")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    chromium_or_skip()
    home = tmp_path_factory.mktemp("recommendations-server")
    with running_server(home, _prepare) as (base, key), api(base, key) as client:
        rebuilt = client.post("/recommendations:rebuild")
        assert rebuilt.status_code == 200, rebuilt.text
        assert rebuilt.json()["neighbours"] > 0
        yield Loaded(base, *_recommended_member(client))


def test_a_members_page_lists_their_recommendations(
    page: Page, loaded: Loaded, tmp_path: Path
) -> None:
    login(page, loaded.base, ADMIN)
    page.goto(f"{loaded.base}/console/members/{loaded.member_id}")
    card = page.locator(".member-recommendations")
    expect(card.locator("tbody tr")).to_have_count(len(loaded.items))
    for row, item in zip(card.locator("tbody tr").all(), loaded.items, strict=True):
        expect(row).to_contain_text(item["sku"])
        expect(row).to_contain_text(item["name"])
        expect(row).to_contain_text(REASONS[item["reason"]])
    expect(card).to_contain_text("商品数据计算于")
    card.scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "member-recommendations.png", full_page=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "member-recommendations.png", RESULTS / "member-recommendations.png")
