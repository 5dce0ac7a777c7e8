"""Results are computed, never typed. Pure functions over counts, plus Vietnamese wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _


def vn_number(value: Fraction | Decimal | float | int, places: int = 2) -> str:
    """Vietnamese number format: comma decimals, dot thousands, trailing zeros dropped."""
    d = (
        Decimal(value.numerator) / Decimal(value.denominator)
        if isinstance(value, Fraction)
        else Decimal(str(value))
    )
    d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if d < 0 else ""
    integer, _, frac = f"{abs(d):f}".partition(".")
    frac = frac.rstrip("0")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = ".".join(groups)
    return f"{sign}{text},{frac}" if frac else f"{sign}{text}"


def vn_percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "0%"
    return f"{vn_number(Fraction(100 * part, whole))}%"


def threshold_phrase(base: str, numerator: int, denominator: int, strict: bool) -> str:
    """'trên 1/2 số phiếu hợp lệ', 'từ 2/3 tổng số đơn vị thành viên trở lên', …"""
    values = {"fraction": f"{numerator}/{denominator}"}
    templates = {
        ("present", True): _("trên %(fraction)s số đơn vị có mặt"),
        ("valid", True): _("trên %(fraction)s số phiếu hợp lệ"),
        ("members", True): _("trên %(fraction)s tổng số đơn vị thành viên"),
        ("present", False): _("từ %(fraction)s số đơn vị có mặt trở lên"),
        ("valid", False): _("từ %(fraction)s số phiếu hợp lệ trở lên"),
        ("members", False): _("từ %(fraction)s tổng số đơn vị thành viên trở lên"),
    }
    return templates[(base, strict)] % values


@dataclass
class Rule:
    base: str  # present | valid | members
    numerator: int
    denominator: int
    strict: bool

    def reached(self, votes: int, base_count: int) -> bool:
        if base_count <= 0:
            return False
        lhs, rhs = votes * self.denominator, base_count * self.numerator
        return lhs > rhs if self.strict else lhs >= rhs

    @property
    def threshold_words(self) -> str:
        return threshold_phrase(self.base, self.numerator, self.denominator, self.strict)


@dataclass
class Counts:
    """What was counted. `votes` maps candidate id (or motion choice) to votes.

    A blank ballot is counted apart; it is a valid ballot unless the bloc's rule says
    otherwise (`blank_valid`), in which case it counts among the invalid ones."""

    votes: dict
    ballots: int  # ballots returned / cast
    invalid: int = 0
    blank: int = 0
    present: int = 0
    members: int = 0
    blank_valid: bool = True

    @property
    def invalid_total(self) -> int:
        return self.invalid + (0 if self.blank_valid else self.blank)

    @property
    def valid(self) -> int:
        return self.ballots - self.invalid_total

    def base_count(self, base: str) -> int:
        return {"present": self.present, "valid": self.valid, "members": self.members}[base]


@dataclass
class Line:
    key: object
    label: str
    votes: int
    percent: str
    reached: bool
    status: str  # won | tie | passed | runoff | lost | (motion) adopted | rejected | info
    sentence: str
    honour: bool = False  # an honour vote (suy tôn): a winner "được suy tôn", never "trúng cử"

    @property
    def word(self) -> str:
        """The result in one word, as the poll page and the hall screen show it."""
        return status_word(self.status, honour=self.honour)


def status_word(status: str, *, honour: bool = False) -> str:
    """«Trúng cử» is for elections (Khối trưởng, Khối phó); an honour vote's unit is «Được suy
    tôn»; a motion is «Thông qua» / «Không thông qua»."""
    if status == "won":
        return _("Được suy tôn") if honour else _("Trúng cử")
    if status in ("passed", "lost"):
        return _("Không được suy tôn") if honour else _("Không trúng cử")
    return {
        "adopted": _("Thông qua"),
        "rejected": _("Không thông qua"),
        "tie": _("Bằng phiếu"),
        "runoff": _("Vào vòng bầu lại"),
    }.get(status, "")


@dataclass
class Outcome:
    lines: list[Line]
    winners: list = field(default_factory=list)  # keys
    tied: list = field(default_factory=list)  # keys tied at the cut-off
    open_seats: int = 0  # seats the tied group competes for
    unfilled: int = 0  # seats nobody reached the threshold for
    base_count: int = 0
    summary: str = ""
    adopted: bool | None = None  # motions
    counts: Counts | None = None
    runoff: list = field(default_factory=list)  # keys that go to another round (or a decision)
    runoff_seats: int = 0
    honour: bool = False  # an honour vote (Poll.Kind.AWARD): "được suy tôn", not "trúng cử"

    @property
    def contested(self) -> bool:
        """Seats left to fill by another round or, after the last one, by a decision."""
        return bool(self.runoff) and self.runoff_seats > 0


def _sentence(
    status: str, votes: int, base_count: int, rule: Rule, *, honour: bool = False, **extra
) -> str:
    """One candidate's line. Only an election's winner "trúng cử"; an honour vote's winner
    "được suy tôn" (whole sentences, so each reads right in every language)."""
    values = {
        "votes": votes,
        "base": base_count,
        "percent": vn_percent(votes, base_count),
        "threshold": rule.threshold_words,
        **extra,
    }
    strict = rule.strict
    templates = {
        ("won", True): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), vượt ngưỡng %(threshold)s; trúng cử"
        ),
        ("won", False): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), đạt ngưỡng %(threshold)s; trúng cử"
        ),
        ("tie", True): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), vượt ngưỡng %(threshold)s; bằng phiếu "
            "tại vị trí cuối cùng (%(tied)s đơn vị cho %(seats)s suất), cần bỏ phiếu lại"
        ),
        ("tie", False): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), đạt ngưỡng %(threshold)s; bằng phiếu "
            "tại vị trí cuối cùng (%(tied)s đơn vị cho %(seats)s suất), cần bỏ phiếu lại"
        ),
        ("passed", True): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), vượt ngưỡng %(threshold)s; "
            "đạt ngưỡng nhưng không đủ suất"
        ),
        ("passed", False): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), đạt ngưỡng %(threshold)s; "
            "đạt ngưỡng nhưng không đủ suất"
        ),
        ("lost", True): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), không đạt ngưỡng %(threshold)s"
        ),
        ("runoff", True): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s), không đạt ngưỡng %(threshold)s; "
            "vào vòng bầu lại (%(seats)s suất còn trống)"
        ),
        ("decided_won", True): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s); trúng cử theo quyết định của "
            "%(decided_by)s (căn cứ: %(basis)s)"
        ),
        ("decided_lost", True): _(
            "Đạt %(votes)s/%(base)s phiếu (%(percent)s); không được chọn theo quyết định của "
            "%(decided_by)s"
        ),
    }
    if honour:
        templates.update(
            {
                ("won", True): _(
                    "Đạt %(votes)s/%(base)s phiếu (%(percent)s), vượt ngưỡng %(threshold)s; "
                    "được suy tôn"
                ),
                ("won", False): _(
                    "Đạt %(votes)s/%(base)s phiếu (%(percent)s), đạt ngưỡng %(threshold)s; "
                    "được suy tôn"
                ),
                ("decided_won", True): _(
                    "Đạt %(votes)s/%(base)s phiếu (%(percent)s); được suy tôn theo quyết định "
                    "của %(decided_by)s (căn cứ: %(basis)s)"
                ),
                ("decided_lost", True): _(
                    "Đạt %(votes)s/%(base)s phiếu (%(percent)s); không được suy tôn theo quyết "
                    "định của %(decided_by)s"
                ),
            }
        )
    template = templates.get((status, strict)) or templates[(status, True)]
    return template % values


def _runoff_keys(rows: list[tuple], winners: list, seats_left: int, runoff_rule: str) -> list:
    """Who goes to another round when seats stay unfilled: the leading non-winners."""
    rest = [r for r in rows if r[0] not in winners]  # rows are sorted high → low
    if not rest or seats_left <= 0:
        return []
    if runoff_rule == "all":
        return [r[0] for r in rest]
    want = seats_left if runoff_rule == "tied_top" else 2 * seats_left
    picked = []
    for i, row in enumerate(rest):
        if len(picked) >= want and row[2] < rest[i - 1][2]:
            break
        picked.append(row[0])
    if runoff_rule == "tied_top":
        # Every one tied at the top (and at least as many as the seats left).
        top = rest[0][2]
        tied_top = [r[0] for r in rest if r[2] == top]
        if len(tied_top) >= seats_left:
            return tied_top
    return picked


def candidate_outcome(
    *,
    candidates: list[tuple[object, str]],
    counts: Counts,
    rule: Rule,
    seats: int,
    runoff_rule: str = "top_double",
    honour: bool = False,
) -> Outcome:
    """Winners high→low among those who reached the threshold. A tie at the cut-off, or a seat
    nobody reached the threshold for, sends the leading candidates to another round.

    `honour`: an honour vote (suy tôn danh hiệu), whose winners "được suy tôn"; otherwise an
    election, whose winners "trúng cử"."""
    base_count = counts.base_count(rule.base)
    rows = [(key, label, counts.votes.get(key, 0)) for key, label in candidates]
    rows.sort(key=lambda r: -r[2])
    passed = [r for r in rows if rule.reached(r[2], base_count)]
    winners, tied = [], []
    if len(passed) <= seats:
        winners = [r[0] for r in passed]
    else:
        cut = passed[seats - 1][2]
        winners = [r[0] for r in passed if r[2] > cut]
        tied = [r[0] for r in passed if r[2] == cut]
    open_seats = seats - len(winners) if tied else 0
    unfilled = 0 if tied else seats - len(winners)
    runoff, runoff_seats = (tied, open_seats) if tied else ([], 0)
    if unfilled > 0:
        runoff = _runoff_keys(rows, winners, unfilled, runoff_rule)
        runoff_seats = unfilled if runoff else 0
    lines = []
    for key, label, votes in rows:
        reached = rule.reached(votes, base_count)
        if key in winners:
            status, extra = "won", {}
        elif key in tied:
            status, extra = "tie", {"tied": len(tied), "seats": open_seats}
        elif reached:
            status, extra = "passed", {}
        elif key in runoff:
            status, extra = "runoff", {"seats": unfilled}
        else:
            status, extra = "lost", {}
        sentence = _sentence(status, votes, base_count, rule, honour=honour, **extra)
        lines.append(
            Line(
                key,
                label,
                votes,
                vn_percent(votes, base_count),
                reached,
                status,
                sentence,
                honour=honour,
            )
        )
    values = {"won": len(winners), "seats": seats}
    if honour:
        parts = [_("%(won)s/%(seats)s suất đã có đơn vị được suy tôn.") % values]
    else:
        parts = [_("%(won)s/%(seats)s suất đã có đơn vị trúng cử.") % values]
    if tied:
        parts.append(
            _("%(n)s đơn vị bằng phiếu tranh %(seats)s suất còn lại.")
            % {"n": len(tied), "seats": open_seats}
        )
    if unfilled > 0:
        parts.append(_("%(n)s suất không có đơn vị đạt ngưỡng.") % {"n": unfilled})
    outcome = Outcome(lines, winners, tied, open_seats, unfilled, base_count, " ".join(parts))
    outcome.honour = honour
    outcome.runoff, outcome.runoff_seats = runoff, runoff_seats
    return outcome


def motion_label(key: str) -> str:
    return {"yes": _("Tán thành"), "no": _("Không tán thành"), "abstain": _("Không ý kiến")}[key]


def motion_outcome(*, counts: Counts, rule: Rule) -> Outcome:
    base_count = counts.base_count(rule.base)
    yes = counts.votes.get("yes", 0)
    adopted = rule.reached(yes, base_count)
    lines = []
    for key in ("yes", "no", "abstain"):
        votes = counts.votes.get(key, 0)
        values = {
            "label": motion_label(key),
            "votes": votes,
            "base": base_count,
            "percent": vn_percent(votes, base_count),
            "threshold": rule.threshold_words,
        }
        status = "info"
        sentence = _("%(label)s: %(votes)s/%(base)s phiếu (%(percent)s)") % values
        if key == "yes":
            status = "adopted" if adopted else "rejected"
            if adopted and rule.strict:
                sentence = (
                    _(
                        "Tán thành: %(votes)s/%(base)s phiếu (%(percent)s), vượt ngưỡng %(threshold)s"
                    )
                    % values
                )
            elif adopted:
                sentence = (
                    _("Tán thành: %(votes)s/%(base)s phiếu (%(percent)s), đạt ngưỡng %(threshold)s")
                    % values
                )
            else:
                sentence = (
                    _(
                        "Tán thành: %(votes)s/%(base)s phiếu (%(percent)s), không đạt ngưỡng %(threshold)s"
                    )
                    % values
                )
        lines.append(
            Line(
                key,
                motion_label(key),
                votes,
                vn_percent(votes, base_count),
                rule.reached(votes, base_count),
                status,
                sentence,
            )
        )
    values = {
        "yes": yes,
        "base": base_count,
        "percent": vn_percent(yes, base_count),
        "threshold": rule.threshold_words,
    }
    if adopted and rule.strict:
        summary = (
            _(
                "Nội dung được thông qua với %(yes)s/%(base)s phiếu tán thành (%(percent)s), vượt ngưỡng %(threshold)s."
            )
            % values
        )
    elif adopted:
        summary = (
            _(
                "Nội dung được thông qua với %(yes)s/%(base)s phiếu tán thành (%(percent)s), đạt ngưỡng %(threshold)s."
            )
            % values
        )
    else:
        summary = (
            _(
                "Nội dung không được thông qua: %(yes)s/%(base)s phiếu tán thành (%(percent)s), chưa đạt ngưỡng %(threshold)s."
            )
            % values
        )
    return Outcome(lines, base_count=base_count, summary=summary, adopted=adopted)


# --- the typed result other apps read (documents: minutes, count minutes) ----------------------


@dataclass(frozen=True)
class OptionResult:
    """One candidate (or motion choice) of a counted poll."""

    key: object  # candidate id, or "yes" / "no" / "abstain"
    label: str
    votes: int
    percent: float | None  # on `PollResult.base_count`; None when counts were not reported
    percent_text: str  # "62,5%"
    status: str  # won | tie | passed | runoff | lost | adopted | rejected | info
    elected: bool  # won, or adopted
    sentence: str  # the whole Vietnamese sentence, e.g. "Đạt 5/8 phiếu (62,5%), vượt ngưỡng …"
    word: str = ""  # «Trúng cử» (elections), «Được suy tôn» (honours), «Thông qua» (motions)


@dataclass(frozen=True)
class PollResult:
    """A closed poll's counted result, checked against its seal.

    Produced by `meetings.services.poll_result(poll)`, which raises `TallyTampered` when the
    stored ballots no longer match the digest sealed at close."""

    poll_id: int
    title: str
    kind: str  # award | leader | deputy | motion
    mode: str  # secret | open | paper | reported
    round_no: int
    is_motion: bool
    reported: bool  # counts were not reported (show of hands, a news report)
    # Counts (None where not reported).
    issued: int | None
    returned: int | None
    valid: int | None
    invalid: int | None  # invalid ballots, blank ones included when the rule says so
    blank: int | None
    present: int | None  # units on the roll
    members: int | None  # member units of the bloc on the meeting day
    base: str  # present | valid | members
    base_label: str  # "số phiếu hợp lệ"
    base_count: int
    # The rule, with its legal basis.
    rule: str  # "trên 1/2 số phiếu hợp lệ"
    rule_basis: str
    blank_rule: str  # "Phiếu trắng là phiếu hợp lệ (căn cứ: …)."
    seats: int
    max_marks: int
    options: tuple[OptionResult, ...]
    winners: tuple[str, ...]  # labels of the elected units (in the order of the lines)
    winner_ids: tuple  # their candidate ids
    adopted: bool | None  # motions
    tied: tuple  # candidate ids tied at the cut-off
    runoff: tuple  # candidate ids that go to another round (or a decision)
    outcome: str  # the summary sentence(s)
    sentences: tuple[str, ...]  # one per option: "Công an tỉnh: Đạt 5/8 phiếu …"
    decision: str  # the recorded tie-break decision, or ""
    low_turnout: str  # a note when fewer units voted than the quorum, or ""
    digest: str  # the sealed bulletin digest (SHA-256, hex)
    roll_digest: str
