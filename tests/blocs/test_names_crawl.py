"""Names as of date on every page (issue 17): crawl every page of the demo's meetings held
before the 2025 reorganisation and fail on any name that only came into use after it (a unit's
new name, the province that absorbed the meeting's province, its office).

The crawl follows the links of each meeting page (its attendance, check-in codes, polls,
documents and their PDFs), as the superuser, GET only."""

import datetime as dt
import html
import io
import re
import subprocess
import tempfile
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from blocs import names
from blocs.models import Membership
from meetings.models import Meeting

AFTER = dt.date(2026, 1, 1)
REORGANISATION = dt.date(2025, 7, 1)
HREF = re.compile(r'href="([^"#]+)"')
TAG = re.compile(r"<[^>]+>")
MAX_PAGES_PER_MEETING = 80


def _pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", f.name, "-"], capture_output=True, text=True, check=True
        ).stdout


def _text(response) -> str:
    content_type = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        return _pdf_text(body)
    if content_type.startswith("text/"):
        return html.unescape(TAG.sub(" ", body.decode("utf-8", "replace")))
    return ""


def _name_pairs(meeting: Meeting) -> list[tuple[str, str]]:
    """(name on the meeting's day, name after the reorganisation) of everything the meeting
    shows: its province and office, its bloc, its members and host."""
    day = timezone_day(meeting)
    bloc_year = meeting.bloc_year
    bloc = bloc_year.bloc
    organizer = bloc.organizer
    before, after = names.organizer_on(organizer, day), names.organizer_on(organizer, AFTER)
    pairs = [
        (before.name, after.name),
        (before.office_name, after.office_name),
        (before.title, after.title),
        (before.issuer, after.issuer),
        (names.name_on(bloc, day), names.name_on(bloc, AFTER)),
    ]
    units = [m.unit for m in Membership.objects.filter(bloc_year=bloc_year).select_related("unit")]
    if meeting.host_unit:
        units.append(meeting.host_unit)
    for unit in units:
        pairs.append((names.name_on(unit, day), names.name_on(unit, AFTER)))
        pairs.append((names.short_name_on(unit, day), names.short_name_on(unit, AFTER)))
    return [(old, new) for old, new in pairs if old and new and old != new]


def timezone_day(meeting: Meeting) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(meeting.starts_at).date()


def _later_names_in(text: str, pairs: list[tuple[str, str]]) -> set[str]:
    # A new name may be part of an old one («Thi hành án dân sự tỉnh» in «Cục Thi hành án dân
    # sự tỉnh»): blank the old names out first, longest first, then look for the new ones.
    olds = sorted({old for old, _new in pairs}, key=len, reverse=True)
    for old in olds:
        text = text.replace(old, " ")
    return {new for _old, new in pairs if new in text}


def _crawl(client, start: str, allowed) -> dict[str, object]:
    seen: dict[str, object] = {}
    queue = [start]
    while queue and len(seen) < MAX_PAGES_PER_MEETING:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for href in HREF.findall(response.content.decode()):
            path = urlparse(html.unescape(href)).path
            if path and allowed(path) and path not in seen:
                queue.append(path)
    return seen


@pytest.mark.django_db
def test_no_page_of_a_meeting_before_the_reorganisation_shows_a_later_name(client):
    call_command("load_demo", stdout=io.StringIO())
    admin = get_user_model().objects.filter(is_superuser=True).first()
    client.force_login(admin)
    meetings = [
        m
        for m in Meeting.objects.select_related("bloc_year__bloc__organizer", "host_unit")
        if timezone_day(m) < REORGANISATION
    ]
    assert {m.bloc_year.bloc.organizer.code for m in meetings} >= {"ha-giang", "soc-trang"}
    failures = []
    crawled = pdfs = 0
    for meeting in meetings:
        pairs = _name_pairs(meeting)
        poll_ids = set(meeting.polls.values_list("pk", flat=True))

        def allowed(path, meeting=meeting, poll_ids=poll_ids):
            if "/edit/" in path or path.endswith(("/new/", "/add/", ".docx", ".xlsx", ".csv")):
                return False
            if path.startswith(f"/meetings/{meeting.pk}/"):
                return True
            if path.startswith("/polls/"):
                match = re.match(r"/polls/(\d+)/", path)
                return bool(match) and int(match.group(1)) in poll_ids
            return path.startswith("/documents/")

        pages = _crawl(client, f"/meetings/{meeting.pk}/", allowed)
        crawled += len(pages)
        pdfs += sum(
            1
            for r in pages.values()
            if r.status_code == 200 and r["Content-Type"].startswith("application/pdf")
        )
        for url, response in pages.items():
            if response.status_code != 200:
                continue
            found = _later_names_in(_text(response), pairs)
            if found:
                failures.append((str(meeting), timezone_day(meeting), url, sorted(found)))
    print(f"crawled {crawled} pages ({pdfs} PDFs) of {len(meetings)} meetings")
    assert crawled > len(meetings) * 3 and pdfs > 0
    assert not failures, "\n".join(map(str, failures))
