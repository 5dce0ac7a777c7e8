"""Each chart's data against the page's own numbers, read by parsing the SVG the page serves.

The ranking fixture (conftest.ranked): totals 104 (94 + bonus 15 capped at 10), 82, 80, 80
(shared rank 3), 66, 60, 52, 48; Cờ thi đua for the first 1, Bằng khen for the first 3.
"""

from __future__ import annotations

import datetime as dt
import re
import struct

import pytest
from django.urls import reverse
from django.utils import translation
from lxml import html as lhtml

from awards.models import Deadline
from blocs import services as bloc_services
from meetings.models import Poll

from .conftest import SVG, axis_labels, bars, inline_svgs, parse, publish_paper_poll

XLINK = "{http://www.w3.org/1999/xlink}href"


def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def _panel(client, user, query="?year=2024"):
    """The dashboard's overview panel, as the dashboard's htmx request asks for it."""
    client.force_login(user)
    response = client.get(reverse("charts:overview_panel") + query, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response


def _chart(html: str, key: str):
    """The inline <svg> whose id is chart-<key>."""
    for svg in inline_svgs(html):
        if f'id="chart-{key}"' in svg:
            return parse(svg)
    raise AssertionError(f"no chart {key} in the page")


def _ranking_table(html: str) -> list[tuple[str, str, str]]:
    """(rank, unit, total) of the ranking page's own table (the one with «Điểm chuẩn»)."""
    doc = lhtml.fromstring(html)
    for table in doc.iter("table"):
        headers = [th.text_content().strip() for th in table.iter("th")]
        if "Điểm chuẩn" in headers:
            total_at = headers.index("Tổng")
            rows = []
            for tr in table.find("tbody").iter("tr"):
                cells = [td.text_content().strip() for td in tr.iter("td")]
                rows.append((cells[0].split()[0], cells[1], cells[total_at]))
            return rows
    raise AssertionError("no ranking table")


def _labels_top_down(root) -> list[str]:
    texts = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class", "").startswith("axis y"):
            texts = [(float(t.get("y")), t.text) for t in g.iter(f"{SVG}text")]
    return [t for _y, t in sorted(texts)]


# --- ranking ----------------------------------------------------------------------------------


def test_ranking_chart_lists_units_in_rank_order_with_shared_ranks_and_the_page_totals(
    client, world, ranked
):
    response = _page(client, world.office, reverse("awards:ranking", args=[ranked.pk]))
    html = response.content.decode()
    table = _ranking_table(html)
    root = _chart(html, f"xep-hang-{ranked.pk}")
    labels = _labels_top_down(root)
    expected = [
        f"{rank}{'=' if [r for r, *_ in table].count(rank) > 1 else ''} · {unit}"
        for rank, unit, _total in table
    ]
    assert labels == expected
    assert [r for r, *_ in table] == ["1", "2", "3", "3", "5", "6", "7", "8"]
    assert labels[2].startswith("3= · ") and labels[3].startswith("3= · ")
    # every segment's tooltip names the unit's total exactly as the table prints it
    totals = {unit: total for _rank, unit, total in table}
    assert totals[world.units[0].name] == "104,00"
    segs = bars(root)
    for unit, total in totals.items():
        mine = [b for b in segs if b["title"].startswith(f"{unit} · ")]
        assert mine and all(b["title"].endswith(f"tổng {total}") for b in mine)


def test_ranking_bars_are_drawn_to_scale_with_the_capped_bonus_left_of_zero(client, world, ranked):
    html = _page(client, world.office, reverse("awards:ranking", args=[ranked.pk])).content
    root = _chart(html.decode(), f"xep-hang-{ranked.pk}")
    segs = bars(root)
    excess = [b for b in segs if "vượt trần" in b["title"]]
    assert len(excess) == 1 and excess[0]["title"].startswith(world.units[0].name)
    assert "5,00 điểm cộng vượt trần" in excess[0]["title"]
    # points per pixel are the same for every unit: (positive segments − excess) ∝ total
    totals = {"104,00": 104, "82,00": 82, "80,00": 80, "66,00": 66, "60,00": 60}
    scale = set()
    for unit in world.units:
        mine = [b for b in segs if b["title"].startswith(f"{unit.name} · ")]
        total_text = mine[0]["title"].rsplit("tổng ", 1)[1]
        if total_text not in totals:
            continue
        width = sum(b["width"] for b in mine)
        if unit == world.units[0]:
            width -= excess[0]["width"]
        scale.add(round(width / totals[total_text], 2))
    assert len(scale) == 1, scale
    # the excess bar ends where zero is: at the start of the unit's first positive segment
    first = min(
        (b for b in segs if b["title"].startswith(f"{world.units[0].name} · ")),
        key=lambda b: b["x"],
    )
    assert abs(excess[0]["x"] + excess[0]["width"] - first["x"]) < 0.5


def test_ranking_chart_draws_a_cut_off_line_under_the_units_each_title_may_go_to(
    client, world, ranked
):
    html = _page(client, world.office, reverse("awards:ranking", args=[ranked.pk])).content
    root = _chart(html.decode(), f"xep-hang-{ranked.pk}")
    lines = [g for g in root.iter(f"{SVG}g") if "kt-line-cutoff" in g.get("class", "")]
    labels = [g.find(f"{SVG}text").text for g in lines]
    assert labels == [
        "Cờ thi đua tỉnh: trong 1 vị trí đầu",
        "Bằng khen tỉnh: trong 3 vị trí đầu",
    ]
    # each line lies between the last unit inside and the first unit outside
    rows = {}
    for b in bars(root):
        if " · " not in b["title"]:
            continue  # the capped-bonus bar
        unit = b["title"].split(" · ")[0]
        rows.setdefault(unit, (b["y"], b["y"] + b["height"]))
    order = sorted(rows.values())
    for g, n in zip(lines, (1, 3), strict=True):
        y = float(re.match(r"M0 ([\d.]+)", g.find(f"{SVG}path").get("d")).group(1))
        assert order[n - 1][1] <= y <= order[n][0]


def test_self_score_chart_shows_each_units_self_score_against_its_final_score(
    client, world, ranked
):
    html = _page(client, world.office, reverse("awards:ranking", args=[ranked.pk])).content
    root = _chart(html.decode(), f"tu-cham-{ranked.pk}")
    titles = [b["title"] for b in bars(root)]
    first = world.units[0].name
    # self-score counts the whole bonus (94 + 15); the final total caps it (94 + 10)
    assert f"{first}: tự chấm 109,00 điểm" in titles
    assert f"{first}: điểm cuối cùng 104,00 (chênh -5,00)" in titles


def test_charts_pages_keep_the_strict_csp_and_inline_svg_needs_no_inline_style_or_script(
    client, world, ranked
):
    from hall import services as hall_services

    poll = publish_paper_poll(world, [6, 1])
    hall_services.screen_show(meeting=poll.meeting, actor=world.secretary, view="poll", poll=poll)
    for url in (
        reverse("hall:screen", args=[poll.meeting_id, hall_services.screen_key(poll.meeting_id)]),
        reverse("awards:ranking", args=[ranked.pk]),
        reverse("blocs:unit_detail", args=[world.units[0].pk]),
        reverse("meetings:poll_detail", args=[poll.pk]),
        reverse("charts:overview_panel") + "?year=2024",
        reverse("charts:overview") + "?year=2024",
    ):
        client.force_login(world.office)
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "style-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        svgs = inline_svgs(response.content.decode())
        assert svgs, url
        for svg in svgs:
            assert "<script" not in svg and "<style" not in svg
            assert not re.search(r"\sstyle=", svg)
            assert not re.search(r"\son[a-z]+=", svg)
            assert "javascript:" not in svg


def test_each_chart_has_an_accessible_name_description_and_the_same_data_as_a_table(
    client, world, ranked
):
    html = _page(client, world.office, reverse("awards:ranking", args=[ranked.pk])).content
    html = html.decode()
    doc = lhtml.fromstring(html)
    root = _chart(html, f"xep-hang-{ranked.pk}")
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    by_id = {el.get("id"): el for el in root.iter() if el.get("id")}
    assert by_id[title_id].tag == f"{SVG}title"
    assert by_id[title_id].text.startswith("Xếp hạng năm 2024")
    assert by_id[desc_id].tag == f"{SVG}desc" and "8 đơn vị" in by_id[desc_id].text
    assert "đồng hạng" in by_id[desc_id].text
    # ids are unique in the page (two charts on it)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    # the table behind the toggle has the same totals as the page's table
    figure = doc.get_element_by_id(f"fig-xep-hang-{ranked.pk}")
    details = figure.find(".//details")
    assert details.find("summary").text_content().strip() == "Xem số liệu dạng bảng"
    rows = [
        [td.text_content().strip() for td in tr.iter("td")]
        for tr in details.find(".//tbody").iter("tr")
    ]
    chart_totals = [(r[1], r[-2]) for r in rows]
    page_totals = [(unit, total) for _rank, unit, total in _ranking_table(html)]
    assert chart_totals == page_totals


def test_numbers_follow_the_language_vietnamese_commas_english_points(client, world, ranked):
    from charts import builders, data
    from charts.fmt import percent

    html = _page(client, world.office, reverse("awards:ranking", args=[ranked.pk])).content
    root = _chart(html.decode(), f"xep-hang-{ranked.pk}")
    assert "10" in axis_labels(root, "x")
    assert percent(5, 7) == "71,43%"
    assert percent(7, 8) == "87,5%"
    with translation.override("en"):
        assert percent(5, 7) == "71.43%"
        from awards.models import ScoringScheme
        from awards.ranking import compute_ranking

        ranking = compute_ranking(ScoringScheme.objects.get(bloc_year=ranked))
        chart = builders.ranking_chart(data.ranking_data(ranked, ranking))
        assert any("104.00" in (b["title"]) for b in bars(parse(chart.inline_svg)))


# --- votes ------------------------------------------------------------------------------------


def test_votes_chart_appears_only_after_publication_with_the_threshold_line(client, world):
    closed = publish_paper_poll(world, [6, 1], publish=False)
    assert closed.status == Poll.Status.CLOSED
    html = _page(client, world.secretary, reverse("meetings:poll_detail", args=[closed.pk]))
    assert "Kết quả" in html.content.decode()  # the secretary sees the counts …
    assert not inline_svgs(html.content.decode())  # … but no chart before publication
    export = client.get(reverse("charts:poll_export", args=[closed.pk]) + "?format=svg")
    assert export.status_code == 404

    published = publish_paper_poll(world, [6, 1])
    html = _page(client, world.delegate, reverse("meetings:poll_detail", args=[published.pk]))
    page = html.content.decode()
    root = _chart(page, f"phieu-{published.pk}")
    segs = sorted(bars(root), key=lambda b: b["y"])
    assert [round(b["width"] / segs[0]["width"] * 6, 2) for b in segs] == [6, 1]
    assert segs[0]["title"].startswith(f"{world.units[0].name}: Đạt 6/7 phiếu (85,71%)")
    assert "(85,71%)" in page  # the page's own table says the same
    line = next(g for g in root.iter(f"{SVG}g") if "kt-line-threshold" in g.get("class", ""))
    assert line.find(f"{SVG}text").text == "Ngưỡng: trên 1/2 số phiếu hợp lệ (3,5 phiếu)"
    x = float(re.match(r"M([\d.]+) ", line.find(f"{SVG}path").get("d")).group(1))
    zero = segs[0]["x"]
    assert abs((x - zero) - segs[0]["width"] * 3.5 / 6) < 0.5


# --- a unit over the years --------------------------------------------------------------------


def test_unit_chart_gives_score_rank_and_award_per_year_under_the_name_it_had(
    client, world, ranked
):
    publish_paper_poll(world, [6, 1])  # the winner's Bằng khen becomes a proposed award
    unit = world.units[0]
    old_name = unit.name
    bloc_services.unit_rename(
        unit=unit, new_name="Tên mới của đơn vị", effective_date=dt.date(2025, 7, 1)
    )
    html = _page(client, world.office, reverse("blocs:unit_detail", args=[unit.pk]))
    root = _chart(html.content.decode(), f"don-vi-{unit.pk}")
    labels = _labels_top_down(root)
    assert labels == [f"2024 · hạng 1/8 · ★ Bằng khen của Chủ tịch UBND tỉnh · khi đó: {old_name}"]
    (bar,) = bars(root)
    assert "104,00 điểm" in bar["title"]
    assert bar["href"] == reverse("awards:ranking", args=[ranked.pk])


# --- province overview ------------------------------------------------------------------------


def test_overview_counts_blocs_by_stage_and_late_units_and_each_bar_links_to_its_list(
    client, world, ranked
):
    publish_paper_poll(world, [6, 1])  # a year-end meeting held in 2024
    Deadline.objects.create(
        bloc_year=ranked, kind=Deadline.Kind.REGISTRATION, due_on=dt.date(2024, 3, 1)
    )
    html = _panel(client, world.office).content.decode()
    stages = _chart(html, "giai-doan-2024-all")
    by_label = {b["title"].split(":")[0]: b for b in bars(stages)}
    assert by_label["Đã họp tổng kết"]["title"] == "Đã họp tổng kết: 1 (100%)"
    assert "Chưa ký giao ước" not in by_label  # a count of 0 draws no (invisible) bar
    assert set(by_label) == {"Đã họp tổng kết"}
    link = by_label["Đã họp tổng kết"]["href"]
    assert link.startswith(reverse("charts:overview")) and "stage=meeting" in link
    late = _chart(html, "tre-han-2024-all")
    late_bars = {b["title"].split(":")[0]: b["title"] for b in bars(late)}
    assert late_bars["Đăng ký thi đua"].startswith("Đăng ký thi đua: 8 ")
    # the bar's link opens the filtered list: the bloc is there, with its 8 late units
    listing = _page(client, world.office, link.split("#")[0]).content.decode()
    assert world.bloc.name in listing
    empty = _page(
        client, world.office, reverse("charts:overview") + "?year=2024&stage=covenant"
    ).content.decode()
    assert "Không có khối nào." in empty
    late_list = _page(
        client, world.office, reverse("charts:overview") + "?year=2024&late=registration"
    ).content.decode()
    assert world.bloc.name in late_list
    # awards by title and bloc: the proposed Bằng khen, linked to the year's awards
    awards = _chart(html, "khen-thuong-2024-all")
    (award_bar,) = bars(awards)
    assert (
        award_bar["title"] == f"{world.bloc.name} · Bằng khen của Chủ tịch UBND tỉnh: 1 khen thưởng"
    )
    assert award_bar["href"] == reverse("awards:year_awards", args=[ranked.pk])


def test_overview_is_not_shown_to_a_delegate_on_the_dashboard(client, world, ranked):
    html = _page(client, world.delegate, reverse("dashboard") + "?year=2024").content.decode()
    assert "giai-doan-" not in html
    assert reverse("charts:overview_panel") not in html and 'id="overview-panel"' not in html


# --- export -----------------------------------------------------------------------------------


def test_svg_export_is_a_self_styled_file_with_the_same_bars(client, world, ranked):
    client.force_login(world.office)
    response = client.get(
        reverse("charts:ranking_export", args=[ranked.pk, "ranking"]) + "?format=svg"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="xep-hang-{ranked.pk}-'
    )
    assert "default-src 'none'" in response["Content-Security-Policy"]
    text = response.content.decode()
    root = parse(text)
    assert root.find(f"{SVG}style") is not None and ".kt-chart" in root.find(f"{SVG}style").text
    assert root.get("width") and root.get("height")
    page = client.get(reverse("awards:ranking", args=[ranked.pk])).content.decode()
    inline = _chart(page, f"xep-hang-{ranked.pk}")
    assert [b["title"] for b in bars(root)] == [b["title"] for b in bars(inline)]


@pytest.mark.skipif(not __import__("shutil").which("pdftoppm"), reason="pdftoppm missing")
def test_png_export_is_a_png_twice_the_charts_size_for_slides(client, world, ranked):
    client.force_login(world.office)
    response = client.get(reverse("charts:unit_export", args=[world.units[0].pk]) + "?format=png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    body = response.content
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    assert width == 1600 and height > 200


def test_unknown_export_format_or_chart_is_404(client, world, ranked):
    client.force_login(world.office)
    base = reverse("charts:ranking_export", args=[ranked.pk, "ranking"])
    assert client.get(base + "?format=pdf").status_code == 404
    other = reverse("charts:ranking_export", args=[ranked.pk, "nothing"])
    assert client.get(other + "?format=svg").status_code == 404


# --- query counts -----------------------------------------------------------------------------


def _bulk_ranked_year(organizer, n_units: int, code: str):
    """A bloc-year of n units whose sheets are reviewed (the bench's way: bulk, no services)."""
    from decimal import Decimal

    from awards import services as award_services
    from awards.models import Criterion, Score, ScoreSheet
    from tests.factories import make_bloc_year

    by = make_bloc_year(n_units, year=2024, organizer=organizer)
    scheme = award_services.scheme_for(by, create=True)
    scheme.total_scale = Decimal(20)
    scheme.save()
    for g in range(2):
        group = Criterion.objects.create(
            scheme=scheme, code=f"{code}{g}", title=f"Nhóm {g}", kind="group", position=g
        )
        for c in range(5):
            Criterion.objects.create(
                scheme=scheme,
                parent=group,
                code=f"{g}.{c}",
                title="Tiêu chí",
                kind="points",
                max_score=Decimal(2),
                position=c,
            )
    award_services.scoring_open(bloc_year=by)
    Score.objects.filter(sheet__scheme=scheme).update(
        self_value=Decimal(2), review_value=Decimal(2)
    )
    ScoreSheet.objects.filter(scheme=scheme).update(status=ScoreSheet.Status.REVIEWED)
    return by


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_ranking_page_with_its_charts_needs_as_many_queries_for_6_units_as_for_30(client, world):
    client.force_login(world.office)
    small = _bulk_ranked_year(world.organizer, 6, "a")
    large = _bulk_ranked_year(world.organizer, 30, "b")
    n_small = _queries(client, reverse("awards:ranking", args=[small.pk]))
    n_large = _queries(client, reverse("awards:ranking", args=[large.pk]))
    assert "xep-hang-" in client.get(reverse("awards:ranking", args=[large.pk])).content.decode()
    assert n_small == n_large


def test_dashboard_overview_needs_as_many_queries_for_one_bloc_as_for_four(client, world):
    from tests.factories import make_bloc_year

    client.force_login(world.office)
    url = reverse("charts:overview_panel") + "?year=2024"
    client.defaults["HTTP_HX_REQUEST"] = "true"
    one = _queries(client, url)
    for _ in range(3):
        make_bloc_year(5, year=2024, organizer=world.organizer)
    four = _queries(client, url)
    html = client.get(url).content.decode()
    stages = _chart(html, "giai-doan-2024-all")
    assert sum(int(b["title"].split(": ")[1].split()[0]) for b in bars(stages)) == 4
    assert four == one


def test_unit_with_links_and_categories_in_chart_have_no_links_outside_the_app(
    client, world, ranked
):
    html = _page(client, world.office, reverse("awards:ranking", args=[ranked.pk])).content
    root = _chart(html.decode(), f"xep-hang-{ranked.pk}")
    hrefs = {a.get(XLINK) for a in root.iter(f"{SVG}a")}
    assert hrefs and all(h.startswith("/sheets/") for h in hrefs)


# --- a tampered tally -------------------------------------------------------------------------

TAMPERED = "Dữ liệu phiếu đã bị thay đổi sau khi kết thúc"


def _tampered_poll(world):
    """A published secret poll (5 to 2 for one seat), then two ballots edited in the database."""
    from meetings import services as meeting_services
    from meetings.models import Ballot
    from tests.meetings.conftest import cast, make_meeting, make_poll, mark_present

    meeting = make_meeting(world)
    mark_present(meeting, world.units)
    u = world.units
    poll = meeting_services.poll_open(poll=make_poll(meeting, u[:3], seats=1, max_marks=1))
    cand = {c.unit_id: c.pk for c in poll.candidates.all()}
    for unit, choice in zip(u, [u[0]] * 5 + [u[1]] * 2 + [None], strict=True):
        cast(poll, unit, [cand[choice.pk]] if choice else [])
    meeting_services.poll_close(poll=poll)
    meeting_services.poll_publish(poll=poll)
    return poll, cand, Ballot


def test_a_tampered_tally_draws_no_chart_on_the_page_nor_in_the_export(client, world):
    poll, cand, ballot_model = _tampered_poll(world)
    detail = reverse("meetings:poll_detail", args=[poll.pk])
    export = reverse("charts:poll_export", args=[poll.pk])
    client.force_login(world.delegate)
    before = client.get(detail).content.decode()
    assert _chart(before, f"phieu-{poll.pk}") is not None  # the chart is there …
    assert client.get(export + "?format=svg").status_code == 200
    # … until a database writer turns two votes for u0 into votes for u1 (now 3 to 4)
    ids = list(
        ballot_model.objects.filter(poll=poll, marks=[cand[world.units[0].pk]]).values_list(
            "id", flat=True
        )[:2]
    )
    ballot_model.objects.filter(pk__in=ids).update(marks=[cand[world.units[1].pk]])
    page = client.get(detail)
    html = page.content.decode()
    assert page.status_code == 200 and TAMPERED in html
    assert not inline_svgs(html)
    assert reverse("charts:poll_export", args=[poll.pk]) not in html
    for fmt in ("svg", "png"):
        response = client.get(export + f"?format={fmt}")
        body = response.content.decode()
        assert response.status_code == 409, fmt
        assert response["Content-Type"].startswith("text/html")
        assert "Content-Disposition" not in response
        assert TAMPERED in body and 'class="msg msg-error tampered" role="alert"' in body
        assert not inline_svgs(body) and "Đạt " not in body  # no chart, no count
        # the warning is an app page under the app's CSP (its stylesheet loads), not the export's
        csp = response["Content-Security-Policy"]
        assert "style-src 'self'" in csp and "default-src 'none'" not in csp


def test_a_closed_unpublished_tampered_poll_has_no_chart_to_export(client, world):
    """Before publication there is no chart: 404, whether or not the tally was tampered."""
    from meetings import services as meeting_services

    poll = publish_paper_poll(world, [6, 1], publish=False)
    client.force_login(world.secretary)
    export = reverse("charts:poll_export", args=[poll.pk]) + "?format=svg"
    assert client.get(export).status_code == 404
    # an easier threshold written after close breaks the seal
    Poll.objects.filter(pk=poll.pk).update(threshold_numerator=1, threshold_denominator=3)
    with pytest.raises(meeting_services.TallyTampered):
        meeting_services.poll_outcome(Poll.objects.get(pk=poll.pk))
    assert client.get(export).status_code == 404


def test_past_30_blocs_the_awards_chart_counts_by_province_and_links_to_its_filtered_report(
    client, world
):
    """National scale: awards are summed per province (organizer), one bar segment per title,
    and each links to the award report filtered by that province, year and title."""
    from awards.models import Award
    from tests.charts.conftest import award_title
    from tests.factories import make_bloc_year

    bang_khen = award_title()
    co = award_title(code="co-thi-dua-ubnd-tinh", name="Cờ thi đua của UBND tỉnh")
    years = [make_bloc_year(1, year=2024, organizer=world.organizer) for _ in range(20)]
    years += [make_bloc_year(1, year=2024, organizer=world.other_organizer) for _ in range(11)]
    plan = {bang_khen: (years[:7] + years[20:23]), co: (years[:2] + years[20:21])}
    for title, given in plan.items():
        for by in given:
            Award.objects.create(
                bloc_year=by,
                award_title=title,
                unit=by.memberships.first().unit,
                year=2024,
                status=Award.Status.PROPOSED,
            )
    rejected = years[8]
    Award.objects.create(
        bloc_year=rejected,
        award_title=co,
        unit=rejected.memberships.first().unit,
        year=2024,
        status=Award.Status.REJECTED,  # not counted
    )
    user = world.users()["superuser"]
    html = _page(client, user, reverse("charts:overview") + "?year=2024").content.decode()
    root = _chart(html, "khen-thuong-2024-all")
    titles = {b["title"]: b["href"] for b in bars(root)}
    mine, other = world.organizer, world.other_organizer
    report = reverse("awards:award_report")
    expected = {
        (mine, bang_khen, 7),
        (mine, co, 2),
        (other, bang_khen, 3),
        (other, co, 1),
    }
    short = {bang_khen: bang_khen.short_name or bang_khen.name, co: co.short_name or co.name}
    assert set(titles) == {f"{org.name} · {short[t]}: {n} khen thưởng" for org, t, n in expected}
    for org, t, n in expected:
        href = titles[f"{org.name} · {short[t]}: {n} khen thưởng"]
        assert href == f"{report}?organizer={org.pk}&year=2024&title={t.pk}"
    # the link opens the report with exactly those awards
    listing = _page(client, user, titles[f"{mine.name} · {short[bang_khen]}: 7 khen thưởng"])
    assert listing.context["page"].paginator.count == 7
    # the chart's table says the same per province, with its total
    doc = lhtml.fromstring(html)
    rows = {
        tr[0].text_content().strip(): [td.text_content().strip() for td in tr[1:]]
        for tr in doc.get_element_by_id("fig-khen-thuong-2024-all").find(".//tbody")
    }
    assert rows[mine.name][-1] == "9" and rows[other.name][-1] == "4"
