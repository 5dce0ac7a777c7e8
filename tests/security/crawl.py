"""A small same-site crawler for the test client: follows links, collects HTML pages."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

SKIP_PREFIXES = ("/logout", "/admin/", "/i18n/", "/static/", "/media/")


class PageScan(HTMLParser):
    """Links, plus every inline script, style attribute, inline handler and <style> block."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = {k.lower(): v for k, v in attrs}
        if tag == "a" and names.get("href"):
            self.links.append(names["href"])
        if tag == "script" and not names.get("src"):
            if (names.get("type") or "").lower() not in ("application/json", "application/ld+json"):
                self.problems.append(f"<script> without src: {self.get_starttag_text()}")
        if tag == "style":
            self.problems.append("<style> block")
        for name, value in attrs:
            lname = name.lower()
            if lname == "style":
                self.problems.append(f"style= on <{tag}>: {value!r}")
            elif lname.startswith("on"):
                self.problems.append(f"{lname}= on <{tag}>")
            elif lname in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL on <{tag}>")
            elif lname in ("hx-on", "hx-vars") or lname.startswith(("hx-on:", "hx-on-")):
                self.problems.append(f"{lname} (evaluated by htmx) on <{tag}>")


def crawl(client, start: list[str], limit: int = 200) -> dict[str, tuple[object, PageScan]]:
    """GET every same-site HTML page reachable from `start`; return url -> (response, scan)."""
    seen: dict[str, tuple[object, PageScan]] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = urldefrag(queue.pop(0))[0]
        parts = urlsplit(url)
        if parts.netloc or parts.scheme or not url.startswith("/") or url.startswith(SKIP_PREFIXES):
            continue
        if url in seen:
            continue
        response = client.get(url)
        scan = PageScan()
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            scan.feed(response.content.decode())
            queue.extend(link for link in scan.links if link not in seen)
        seen[url] = (response, scan)
    return seen
