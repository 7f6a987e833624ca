"""What the browser tests of the console share: a real server (the ``memberops`` CLI in a
subprocess, on its own SQLite file), Debian's Chromium, and an HTTP client of the server's API
for loading data as a merchant's systems would. The Playwright fixtures are in conftest.py."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

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
RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "console"

#: Prepares a fresh database before the server starts (``env``, working directory) and returns
#: an admin API key of the ``default`` tenant.
Prepare = Callable[[dict[str, str], Path], str]


def api(base: str, key: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"}
    return httpx.Client(base_url=f"{base}/api/v1", headers=headers, trust_env=False, timeout=30)


@dataclass(frozen=True)
class Shop:
    """A running console server and its admin API key."""

    base: str
    api_key: str

    def client(self) -> httpx.Client:
        return api(self.base, self.api_key)


def visit(page: Page, url: str) -> None:
    """Open ``url`` and wait until the page's socket has shaken hands with the server.

    NiceGUI holds back what the browser sends before the handshake and retries each event on its
    own 10 ms timer, so a field filled and a button clicked in that window can reach the server
    in either order: the click then finds the field still empty.
    """
    page.goto(url)
    page.wait_for_function("window.did_handshake === true")


def arrive(page: Page, url: str | re.Pattern[str]) -> None:
    """Wait for a navigation the page started (a link, a save that opens the saved item) to
    reach ``url``, then for the new page's handshake, as :func:`visit` does."""
    page.wait_for_url(url)
    page.wait_for_function("window.did_handshake === true")


def login(page: Page, base: str, email: str) -> None:
    """Log in as ``email`` through the login form and wait for the landing page."""
    visit(page, f"{base}/console/")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    arrive(page, "**/console/overview")


def screenshot(page: Page, directory: Path, name: str, *, charts: bool = False) -> None:
    """A full-page picture ``name`` in the test's ``directory`` and in :data:`RESULTS` (kept by
    CI for people to look at); with ``charts``, after ECharts' entry animation has finished."""
    if charts:
        page.wait_for_timeout(1000)
    page.screenshot(path=directory / name, full_page=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(directory / name, RESULTS / name)


def chromium_or_skip() -> None:
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


#: How long a CLI step of a console test (the demo merchant, a user) may take: a loaded 2-core
#: machine (benchmarks beside the suite) was seen to need more than two minutes for the demo.
CLI_TIMEOUT = 300


def cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [*CLI, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, f"memberops {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout.strip()


def demo_with_admin(admin: str) -> Callable[[dict[str, str], Path], str]:
    """A :func:`running_server` preparation: the schema, ``admin`` as the default tenant's
    admin, the 400-member demo merchant (seed 7) and an admin API key, which it returns."""

    def prepare(env: dict[str, str], cwd: Path) -> str:
        cli(env, cwd, "init")
        cli(env, cwd, "user", "create", admin, "--tenant", "default", "--role", "admin")
        cli(env, cwd, "demo", "--members", "400", "--seed", "7")
        return cli(env, cwd, "apikey", "create", "--tenant", "default", "--scope", "admin")

    return prepare


#: How long a console test's server may take to answer /healthz: importing the app and NiceGUI
#: took over 30 s on the 2-core machine with the whole suite beside it.
READY_TIMEOUT = 120


def _wait_ready(process: subprocess.Popen[bytes], base: str) -> None:
    """Poll /healthz until :data:`READY_TIMEOUT`; waiting on the process doubles as the pause
    and as the check that it did not die."""
    deadline = time.monotonic() + READY_TIMEOUT
    with httpx.Client(trust_env=False, timeout=1) as client:
        while time.monotonic() < deadline:
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
    pytest.fail(f"the server did not answer /healthz within {READY_TIMEOUT} seconds")


@contextmanager
def running_server(
    home: Path, prepare: Prepare, settings: Mapping[str, str] | None = None
) -> Iterator[tuple[str, str]]:
    """A server on a fresh SQLite file in ``home``, prepared by ``prepare``; yields its base
    URL and the admin key, and stops it at the end whatever happened. The in-process worker is
    off (pages are tested on the figures the test loaded) unless ``settings`` (``MEMBEROPS_*``
    variables) turn it on."""
    env = {
        **os.environ,
        "MEMBEROPS_DATABASE_URL": f"sqlite:///{home / 'console.db'}",
        "MEMBEROPS_PASSWORD": PASSWORD,
        "MEMBEROPS_SECRET_KEY": "console-test-secret",
        "MEMBEROPS_WORKER_IN_PROCESS": "false",
        **(settings or {}),
    }
    key = prepare(env, home)
    base = f"http://127.0.0.1:{_free_port()}"
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [*CLI, "serve", "--port", base.rsplit(":", 1)[1]], env=env, cwd=home, stdout=log, stderr=log
    )
    try:
        _wait_ready(process, base)
        yield base, key
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: a graceful stop that lets coverage save
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
