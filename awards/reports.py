"""Read-side queries: awards tables, XLSX exports, deadlines with late units.

Every function here runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from blocs.models import BlocYear, Membership, Organizer, Unit, UnitName
from khoithidua.lib.formulas import neutralize

from .models import Award, AwardTally, Deadline, Registration, ScoreSheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _names():
    return Prefetch("unit__former_names", queryset=UnitName.objects.order_by("valid_until"))


def awards_queryset() -> QuerySet[Award]:
    return Award.objects.select_related(
        "bloc_year__bloc__organizer", "award_title", "unit"
    ).prefetch_related(_names())


def filter_awards(
    qs: QuerySet[Award], *, organizer=None, year=None, title=None, status=None, q=""
) -> QuerySet[Award]:
    if organizer:
        qs = qs.filter(bloc_year__bloc__organizer_id=organizer)
    if year:
        qs = qs.filter(year=year)
    if title:
        qs = qs.filter(award_title_id=title)
    if status:
        qs = qs.filter(status=status)
    if q:
        # A subquery, not a join on former names: no duplicate rows, no DISTINCT needed.
        units = Unit.objects.filter(
            Q(name__icontains=q) | Q(former_names__name__icontains=q)
        ).values("pk")
        qs = qs.filter(
            Q(unit__in=units) | Q(person_name__icontains=q) | Q(collective_name__icontains=q)
        )
    return qs.order_by(
        "-year",
        "bloc_year__bloc__organizer__name",
        "bloc_year__bloc__name",
        "award_title__rank",
        "unit__name",
        "person_name",
        "id",
    )


def unit_awards(units: Iterable[Unit]) -> list[Award]:
    """Every award of a unit's lineage (itself and units merged into it), newest first."""
    return list(
        awards_queryset()
        .filter(unit__in=list(units))
        .order_by("-year", "award_title__rank", "person_name", "collective_name", "id")
    )


# --- XLSX -----------------------------------------------------------------------------------

AWARD_COLUMNS = [
    _lazy("Năm"),
    _lazy("Tỉnh / cơ quan tổ chức"),
    _lazy("Khối thi đua"),
    _lazy("Danh hiệu, hình thức"),
    _lazy("Đơn vị (tên khi đó)"),
    _lazy("Tập thể trực thuộc"),
    _lazy("Cá nhân"),
    _lazy("Chức vụ"),
    _lazy("Trạng thái"),
    _lazy("Căn cứ đề nghị"),
    _lazy("Số quyết định"),
    _lazy("Ngày quyết định"),
    _lazy("Cơ quan ký"),
]


def award_rows(awards: Iterable[Award]) -> Iterator[list]:
    """Rows for awards already loaded with awards_queryset() (names as they were that year)."""
    statuses = dict(Award.Status.choices)
    for a in awards:
        yield [
            a.year,
            a.bloc_year.bloc.organizer.name,
            a.bloc_year.bloc.name,
            a.award_title.name,
            a.unit.name_in_year(a.year),
            a.collective_name,
            a.person_name,
            a.person_position,
            str(statuses.get(a.status, a.status)),
            a.source_label,
            a.decision_number,
            a.decision_date,
            a.decision_issuer,
        ]


EXPORT_FIELDS = [
    "year",
    "bloc_year__bloc__organizer__name",
    "bloc_year__bloc__name",
    "award_title__name",
    "unit__name",
    "collective_name",
    "person_name",
    "person_position",
    "status",
    "source_label",
    "decision_number",
    "decision_date",
    "decision_issuer",
    "unit_id",
]


def award_rows_fast(qs: QuerySet[Award]) -> Iterator[list]:
    """The same rows from plain tuples (no model instances): the big export streams these.

    Former unit names are read once for the units involved; a unit's name in a year is the
    name valid on that year's reference date (blocs.models.year_reference_date).
    """
    from blocs.models import year_reference_date

    statuses = {k: str(v) for k, v in Award.Status.choices}
    unit_ids = qs.order_by().values("unit_id").distinct()
    former: dict[int, list[tuple]] = {}
    for unit_id, name, valid_from, valid_until in (
        UnitName.objects.filter(unit_id__in=unit_ids)
        .values_list("unit_id", "name", "valid_from", "valid_until")
        .order_by("unit_id", "valid_until")
    ):
        former.setdefault(unit_id, []).append((valid_from, valid_until, name))
    ref_dates: dict[int, dt.date] = {}
    for row in qs.values_list(*EXPORT_FIELDS).iterator(chunk_size=5000):
        (
            year,
            org,
            bloc,
            title,
            unit_name,
            collective,
            person,
            position,
            status,
            source,
            number,
            date,
            issuer,
            uid,
        ) = row
        names = former.get(uid)
        if names:
            on = ref_dates.get(year) or ref_dates.setdefault(year, year_reference_date(year))
            unit_name = next(
                (n for f, u, n in names if on < u and (f is None or on >= f)), unit_name
            )
        yield [
            year,
            org,
            bloc,
            title,
            unit_name,
            collective,
            person,
            position,
            statuses.get(status, status),
            source,
            number,
            date,
            issuer,
        ]


def write_xlsx(sheets: list[tuple[str, list[str], Iterable[list]]]) -> bytes:
    """A write-only workbook (constant memory per row). Text never becomes a formula."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title[:31])
        head = []
        for text in header:
            cell = WriteOnlyCell(ws, value=str(text))
            cell.font = bold
            head.append(cell)
        ws.append(head)
        for row in rows:
            # neutralize() prefixes any text that could start a formula, so plain values are safe.
            ws.append([neutralize(v) if isinstance(v, str) else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_awards_xlsx(qs: QuerySet[Award]) -> bytes:
    return write_xlsx([("Khen thuong", AWARD_COLUMNS, award_rows_fast(qs))])


def export_results_xlsx(
    bloc_year: BlocYear, ranking, awards: list[Award], tallies: list[AwardTally]
) -> bytes:
    sheets = []
    if ranking is not None:
        header = (
            [_("Hạng"), _("Đồng hạng"), _("Đơn vị")]
            + [f"{g.code} {g.title}".strip() for g in ranking.groups]
            + [
                _("Điểm chuẩn"),
                _("Điểm cộng"),
                _("Điểm trừ"),
                _("Tổng điểm"),
                _("Tự chấm"),
            ]
        )
        rows = (
            [
                r.rank,
                "x" if r.tied else "",
                r.unit.name_in_year(bloc_year.year),
                *r.group_totals,
                r.main,
                r.bonus,
                r.penalty,
                r.total,
                r.self_total,
            ]
            for r in ranking.rows
        )
        sheets.append(("Xep hang", header, rows))
    sheets.append(("Khen thuong", AWARD_COLUMNS, award_rows(awards)))
    if tallies:
        sheets.append(
            (
                "So luong theo bao cao",
                [_("Danh hiệu"), _("Tập thể"), _("Cá nhân"), _("Nguồn"), _("Ghi chú")],
                (
                    [t.award_title.name, t.collectives, t.individuals, t.source_label, t.note]
                    for t in tallies
                ),
            )
        )
    return write_xlsx(sheets)


# --- deadlines ------------------------------------------------------------------------------


@dataclass
class DeadlineStatus:
    kind: str
    title: str
    due_on: dt.date
    basis: str = ""
    done_on: dt.date | None = None
    deadline: Deadline | None = None
    pending_units: list[Unit] = field(default_factory=list)
    pending_count: int = 0
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def is_default(self) -> bool:
        return self.deadline is None

    @property
    def days_left(self) -> int:
        return (self.due_on - self.today).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def overdue(self) -> bool:
        return (
            self.done_on is None
            and self.days_left < 0
            and (self.pending_count > 0 or self.kind in ("proposal", "other"))
        )

    @property
    def done(self) -> bool:
        if self.done_on is not None:
            return True
        return self.kind in ("registration", "self_scoring") and self.pending_count == 0

    @property
    def late_count(self) -> int:
        return self.pending_count if self.days_left < 0 else 0


def default_proposal_deadline(bloc_year: BlocYear, organizer: Organizer) -> dt.date:
    """The organizer's yearly proposal deadline (e.g. 10/12 in Bắc Ninh), in the bloc-year."""
    day = organizer.proposal_deadline_day
    month = organizer.proposal_deadline_month
    while True:
        try:
            return dt.date(bloc_year.year, month, day)
        except ValueError:  # 31/11 and the like: last day of that month
            day -= 1


def deadlines_for(bloc_year: BlocYear, *, today: dt.date | None = None) -> list[DeadlineStatus]:
    """Deadlines of one bloc-year with the units still pending on each (4 queries)."""
    today = today or timezone.localdate()
    organizer = bloc_year.bloc.organizer
    deadlines = list(bloc_year.deadlines.all())
    members = list(
        Unit.objects.members_of(bloc_year).prefetch_related("former_names").order_by("name")
    )
    registered = set(
        Registration.objects.filter(bloc_year=bloc_year).values_list("unit_id", flat=True)
    )
    submitted = set(
        ScoreSheet.objects.filter(scheme__bloc_year=bloc_year)
        .exclude(status=ScoreSheet.Status.DRAFT)
        .values_list("unit_id", flat=True)
    )
    result = []
    for d in deadlines:
        pending = []
        if d.kind == Deadline.Kind.REGISTRATION:
            pending = [u for u in members if u.pk not in registered]
        elif d.kind == Deadline.Kind.SELF_SCORING:
            pending = [u for u in members if u.pk not in submitted]
        result.append(
            DeadlineStatus(
                kind=d.kind,
                title=d.title,
                due_on=d.due_on,
                basis=d.basis,
                done_on=d.done_on,
                deadline=d,
                pending_units=pending,
                pending_count=len(pending),
                today=today,
            )
        )
    if not any(d.kind == Deadline.Kind.PROPOSAL for d in deadlines):
        result.append(
            DeadlineStatus(
                kind=Deadline.Kind.PROPOSAL,
                title=str(Deadline.Kind.PROPOSAL.label),
                due_on=default_proposal_deadline(bloc_year, organizer),
                basis=organizer.proposal_deadline_basis or _("Mặc định của cơ quan tổ chức"),
                today=today,
            )
        )
    result.sort(key=lambda s: s.due_on)
    return result


def _count(qs, group: str = "bloc_year_id") -> Coalesce:
    return Coalesce(
        Subquery(
            qs.values(group).annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()
        ),
        0,
    )


def deadline_summaries(
    pairs: list[tuple[BlocYear, Organizer]], *, today: dt.date | None = None
) -> dict[int, DeadlineStatus]:
    """For the dashboard: the most pressing open deadline of each bloc-year, in ONE query.

    Saved deadlines come with counts of members, registrations and submitted sheets; the
    organizer's default proposal deadline is added without a query when no row exists, and only
    while it is still ahead (for past years nobody knows whether the proposal was sent).
    """
    today = today or timezone.localdate()
    year_ids = [by.pk for by, _n in pairs]
    rows = (
        Deadline.objects.filter(bloc_year_id__in=year_ids, done_on__isnull=True)
        .annotate(
            members=_count(Membership.objects.filter(bloc_year_id=OuterRef("bloc_year_id"))),
            registered=_count(Registration.objects.filter(bloc_year_id=OuterRef("bloc_year_id"))),
            submitted=_count(
                ScoreSheet.objects.filter(scheme__bloc_year_id=OuterRef("bloc_year_id")).exclude(
                    status=ScoreSheet.Status.DRAFT
                ),
                "scheme__bloc_year_id",
            ),
        )
        .order_by("due_on")
        if year_ids
        else []
    )
    by_year: dict[int, list[DeadlineStatus]] = {}
    has_proposal = set()
    for d in rows:
        pending = 0
        if d.kind == Deadline.Kind.REGISTRATION:
            pending = max(d.members - d.registered, 0)
        elif d.kind == Deadline.Kind.SELF_SCORING:
            pending = max(d.members - d.submitted, 0)
        if d.kind == Deadline.Kind.PROPOSAL:
            has_proposal.add(d.bloc_year_id)
        status = DeadlineStatus(
            kind=d.kind,
            title=d.title,
            due_on=d.due_on,
            basis=d.basis,
            deadline=d,
            pending_count=pending,
            today=today,
        )
        if not status.done:
            by_year.setdefault(d.bloc_year_id, []).append(status)
    for by, organizer in pairs:
        if by.pk in has_proposal:
            continue
        due = default_proposal_deadline(by, organizer)
        if due >= today:
            by_year.setdefault(by.pk, []).append(
                DeadlineStatus(
                    kind=Deadline.Kind.PROPOSAL,
                    title=str(Deadline.Kind.PROPOSAL.label),
                    due_on=due,
                    basis=organizer.proposal_deadline_basis,
                    today=today,
                )
            )
    return {pk: min(items, key=lambda s: s.due_on) for pk, items in by_year.items()}


# --- the báo cáo / tờ trình data (documents) --------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    unit: str  # the unit's name on the document's date
    main: Decimal | None  # None: the year has no final ranking
    bonus: Decimal | None  # bonus and penalty together
    total: Decimal | None
    rank: int | None
    tied: bool


@dataclass(frozen=True)
class AwardItem:
    unit: str
    person: str  # a person's or a collective's name, else ""
    position: str
    basis: str  # «Biểu quyết tại <hội nghị> ngày dd/mm/yyyy», «Quyết định số …», or ""
    final: bool  # a decision is recorded


@dataclass(frozen=True)
class AwardGroup:
    title: str
    items: tuple[AwardItem, ...]


@dataclass(frozen=True)
class ReportData:
    """What the báo cáo kết quả and the tờ trình đề nghị khen thưởng of a bloc-year state, as
    of `date` (the year-end meeting's day, else the year's reference date)."""

    bloc_year_id: int
    date: dt.date
    meeting_title: str  # the year-end meeting, or ""
    meeting_date: dt.date | None
    scores: tuple[ScoreLine, ...]
    award_groups: tuple[AwardGroup, ...]


def report_data(bloc_year: BlocYear) -> ReportData:
    """The awards side of the year's report and proposal (documents render it; see
    documents.builders.build_report / build_proposal). The basis of each proposed award is the
    meeting that voted it, never the note saying where the record came from."""
    from meetings.models import Meeting

    from .ranking import ranking_for

    meetings = list(Meeting.objects.filter(bloc_year=bloc_year).order_by("starts_at"))
    by_day = {timezone.localtime(m.starts_at).date(): m for m in meetings}
    year_end = [m for m in meetings if m.kind == Meeting.Kind.YEAREND]
    last = year_end[-1] if year_end else None
    on = timezone.localtime(last.starts_at).date() if last else bloc_year.reference_date
    scores = []
    ranking = ranking_for(bloc_year)
    if ranking is not None and ranking.rows:
        for r in sorted(ranking.rows, key=lambda r: (r.rank, r.unit.name)):
            scores.append(
                ScoreLine(r.unit.name_on(on), r.main, r.bonus + r.penalty, r.total, r.rank, r.tied)
            )
    else:
        members = (
            bloc_year.memberships.select_related("unit")
            .prefetch_related("unit__former_names")
            .order_by("unit__name")
        )
        for m in members:
            if m.active_on(on):
                scores.append(ScoreLine(m.unit.name_on(on), None, None, None, None, False))
    groups: dict[str, list[AwardItem]] = {}
    for a in (
        Award.objects.filter(bloc_year=bloc_year)
        .exclude(status=Award.Status.REJECTED)
        .select_related("award_title", "unit")
        .prefetch_related("unit__former_names")
        .order_by("award_title__rank", "id")
    ):
        meeting = by_day.get(a.proposed_on)
        if meeting is not None:
            day = timezone.localtime(meeting.starts_at)
            basis = f"Biểu quyết tại {meeting.title} ngày {day:%d/%m/%Y}"
        elif a.decision_number:
            basis = f"Quyết định số {a.decision_number}"
        else:
            basis = ""
        groups.setdefault(a.award_title.name, []).append(
            AwardItem(
                unit=a.unit.name_on(on) if a.unit_id else "",
                person=a.person_name or a.collective_name,
                position=a.person_position,
                basis=basis,
                final=a.status == Award.Status.FINAL,
            )
        )
    return ReportData(
        bloc_year_id=bloc_year.pk,
        date=on,
        meeting_title=last.title if last else "",
        meeting_date=timezone.localtime(last.starts_at).date() if last else None,
        scores=tuple(scores),
        award_groups=tuple(AwardGroup(t, tuple(items)) for t, items in groups.items()),
    )
