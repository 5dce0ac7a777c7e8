"""Crawl the demo in Vietnamese as each role: no page shows a known English string (Django's
untranslated messages, English labels, a leaked Python None). The reverse check (no Vietnamese in
English mode) waits for the final translation pass."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from tests.security.crawl import crawl

# Whole words or phrases that only an untranslated page would show.
ENGLISH = re.compile(
    r"\b(Select an option|Enter a valid|This field is required|Ensure this value|"
    r"Select a valid choice|Forbidden|CSRF verification|Currently|Change|Clear|Save|Submit|"
    r"Cancel|Delete|Password|Username|Search|Filter|Previous|Next|Page \d|Yes|None|True|False|"
    r"Unknown|Loading|Error|Log in|Log out|Home)\b|Tiếng Anh"
)
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
VISIBLE_ATTRS = ("title", "placeholder", "aria-label", "alt", "value")
ROLES = {  # demo user, pages to crawl
    "canbo.bacninh": 120,
    "thuky.knc.bacninh": 60,
    "daibieu.tand.bacninh": 60,
}


class VisibleText(HTMLParser):
    """Text a reader sees or hears: data outside script/style/template, labelling attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skip += 1
        names = dict(attrs)
        for attr in VISIBLE_ATTRS:
            if attr == "value" and not (
                tag == "button" or names.get("type") in ("submit", "button")
            ):
                continue
            if names.get(attr):
                self.parts.append(names[attr])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _text(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def _pages(client, username: str, limit: int):
    client.force_login(get_user_model().objects.get(username=username))
    pages = crawl(client, ["/"], limit=limit)
    return {
        url: response
        for url, (response, _) in pages.items()
        if response.status_code == 200 and response["Content-Type"].startswith("text/html")
    }


def test_no_page_shows_a_known_english_string_in_vietnamese(client, db):
    call_command("load_demo", stdout=io.StringIO())
    found = {}
    for username, limit in ROLES.items():
        pages = _pages(client, username, limit=limit)
        assert len(pages) >= 15, username
        for url, response in pages.items():
            hits = sorted({m.group(0) for m in ENGLISH.finditer(_text(response))})
            if hits:
                found[f"{username} {url}"] = hits
    assert found == {}


@pytest.mark.xfail(
    strict=True,
    reason="the English catalogue (locale/en) is compiled in the final translation pass; "
    "service messages of every app still need gettext",
)
def test_no_page_shows_vietnamese_in_english(client, world):
    client.cookies["django_language"] = "en"
    pages = _pages(client, world.office.username, limit=40)
    found = {}
    for url, response in pages.items():
        # The world's names carry no diacritics except "Đơn vị số n", "Khối thi đua số n" and
        # "UBND tỉnh …": remove those data; any other Vietnamese letter is interface text.
        text = re.sub(
            r"(Đơn vị số|Khối thi đua số|UBND tỉnh \w+ \w+|Tiếng Việt)", "", _text(response)
        )
        if VIETNAMESE.search(text):
            found[url] = VIETNAMESE.findall(text)[:5]
    assert found == {}
