"""Numbers as the pages show them, in the active language (Vietnamese: "95,50", "71,43%").

The ranking table prints scores with `floatformat:"2"` and the poll results print percentages
with trailing zeros dropped ("87,5%"); the charts use the same forms so that a chart and the
table beside it read the same.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, numberformat


def number(value, places: int = 2, *, trim: bool = False) -> str:
    """95.5 → "95,50" (vi) / "95.50" (en), thousands grouped ("1.234"); `trim` drops zeros."""
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if trim:
        d = d.normalize()
        places = max(0, -d.as_tuple().exponent)
    return numberformat.format(
        d,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=places,
        grouping=3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def percent(part, whole, places: int = 2) -> str:
    """5 of 7 → "71,43%", 7 of 8 → "87,5%". An empty base gives "—", never a division error."""
    if not whole:
        return "—"
    return f"{number(Decimal(part) * 100 / Decimal(whole), places, trim=True)}%"
