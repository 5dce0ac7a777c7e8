"""Crawl the demo in Vietnamese as each role: no page shows a known English string (Django's
untranslated messages, English labels, a leaked Python None); and in English, no page shows
Vietnamese interface text (data such as names and the registry file's columns aside)."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

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


def _data_in_english_pages() -> re.Pattern:
    """Vietnamese that stays Vietnamese in the English interface because it is data: the world's
    names, the registry file's column names and values (the file is Vietnamese whatever the
    interface language), a bloc's default basis, an example person's name, a decree's number."""
    from accounts.registry import COLUMNS as ACCOUNT_COLUMNS
    from blocs.registry import COLUMNS as REGISTRY_COLUMNS

    columns = [label for _key, label in [*REGISTRY_COLUMNS, *ACCOUNT_COLUMNS]]
    values = ["Khối trưởng", "Khối phó", "Cụm trưởng", "Cụm phó", "Trung ương", "Khối", "Cụm"]
    values += ["Tỉnh", "Huyện"]
    data = [
        r"Đơn vị số",
        r"Khối thi đua số",
        r"UBND tỉnh \w+ \w+",
        r"Sở Nội vụ Thử Nghiệm \d+",
        r"Tiếng Việt",
        r"Nguyễn Văn An",
        r"Quy chế hoạt động của Khối",
        r"\d+/\d+/NĐ-CP",
    ]
    words = sorted(map(re.escape, columns + values), key=len, reverse=True)
    return re.compile("|".join(data + [rf"(?<!\w){w}(?!\w)" for w in words]))


def test_no_page_shows_vietnamese_in_english(client, world):
    # The office's pages. The secretary's still show untranslated service text (documents'
    # "what is missing" lists, meetings' errors): see the issue-13 note.
    client.cookies["django_language"] = "en"
    pages = _pages(client, world.office.username, limit=40)
    assert len(pages) >= 30
    data = _data_in_english_pages()
    found = {}
    for url, response in pages.items():
        parser = VisibleText()
        parser.feed(response.content.decode())
        for part in parser.parts:
            if VIETNAMESE.search(data.sub("", part)):
                found.setdefault(url, []).append(part[:80])
    assert found == {}
