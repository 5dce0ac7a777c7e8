"""Browser fixtures: Debian's Chromium through Playwright (sync API) against live_server.

- `browser`: one Chromium per test module (never downloaded: executable_path is Debian's).
- `new_page(user=None)`: a fresh browser context (own cookies), logged in through the real
  login form when a user is given. Console errors (CSP violations included) are collected in
  `browser_errors`.
- On failure (or always with E2E_SCREENSHOTS=1), a screenshot and the HTML of every open page go to test-artifacts/.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "mat-khau-thu-nghiem"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (other apps' modules import this fixture too: each gets its
    own, stopped at the end of the module, so no Playwright loop outlives its module)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.skip("Chromium không có trên máy (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's async-unsafe guard would
    # refuse the ORM calls tests make between browser steps. Only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_errors() -> list[str]:
    return []


@pytest.fixture
def new_page(request, browser, live_server, browser_errors):
    contexts = []

    def make(user=None, *, password: str = PASSWORD, viewport=None, bypass_csp: bool = False):
        # bypass_csp only for injecting test tooling (axe-core); the app's pages never need it.
        context = browser.new_context(
            base_url=live_server.url,
            locale="vi-VN",
            viewport=viewport or {"width": 1280, "height": 900},
            bypass_csp=bypass_csp,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: _collect(browser_errors, m))
        page.on("pageerror", lambda e: browser_errors.append(str(e)))
        if user is not None:
            login(page, user.username, password)
        return page

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed or os.environ.get("E2E_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        n = 0
        for context in contexts:
            for page in context.pages:
                n += 1
                try:
                    page.screenshot(path=str(ARTIFACTS / f"{stem}-{n}.png"), full_page=True)
                    (ARTIFACTS / f"{stem}-{n}.html").write_text(page.content(), encoding="utf-8")
                except Exception as exc:  # noqa: BLE001 - a crashed page must not hide the failure
                    (ARTIFACTS / f"{stem}-{n}.txt").write_text(repr(exc), encoding="utf-8")
    for context in contexts:
        context.close()


def _collect(errors: list[str], message) -> None:
    # An invalid form answers 422 on purpose (htmx swaps the errors in): not a browser error.
    if message.type == "error" and "status of 422" not in message.text:
        errors.append(message.text)


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login/" not in url)
