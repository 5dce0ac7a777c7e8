"""The public bulletin of a closed poll, and the digest that seals it.

Format `khoithidua.bulletin/1` (documented in README, "Kiểm tra lại kết quả"): a JSON object

    {
      "format": "khoithidua.bulletin/1",
      "poll":     {"id", "title", "kind", "mode", "round"},
      "rule":     {"seats", "max_marks", "base", "numerator", "denominator", "strict",
                   "blank_valid", "allow_self_vote", "runoff_rule", "basis", "blank_basis"},
      "options":  [{"id", "label"}, …]          candidates (ids as stored), or the 3 motion choices
      "roll":     {"members", "quorum_needed", "voters": [{"unit", "name", "voted"}, …]}
      "receipts": ["K7M2…", …]                  sorted: proof of inclusion, nothing about content
      "ballots":  [{"marks": [id, …]} | {"choice": "yes"} | {"invalid": true}, …]
                                                 sorted canonically: no order, no receipt
      "paper":    null | {"issued", "returned", "invalid", "blank", "votes": {id: n}}
      "named":    null | [{"unit", "marks" | "choice"}, …]   open (named) votes only
      "digests":  {"roll", "receipts", "ballots", "bulletin"},
      "published": {"counts", "votes", "winners", "tied", "runoff", "adopted"}   (download only)
    }

Canonical JSON: UTF-8, keys sorted, no spaces (`separators=(",", ":")`), `ensure_ascii=False`.
Each section digest is SHA-256 of the canonical JSON of that section. `digests.bulletin` (the
seal) is SHA-256 of the canonical JSON of the whole object without "digests" and "published"
(the app's own count, which the verifier recomputes and compares). The seal is
stored in the poll row and the audit log at close and printed in the minutes.

The counts and the outcome are not part of the seal: anyone recomputes them from the sealed
inputs (`meetings/verify.py`, which imports nothing from this app).
"""

from __future__ import annotations

import hashlib
import json

FORMAT = "khoithidua.bulletin/1"
MOTION_CHOICES = ("yes", "no", "abstain")


def canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha256(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def ballot_entry(*, marks=(), choice: str = "", invalid: bool = False) -> dict:
    if invalid:
        return {"invalid": True}
    if choice:
        return {"choice": choice}
    return {"marks": sorted(int(m) for m in marks)}


def build(
    *,
    poll: dict,
    rule: dict,
    options: list[dict],
    roll: dict,
    receipts: list[str],
    ballots: list[dict],
    paper: dict | None = None,
    named: list[dict] | None = None,
) -> dict:
    """The bulletin with its digests. Lists are put in canonical order here."""
    body = {
        "format": FORMAT,
        "poll": poll,
        "rule": rule,
        "options": sorted(options, key=lambda o: str(o["id"])),
        "roll": {**roll, "voters": sorted(roll["voters"], key=lambda v: v["unit"])},
        "receipts": sorted(receipts),
        "ballots": sorted(ballots, key=canonical),
        "paper": paper,
        "named": sorted(named, key=lambda n: n["unit"]) if named is not None else None,
    }
    body["digests"] = {
        "roll": sha256(body["roll"]),
        "receipts": sha256(body["receipts"]),
        "ballots": sha256(body["ballots"]),
        "bulletin": seal_of(body),
    }
    return body


UNSEALED = ("digests", "published")


def seal_of(bulletin: dict) -> str:
    return sha256({k: v for k, v in bulletin.items() if k not in UNSEALED})
