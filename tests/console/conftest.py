"""Playwright fixtures of the console's browser tests: Debian's Chromium, headless, and a fresh
context per test at a laptop's screen size."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.console.support import CHROMIUM, CHROMIUM_ARGS, chromium_or_skip

#: The console answers over a websocket from a server in another process; on a loaded 2-core
#: machine a page can take longer than Playwright's 5 s default to react, without being wrong.
expect.set_options(timeout=20_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium_or_skip()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at a laptop's screen size."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()
