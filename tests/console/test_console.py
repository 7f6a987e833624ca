"""Acceptance of the web console: a real server (the ``memberops`` CLI in a subprocess, on its
own SQLite file) driven by headless Chromium through Playwright.

The members are created through the HTTP API, as a merchant's systems would; the console must
then find the merged member by a phone written the way a person types it, and show the merge.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
CLI = [sys.executable, "-c", "from memberops.cli import app; app()"]
PASSWORD = "console-test-password"
ADMIN, ANALYST, OPERATOR = "admin@example.com", "analyst@example.com", "ops@example.com"
RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "console"


@dataclass(frozen=True)
class Server:
    """The running console, its admin API key, and two merged pairs of members: one to look
    at, one to undo."""

    base: str
    api_key: str
    survivor_id: str
    absorbed_id: str
    spare_pair: tuple[str, str]


def _api(base: str, key: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.Client(base_url=f"{base}/api/v1", headers=headers, trust_env=False)


def _chromium_or_skip() -> None:
    if CHROMIUM.exists():
        return
    message = f"console tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [*CLI, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"memberops {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout.strip()


def _prepare(env: dict[str, str], cwd: Path) -> str:
    """Schema, a second tenant, the admin and the operator's role in ``outlet``, and an admin
    API key of ``default``; returns the key. (The other users come through the API, which is
    quicker than a process each.)"""
    _cli(env, cwd, "init")
    _cli(env, cwd, "tenant", "create", "outlet")
    _cli(env, cwd, "user", "create", ADMIN, "--tenant", "default", "--role", "admin")
    _cli(env, cwd, "user", "create", OPERATOR, "--tenant", "outlet", "--role", "admin")
    return _cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")


def _grant(api: httpx.Client, email: str, role: str) -> None:
    granted = api.post("/users", json={"email": email, "password": PASSWORD, "role": role})
    assert granted.status_code == 201, granted.text


def _wait_ready(process: subprocess.Popen[bytes], base: str) -> None:
    """Poll /healthz for at most 30 seconds; waiting on the process doubles as the pause and
    as the check that it did not die."""
    with httpx.Client(trust_env=False, timeout=1) as client:
        for _ in range(300):
            try:
                if client.get(f"{base}/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            try:
                process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"the server exited with status {process.returncode}")
    pytest.fail("the server did not answer /healthz within 30 seconds")


def _merged_pair(api: httpx.Client, phone: str, unionid: str, **first: Any) -> tuple[str, str]:
    """A phone member, a WeChat member, then one request linking both: they merge. Returns
    (survivor id, absorbed id)."""
    phone_id = {"type": "phone", "value": phone}
    unionid_id = {"type": "wechat_unionid", "value": unionid}
    created = api.post("/members", json={"identities": [phone_id], "channel": "pos", **first})
    other = api.post("/members", json={"identities": [unionid_id], "channel": "wechat_oa"})
    linked = api.post("/members", json={"identities": [phone_id, unionid_id]})
    assert (created.status_code, other.status_code, linked.status_code) == (201, 201, 200)
    assert len(linked.json()["merged"]) == 1
    return created.json()["id"], other.json()["id"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module's tests, stopped at the end whatever happened."""
    _chromium_or_skip()
    home = tmp_path_factory.mktemp("console-server")
    env = {
        **os.environ,
        "MEMBEROPS_DATABASE_URL": f"sqlite:///{home / 'console.db'}",
        "MEMBEROPS_PASSWORD": PASSWORD,
        "MEMBEROPS_SECRET_KEY": "console-test-secret",
    }
    key = _prepare(env, home)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)], env=env, cwd=home, stdout=log, stderr=log
    )
    try:
        _wait_ready(process, base)
        with _api(base, key) as api:
            _grant(api, ANALYST, "analyst")
            _grant(api, OPERATOR, "operator")
            survivor, absorbed = _merged_pair(
                api,
                "13800000000",
                "oUnion-console-1",
                attributes={"name": "张三", "custom": {"vip_note": "prefers SMS"}},
                consent={"sms": True},
            )
            spare = _merged_pair(api, "13900000001", "oUnion-console-2")
        yield Server(base, key, survivor, absorbed, spare)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: a graceful stop that lets coverage save
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at a laptop's screen size."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    yield context.new_page()
    context.close()


def _login(page: Page, server: Server, email: str) -> None:
    page.goto(f"{server.base}/console/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/console/members")


def _search(page: Page, text: str) -> None:
    box = page.get_by_placeholder("搜索手机号、邮箱、UnionID 或姓名")
    box.fill(text)
    box.press("Enter")


def test_find_member_by_phone_and_see_merge_history(
    page: Page, server: Server, tmp_path: Path
) -> None:
    page.goto(f"{server.base}/console/members")
    page.wait_for_url("**/console/login")
    page.get_by_label("邮箱").fill(ADMIN)
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_text("邮箱或密码错误")).to_be_visible()
    _login(page, server, ADMIN)
    _search(page, "138 0000 0000")
    expect(page.get_by_text("找到 1 位会员")).to_be_visible()
    page.get_by_role("cell", name="+8613800000000").click()
    page.wait_for_url(f"**/console/members/{server.survivor_id}")
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
    page.wait_for_url(f"**/console/members/{server.survivor_id}")


def test_undo_merge_is_done_as_the_signed_in_person(page: Page, server: Server) -> None:
    survivor, absorbed = server.spare_pair
    _login(page, server, ADMIN)
    page.goto(f"{server.base}/console/members/{survivor}")
    page.get_by_role("button", name="撤销合并").click()
    page.get_by_role("dialog").get_by_role("button", name="撤销合并").click()
    expect(page.get_by_text("已于", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="撤销合并")).to_have_count(0)
    with _api(server.base, server.api_key) as api:
        assert api.get(f"/members/{absorbed}").json()["status"] == "active"
        audit = api.get("/audit", params={"entity_type": "member", "entity_id": survivor})
    unmerge = [e for e in audit.json()["items"] if e["action"] == "member.unmerge"]
    assert [e["actor"] for e in unmerge] == [f"user:{ADMIN}"]


def test_language_and_tenant_switch(page: Page, server: Server) -> None:
    _login(page, server, OPERATOR)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Search")).to_be_visible()
    expect(page.get_by_text("Total members:")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Log out")).to_be_visible()
    page.get_by_role("combobox").click()
    page.get_by_role("option", name="outlet").click()
    expect(page.get_by_text("No members yet — import or POST /api/v1/members")).to_be_visible()
    expect(page.get_by_text("Total members: 0", exact=True)).to_be_visible()
    page.context.clear_cookies()
    _login(page, server, OPERATOR)
    expect(page.get_by_text("Log out")).to_be_visible()  # the language is kept on the user


def test_signed_out_visits_go_to_login_and_bad_ids_are_refused(server: Server) -> None:
    with httpx.Client(base_url=f"{server.base}/console", trust_env=False) as client:
        assert client.get("/").headers["location"] == "/console/members"
        for path in ("/members", f"/members/{server.survivor_id}"):
            answer = client.get(path)
            assert (answer.status_code, answer.headers["location"]) == (307, "/console/login")
        assert client.get(f"/members/{2**63}").status_code == 422
