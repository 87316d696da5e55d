"""National Drug Codes on drug service lines (837P loop 2410: LIN*...*N4, CTP quantity and unit).

An NDC is printed on the package as 10 digits in one of three hyphenated layouts (4-4-2, 5-3-2,
5-4-1); claims carry the 11-digit 5-4-2 form, made by a leading zero in the short segment (the
NUCC/CMS-1500 and 837P TR3 convention). A 10-digit NDC without hyphens is ambiguous and is not guessed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

# 837P 2410 CTP05-1 unit or basis for measurement codes.
NDC_UNITS = {"UN": "unit", "ML": "millilitre", "GR": "gram", "F2": "international unit", "ME": "milligram"}
_HYPHENATED = re.compile(r"^(\d{4,5})-(\d{3,4})-(\d{1,2})$")


def normalize_ndc(text: str) -> str | None:
    """The 11-digit NDC (no hyphens), or None when `text` is not an NDC in a known layout."""
    t = (text or "").strip().replace(" ", "")
    if re.fullmatch(r"\d{11}", t):
        return t
    m = _HYPHENATED.match(t)
    if not m:
        return None
    a, b, c = m.groups()
    if (len(a), len(b), len(c)) not in ((5, 4, 2), (4, 4, 2), (5, 3, 2), (5, 4, 1)):
        return None
    return a.zfill(5) + b.zfill(4) + c.zfill(2)


@dataclass(frozen=True)
class NdcEntry:
    ndc11: str
    quantity: Decimal
    unit: str


def ndc_entry(ndc: str, quantity: Decimal | None, unit: str, line_units: Decimal) -> NdcEntry | None:
    """What the 837P 2410 loop carries for a line, or None if the NDC is missing or not valid."""
    n = normalize_ndc(ndc)
    if n is None:
        return None
    u = (unit or "UN").upper()
    if u not in NDC_UNITS:
        return None
    q = quantity if quantity is not None else line_units
    if q is None or q <= 0:
        return None
    return NdcEntry(n, q, u)
