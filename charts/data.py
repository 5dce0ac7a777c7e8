"""Plain chart data from the other apps' public functions (awards.ranking, meetings.services …).

Each function reads what it needs in a fixed number of queries and returns the dataclasses of
charts/builders.py; the builders never touch the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from awards.models import (
    Award,
    AwardQuota,
    AwardTitle,
    Covenant,
    Deadline,
    Registration,
    ScoreSheet,
    ScoringScheme,
)
from awards.ranking import Ranking, compute_rankings
from blocs.access import visible_blocs
from blocs.models import BlocYear, Membership, Unit, year_reference_date
from meetings.models import Meeting

from . import builders as b

# --- ranking -------------------------------------------------------------------------------------


def ranking_data(bloc_year: BlocYear, ranking: Ranking, *, ref_date: dt.date | None = None):
    """The ranking page's numbers (group subtotals, totals, self-scores, ranks) + title cut-offs."""
    ref_date = ref_date or bloc_year.reference_date
    quotas = AwardQuota.objects.filter(bloc_year=bloc_year, top_n__isnull=False).select_related(
        "award_title"
    )
    cutoffs = [
        b.Cutoff(
            _("%(title)s: trong %(n)s vị trí đầu")
            % {"title": q.award_title.short_name or q.award_title.name, "n": q.top_n},
            q.top_n,
        )
        for q in quotas
        if q.needs_ranking
    ]
    return b.RankingData(
        key=str(bloc_year.pk),
        bloc_name=bloc_year.bloc.name,
        year=bloc_year.year,
        final=ranking.final,
        group_labels=[g.code or g.title for g in ranking.groups],
        group_titles=[g.title for g in ranking.groups],
        units=[
            b.RankedUnit(
                name=r.unit.name_on(ref_date),
                rank=r.rank,
                tied=r.tied,
                groups=list(r.group_totals),
                total=r.total,
                self_total=r.self_total,
                href=reverse("awards:sheet_detail", args=[r.sheet.pk]),
            )
            for r in ranking.rows
        ],
        cutoffs=sorted(cutoffs, key=lambda c: c.count),
    )


# --- a unit over the years -----------------------------------------------------------------------


def unit_years_data(
    unit: Unit, lineage: list[Unit], memberships: list[Membership] | None = None
) -> b.UnitYearsData:
    """Score, rank and awards per year of the unit and of the units merged into it.

    `memberships`: the unit page's own (with bloc_year, bloc and the unit's former names);
    read here only when not given. Then 2 queries, and 4 more when some year was scored, whatever
    the number of years.
    """
    if memberships is None:
        memberships = list(
            Membership.objects.filter(unit__in=lineage)
            .select_related("bloc_year__bloc", "unit")
            .prefetch_related("unit__former_names")
        )
    memberships = sorted(memberships, key=lambda m: (m.bloc_year.year, m.bloc_year.bloc.name))
    year_ids = {m.bloc_year_id for m in memberships}
    schemes = list(
        ScoringScheme.objects.filter(bloc_year_id__in=year_ids).exclude(
            phase=ScoringScheme.Phase.DRAFT
        )
    )
    # (bloc_year, unit) → ranked row; one batch for every scored year
    ranked: dict[tuple[int, int], tuple] = {}
    for ranking in compute_rankings(schemes).values():
        for row in ranking.rows:
            ranked[(ranking.scheme.bloc_year_id, row.unit.pk)] = (row, len(ranking.rows))
    awards = defaultdict(list)
    for a in (
        Award.objects.filter(unit__in=lineage, person_name="")
        .exclude(status=Award.Status.REJECTED)
        .select_related("award_title")
        .order_by("award_title__rank")
    ):
        awards[(a.bloc_year_id, a.unit_id)].append(a.award_title.short_name or a.award_title.name)
    years = []
    for m in memberships:
        hit = ranked.get((m.bloc_year_id, m.unit_id))
        row, count = hit if hit else (None, 0)
        years.append(
            b.UnitYear(
                year=m.bloc_year.year,
                bloc_name=m.bloc_year.bloc.name,
                name_then=m.unit.name_on(year_reference_date(m.bloc_year.year)),
                total=row.total if row else None,
                rank=row.rank if row else None,
                tied=row.tied if row else False,
                ranked_count=count,
                awards=awards.get((m.bloc_year_id, m.unit_id), []),
                href=reverse("awards:ranking", args=[m.bloc_year_id])
                if row
                else reverse("blocs:bloc_year_detail", args=[m.bloc_year_id]),
            )
        )
    return b.UnitYearsData(
        key=str(unit.pk),
        unit_name=unit.name,
        years=years,
    )


# --- province overview ---------------------------------------------------------------------------

STAGES = [
    ("none", "Chưa ký giao ước"),
    ("covenant", "Đã ký giao ước"),
    ("registration", "Đăng ký thi đua"),
    ("scoring", "Chấm điểm"),
    ("meeting", "Đã họp tổng kết"),
    ("proposal", "Đã gửi tờ trình"),
]
LATE_KINDS = [Deadline.Kind.REGISTRATION, Deadline.Kind.SELF_SCORING, Deadline.Kind.PROPOSAL]
REGISTRATION, SELF_SCORING, PROPOSAL = (str(k.value) for k in LATE_KINDS)
MAX_BLOC_ROWS = 30  # more blocs than this: awards are grouped by province


def stage_labels() -> dict[str, str]:
    return {
        "none": _("Chưa ký giao ước"),
        "covenant": _("Đã ký giao ước"),
        "registration": _("Đăng ký thi đua"),
        "scoring": _("Chấm điểm"),
        "meeting": _("Đã họp tổng kết"),
        "proposal": _("Đã gửi tờ trình"),
    }


def _count(qs) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by().values("bloc_year_id").annotate(c=Count("pk")).values("c")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: hashed by identity (a dict key)
class OverviewYear:
    """One bloc-year of the overview: what its list row and the three charts need, no more."""

    pk: int
    bloc_name: str
    organizer_id: int
    organizer_name: str
    stage: str  # a code of STAGES
    late: dict[str, int]  # Deadline.Kind value → units late (for the proposal: 1 if late)


def _overview_scope(user, *, year: int, organizer_id: int | None):
    """The bloc-years the overview counts: visible to `user`, active, of `year`."""
    qs = BlocYear.objects.active().filter(
        year=year, bloc__in=visible_blocs(user), bloc__archived_at__isnull=True
    )
    return qs.filter(bloc__organizer_id=organizer_id) if organizer_id else qs


def overview_years(user, *, year: int, organizer_id: int | None = None) -> list[OverviewYear]:
    """The visible, active bloc-years of `year` with their stage and late counts: ONE query.

    Read as plain values, not model instances: at national scale (680 bloc-years) building
    three models per row (bloc-year, bloc, organizer) cost more than the query itself."""
    now = timezone.now()
    today = timezone.localdate()
    by = OuterRef("pk")
    deadlines = Deadline.objects.filter(bloc_year=by, done_on__isnull=True, due_on__lt=today)
    qs = (
        _overview_scope(user, year=year, organizer_id=organizer_id)
        .annotate(
            ov_covenant_signed=Exists(
                Covenant.objects.filter(
                    bloc_year=by,
                    status__in=[Covenant.Status.LOCKED, Covenant.Status.SUPERSEDED],
                )
            ),
            n_registered=_count(Registration.objects.filter(bloc_year=by)),
            ov_scoring=Exists(
                ScoringScheme.objects.filter(bloc_year=by).exclude(phase=ScoringScheme.Phase.DRAFT)
            ),
            ov_yearend_held=Exists(
                Meeting.objects.filter(bloc_year=by, kind=Meeting.Kind.YEAREND, starts_at__lt=now)
            ),
            ov_proposal_sent=Exists(
                Deadline.objects.filter(
                    bloc_year=by, kind=Deadline.Kind.PROPOSAL, done_on__isnull=False
                )
            )
            | Exists(Award.objects.filter(bloc_year=by, status=Award.Status.FINAL)),
            n_members=_count(Membership.objects.filter(bloc_year=by)),
            n_submitted=Coalesce(
                Subquery(
                    ScoreSheet.objects.filter(scheme__bloc_year=by)
                    .exclude(status=ScoreSheet.Status.DRAFT)
                    .order_by()
                    .values("scheme__bloc_year_id")
                    .annotate(c=Count("pk"))
                    .values("c")[:1],
                    output_field=IntegerField(),
                ),
                0,
            ),
            ov_late_registration=Exists(deadlines.filter(kind=Deadline.Kind.REGISTRATION)),
            ov_late_self_scoring=Exists(deadlines.filter(kind=Deadline.Kind.SELF_SCORING)),
            ov_late_proposal=Exists(deadlines.filter(kind=Deadline.Kind.PROPOSAL)),
        )
        .order_by("bloc__organizer__name", "bloc__name", "pk")
    )
    rows = []
    for (
        pk,
        bloc_name,
        org_id,
        org_name,
        covenant_signed,
        n_registered,
        scoring,
        yearend_held,
        proposal_sent,
        n_members,
        n_submitted,
        late_registration,
        late_self_scoring,
        late_proposal,
    ) in qs.values_list(
        "pk",
        "bloc__name",
        "bloc__organizer_id",
        "bloc__organizer__name",
        "ov_covenant_signed",
        "n_registered",
        "ov_scoring",
        "ov_yearend_held",
        "ov_proposal_sent",
        "n_members",
        "n_submitted",
        "ov_late_registration",
        "ov_late_self_scoring",
        "ov_late_proposal",
    ):
        stage = (
            "proposal"
            if proposal_sent
            else "meeting"
            if yearend_held
            else "scoring"
            if scoring
            else "registration"
            if n_registered
            else "covenant"
            if covenant_signed
            else "none"
        )
        late = {
            REGISTRATION: max(n_members - n_registered, 0) if late_registration else 0,
            SELF_SCORING: max(n_members - n_submitted, 0) if late_self_scoring else 0,
            PROPOSAL: 1 if late_proposal else 0,
        }
        rows.append(OverviewYear(pk, bloc_name, org_id, org_name, stage, late))
    return rows


def _overview_url(year: int, organizer_id: int | None, **extra) -> str:
    from django.utils.http import urlencode

    params = {"year": year, **({"organizer": organizer_id} if organizer_id else {}), **extra}
    return reverse("charts:overview") + "?" + urlencode(params) + "#danh-sach"


def overview_charts(user, *, year: int, organizer_id: int | None = None):
    """The three charts of the province overview, and the bloc-years they count (3 queries)."""
    rows = overview_years(user, year=year, organizer_id=organizer_id)
    key = f"{year}-{organizer_id or 'all'}"
    labels = stage_labels()
    stage_counts = {code: 0 for code, _label in STAGES}
    for y in rows:
        stage_counts[y.stage] += 1
    stages = b.stage_chart(
        key=key,
        year=year,
        bars=[
            b.Bar(labels[code], stage_counts[code], _overview_url(year, organizer_id, stage=code))
            for code, _label in STAGES
        ],
    )
    late = b.late_chart(
        key=key,
        year=year,
        bars=[
            b.Bar(
                str(kind.label) if kind != Deadline.Kind.PROPOSAL else _("Gửi tờ trình (số khối)"),
                sum(y.late[kind.value] for y in rows),
                _overview_url(year, organizer_id, late=kind.value),
            )
            for kind in LATE_KINDS
        ],
    )
    # awards by title and by bloc (or by province when there are many blocs)
    # the same bloc-years as a subquery (680 ids as parameters cost more to send than this)
    scope = _overview_scope(user, year=year, organizer_id=organizer_id).values("pk")
    counts = list(
        Award.objects.filter(bloc_year__in=scope)
        .exclude(status=Award.Status.REJECTED)
        .values_list("bloc_year_id", "award_title_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    title_ids = {t for _y, t, _n in counts}
    titles = list(
        AwardTitle.objects.filter(pk__in=title_ids)
        .order_by("rank", "name")
        .values_list("pk", "short_name", "name")
    )
    by_province = len(rows) > MAX_BLOC_ROWS
    year_by_id = {y.pk: y for y in rows}
    # row key: the organizer (id, name) at national scale, else the bloc-year
    table: dict[object, dict[int, int]] = defaultdict(dict)
    for year_id, title_id, n in counts:
        y = year_by_id.get(year_id)
        if y is None:  # a bloc-year added between the two queries
            continue
        cell = table[(y.organizer_id, y.organizer_name) if by_province else y]
        cell[title_id] = cell.get(title_id, 0) + n
    if by_province:
        report = reverse("awards:award_report")
        stacked = [
            b.StackedRow(
                org_name,
                [table[(org_id, org_name)].get(t_pk, 0) for t_pk, *_t in titles],
                [f"{report}?organizer={org_id}&year={year}&title={t_pk}" for t_pk, *_t in titles],
            )
            for org_id, org_name in sorted(table, key=lambda o: o[1])
        ]
        by = _("tỉnh")
    else:
        stacked = []
        for y in rows:
            if y not in table:
                continue
            href = reverse("awards:year_awards", args=[y.pk])
            stacked.append(
                b.StackedRow(
                    y.bloc_name,
                    [table[y].get(t_pk, 0) for t_pk, *_t in titles],
                    [href] * len(titles),
                )
            )
        by = _("khối")
    awards = b.awards_chart(
        key=key,
        year=year,
        titles=[short or name for _pk, short, name in titles],
        rows=stacked,
        by=by,
    )
    return {"rows": rows, "stages": stages, "late": late, "awards": awards}


# --- votes ---------------------------------------------------------------------------------------


def votes_data(poll, outcome, rule) -> b.VotesData | None:
    """A published candidate poll's votes against its threshold (None before publication)."""
    if poll.status != poll.Status.PUBLISHED or outcome is None or not outcome.counts:
        return None
    if poll.is_motion:
        return None
    base = outcome.base_count
    return b.VotesData(
        key=str(poll.pk),
        title=_("Kết quả biểu quyết: %(title)s") % {"title": poll.title},
        base_count=base,
        base_words=str(poll.get_base_display()).lower(),
        threshold=float(Decimal(base) * rule.numerator / rule.denominator),
        threshold_words=rule.threshold_words,
        lines=[
            b.VoteLine(ln.label, ln.votes, ln.percent, ln.status, ln.sentence)
            for ln in outcome.lines
        ],
        honour=outcome.honour,
    )


# --- the báo cáo kết quả PDF -------------------------------------------------------------------


def parse_vn_number(text: str) -> Decimal | None:
    """ "1.234,50" → Decimal("1234.50"); "" → None. The report snapshot stores printed numbers."""
    text = (text or "").strip()
    if not text:
        return None
    return Decimal(text.replace(".", "").replace(",", "."))


def report_rows(scores: list[dict]) -> list[b.ReportRow]:
    """The scores of a report snapshot (documents.builders.build_report) as chart rows.

    The snapshot is what the finalized document printed, so the chart of a finalized version is
    drawn from the same numbers as its table, never from today's database.
    """
    rows = []
    for r in scores:
        total = parse_vn_number(r.get("score", ""))
        rank_text = str(r.get("rank", "")).strip()
        if total is None or not rank_text:
            return []  # not scored yet: the report prints the member list, no chart
        rows.append(
            b.ReportRow(
                unit=r["unit"],
                rank=int(rank_text.split()[0]),
                tied="đồng hạng" in rank_text,
                main=parse_vn_number(r.get("main", "")) or Decimal(0),
                extra=parse_vn_number(r.get("bonus", "")) or Decimal(0),
                total=total,
            )
        )
    return rows
