"""Matching units (or blocs) of one organizer to those of another: by code, short name, name.

Pure functions over plain values (no ORM), used by the province merger (each unit of the
merged province → its counterpart in the receiving one) and by the registry import (each unit
of the file → its predecessor in a merged province). Every guess carries its reason, shown to
the operator for confirmation; nothing is linked without a confirmation.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

# A name similarity at or above this is offered as the default choice; below it (down to
# SUGGEST_AT) it is only listed as a possibility.
ACCEPT_AT = 0.85
SUGGEST_AT = 0.6
MAX_GUESSES = 5
# Names are first ranked by shared character pairs (Dice); the closest few get the exact score.
NAME_CANDIDATES = 12
MIN_DICE = 0.4


def fold(text: str) -> str:
    """Lowercase without diacritics or extra spaces: «Tòa án  nhân dân» → «toa an nhan dan»."""
    text = unicodedata.normalize("NFD", str(text).replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", text).strip().lower()


# Words that name the level of an agency rather than the agency itself.
_NOISE = re.compile(r"\b(tinh|thanh pho|tp|cuc|so)\b")


def _name_key(name: str) -> str:
    return re.sub(r"\s+", " ", _NOISE.sub(" ", fold(name))).strip()


def _bigrams(key: str) -> frozenset[str]:
    padded = f" {key} "
    return frozenset(padded[i : i + 2] for i in range(len(padded) - 1))


@dataclass(frozen=True)
class Item:
    """A unit or bloc to match: its id, code, name and short name."""

    id: int
    code: str
    name: str
    short_name: str = ""


@dataclass(frozen=True)
class Guess:
    target_id: int
    reason: str  # "code", "short_name", "name"
    score: float  # 1.0 for code and short name; the similarity for a name

    @property
    def strong(self) -> bool:
        return self.reason in ("code", "short_name") or self.score >= ACCEPT_AT

    def label(self) -> str:
        if self.reason == "code":
            return _("khớp mã")
        if self.reason == "short_name":
            return _("khớp tên viết tắt")
        return _("tên gần giống (%(percent)s%%)") % {"percent": round(self.score * 100)}


def similarity(a: str, b: str) -> float:
    """How alike two names are, from 0 to 1, ignoring diacritics, case and level words."""
    ka, kb = _name_key(a), _name_key(b)
    if not ka or not kb:
        return 0.0
    if ka == kb:
        return 1.0 if fold(a) == fold(b) else 0.97
    return difflib.SequenceMatcher(None, ka, kb, autojunk=False).ratio()


def guesses_for(item: Item, targets: list[Item], *, index: _Index | None = None) -> list[Guess]:
    """Every plausible counterpart of `item` among `targets`, strongest first."""
    index = index or _Index(targets)
    found: dict[int, Guess] = {}
    for target in index.by_code.get(item.code.lower(), []):
        found[target.id] = Guess(target.id, "code", 1.0)
    if item.short_name:
        for target in index.by_short.get(fold(item.short_name), []):
            found.setdefault(target.id, Guess(target.id, "short_name", 1.0))
    # The same scores as `similarity`, for the targets most alike by character pairs (a
    # cheap set operation): a national-size province compares 200 × 200 names in a blink,
    # and only the closest NAME_CANDIDATES get difflib's exact ratio.
    key = _name_key(item.name)
    folded = fold(item.name)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)
    pairs = _bigrams(key)
    ranked = []
    for target in targets:
        if target.id in found or not key:
            continue
        other = index.bigrams[target.id]
        if not other:
            continue
        dice = 2 * len(pairs & other) / (len(pairs) + len(other))
        if dice >= MIN_DICE:
            ranked.append((-dice, target.id, target))
    ranked.sort(key=lambda x: (x[0], x[1]))
    for _dice, _id, target in ranked[:NAME_CANDIDATES]:
        target_key = index.keys[target.id]
        if not target_key:
            continue
        if target_key == key:
            score = 1.0 if index.folded[target.id] == folded else 0.97
        else:
            matcher.set_seq1(target_key)
            if matcher.real_quick_ratio() < SUGGEST_AT or matcher.quick_ratio() < SUGGEST_AT:
                continue
            score = matcher.ratio()
        if score >= SUGGEST_AT:
            found[target.id] = Guess(target.id, "name", score)
    order = {"code": 0, "short_name": 1, "name": 2}
    return sorted(found.values(), key=lambda g: (order[g.reason], -g.score, g.target_id))[
        :MAX_GUESSES
    ]


class _Index:
    def __init__(self, targets: list[Item]):
        self.by_code: dict[str, list[Item]] = {}
        self.by_short: dict[str, list[Item]] = {}
        self.keys = {t.id: _name_key(t.name) for t in targets}
        self.bigrams = {t.id: _bigrams(self.keys[t.id]) for t in targets}
        self.folded = {t.id: fold(t.name) for t in targets}
        for t in targets:
            self.by_code.setdefault(t.code.lower(), []).append(t)
            if t.short_name:
                self.by_short.setdefault(fold(t.short_name), []).append(t)


def match_all(items: list[Item], targets: list[Item]) -> dict[int, list[Guess]]:
    """Guesses for every item. A target is the default of at most one item: when two items
    claim the same target, the stronger claim keeps it as default (see `defaults`)."""
    index = _Index(targets)
    return {item.id: guesses_for(item, targets, index=index) for item in items}


def defaults(guesses: dict[int, list[Guess]]) -> dict[int, int | None]:
    """The proposed target of each item: its best strong guess not claimed by a stronger item."""
    claims: list[tuple[tuple, int, int]] = []
    order = {"code": 0, "short_name": 1, "name": 2}
    for item_id, item_guesses in guesses.items():
        for g in item_guesses:
            if g.strong:
                claims.append(((order[g.reason], -g.score, item_id), item_id, g.target_id))
    chosen: dict[int, int | None] = dict.fromkeys(guesses)
    taken: set[int] = set()
    for _key, item_id, target_id in sorted(claims):
        if chosen[item_id] is None and target_id not in taken:
            chosen[item_id] = target_id
            taken.add(target_id)
    return chosen
