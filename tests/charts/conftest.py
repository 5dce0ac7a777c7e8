"""Chart fixtures: a scored and ranked bloc-year (with a shared rank and title cut-offs) and a
published paper poll with counts, built through the real services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from awards import services as award_services
from awards.models import AwardQuota, Criterion, ScoreSheet
from meetings import services as meeting_services
from meetings.models import Poll
from tests.awards.conftest import finish, leaves, make_scheme, self_assess, titles  # noqa: F401
from tests.meetings.conftest import award_title, make_meeting, make_poll, mark_present

SVG = "{http://www.w3.org/2000/svg}"

# self-scores per unit for the 4 standard criteria (max 25 each); unit 2 and 3 share a total
SCORES = [
    ("25", "24", "23", "22"),
    ("20", "20", "20", "20"),
    ("21", "19", "20", "20"),
    ("15", "15", "15", "15"),
    ("18", "17", "16", "15"),
    ("10", "12", "14", "16"),
    ("22", "21", "20", "19"),
    ("12", "12", "12", "12"),
]


@pytest.fixture
def ranked(world, titles):  # noqa: F811 - the imported fixture
    """The world's 8-unit bloc-year, scored by the leader and locked, quotas with top-N."""
    bloc_year = world.bloc_year
    scheme = make_scheme(bloc_year, open_=True)
    sheets = {s.unit_id: s for s in ScoreSheet.objects.filter(scheme=scheme)}
    codes = [c.code for c in leaves(scheme) if c.kind == Criterion.Kind.POINTS]
    for unit, values in zip(world.units, SCORES, strict=True):
        sheet = sheets[unit.pk]
        given = dict(zip(codes, values, strict=True))
        if unit == world.units[0]:
            given["X.1"] = "15"  # bonus above the cap of 10: 5 points not counted
        self_assess(sheet, given)
        finish(sheet)
    award_services.scoring_lock(bloc_year=bloc_year)
    award_services.quota_set(
        bloc_year=bloc_year,
        award_title=titles["co-thi-dua-ubnd-tinh"],
        max_count=1,
        eligibility=AwardQuota.Eligibility.TOP_N,
        top_n=1,
    )
    award_services.quota_set(
        bloc_year=bloc_year,
        award_title=titles["bang-khen-chu-tich-ubnd-tinh"],
        max_count=2,
        eligibility=AwardQuota.Eligibility.TOP_N,
        top_n=3,
    )
    return bloc_year


def publish_paper_poll(world, votes: list[int], *, publish: bool = True) -> Poll:
    """A paper poll over the first len(votes) units, 8 present, 8 ballots, 1 invalid."""
    meeting = make_meeting(world)
    mark_present(meeting, world.units)
    units = world.units[: len(votes)]
    poll = make_poll(
        meeting,
        units,
        mode=Poll.Mode.PAPER,
        seats=1,
        max_marks=1,
        award_title=award_title(),
    )
    poll = meeting_services.poll_open(poll=poll)
    cands = {c.unit_id: c.pk for c in poll.candidates.all()}
    meeting_services.paper_counts_save(
        poll=poll,
        votes={cands[u.pk]: v for u, v in zip(units, votes, strict=True)},
        ballots_issued=8,
        ballots_returned=8,
        invalid=1,
        blank=0,
        committee="Nguyễn Văn A – Trưởng ban",
    )
    poll = meeting_services.poll_close(poll=poll)
    if publish:
        poll = meeting_services.poll_publish(poll=poll, meeting_url="/meetings/x/")
    return poll


def parse(svg: str):
    """The SVG (as inlined in a page or downloaded) as an element tree."""
    text = svg.split("?>", 1)[1] if svg.startswith("<?xml") else svg
    return etree.fromstring(text.encode())


def bars(root) -> list[dict]:
    """Every bar: its series name index, its <title> text, width, y, link."""
    out = []
    for series in root.iter(f"{SVG}g"):
        cls = series.get("class", "")
        if not cls.startswith("series "):
            continue
        color = next(c for c in cls.split() if c.startswith("color-"))
        for bar in series.iter(f"{SVG}g"):
            if bar.get("class") != "bar":
                continue
            link = bar.find(f"{SVG}a")
            holder = link if link is not None else bar
            title = holder.find(f"{SVG}title")
            rect = holder.find(f"{SVG}rect")
            out.append(
                {
                    "series": color,
                    "title": title.text if title is not None else "",
                    "width": float(rect.get("width", 0)),  # pygal omits zero sizes
                    "height": float(rect.get("height")),
                    "x": float(rect.get("x")),
                    "y": float(rect.get("y")),
                    "href": link.get("{http://www.w3.org/1999/xlink}href")
                    if link is not None
                    else "",
                }
            )
    return out


def axis_labels(root, axis: str) -> list[str]:
    for g in root.iter(f"{SVG}g"):
        if g.get("class", "").startswith(f"axis {axis}"):
            return [t.text for t in g.iter(f"{SVG}text")]
    return []


def inline_svgs(html: str) -> list[str]:
    """The inline <svg>…</svg> charts of a page (not the page's icons)."""
    import re

    return re.findall(r"<svg\b[^>]*\bclass=\"kt-chart\b.*?</svg>", html, flags=re.S)


D = Decimal
