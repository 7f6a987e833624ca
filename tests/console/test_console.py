"""Acceptance of the web console: a real server (the ``memberops`` CLI in a subprocess, on its
own SQLite file) driven by headless Chromium through Playwright.

The members are created through the HTTP API, as a merchant's systems would; the console must
then find the merged member by a phone written the way a person types it, and show the merge.
"""

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.console.support import (
    PASSWORD,
    RESULTS,
    api,
    arrive,
    chromium_or_skip,
    cli,
    login,
    running_server,
    visit,
)

pytestmark = pytest.mark.browser

ADMIN, ANALYST, OPERATOR = "admin@example.com", "analyst@example.com", "ops@example.com"


@dataclass(frozen=True)
class Server:
    """The running console, its admin API key, and two merged pairs of members: one to look
    at, one to undo."""

    base: str
    api_key: str
    survivor_id: str
    absorbed_id: str
    spare_pair: tuple[str, str]


def _prepare(env: dict[str, str], cwd: Path) -> str:
    """Schema, a second tenant, the admin and the operator's role in ``outlet``, and an admin
    API key of ``default``; returns the key. (The other users come through the API, which is
    quicker than a process each.)"""
    cli(env, cwd, "init")
    cli(env, cwd, "tenant", "create", "outlet")
    cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    cli(env, cwd, "user", "create", OPERATOR, "--tenant", "outlet", "--role", "admin")
    return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _grant(client: httpx.Client, email: str, role: str) -> None:
    granted = client.post("/users", json={"email": email, "password": PASSWORD, "role": role})
    assert granted.status_code == 201, granted.text


def _merged_pair(client: httpx.Client, phone: str, unionid: str, **first: Any) -> tuple[str, str]:
    """A phone member, a WeChat member, then one request linking both: they merge. Returns
    (survivor id, absorbed id)."""
    phone_id = {"type": "phone", "value": phone}
    unionid_id = {"type": "wechat_unionid", "value": unionid}
    created = client.post("/members", json={"identities": [phone_id], "channel": "pos", **first})
    other = client.post("/members", json={"identities": [unionid_id], "channel": "wechat_oa"})
    linked = client.post("/members", json={"identities": [phone_id, unionid_id]})
    assert (created.status_code, other.status_code, linked.status_code) == (201, 201, 200)
    assert len(linked.json()["merged"]) == 1
    return created.json()["id"], other.json()["id"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module's tests, stopped at the end whatever happened."""
    chromium_or_skip()
    with running_server(tmp_path_factory.mktemp("console-server"), _prepare) as (base, key):
        with api(base, key) as client:
            _grant(client, ANALYST, "analyst")
            _grant(client, OPERATOR, "operator")
            survivor, absorbed = _merged_pair(
                client,
                "13800000000",
                "oUnion-console-1",
                attributes={"name": "张三", "custom": {"vip_note": "prefers SMS"}},
                consent={"sms": True},
            )
            spare = _merged_pair(client, "13900000001", "oUnion-console-2")
        yield Server(base, key, survivor, absorbed, spare)


def _login(page: Page, server: Server, email: str) -> None:
    login(page, server.base, email)
    visit(page, f"{server.base}/console/members")


def _search(page: Page, text: str) -> None:
    box = page.get_by_placeholder("搜索手机号、邮箱、UnionID 或姓名")
    box.fill(text)
    box.press("Enter")


def test_find_member_by_phone_and_see_merge_history(
    page: Page, server: Server, tmp_path: Path
) -> None:
    visit(page, f"{server.base}/console/members")
    arrive(page, "**/console/login")
    page.get_by_label("邮箱").fill(ADMIN)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("邮箱或密码错误")).to_be_visible()
    _login(page, server, ADMIN)
    _search(page, "138 0000 0000")
    expect(page.get_by_text("找到 1 位会员")).to_be_visible()
    page.get_by_role("cell", name="+8613800000000").click()
    arrive(page, f"**/console/members/{server.survivor_id}")
    expect(page.get_by_text("合并记录")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{server.absorbed_id}")).to_be_visible()
    expect(page.get_by_text("生效中")).to_be_visible()
    expect(page.get_by_role("button", name="撤销合并")).to_be_visible()
    shot = tmp_path / "member-page.png"
    page.screenshot(path=shot, full_page=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, RESULTS / "member-page.png")


def test_analyst_sees_masked_phone_and_no_undo(page: Page, server: Server) -> None:
    _login(page, server, ANALYST)
    _search(page, "13800000000")
    expect(page.get_by_role("cell", name="+86138****0000")).to_be_visible()
    expect(page.get_by_text("+8613800000000")).to_have_count(0)
    page.get_by_role("cell", name="+86138****0000").click()
    expect(page.get_by_text("合并记录")).to_be_visible()
    expect(page.get_by_text("张*", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="撤销合并")).to_have_count(0)
    page.get_by_role("link", name=f"#{server.absorbed_id}").click()
    expect(page.get_by_text("该会员已合并到")).to_be_visible()
    page.get_by_role("link", name=f"#{server.survivor_id}").first.click()
    arrive(page, f"**/console/members/{server.survivor_id}")


def test_undo_merge_is_done_as_the_signed_in_person(page: Page, server: Server) -> None:
    survivor, absorbed = server.spare_pair
    _login(page, server, ADMIN)
    visit(page, f"{server.base}/console/members/{survivor}")
    page.get_by_role("button", name="撤销合并").click()
    page.get_by_role("dialog").get_by_role("button", name="撤销合并").click()
    expect(page.get_by_text("已于", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="撤销合并")).to_have_count(0)
    with api(server.base, server.api_key) as client:
        assert client.get(f"/members/{absorbed}").json()["status"] == "active"
        audit = client.get("/audit", params={"entity_type": "member", "entity_id": survivor})
    unmerge = [e for e in audit.json()["items"] if e["action"] == "member.unmerge"]
    assert [e["actor"] for e in unmerge] == [f"user:{ADMIN}"]


def test_language_and_tenant_switch(page: Page, server: Server) -> None:
    _login(page, server, OPERATOR)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    expect(page.get_by_text("Total members:")).to_be_visible()
    visit(page, page.url)  # a reload
    expect(page.get_by_text("Log out")).to_be_visible()
    page.get_by_role("combobox").click()
    page.get_by_role("option", name="outlet").click()
    expect(page.get_by_text("No orders yet — load the demo with `memberops demo`")).to_be_visible()
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_text("No members yet — import or POST /api/v1/members")).to_be_visible()
    expect(page.get_by_text("Total members: 0", exact=True)).to_be_visible()
    page.context.clear_cookies()
    _login(page, server, OPERATOR)
    expect(page.get_by_text("Log out")).to_be_visible()  # the language is kept on the user


def test_signed_out_visits_go_to_login_and_bad_ids_are_refused(server: Server) -> None:
    with httpx.Client(base_url=f"{server.base}/console", trust_env=False) as client:
        assert client.get("/").headers["location"] == "/console/overview"
        for path in ("/overview", "/members", f"/members/{server.survivor_id}"):
            answer = client.get(path)
            assert (answer.status_code, answer.headers["location"]) == (307, "/console/login")
        assert client.get(f"/members/{2**63}").status_code == 422


def test_a_page_keeps_its_state_over_a_network_drop(page: Page, server: Server) -> None:
    """A shop's network drops for a few seconds: the search the operator had made is still on
    the page when the socket comes back, not lost to a reload (NiceGUI's own 3 s wait would
    drop it; ``MEMBEROPS_CONSOLE_RECONNECT_SECONDS`` keeps it 30 s)."""
    _login(page, server, ADMIN)
    _search(page, "138 0000 0000")
    expect(page.get_by_text("找到 1 位会员")).to_be_visible()
    page.evaluate("window.loadedBeforeTheDrop = true")
    page.context.set_offline(True)  # no new connection, and the open one broken
    page.evaluate("window.socket.io.engine.transport.close()")
    page.wait_for_function("window.socket.connected === false")
    page.wait_for_timeout(6_000)
    page.context.set_offline(False)
    page.wait_for_function("window.socket?.connected === true && window.did_handshake")
    assert page.evaluate("window.loadedBeforeTheDrop === true")
    expect(page.get_by_text("找到 1 位会员")).to_be_visible()
