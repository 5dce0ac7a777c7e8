"""Screenshot tour of the main pages, at 1366×768 (desktop) and 390×844 (phone).

    .venv/bin/python scripts/screenshot.py [--base http://127.0.0.1:8000] [--out var/screenshots]

Runs against a server with the demo loaded (`make run`, or `manage.py load_demo` + `runserver`).
Logs in as the demo's office staff, secretary and a delegate (password khoithidua-demo), finds
the pages by following the links a user sees (no ids are guessed), and writes one PNG per page
and size: <out>/<nn>-<page>-<desktop|phone>.png. Prints each file with the page's title, its
scrollWidth against the window width (a phone page wider than the window scrolls sideways) and
the header's height; console errors are printed at the end.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
PASSWORD = "khoithidua-demo"

# (name, user or None for a visitor, a fixed path or a regex over the links seen so far)
TOUR = [
    ("login", None, "/login/"),
    ("password-reset", None, "/password/reset/"),
    ("checkin", None, "/checkin/"),
    ("vote", None, "/vote/"),
    ("verify", None, "/verify/"),
    ("dashboard", "canbo.bacninh", "/"),
    ("bloc-year", "canbo.bacninh", r"^/years/\d+/$"),
    ("units", "canbo.bacninh", "/units/"),
    ("accounts", "canbo.bacninh", "/accounts/"),
    ("account-new", "canbo.bacninh", "/accounts/new/"),
    ("registry-import", "canbo.bacninh", "/registry/import/"),
    ("notifications", "canbo.bacninh", "/notifications/"),
    ("password-change", "canbo.bacninh", "/password/change/"),
    ("secretary-dashboard", "thuky.knc.bacninh", "/"),
    ("meetings", "thuky.knc.bacninh", r"^/years/\d+/meetings/$"),
    ("meeting", "thuky.knc.bacninh", r"^/meetings/\d+/$"),
    ("attendance", "thuky.knc.bacninh", r"^/meetings/\d+/attendance/$"),
    ("poll", "thuky.knc.bacninh", r"^/polls/\d+/$"),
    ("bulletin", "thuky.knc.bacninh", r"^/polls/\d+/bulletin/$"),
    ("meeting-documents", "thuky.knc.bacninh", r"^/meetings/\d+/documents/$"),
    ("hall-console", "thuky.knc.bacninh", r"^/meetings/\d+/screen/console/$"),
    ("hall-screen", "thuky.knc.bacninh", r"^/meetings/\d+/screen/(?!console/|show/)[^/]+/$"),
    ("scoring", "thuky.knc.bacninh", r"^/years/\d+/scoring/$"),
    ("awards", "thuky.knc.bacninh", r"^/years/\d+/awards/$"),
    ("delegate-dashboard", "daibieu.tand.bacninh", "/"),
    ("delegate-covenant", "daibieu.tand.bacninh", r"^/years/\d+/covenant/$"),
    ("delegate-registration", "daibieu.tand.bacninh", r"^/years/\d+/registrations/$"),
]


def _links(page) -> list[str]:
    return page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")


def _login(page, base: str, user: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def _find(page, base: str, pattern: str, seen: list[str]) -> str | None:
    """The first link seen so far matching `pattern`; else crawl a few more pages for one."""
    rx = re.compile(pattern)
    for href in seen:
        if rx.search(href):
            return href
    queue = [h for h in dict.fromkeys(seen) if h.startswith("/") and "logout" not in h][:40]
    for href in queue:
        if re.search(
            r"\.(pdf|xlsx|csv|docx|ics|zip|py|json)\b|/i18n/|/admin/|export|download", href
        ):
            continue
        try:
            page.goto(base + href)
        except Exception:  # noqa: BLE001 - a download or a slow page: try the next link
            continue
        for found in _links(page):
            if found not in seen:
                seen.append(found)
            if rx.search(found):
                return found
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="var/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    missing: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        for size, viewport in SIZES.items():
            contexts: dict = {}
            seen: dict = {}
            for n, (name, user, target) in enumerate(TOUR):
                if user not in contexts:
                    context = browser.new_context(viewport=viewport, locale="vi-VN")
                    page = context.new_page()
                    page.on(
                        "console",
                        lambda m, page=page: (
                            errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
                        ),
                    )
                    if user:
                        _login(page, args.base, user)
                    contexts[user] = page
                    seen[user] = _links(page)
                page = contexts[user]
                path = target if not any(c in target for c in "^$\\(") else None
                if path is None:
                    path = _find(page, args.base, target, seen[user])
                    if path is None:
                        missing.append(f"{name} ({user}): no link matches {target}")
                        continue
                page.goto(args.base + path)
                page.wait_for_load_state("networkidle")
                for found in _links(page):
                    if found not in seen[user]:
                        seen[user].append(found)
                file = out / f"{n:02d}-{name}-{size}.png"
                page.screenshot(path=str(file), full_page=size == "phone")
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                header = page.evaluate(
                    "(() => { const h = document.querySelector('.topbar');"
                    " return h ? Math.round(h.getBoundingClientRect().height) : 0; })()"
                )
                flag = "  OVERFLOW" if width[0] > width[1] else ""
                print(
                    f"{file}  {path}  «{page.title()}»  scrollWidth {width[0]}/{width[1]}"
                    f"  header {header}px{flag}"
                )
            for page in contexts.values():
                page.context.close()
        browser.close()
    for line in missing:
        print("NOT FOUND:", line)
    if errors:
        print("CONSOLE ERRORS:", *sorted(set(errors)), sep="\n  ")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
