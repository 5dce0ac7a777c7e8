"""The shipped start path (deploy/start.sh) behind nginx, DEBUG=0, on PostgreSQL: every page a
role reaches answers 200 with its CSS and JS (the review found 500 on every page)."""

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.security.crawl import SKIP_PREFIXES

pytestmark = [pytest.mark.postgres]
PAGES_PER_ROLE = 25


class Assets(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.css, self.js = [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "link" and a.get("rel") == "stylesheet" and a.get("href"):
            self.css.append(a["href"])
        if tag == "script" and a.get("src"):
            self.js.append(a["src"])


def _crawl(browser, limit):
    seen, queue, assets = {}, ["/"], set()
    while queue and len(seen) < limit:
        url = urldefrag(queue.pop(0))[0]
        parts = urlsplit(url)
        if parts.netloc or parts.scheme or not url.startswith("/") or url in seen:
            continue
        if url.startswith(SKIP_PREFIXES) or "/download" in url or url.endswith((".pdf", ".py")):
            continue
        r = browser.get(url)
        seen[url] = r.status_code
        if r.headers.get("Content-Type", "").startswith("text/html"):
            scan = Assets()
            scan.feed(r.text)
            assets.update(("css", u) for u in scan.css)
            assets.update(("js", u) for u in scan.js)
            queue.extend(link for link in scan.links if link not in seen)
    return seen, assets


def test_the_start_path_serves_every_main_page_of_every_role_with_its_css_and_js(world, stack):
    s = stack(servers=1, full=True)
    anonymous = s.browser()
    login = anonymous.get("/login/")
    assert login.status_code == 200
    assert "Đăng nhập" in login.text
    health = anonymous.get("/healthz")
    assert health.json() == {"ok": True, "database": True, "template": True}

    for role, user in world.users().items():
        browser = s.browser().login_as(user)
        pages, assets = _crawl(browser, PAGES_PER_ROLE)
        assert len(pages) >= (3 if role != "nobody" else 1), (role, pages)
        bad = {url: code for url, code in pages.items() if code != 200}
        assert not bad, (role, bad)
        kinds = {kind for kind, _ in assets}
        assert kinds == {"css", "js"}, (role, assets)
        for kind, url in assets:
            r = browser.get(url)
            assert r.status_code == 200, (role, url, r.status_code)
            expected = "text/css" if kind == "css" else "javascript"
            assert expected in r.headers["Content-Type"], (url, r.headers["Content-Type"])
            # Hashed names from the manifest, served by nginx with a long cache.
            assert "immutable" in r.headers.get("Cache-Control", ""), url
