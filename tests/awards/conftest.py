"""Awards fixtures: the legal catalog, a scoring table, helpers to run a sheet through its stages."""

from decimal import Decimal

import pytest

from awards import services
from awards.catalog import ensure_catalog
from awards.models import AwardTitle, Criterion, ScoringScheme


@pytest.fixture
def titles(db) -> dict[str, AwardTitle]:
    ensure_catalog()
    return {t.code: t for t in AwardTitle.objects.all()}


@pytest.fixture
def co(titles):
    return titles["co-thi-dua-ubnd-tinh"]


@pytest.fixture
def bang_khen(titles):
    return titles["bang-khen-chu-tich-ubnd-tinh"]


def make_scheme(
    bloc_year,
    *,
    groups=2,
    per_group=2,
    max_score=Decimal(25),
    bonus=True,
    penalty=True,
    method=ScoringScheme.Method.LEADER,
    open_=False,
    **settings,
) -> ScoringScheme:
    """A criteria table whose standard criteria sum to groups × per_group × max_score."""
    scheme = services.scheme_for(bloc_year, create=True)
    scheme.total_scale = groups * per_group * max_score
    scheme.method = method
    for name, value in settings.items():
        setattr(scheme, name, value)
    scheme.save()
    for g in range(groups):
        group = services.criterion_save(
            scheme=scheme,
            parent=None,
            code=f"G{g + 1}",
            title=f"Nhóm {g + 1}",
            kind=Criterion.Kind.GROUP,
            max_score=0,
        )
        for c in range(per_group):
            services.criterion_save(
                scheme=scheme,
                parent=group,
                code=f"{g + 1}.{c + 1}",
                title=f"Tiêu chí {g + 1}.{c + 1}",
                kind=Criterion.Kind.POINTS,
                max_score=max_score,
            )
    if bonus or penalty:
        extra = services.criterion_save(
            scheme=scheme,
            parent=None,
            code="X",
            title="Cộng, trừ",
            kind=Criterion.Kind.GROUP,
            max_score=0,
        )
        if bonus:
            services.criterion_save(
                scheme=scheme,
                parent=extra,
                code="X.1",
                title="Điểm cộng",
                kind=Criterion.Kind.BONUS,
                max_score=Decimal(15),
            )
        if penalty:
            services.criterion_save(
                scheme=scheme,
                parent=extra,
                code="X.2",
                title="Điểm trừ",
                kind=Criterion.Kind.PENALTY,
                max_score=Decimal(5),
            )
    if open_:
        services.scoring_open(bloc_year=bloc_year)
        scheme.refresh_from_db()
    return scheme


def leaves(scheme):
    return list(
        scheme.criteria.exclude(kind=Criterion.Kind.GROUP).order_by("parent__position", "position")
    )


def self_assess(sheet, values: dict | None = None, default=Decimal(20), submit=True):
    """Self-score every criterion (standard ones `default`, bonus/penalty 0 unless given)."""
    values = values or {}
    entries = {}
    for c in leaves(sheet.scheme):
        if c.code in values:
            v = values[c.code]
        else:
            v = (
                default
                if c.kind not in (Criterion.Kind.BONUS, Criterion.Kind.PENALTY)
                else Decimal(0)
            )
        entries[c.pk] = {"value": Decimal(v), "evidence": "Báo cáo số 1"}
    services.sheet_self_assess(sheet=sheet, entries=entries)
    if submit:
        services.sheet_submit(sheet=sheet)
    return sheet


def finish(sheet):
    """Review without changes and lock."""
    services.sheet_review(sheet=sheet, entries={})
    services.sheet_lock(sheet=sheet)
    return sheet
