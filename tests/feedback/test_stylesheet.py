"""A merge once dropped the closing brace of a phone-only @media block: every rule after it
(secret-ballot slips, the header's name link…) applied only below 380 px. Keep the blocks closed."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def test_every_block_of_the_stylesheet_is_closed_and_top_level_rules_stay_top_level():
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(("@media", "@supports")):
            assert depth == 0, f"line {number}: an @-block opens inside another one"
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {number}: a brace closes nothing"
    assert depth == 0


def test_the_browsers_own_favicon_request_finds_the_icon(client, db):
    """A document preview has no <link rel=icon>: Chromium asks for /favicon.ico (a 404 and a
    console error in the screenshot tour before)."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    icon.close()  # a file response: close it (filterwarnings = error)
