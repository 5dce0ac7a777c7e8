"""The one spreadsheet-formula guard, for exports (neutralise) and imports and forms (reject).

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, OWASP "CSV
injection") is read as a formula by Excel and LibreOffice. Exports prefix such text with an
apostrophe; imports and forms refuse text that starts with `=`, `+` or `@` (a leading `-` is
a normal value, for example a negative number or a dash).
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_REJECT = ("=", "+", "@")


def neutralize(value) -> str:
    """Make a cell safe to open in a spreadsheet: no formula can start it."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def unneutralize(value: str) -> str:
    """Undo `neutralize` on a value read back from our own export."""
    if value.startswith("'") and value[1:2] in FORMULA_START:
        return value[1:]
    return value
