"""Write tests/durations.json (seconds per test file) from a run's JUnit XML.

    .venv/bin/python -m pytest -n 2 --dist loadfile --junitxml=var/junit.xml -o junit_family=xunit1
    .venv/bin/python scripts/test_durations.py var/junit.xml

tests/conftest.py starts the longest files first, so that `make test`'s workers finish together.
Re-run it when files are added or become much slower; a file missing from it counts as the median.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(junit: str) -> None:
    seconds: dict[str, float] = defaultdict(float)
    for case in ET.parse(junit).getroot().iter("testcase"):
        if case.get("file"):  # the xunit1 family names the file of each case
            seconds[case.get("file")] += float(case.get("time") or 0)
    if not seconds:
        raise SystemExit(f"{junit}: no test case names its file (run with -o junit_family=xunit1)")
    out = {path: round(s, 1) for path, s in sorted(seconds.items(), key=lambda kv: -kv[1])}
    target = ROOT / "tests" / "durations.json"
    target.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{target.relative_to(ROOT)}: {len(out)} files, {sum(out.values()):.0f} s in all")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "var" / "junit.xml"))
