"""Each chart from plain data: pure functions, no ORM (the adapters in charts/data.py read it).

A builder returns a `Chart` holding the categories, series, reference lines and the same numbers
as a table. Horizontal charts list their categories top-down (rank 1 first); pygal draws the
first category at the bottom, so `Chart` is given them reversed (see `_top_down`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from .fmt import number, percent
from .svg import Cell, Chart, Line, Series, Table


@lru_cache(maxsize=4096)
def _num(value: float, places: int, trim: bool, lang: str | None) -> str:
    return number(value, places, trim=trim)


def score_text(value) -> str:
    """A score as the ranking table prints it ("95,50")."""
    return _num(float(value), 2, False, get_language())


def axis_text(value) -> str:
    """An axis tick: no useless decimals ("10", "12,5")."""
    return _num(float(value), 2, True, get_language())


def whole_ticks(top: float, *, most: int = 8) -> list[int]:
    """Axis labels for counts: whole numbers from 0 past `top`, at most `most` + 1 of them."""
    top = max(1, int(-(-top // 1)))
    step = max(1, -(-top // most))
    return list(range(0, top + step, step))


def _top_down(chart: Chart) -> Chart:
    """Reverse the categories of a horizontal chart so that the first is drawn on top."""
    n = len(chart.categories)
    chart.categories = list(reversed(chart.categories))
    chart.series = [
        Series(
            s.name,
            list(reversed(s.values)),
            links=list(reversed(s.links)) if s.links else None,
            tips=list(reversed(s.tips)) if s.tips else None,
        )
        for s in chart.series
    ]
    chart.lines = [
        Line(
            ln.label, value=ln.value, after=None if ln.after is None else n - ln.after, kind=ln.kind
        )
        for ln in chart.lines
    ]
    return chart


# --- ranking of a bloc-year ----------------------------------------------------------------------


@dataclass(frozen=True)
class RankedUnit:
    name: str
    rank: int
    tied: bool
    groups: list[Decimal]  # group subtotals, as in the ranking table
    total: Decimal
    self_total: Decimal
    href: str = ""


@dataclass(frozen=True)
class Cutoff:
    """A title's place in the ranking: the N first units may be proposed for it."""

    label: str  # the whole sentence: "Cờ thi đua: trong 1 vị trí đầu"
    count: int


@dataclass(frozen=True)
class RankingData:
    key: str
    bloc_name: str
    year: int
    final: bool
    group_labels: list[str]  # short: "I", "II" or the title
    group_titles: list[str]
    units: list[RankedUnit]
    cutoffs: list[Cutoff] = field(default_factory=list)


def rank_label(u: RankedUnit) -> str:
    """ "2= Công an tỉnh" for a shared rank, "1 Công an tỉnh" otherwise."""
    mark = "=" if u.tied else ""
    return f"{u.rank}{mark} · {u.name}"


def ranking_chart(data: RankingData) -> Chart:
    """Totals as horizontal bars of stacked group subtotals, cut-off lines for the titles."""
    names = [rank_label(u) for u in data.units]
    series = []
    for gi, label in enumerate(data.group_labels):
        title = data.group_titles[gi]
        series.append(
            Series(
                f"{label} {title}".strip() if label != title else title,
                [u.groups[gi] or None for u in data.units],  # no empty segment for a zero
                links=[u.href for u in data.units],
                tips=[
                    _("%(unit)s · %(group)s: %(score)s điểm · tổng %(total)s")
                    % {
                        "unit": u.name,
                        "group": title,
                        "score": score_text(u.groups[gi]),
                        "total": score_text(u.total),
                    }
                    for u in data.units
                ],
            )
        )
    # what the groups add up to beyond the total: bonus over the cap (not counted)
    excess = [sum(u.groups, Decimal(0)) - u.total for u in data.units]
    if any(e > 0 for e in excess):
        series.append(
            Series(
                _("Điểm cộng vượt trần (không tính)"),
                [-e if e > 0 else None for e in excess],
                tips=[
                    _("%(unit)s: %(score)s điểm cộng vượt trần, không tính vào tổng")
                    % {"unit": u.name, "score": score_text(e)}
                    if e > 0
                    else ""
                    for u, e in zip(data.units, excess, strict=True)
                ],
            )
        )
    lines = [
        Line(c.label, after=c.count, kind="cutoff")
        for c in data.cutoffs
        if 0 < c.count < len(data.units)
    ]
    ties = [u for u in data.units if u.tied]
    desc = _(
        "Biểu đồ thanh ngang: tổng điểm của %(n)s đơn vị năm %(year)s, xếp từ cao xuống thấp, "
        "mỗi thanh gồm điểm của các nhóm tiêu chí."
    ) % {"n": len(data.units), "year": data.year}
    if data.units:
        best = data.units[0]
        desc += " " + _("Cao nhất: %(unit)s, %(score)s điểm.") % {
            "unit": best.name,
            "score": score_text(best.total),
        }
    if ties:
        desc += " " + _("Dấu = sau thứ hạng: đồng hạng.")
    headers = [_("Hạng"), _("Đơn vị"), *data.group_labels, _("Tổng"), _("Tự chấm")]
    rows = [
        [
            Cell(f"{u.rank}{' ' + _('(đồng hạng)') if u.tied else ''}", num=True),
            Cell(u.name, href=u.href),
            *[Cell(score_text(g), num=True) for g in u.groups],
            Cell(score_text(u.total), num=True),
            Cell(score_text(u.self_total), num=True),
        ]
        for u in data.units
    ]
    chart = Chart(
        key=f"xep-hang-{data.key}",
        kind="hstack",
        title=_("Xếp hạng năm %(year)s – %(bloc)s") % {"year": data.year, "bloc": data.bloc_name},
        desc=desc,
        categories=names,
        series=series,
        lines=lines,
        table=Table(headers, rows),
        value_format=axis_text,
        slot_height=24,
        note="" if data.final else _("Tạm tính: kết quả chưa khóa."),
    )
    return _top_down(chart)


def self_score_chart(data: RankingData) -> Chart:
    """Each unit's self-score against its final score."""
    chart = Chart(
        key=f"tu-cham-{data.key}",
        kind="hbar",
        title=_("Tự chấm và điểm cuối cùng năm %(year)s – %(bloc)s")
        % {"year": data.year, "bloc": data.bloc_name},
        desc=_(
            "Biểu đồ thanh ngang: với mỗi đơn vị, điểm tự chấm và điểm cuối cùng sau thẩm định."
        ),
        categories=[rank_label(u) for u in data.units],
        series=[
            Series(
                _("Tự chấm"),
                [u.self_total for u in data.units],
                links=[u.href for u in data.units],
                tips=[
                    _("%(unit)s: tự chấm %(score)s điểm")
                    % {"unit": u.name, "score": score_text(u.self_total)}
                    for u in data.units
                ],
            ),
            Series(
                _("Điểm cuối cùng"),
                [u.total for u in data.units],
                links=[u.href for u in data.units],
                tips=[
                    _("%(unit)s: điểm cuối cùng %(score)s (chênh %(diff)s)")
                    % {
                        "unit": u.name,
                        "score": score_text(u.total),
                        "diff": score_text(u.total - u.self_total),
                    }
                    for u in data.units
                ],
            ),
        ],
        table=Table(
            [_("Hạng"), _("Đơn vị"), _("Tự chấm"), _("Điểm cuối cùng"), _("Chênh lệch")],
            [
                [
                    Cell(str(u.rank), num=True),
                    Cell(u.name, href=u.href),
                    Cell(score_text(u.self_total), num=True),
                    Cell(score_text(u.total), num=True),
                    Cell(score_text(u.total - u.self_total), num=True),
                ]
                for u in data.units
            ],
        ),
        value_format=axis_text,
        slot_height=13,
    )
    return _top_down(chart)


# --- a unit over the years ---------------------------------------------------------------------


@dataclass(frozen=True)
class UnitYear:
    year: int
    bloc_name: str
    name_then: str  # the unit's name that year (renamed or merged units keep theirs)
    total: Decimal | None  # None: not scored that year
    rank: int | None
    tied: bool
    ranked_count: int
    awards: list[str]
    href: str = ""


@dataclass(frozen=True)
class UnitYearsData:
    key: str
    unit_name: str
    years: list[UnitYear]


def unit_years_chart(data: UnitYearsData) -> Chart:
    """Total score per year, with the rank, the awards and the name the unit had that year."""
    categories = []
    tips = []
    rows = []
    for y in data.years:
        other_name = y.name_then != data.unit_name
        rank = (
            _("hạng %(rank)s/%(n)s")
            % {"rank": f"{y.rank}{'=' if y.tied else ''}", "n": y.ranked_count}
            if y.rank
            else _("chưa xếp hạng")
        )
        label = f"{y.year} · {rank}"
        if y.awards:
            label += " · ★ " + ", ".join(y.awards)
        if other_name:
            label += " · " + _("khi đó: %(name)s") % {"name": y.name_then}
        categories.append(label)
        tips.append(
            _("%(year)s, %(bloc)s: %(score)s điểm, %(rank)s")
            % {
                "year": y.year,
                "bloc": y.bloc_name,
                "score": score_text(y.total) if y.total is not None else "—",
                "rank": rank,
            }
        )
        rows.append(
            [
                Cell(str(y.year), href=y.href),
                Cell(y.bloc_name),
                Cell(y.name_then),
                Cell(score_text(y.total) if y.total is not None else "—", num=True),
                Cell(rank),
                Cell(", ".join(y.awards) or "—"),
            ]
        )
    chart = Chart(
        key=f"don-vi-{data.key}",
        kind="hbar",
        title=_("%(unit)s qua các năm") % {"unit": data.unit_name},
        desc=_(
            "Biểu đồ thanh ngang: tổng điểm của đơn vị mỗi năm, kèm thứ hạng, khen thưởng (★) và "
            "tên đơn vị khi đó nếu khác tên hiện nay."
        ),
        categories=categories,
        series=[
            Series(
                _("Tổng điểm"),
                [y.total for y in data.years],
                links=[y.href for y in data.years],
                tips=tips,
            )
        ],
        table=Table(
            [_("Năm"), _("Khối"), _("Tên khi đó"), _("Tổng điểm"), _("Thứ hạng"), _("Khen thưởng")],
            rows,
        ),
        value_format=axis_text,
        legend=False,
        print_values=True,
        slot_height=34,
    )
    return _top_down(chart)


# --- province overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str = ""


@dataclass(frozen=True)
class StackedRow:
    label: str
    values: list[int]  # one per series
    hrefs: list[str]


def _count_chart(
    *, key: str, title: str, desc: str, unit: str, bars: list[Bar], header: str
) -> Chart:
    total = sum(b.value for b in bars)
    chart = Chart(
        key=key,
        kind="hbar",
        title=title,
        desc=desc,
        categories=[b.label for b in bars],
        series=[
            Series(
                unit,
                [b.value for b in bars],
                links=[b.href for b in bars],
                tips=[f"{b.label}: {b.value} ({percent(b.value, total)})" for b in bars],
            )
        ],
        table=Table(
            [header, unit, _("Tỷ lệ")],
            [
                [
                    Cell(b.label, href=b.href),
                    Cell(str(b.value), num=True),
                    Cell(percent(b.value, total), num=True),
                ]
                for b in bars
            ],
        ),
        value_format=lambda v: _num(float(v), 0, True, get_language()),
        legend=False,
        print_values=True,
        slot_height=30,
        width=560,
        ticks=whole_ticks(max((b.value for b in bars), default=0)),
    )
    return _top_down(chart)


def stage_chart(*, key: str, year: int, bars: list[Bar]) -> Chart:
    return _count_chart(
        key=f"giai-doan-{key}",
        title=_("Khối thi đua theo giai đoạn năm %(year)s") % {"year": year},
        desc=_(
            "Biểu đồ thanh ngang: số khối thi đua ở mỗi giai đoạn của năm thi đua (giai đoạn xa "
            "nhất đã đạt). Tổng: %(n)s khối."
        )
        % {"n": sum(b.value for b in bars)},
        unit=_("Số khối"),
        bars=bars,
        header=_("Giai đoạn"),
    )


def late_chart(*, key: str, year: int, bars: list[Bar]) -> Chart:
    return _count_chart(
        key=f"tre-han-{key}",
        title=_("Đơn vị trễ hạn năm %(year)s") % {"year": year},
        desc=_(
            "Biểu đồ thanh ngang: số đơn vị chưa hoàn thành khi đã quá hạn, theo từng thời hạn "
            "(với tờ trình: số khối chưa gửi)."
        ),
        unit=_("Số đơn vị"),
        bars=bars,
        header=_("Thời hạn"),
    )


def awards_chart(
    *, key: str, year: int, titles: list[str], rows: list[StackedRow], by: str
) -> Chart:
    """Awards by bloc (or by province at national scale), stacked by title."""
    tip_formats: dict[int, str] = {}  # one ngettext per distinct count, not per bar

    def tip(row: StackedRow, title: str, n: int) -> str:
        if n not in tip_formats:
            tip_formats[n] = ngettext(
                "%(row)s · %(title)s: %(n)s khen thưởng",
                "%(row)s · %(title)s: %(n)s khen thưởng",
                n,
            )
        return tip_formats[n] % {"row": row.label, "title": title, "n": n}

    series = [
        Series(
            t,
            [r.values[i] or None for r in rows],
            links=[r.hrefs[i] for r in rows],
            tips=[tip(r, t, r.values[i]) for r in rows],
        )
        for i, t in enumerate(titles)
    ]
    chart = Chart(
        key=f"khen-thuong-{key}",
        kind="hstack",
        title=_("Khen thưởng năm %(year)s theo danh hiệu và %(by)s") % {"year": year, "by": by},
        desc=_(
            "Biểu đồ thanh ngang xếp chồng: số khen thưởng (đề nghị và đã quyết định) của mỗi "
            "%(by)s, chia theo danh hiệu. Tổng: %(n)s."
        )
        % {"by": by, "n": sum(sum(r.values) for r in rows)},
        categories=[r.label for r in rows],
        series=series,
        table=Table(
            [by.capitalize(), *titles, _("Tổng")],
            [
                [
                    Cell(r.label),
                    *[
                        Cell(str(v), href=h if v else "", num=True)
                        for v, h in zip(r.values, r.hrefs, strict=True)
                    ],
                    Cell(str(sum(r.values)), num=True),
                ]
                for r in rows
            ],
        ),
        value_format=lambda v: _num(float(v), 0, True, get_language()),
        slot_height=24,
        ticks=whole_ticks(max((sum(r.values) for r in rows), default=0)),
    )
    return _top_down(chart)


# --- votes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteLine:
    label: str
    votes: int
    percent: str
    status: str  # won | tie | passed | lost | adopted | rejected
    sentence: str


@dataclass(frozen=True)
class VotesData:
    key: str
    title: str
    base_count: int
    base_words: str
    threshold: float  # votes at the line (strict rules need more than it)
    threshold_words: str
    lines: list[VoteLine]
    honour: bool = False  # an honour vote: "được suy tôn", not "trúng cử"


# "trúng cử" is for elections only; an honour vote's winner "được suy tôn" (VotesData.honour).
STATUS_WORDS = {
    "won": gettext_lazy("trúng cử"),
    "passed": gettext_lazy("đạt ngưỡng"),
    "tie": gettext_lazy("bằng phiếu"),
    "lost": gettext_lazy("không đạt"),
    "adopted": gettext_lazy("thông qua"),
    "rejected": gettext_lazy("không thông qua"),
}


HONOUR_STATUS_WORDS = {**STATUS_WORDS, "won": gettext_lazy("được suy tôn")}


def _status_word(status: str, honour: bool) -> str:
    return str((HONOUR_STATUS_WORDS if honour else STATUS_WORDS).get(status, status))


def votes_chart(data: VotesData) -> Chart:
    chart = Chart(
        key=f"phieu-{data.key}",
        kind="hbar",
        title=data.title,
        desc=_(
            "Biểu đồ thanh ngang: số phiếu của mỗi ứng viên trên %(base)s %(words)s; đường "
            "ngưỡng: %(threshold)s."
        )
        % {"base": data.base_count, "words": data.base_words, "threshold": data.threshold_words},
        categories=[f"{ln.label} ({_status_word(ln.status, data.honour)})" for ln in data.lines],
        series=[
            Series(
                _("Số phiếu"),
                [ln.votes for ln in data.lines],
                tips=[f"{ln.label}: {ln.sentence}" for ln in data.lines],
            )
        ],
        lines=[
            Line(
                _("Ngưỡng: %(words)s (%(votes)s phiếu)")
                % {"words": data.threshold_words, "votes": axis_text(data.threshold)},
                value=data.threshold,
            )
        ],
        table=Table(
            [_("Ứng viên"), _("Số phiếu"), _("Tỷ lệ"), _("Kết quả")],
            [
                [
                    Cell(ln.label),
                    Cell(str(ln.votes), num=True),
                    Cell(ln.percent, num=True),
                    Cell(ln.sentence),
                ]
                for ln in data.lines
            ],
        ),
        value_format=lambda v: _num(float(v), 0, True, get_language()),
        legend=False,
        print_values=True,
        min_value=0,
        max_value=max(data.base_count, 1),
        ticks=whole_ticks(data.base_count),
        slot_height=34,
    )
    return _top_down(chart)


# --- the báo cáo kết quả PDF -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    unit: str
    rank: int
    tied: bool
    main: Decimal
    extra: Decimal  # bonus (capped) + penalty, as the report's «Cộng / trừ» column
    total: Decimal


def report_ranking_chart(*, key: str, year: int, rows: list[ReportRow]) -> Chart:
    """The ranking for the printed report: totals split into standard score and bonus/penalty,
    drawn in black, greys and white (the print variant of charts.css), A4 text width."""
    names = [f"{r.rank}{'=' if r.tied else ''} · {r.unit}" for r in rows]
    chart = Chart(
        key=f"bao-cao-{key}",
        kind="hstack",
        title=_("Biểu đồ xếp hạng năm %(year)s") % {"year": year},
        desc=_("Tổng điểm của từng đơn vị: điểm chuẩn và điểm cộng, trừ."),
        categories=names,
        series=[
            Series(_("Điểm chuẩn"), [r.main or None for r in rows]),
            Series(_("Cộng / trừ"), [r.extra or None for r in rows]),
        ],
        table=Table(
            [_("Hạng"), _("Đơn vị"), _("Tổng")],
            [
                [Cell(str(r.rank), num=True), Cell(r.unit), Cell(score_text(r.total), num=True)]
                for r in rows
            ],
        ),
        value_format=axis_text,
        width=620,
        slot_height=20,
    )
    return _top_down(chart)
