"""A clerk's words for a result: "trúng cử" is for elections only (Khối trưởng, Khối phó); an
honour vote (suy tôn Cờ thi đua, Bằng khen) says "được suy tôn" / "đạt"; a motion "thông qua".

Every results surface is checked for an award poll and for a leader poll: the poll page, the
hall screen, the votes chart (SVG), the CSV/XLSX exports and the result sentences."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from hall import services as hall_services
from hall.services import screen_key
from meetings import bulletin, services
from meetings.models import Poll
from meetings.results import Counts, Rule, candidate_outcome, status_word

from .conftest import cast, make_poll

HONOUR = Poll.Kind.AWARD
ELECTION = Poll.Kind.LEADER
TITLES = {HONOUR: "Suy tôn Cờ thi đua năm 2024", ELECTION: "Bầu Khối trưởng năm 2025"}


def _poll(world, meeting, kind, *, publish=True):
    """3 candidates, 1 seat, > 1/2 of valid ballots: u0 gets 5 of 8, u1 2, one blank."""
    u = world.units
    poll = services.poll_open(
        poll=make_poll(meeting, u[:3], kind=kind, title=TITLES[kind], seats=1, max_marks=1)
    )
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    plan = [u[0]] * 5 + [u[1]] * 2 + [None]
    for unit, choice in zip(u, plan, strict=True):
        cast(poll, unit, [cand[choice.pk]] if choice else [])
    services.poll_close(poll=poll)
    if publish:
        services.poll_publish(poll=poll)
    return Poll.objects.get(pk=poll.pk)


def _svg_text(svg: str) -> str:
    root = ElementTree.fromstring(svg)
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def test_the_result_sentences_say_trung_cu_only_for_an_election():
    rule = Rule("valid", 1, 2, True)
    counts = Counts({"a": 5, "b": 2, "c": 0}, ballots=8, present=8, members=8)
    candidates = [("a", "Công an tỉnh"), ("b", "Sở Tư pháp"), ("c", "Kho bạc")]
    honour = candidate_outcome(
        candidates=candidates, counts=counts, rule=rule, seats=1, honour=True
    )
    election = candidate_outcome(candidates=candidates, counts=counts, rule=rule, seats=1)
    assert honour.honour and not election.honour
    assert honour.winners == election.winners == ["a"]  # the words change, never the outcome
    assert honour.lines[0].sentence == (
        "Đạt 5/8 phiếu (62,5%), vượt ngưỡng trên 1/2 số phiếu hợp lệ; được suy tôn"
    )
    assert election.lines[0].sentence == (
        "Đạt 5/8 phiếu (62,5%), vượt ngưỡng trên 1/2 số phiếu hợp lệ; trúng cử"
    )
    assert honour.summary == "1/1 suất đã có đơn vị được suy tôn."
    assert election.summary == "1/1 suất đã có đơn vị trúng cử."
    assert [ln.word for ln in honour.lines] == ["Được suy tôn"] + ["Không được suy tôn"] * 2
    assert [ln.word for ln in election.lines] == ["Trúng cử"] + ["Không trúng cử"] * 2
    honour_text = " ".join([honour.summary, *(ln.sentence for ln in honour.lines)])
    assert "trúng cử" not in honour_text.lower()
    # a motion's words are its own, whatever the flag
    assert status_word("adopted") == "Thông qua" and status_word("rejected") == "Không thông qua"
    assert status_word("info") == ""


@pytest.mark.parametrize("kind", [HONOUR, ELECTION])
def test_the_poll_page_and_its_exports_use_the_words_of_the_poll_kind(
    client, world, full_meeting, kind
):
    from openpyxl import load_workbook

    poll = _poll(world, full_meeting, kind)
    winner = world.units[0].name
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    csv_text = client.get(reverse("meetings:poll_export_csv", args=[poll.pk])).content.decode(
        "utf-8-sig"
    )
    rows = {r[0]: r for r in csv.reader(io.StringIO(csv_text)) if r}
    xlsx = client.get(reverse("meetings:poll_export_xlsx", args=[poll.pk])).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    cells = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    if kind == HONOUR:
        assert '<span class="badge badge-ok">Được suy tôn</span>' in page
        assert "vượt ngưỡng trên 1/2 số phiếu hợp lệ; được suy tôn" in page
        assert "1/1 suất đã có đơn vị được suy tôn." in page
        assert "rúng cử" not in page
        assert rows[winner][3] == cells[winner][3] == "Được suy tôn"
        assert rows[world.units[1].name][3] == "Không được suy tôn"
        assert "rúng cử" not in csv_text
        assert not any("rúng cử" in str(v) for row in cells.values() for v in row)
    else:
        assert '<span class="badge badge-ok">Trúng cử</span>' in page
        assert "vượt ngưỡng trên 1/2 số phiếu hợp lệ; trúng cử" in page
        assert "1/1 suất đã có đơn vị trúng cử." in page
        assert "suy tôn" not in page
        assert rows[winner][3] == cells[winner][3] == "Trúng cử"
        assert rows[world.units[1].name][3] == "Không trúng cử"
        assert "suy tôn" not in csv_text
    # the export's «Kết quả» column is a word a clerk reads, never the internal status
    assert rows[winner][4].endswith("được suy tôn" if kind == HONOUR else "trúng cử")
    assert not {"won", "lost", "passed"} & {r[3] for r in rows.values() if len(r) > 3}


@pytest.mark.parametrize("kind", [HONOUR, ELECTION])
def test_the_hall_screen_and_the_votes_chart_use_the_words_of_the_poll_kind(
    client, world, full_meeting, kind
):
    poll = _poll(world, full_meeting, kind)
    hall_services.screen_show(meeting=full_meeting, actor=world.secretary, view="poll", poll=poll)
    screen = client.get(
        reverse("hall:screen", args=[full_meeting.pk, screen_key(full_meeting.pk)])
    ).text
    client.force_login(world.delegate)
    svg = client.get(reverse("charts:poll_export", args=[poll.pk]) + "?format=svg")
    assert svg.status_code == 200
    chart = _svg_text(svg.content.decode())
    winner, loser = world.units[0].name, world.units[1].name
    if kind == HONOUR:
        assert '<span class="r-status">Được suy tôn</span>' in screen
        assert '<span class="r-status">Không được suy tôn</span>' in screen
        assert "rúng cử" not in screen
        assert f"{winner} (được suy tôn)" in chart and f"{loser} (không đạt)" in chart
        assert "rúng cử" not in chart
    else:
        assert '<span class="r-status">Trúng cử</span>' in screen
        assert '<span class="r-status">Không trúng cử</span>' in screen
        assert "suy tôn" not in screen
        assert f"{winner} (trúng cử)" in chart and "suy tôn" not in chart


@pytest.mark.parametrize(
    "kind,confirm",
    [
        (HONOUR, "Công bố kết quả? Đơn vị được suy tôn sẽ được chuyển sang đề nghị khen thưởng."),
        (ELECTION, "Công bố kết quả? Đơn vị trúng cử sẽ được ghi nhận là Khối trưởng năm sau."),
        (
            Poll.Kind.DEPUTY,
            "Công bố kết quả? Đơn vị trúng cử sẽ được ghi nhận là Khối phó năm sau.",
        ),
    ],
)
def test_the_publish_confirmation_says_where_the_result_goes(
    client, world, full_meeting, kind, confirm
):
    TITLES.setdefault(Poll.Kind.DEPUTY, "Bầu Khối phó năm 2025")
    poll = _poll(world, full_meeting, kind, publish=False)
    client.force_login(world.secretary)
    page = client.get(reverse("meetings:poll_detail", args=[poll.pk])).content.decode()
    assert f'data-confirm="{confirm}"' in page
    assert "Người trúng cử" not in page


@pytest.mark.parametrize("kind", [HONOUR, ELECTION])
def test_a_decision_after_the_last_round_and_a_reported_result_use_the_same_words(
    world, full_meeting, kind
):
    u = world.units
    poll = services.poll_open(
        poll=make_poll(
            full_meeting,
            u[:2],
            kind=kind,
            title=TITLES[kind],
            max_rounds=1,
            threshold_numerator=1,
            threshold_denominator=3,
        )
    )
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    for i, unit in enumerate(u):
        cast(poll, unit, [cand[u[i % 2].pk]])
    poll = services.poll_close(poll=poll)
    picked = poll.candidates.get(unit=u[1])
    services.poll_record_tie_break(
        poll=poll, winners=[picked], decided_by="Khối trưởng và Khối phó", basis="Quy chế, Điều 8"
    )
    outcome = services.poll_outcome(Poll.objects.get(pk=poll.pk))
    lines = {line.key: line for line in outcome.lines}
    chosen, other = lines[picked.pk], lines[cand[u[0].pk]]
    reported = make_poll(
        full_meeting, u[2:4], kind=kind, title=TITLES[kind], mode=Poll.Mode.REPORTED
    )
    services.poll_record_reported(
        poll=reported,
        winners=[reported.candidates.get(unit=u[2])],
        basis="biên bản hội nghị (số phiếu không được báo cáo)",
    )
    result = services.poll_result(Poll.objects.get(pk=reported.pk))
    said = {o.label: o for o in result.options}
    if kind == HONOUR:
        assert chosen.sentence == (
            "Đạt 4/8 phiếu (50%); được suy tôn theo quyết định của Khối trưởng và Khối phó "
            "(căn cứ: Quy chế, Điều 8)"
        )
        assert other.sentence == (
            "Đạt 4/8 phiếu (50%); không được suy tôn theo quyết định của Khối trưởng và Khối phó"
        )
        assert chosen.word == "Được suy tôn"
        assert said[u[2].name].sentence.startswith("Được suy tôn theo biên bản hội nghị")
        assert said[u[2].name].word == "Được suy tôn"
        assert said[u[3].name].sentence.startswith("Không được suy tôn theo")
    else:
        assert chosen.sentence.startswith("Đạt 4/8 phiếu (50%); trúng cử theo quyết định của")
        assert other.sentence.startswith("Đạt 4/8 phiếu (50%); không được chọn theo quyết định")
        assert chosen.word == "Trúng cử" and said[u[2].name].word == "Trúng cử"
        assert said[u[2].name].sentence.startswith("Được chọn theo biên bản hội nghị")


def test_the_sealed_bulletin_holds_no_sentence_so_the_wording_never_changes_a_seal(
    world, full_meeting
):
    """The digest seals the inputs (roll, options, ballots, rule), never the words: a poll sealed
    before this wording still verifies, and no sentence of any kind reaches the bulletin."""
    poll = _poll(world, full_meeting, HONOUR)
    data = services.poll_bulletin(poll)
    sealed = {k: v for k, v in data.items() if k not in ("digests", "published")}
    text = bulletin.canonical(sealed).decode()
    assert "suy tôn" not in text.replace(poll.title, "") and "rúng cử" not in text
    assert "Đạt " not in text and "được" not in text
    assert bulletin.sha256(sealed) == data["digests"]["bulletin"] == poll.seal_digest


def test_the_english_catalogue_says_honoured_and_elected():
    from django.utils import translation

    rule = Rule("valid", 1, 2, True)
    counts = Counts({"a": 5, "b": 2}, ballots=8, present=8, members=8)
    candidates = [("a", "Provincial Police"), ("b", "Justice Department")]
    with translation.override("en"):
        honour = candidate_outcome(
            candidates=candidates, counts=counts, rule=rule, seats=1, honour=True
        )
        election = candidate_outcome(candidates=candidates, counts=counts, rule=rule, seats=1)
        assert honour.lines[0].sentence.endswith("; honoured")
        assert election.lines[0].sentence.endswith("; elected")
        assert honour.summary == "1/1 places have an honoured unit."
        assert election.summary == "1/1 seats have an elected unit."
        assert [ln.word for ln in honour.lines] == ["Honoured", "Not honoured"]
        assert [ln.word for ln in election.lines] == ["Elected", "Not elected"]
