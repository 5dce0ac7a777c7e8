"""Kiểm tra lại kết quả bỏ phiếu — a standalone verifier for khoithidua bulletins.

    python3 -m meetings.verify bieu-quyet-12.json [--seal HEX]
    python3 kiem_tra_ket_qua.py bieu-quyet-12.json [--seal HEX]

It uses only the Python standard library and imports nothing from the app: download it and the
bulletin (JSON) from a published poll's public page and run it on your own machine. It

1. recomputes every digest of the bulletin (roll, receipts, ballots) and the seal, and compares
   them with the bulletin's own, and with `--seal` (the seal printed in the minutes);
2. checks every ballot against the rule (known candidates, at most `max_marks` marks), and that
   there are as many ballots and receipts as units that voted;
3. recounts the ballots and applies the rule: the base (present units, valid ballots or all
   member units), the threshold (e.g. more than 1/2), the seats filled high to low, a tie at the
   cut-off, seats nobody reached the threshold for and who goes to another round;
4. compares its count and outcome with the app's ("published"), and prints everything.

Exit status: 0 when everything matches, 1 otherwise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from fractions import Fraction

FORMAT = "khoithidua.bulletin/1"
UNSEALED = ("digests", "published")


def canonical(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha256(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


def reached(votes: int, base: int, rule: dict) -> bool:
    if base <= 0:
        return False
    lhs, rhs = votes * rule["denominator"], base * rule["numerator"]
    return lhs > rhs if rule["strict"] else lhs >= rhs


def count(b: dict) -> dict:
    """Recount: ballots, invalid, blank, votes per option, the base."""
    rule, roll = b["rule"], b["roll"]
    option_ids = {o["id"] for o in b["options"]}
    motion = b["poll"]["kind"] == "motion"
    votes = {str(o["id"]): 0 for o in b["options"]}
    problems = []
    if b.get("paper"):
        p = b["paper"]
        returned, invalid, blank = p["returned"], p["invalid"], p["blank"]
        for key, n in p["votes"].items():
            votes[str(key)] = n
    else:
        returned, invalid, blank = len(b["ballots"]), 0, 0
        for i, ballot in enumerate(b["ballots"], 1):
            if ballot.get("invalid"):
                invalid += 1
            elif "choice" in ballot:
                if not motion or ballot["choice"] not in option_ids:
                    problems.append(f"ballot {i}: unknown choice {ballot['choice']!r}")
                    invalid += 1
                else:
                    votes[str(ballot["choice"])] += 1
            elif ballot.get("marks"):
                marks = ballot["marks"]
                if motion or any(m not in option_ids for m in marks):
                    problems.append(f"ballot {i}: unknown candidate in {marks}")
                    invalid += 1
                elif len(marks) > rule["max_marks"] or len(set(marks)) != len(marks):
                    problems.append(f"ballot {i}: {len(marks)} marks > {rule['max_marks']}")
                    invalid += 1
                else:
                    for m in marks:
                        votes[str(m)] += 1
            else:
                blank += 1
    invalid_total = invalid + (0 if rule["blank_valid"] else blank)
    valid = returned - invalid_total
    present = len(roll["voters"])
    base = {"present": present, "valid": valid, "members": roll["members"]}[rule["base"]]
    return {
        "issued": present if not b.get("paper") else b["paper"]["issued"],
        "returned": returned,
        "invalid": invalid_total,
        "blank": blank,
        "valid": valid,
        "base": base,
        "votes": votes,
        "problems": problems,
    }


def runoff_keys(rows, winners, seats_left, runoff_rule):
    rest = [r for r in rows if r[0] not in winners]
    if not rest or seats_left <= 0:
        return []
    if runoff_rule == "all":
        return [r[0] for r in rest]
    want = seats_left if runoff_rule == "tied_top" else 2 * seats_left
    picked = []
    for i, row in enumerate(rest):
        if len(picked) >= want and row[1] < rest[i - 1][1]:
            break
        picked.append(row[0])
    if runoff_rule == "tied_top":
        top = rest[0][1]
        tied_top = [r[0] for r in rest if r[1] == top]
        if len(tied_top) >= seats_left:
            return tied_top
    return picked


def outcome(b: dict, c: dict) -> dict:
    rule = b["rule"]
    if b["poll"]["kind"] == "motion":
        return {"adopted": reached(c["votes"].get("yes", 0), c["base"], rule)}
    seats = rule["seats"]
    order = {str(o["id"]): i for i, o in enumerate(b["options"])}
    rows = sorted(c["votes"].items(), key=lambda kv: (-kv[1], order[kv[0]]))
    passed = [r for r in rows if reached(r[1], c["base"], rule)]
    winners, tied = [], []
    if len(passed) <= seats:
        winners = [r[0] for r in passed]
    else:
        cut = passed[seats - 1][1]
        winners = [r[0] for r in passed if r[1] > cut]
        tied = [r[0] for r in passed if r[1] == cut]
    unfilled = 0 if tied else seats - len(winners)
    runoff = tied if tied else runoff_keys(rows, winners, unfilled, rule["runoff_rule"])
    return {
        "winners": sorted(winners),
        "tied": sorted(tied),
        "runoff": sorted(runoff),
        "unfilled": unfilled,
    }


# What the outcome is called, by the poll's kind: an honour (suy tôn danh hiệu) is conferred on
# the units that reach the threshold within the seats ("Được suy tôn"; each of them "đạt"); only
# an election (Khối trưởng, Khối phó) has units "trúng cử".
ELECTION_KINDS = ("leader", "deputy")


def outcome_words(kind: str) -> dict:
    if kind == "award":
        return {
            "winners": "Được suy tôn",
            "winner": "đạt, được suy tôn",
            "check": "đơn vị được suy tôn khớp",
        }
    if kind in ELECTION_KINDS:
        return {"winners": "Trúng cử", "winner": "trúng cử", "check": "đơn vị trúng cử khớp"}
    return {"winners": "Được chọn", "winner": "được chọn", "check": "đơn vị được chọn khớp"}


def percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "0%"
    value = round(float(Fraction(100 * part, whole)), 2)
    return f"{value:g}%".replace(".", ",")


def verify(b: dict, seal: str | None = None, out=sys.stdout) -> bool:
    ok = True

    def check(label: str, good: bool, detail: str = "") -> None:
        nonlocal ok
        ok = ok and good
        print(
            f"  [{'OK ' if good else 'SAI'}] {label}{(': ' + detail) if detail else ''}", file=out
        )

    print(
        f"Biểu quyết #{b['poll']['id']}: {b['poll']['title']} (vòng {b['poll']['round']})", file=out
    )
    check("định dạng", b.get("format") == FORMAT, str(b.get("format")))
    d = b.get("digests", {})
    check("mã băm danh sách cử tri", sha256(b["roll"]) == d.get("roll"), sha256(b["roll"]))
    check(
        "mã băm danh sách biên nhận",
        sha256(b["receipts"]) == d.get("receipts"),
        sha256(b["receipts"]),
    )
    check("mã băm nội dung phiếu", sha256(b["ballots"]) == d.get("ballots"), sha256(b["ballots"]))
    recomputed = sha256({k: v for k, v in b.items() if k not in UNSEALED})
    check("mã niêm phong", recomputed == d.get("bulletin"), recomputed)
    if seal:
        check("khớp mã niêm phong in trong biên bản", recomputed == seal.strip().lower(), seal)
    check("danh sách biên nhận sắp xếp", b["receipts"] == sorted(b["receipts"]))
    check(
        "nội dung phiếu sắp theo nội dung (không theo thứ tự bỏ phiếu)",
        b["ballots"] == sorted(b["ballots"], key=canonical),
    )
    voted = sum(1 for v in b["roll"]["voters"] if v["voted"])
    c = count(b)
    if not b.get("paper") and b["poll"]["mode"] in ("secret", "open"):
        check(
            "số phiếu = số đơn vị đã bỏ phiếu", c["returned"] == voted, f"{c['returned']} / {voted}"
        )
        check(
            "số mã biên nhận = số đơn vị đã bỏ phiếu",
            len(b["receipts"]) == voted,
            f"{len(b['receipts'])} / {voted}",
        )
    check("mọi phiếu đúng quy tắc", not c["problems"], "; ".join(c["problems"]))
    o = outcome(b, c)
    labels = {str(x["id"]): x["label"] for x in b["options"]}
    print(
        f"  Phát ra {c['issued']} · thu về {c['returned']} · hợp lệ {c['valid']} · không hợp lệ "
        f"{c['invalid']} · phiếu trắng {c['blank']} · cơ sở tính tỷ lệ ({b['rule']['base']}) {c['base']}",
        file=out,
    )
    words = outcome_words(b["poll"]["kind"])
    for key, n in sorted(c["votes"].items(), key=lambda kv: -kv[1]):
        line = f"    {labels[key]}: {n}/{c['base']} ({percent(n, c['base'])})"
        if "adopted" not in o:
            if key in o["winners"]:
                line += f" — {words['winner']}"
            elif key in o["tied"]:
                line += " — đạt ngưỡng, bằng phiếu tại vị trí cuối cùng"
            elif reached(n, c["base"], b["rule"]):
                line += " — đạt ngưỡng, không đủ suất"
            else:
                line += " — không đạt ngưỡng"
        print(line, file=out)
    if "adopted" in o:
        print(f"  Kết quả: {'thông qua' if o['adopted'] else 'không thông qua'}", file=out)
    else:
        winners = ", ".join(labels[k] for k in o["winners"]) or "—"
        print(f"  {words['winners']}: {winners}", file=out)
        if o["runoff"]:
            print(
                f"  Bầu lại / quyết định giữa: {', '.join(labels[k] for k in o['runoff'])}",
                file=out,
            )
    published = b.get("published")
    if published:
        check(
            "số phiếu khớp kết quả của phần mềm",
            {k: int(v) for k, v in published["votes"].items()} == c["votes"],
        )
        for key in ("returned", "valid", "invalid", "blank"):
            check(
                f"«{key}» khớp",
                published["counts"][key] == c[key],
                f"{published['counts'][key]} / {c[key]}",
            )
        if "adopted" in o:
            check("kết luận khớp", published.get("adopted") == o["adopted"])
        else:
            check(words["check"], sorted(map(str, published["winners"])) == o["winners"])
            check("đơn vị bầu lại khớp", sorted(map(str, published["runoff"])) == o["runoff"])
    print("KẾT LUẬN: " + ("KHỚP" if ok else "KHÔNG KHỚP"), file=out)
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Kiểm tra lại bảng kết quả bỏ phiếu (khoithidua).")
    parser.add_argument("bulletin", help="tệp JSON tải từ bảng kết quả công khai")
    parser.add_argument("--seal", help="mã niêm phong in trong biên bản (SHA-256)")
    args = parser.parse_args(argv)
    with open(args.bulletin, encoding="utf-8") as f:
        data = json.load(f)
    return 0 if verify(data, args.seal) else 1


if __name__ == "__main__":
    sys.exit(main())
