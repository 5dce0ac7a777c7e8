"""Names as of a date: what a unit, bloc, organizer or its office was called on a given day.

Every page, export, document and sort order that shows something dated asks here, with the
date of the thing shown (a meeting's day, a document's date, a year's reference date):

    from blocs import names
    names.name_on(unit, day)            # «Cục Thi hành án dân sự tỉnh» before 01/07/2025
    names.name_on(bloc, day)
    names.organizer_on(organizer, day)  # OrganizerNames: name, office_name, place_name, title…
    names.office_name_on(organizer, day)  # «Sở Nội vụ tỉnh Tuyên Quang» for Hà Giang after 07/2025
    names.sorted_by_name(units, day)

Rules:
- a rename is a dated record (UnitName, BlocName, OrganizerName): the old name is valid until
  the day before the change, the new one from the day of the change;
- an organizer that merged into another (the 2025 provinces) is succeeded from its merger date:
  `organizer_on` and `office_name_on` answer with its successor's names from that day on
  (the issuing body and the «Kính gửi» of a document dated after the merger);
- a unit keeps its own names after it merged: `name_on` says what it was called, and
  `unit_successor_on` says which unit carried it on.

Prefetch `former_names` (and `merged_into__former_names` for organizers) on lists: the helpers
then run no query.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .models import Bloc, Organizer, Unit

MAX_SUCCESSION = 10  # a chain of mergers longer than this is a data error; stop there


@dataclass(frozen=True)
class OrganizerNames:
    """An organizer's names on one day. `organizer_id` is the organizer acting that day
    (the successor after a merger); `asked_id` the one asked about."""

    organizer_id: int
    asked_id: int
    name: str
    office_name: str
    place_name: str
    province: str
    title: str  # «tỉnh Hà Giang», «thành phố Cần Thơ»

    @property
    def succeeded(self) -> bool:
        return self.organizer_id != self.asked_id

    @property
    def issuer(self) -> str:
        """The issuing body's parent line of a document, in capitals: «UBND TỈNH HÀ GIANG»."""
        return self.name.upper()

    @property
    def addressee(self) -> str:
        """Whom a proposal goes to («Kính gửi»): the office, or the council of the province."""
        return self.office_name or f"Hội đồng Thi đua - Khen thưởng {self.title}"


def acting_organizer(organizer: Organizer, on: dt.date) -> Organizer:
    """The organizer acting on `on`: itself, or whoever succeeded it by then (transitively)."""
    current = organizer
    for _ in range(MAX_SUCCESSION):
        if not current.is_defunct_on(on):
            return current
        current = current.merged_into
    return current


def organizer_on(organizer: Organizer, on: dt.date, *, follow: bool = True) -> OrganizerNames:
    """The organizer's names on `on`; with `follow`, its successor's after a merger."""
    acting = acting_organizer(organizer, on) if follow else organizer
    record = acting.record_on(on)
    if record is not None:
        name, office, place, province = (
            record.name,
            record.office_name,
            record.place_name,
            record.province,
        )
    else:
        name, office, place, province = (
            acting.name,
            acting.office_name,
            acting.place_name,
            acting.province,
        )
    return OrganizerNames(
        organizer_id=acting.pk,
        asked_id=organizer.pk,
        name=name,
        office_name=office,
        place_name=place or province,
        province=province,
        title=acting.title_on(on),
    )


def office_name_on(organizer: Organizer, on: dt.date) -> str:
    """The standing office (Sở Nội vụ …) that acts for the organizer on `on`."""
    return organizer_on(organizer, on).office_name


def name_on(obj: Unit | Bloc | Organizer | None, on: dt.date) -> str:
    """The name of a unit, bloc or organizer on `on` (an organizer's successor after a merger)."""
    if obj is None:
        return ""
    if isinstance(obj, Organizer):
        return organizer_on(obj, on).name
    return obj.name_on(on)


def short_name_on(obj: Unit | Bloc | None, on: dt.date) -> str:
    if obj is None:
        return ""
    return obj.short_name_on(on)


def unit_successor_on(unit: Unit, on: dt.date) -> Unit:
    """The unit that carries `unit` on `on`: itself, or the unit it merged into by then."""
    current = unit
    for _ in range(MAX_SUCCESSION):
        if current.merged_into_id is None or current.merged_on is None or on < current.merged_on:
            return current
        current = current.merged_into
    return current


# --- sorting ------------------------------------------------------------------------------

# Vietnamese alphabetical order: a ă â b c d đ e ê … o ô ơ … u ư …; tones come after letters.
_BASE_ORDER = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {c: i for i, c in enumerate(_BASE_ORDER)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # ă/â/ê/ô, ơ/ư


def sort_key(text: str) -> tuple:
    """A key that orders Vietnamese names as a reader expects (Đ after D, not after Z)."""
    letters, tones = [], []
    for ch in str(text).strip().lower():
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        marks = decomposed[1:]
        letter = base + "".join(m for m in marks if m in _LETTER_MARKS)
        letter = unicodedata.normalize("NFC", letter)
        if ch == "đ":
            letter = "đ"
        letters.append((_RANK.get(letter, 100 + ord(letter[0])), letter))
        tones.append(sum(_TONES.get(m, 0) for m in marks))
    return (tuple(letters), tuple(tones))


def sorted_by_name[T](
    items: Iterable[T], on: dt.date, *, key: Callable[[T], Unit | Bloc | None] | None = None
) -> list[T]:
    """`items` ordered by the name each had on `on` (items may be units, or rows holding one)."""
    get = key or (lambda item: item)
    return sorted(items, key=lambda item: sort_key(name_on(get(item), on)))
