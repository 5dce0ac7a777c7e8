"""Results are computed, never typed. Pure functions over counts, plus Vietnamese wording."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


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
    def base_words(self) -> str:
        return {
            "present": "số đơn vị có mặt",
            "valid": "số phiếu hợp lệ",
            "members": "tổng số đơn vị thành viên",
        }[self.base]

    @property
    def threshold_words(self) -> str:
        frac = f"{self.numerator}/{self.denominator}"
        return (
            f"trên {frac} {self.base_words}"
            if self.strict
            else f"từ {frac} {self.base_words} trở lên"
        )


@dataclass
class Counts:
    """What was counted. `votes` maps candidate id (or motion choice) to votes."""

    votes: dict
    ballots: int  # ballots returned / cast
    invalid: int = 0
    blank: int = 0
    present: int = 0
    members: int = 0

    @property
    def valid(self) -> int:
        return self.ballots - self.invalid

    def base_count(self, base: str) -> int:
        return {"present": self.present, "valid": self.valid, "members": self.members}[base]


@dataclass
class Line:
    key: object
    label: str
    votes: int
    percent: str
    reached: bool
    status: str  # won | tie | passed | lost | (motion) adopted | rejected
    sentence: str


@dataclass
class Outcome:
    lines: list[Line]
    winners: list = field(default_factory=list)  # keys
    tied: list = field(default_factory=list)  # keys tied at the cut-off
    open_seats: int = 0  # seats the tied group competes for
    unfilled: int = 0
    base_count: int = 0
    summary: str = ""
    adopted: bool | None = None  # motions
    counts: Counts | None = None


def _sentence(votes: int, base_count: int, rule: Rule, reached: bool) -> str:
    pct = vn_percent(votes, base_count)
    head = f"Đạt {votes}/{base_count} phiếu ({pct})"
    if reached:
        verb = "vượt ngưỡng" if rule.strict else "đạt ngưỡng"
        return f"{head}, {verb} {rule.threshold_words}"
    return f"{head}, không đạt ngưỡng {rule.threshold_words}"


def candidate_outcome(
    *, candidates: list[tuple[object, str]], counts: Counts, rule: Rule, seats: int
) -> Outcome:
    """Winners high→low among those who reached the threshold; a tie at the cut-off is flagged."""
    base_count = counts.base_count(rule.base)
    rows = [(key, label, counts.votes.get(key, 0)) for key, label in candidates]
    rows.sort(key=lambda r: -r[2])
    passed = [r for r in rows if rule.reached(r[2], base_count)]
    winners, tied = [], []
    if len(passed) <= seats:
        winners = [r[0] for r in passed]
    else:
        cut = passed[seats - 1][2]
        above = [r for r in passed if r[2] > cut]
        at_cut = [r for r in passed if r[2] == cut]
        if len(above) + len(at_cut) <= seats:  # cannot happen, kept for clarity
            winners = [r[0] for r in above + at_cut]
        else:
            winners = [r[0] for r in above]
            tied = [r[0] for r in at_cut]
    open_seats = seats - len(winners) if tied else 0
    lines = []
    for key, label, votes in rows:
        reached = rule.reached(votes, base_count)
        sentence = _sentence(votes, base_count, rule, reached)
        if key in winners:
            status = "won"
            sentence += "; trúng cử"
        elif key in tied:
            status = "tie"
            sentence += f"; bằng phiếu tại vị trí cuối cùng ({len(tied)} đơn vị cho {open_seats} suất), cần bỏ phiếu lại"
        elif reached:
            status = "passed"
            sentence += "; đạt ngưỡng nhưng không đủ suất"
        else:
            status = "lost"
        lines.append(
            Line(key, label, votes, vn_percent(votes, base_count), reached, status, sentence)
        )
    unfilled = seats - len(winners) - (open_seats if tied else 0)
    parts = [f"{len(winners)}/{seats} suất đã có người trúng cử"]
    if tied:
        parts.append(f"{len(tied)} đơn vị bằng phiếu tranh {open_seats} suất còn lại")
    if unfilled > 0:
        parts.append(f"{unfilled} suất không có đơn vị đạt ngưỡng")
    return Outcome(
        lines, winners, tied, open_seats, max(unfilled, 0), base_count, "; ".join(parts) + "."
    )


MOTION_LABELS = {"yes": "Tán thành", "no": "Không tán thành", "abstain": "Không ý kiến"}


def motion_outcome(*, counts: Counts, rule: Rule) -> Outcome:
    base_count = counts.base_count(rule.base)
    yes = counts.votes.get("yes", 0)
    adopted = rule.reached(yes, base_count)
    lines = []
    for key in ("yes", "no", "abstain"):
        votes = counts.votes.get(key, 0)
        reached = rule.reached(votes, base_count)
        sentence = (
            f"{MOTION_LABELS[key]}: {votes}/{base_count} phiếu ({vn_percent(votes, base_count)})"
        )
        status = "info"
        if key == "yes":
            sentence = _sentence(yes, base_count, rule, adopted).replace("Đạt", "Tán thành:", 1)
            status = "adopted" if adopted else "rejected"
        lines.append(
            Line(
                key,
                MOTION_LABELS[key],
                votes,
                vn_percent(votes, base_count),
                reached,
                status,
                sentence,
            )
        )
    summary = (
        f"Nội dung được thông qua với {yes}/{base_count} phiếu tán thành ({vn_percent(yes, base_count)}), "
        f"{'vượt' if rule.strict else 'đạt'} ngưỡng {rule.threshold_words}."
        if adopted
        else f"Nội dung không được thông qua: {yes}/{base_count} phiếu tán thành ({vn_percent(yes, base_count)}), "
        f"chưa đạt ngưỡng {rule.threshold_words}."
    )
    return Outcome(lines, base_count=base_count, summary=summary, adopted=adopted)
