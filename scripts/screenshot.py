"""Log in as a demo user and screenshot pages: python scripts/screenshot.py USER OUT.png URL [URL...]"""

import shutil
import sys

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    user, outdir, *urls = sys.argv[1:]
    base = "http://127.0.0.1:8000"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(base + "/login/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", "khoithidua-demo")
        page.click("button[type=submit]")
        for i, url in enumerate(urls):
            page.goto(base + url)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=f"{outdir}/{i:02d}.png", full_page=True)
            print(url, page.title())
        if errors:
            print("CONSOLE ERRORS:", errors)
        browser.close()


if __name__ == "__main__":
    main()
