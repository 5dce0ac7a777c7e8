"""The ranking of a bloc-year's score sheets, in a constant number of queries.

Per unit: group subtotals, the standard score (points, yes/no, target criteria), bonus points
(capped by the scheme), penalties, the total and a rank. Ties are explicit: equal totals get the
same rank ("đồng hạng", standard competition ranking 1, 2, 2, 4), unless the scheme breaks ties
on the standard score first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Sum
from django.db.models.functions import Coalesce

from blocs.models import BlocYear, UnitName

from .models import Criterion, Score, ScoreSheet, ScoringScheme

ZERO = Decimal(0)
EXTRA_KINDS = (Criterion.Kind.BONUS, Criterion.Kind.PENALTY)


@dataclass
class RankRow:
    sheet: ScoreSheet
    group_totals: list[Decimal]
    main: Decimal = ZERO
    bonus_raw: Decimal = ZERO
    bonus: Decimal = ZERO
    penalty: Decimal = ZERO
    self_total: Decimal = ZERO
    rank: int = 0
    tied: bool = False

    @property
    def unit(self):
        return self.sheet.unit

    @property
    def total(self) -> Decimal:
        return self.main + self.bonus + self.penalty

    @property
    def bonus_capped(self) -> bool:
        return self.bonus < self.bonus_raw


@dataclass
class Ranking:
    scheme: ScoringScheme
    groups: list[Criterion]
    rows: list[RankRow] = field(default_factory=list)

    @property
    def final(self) -> bool:
        return self.scheme.phase == ScoringScheme.Phase.LOCKED

    @property
    def ties(self) -> list[list[RankRow]]:
        by_rank: dict[int, list[RankRow]] = {}
        for row in self.rows:
            by_rank.setdefault(row.rank, []).append(row)
        return [rows for rows in by_rank.values() if len(rows) > 1]


def ranking_for(bloc_year: BlocYear) -> Ranking | None:
    scheme = ScoringScheme.objects.filter(bloc_year=bloc_year).first()
    if scheme is None or scheme.phase == ScoringScheme.Phase.DRAFT:
        return None
    return compute_ranking(scheme)


def compute_ranking(scheme: ScoringScheme) -> Ranking:
    """Four queries whatever the number of units and criteria."""
    return compute_rankings([scheme])[scheme.pk]


def compute_rankings(schemes: list[ScoringScheme]) -> dict[int, Ranking]:
    """The rankings of several schemes (a unit's years): four queries whatever their number."""
    if not schemes:
        return {}
    by_pk = {s.pk: s for s in schemes}
    criteria_of: dict[int, list[Criterion]] = {pk: [] for pk in by_pk}
    for c in Criterion.objects.filter(scheme__in=schemes).only(
        "pk", "scheme_id", "parent_id", "kind", "code", "title", "position", "max_score"
    ):
        criteria_of[c.scheme_id].append(c)
    names = Prefetch("unit__former_names", queryset=UnitName.objects.order_by("valid_until"))
    sheets = list(
        ScoreSheet.objects.filter(scheme__in=schemes).select_related("unit").prefetch_related(names)
    )
    rows: dict[int, RankRow] = {}
    group_index: dict[int, int] = {}
    groups_of: dict[int, list[Criterion]] = {}
    for pk, criteria in criteria_of.items():
        groups = sorted(
            (c for c in criteria if c.kind == Criterion.Kind.GROUP),
            key=lambda c: (c.position, c.pk),
        )
        group_max = {g.pk: ZERO for g in groups}
        for c in criteria:
            if c.parent_id in group_max and c.kind not in EXTRA_KINDS:
                group_max[c.parent_id] += c.max_score
        for i, g in enumerate(groups):
            g.subtotal_max = group_max[g.pk]
            group_index[g.pk] = i
        groups_of[pk] = groups
    for s in sheets:
        s.scheme = by_pk[s.scheme_id]  # as scheme.sheets would have set it: no query later
        rows[s.pk] = RankRow(sheet=s, group_totals=[ZERO] * len(groups_of[s.scheme_id]))
    sums = (
        Score.objects.filter(sheet__scheme__in=schemes)
        .values("sheet_id", "criterion__parent_id", "criterion__kind")
        .annotate(final=Sum(Coalesce("review_value", "self_value")), own=Sum("self_value"))
        .order_by()
    )
    for item in sums:
        row = rows.get(item["sheet_id"])
        if row is None:
            continue
        value = item["final"] or ZERO
        row.self_total += item["own"] or ZERO
        kind = item["criterion__kind"]
        if kind == Criterion.Kind.BONUS:
            row.bonus_raw += value
        elif kind == Criterion.Kind.PENALTY:
            row.penalty += value
        else:
            row.main += value
        index = group_index.get(item["criterion__parent_id"])
        if index is not None:
            row.group_totals[index] += value
    result = {}
    for pk, scheme in by_pk.items():
        mine = [r for r in rows.values() if r.sheet.scheme_id == pk]
        for row in mine:
            row.bonus = min(row.bonus_raw, scheme.bonus_cap)
        ordered = _rank(mine, use_base=scheme.tie_break == ScoringScheme.TieBreak.BASE)
        result[pk] = Ranking(scheme=scheme, groups=groups_of[pk], rows=ordered)
    return result


def _rank(rows: list[RankRow], *, use_base: bool) -> list[RankRow]:
    def key(row: RankRow):
        return (-row.total, -row.main) if use_base else (-row.total,)

    rows.sort(key=lambda r: (*key(r), r.unit.name))
    previous = None
    for position, row in enumerate(rows, start=1):
        k = key(row)
        row.rank = previous[1] if previous and previous[0] == k else position
        previous = (k, row.rank)
    counts: dict[int, int] = {}
    for row in rows:
        counts[row.rank] = counts.get(row.rank, 0) + 1
    for row in rows:
        row.tied = counts[row.rank] > 1
    return rows
