"""Look a code up in whichever code set it belongs to; the JSON shape the CLI and the UI share.

Other code sets (ICD-10-PCS, HCPCS, CPT) plug in through `register_system`: a function that
returns a result dict for a code in its format, or None when the code is not of that format.
"""
from __future__ import annotations

import re
from typing import Any, Callable

from workstation.codes import books
from workstation.codes.icd10cm import normalize


class LookupError_(Exception):
    """An unknown or malformed code; the message names it."""


ICD10CM_FORMAT = re.compile(r"^[A-Z]\d[0-9A-Z](\.?[0-9A-Z]{1,4})?$")

# name -> (format test, resolver)
SYSTEMS: list[tuple[str, Callable[[str], bool], Callable[..., dict[str, Any] | None]]] = []


def register_system(name: str, matches: Callable[[str], bool], resolve: Callable[..., dict[str, Any] | None]) -> None:
    SYSTEMS.append((name, matches, resolve))


def icd10cm_result(code: str, date: str | None = None, year: int | None = None) -> dict[str, Any] | None:
    book = books.icd10cm(year, date=date) if (year or date) else books.icd10cm()
    c = book.get(code)
    if c is None:
        return None
    sev = book.seventh_characters(c.code) if c.level not in ("chapter", "block") else None
    return {
        "code": c.code,
        "system": "icd10cm",
        "release": f"FY{book.fiscal_year}",
        "title": c.title,
        "billable": c.billable,
        "level": c.level,
        "needs_seventh": book.needs_seventh(c.code),
        "path": [{"code": p.code, "title": p.title, "level": p.level} for p in book.path(c.code)],
        "children": [{"code": k.code, "title": k.title, "billable": k.billable} for k in book.children(c.code)],
        "notes": [
            {
                "kind": n.kind,
                "label": n.label,
                "text": n.text,
                "origin": n.origin,
                "origin_level": n.origin_level,
                "refs": [{"start": r.start, "end": r.end, "text": r.text, "incomplete": r.incomplete} for r in n.refs],
            }
            for n in book.notes(c.code)
        ],
        "seventh": {"origin": sev[0], "chars": sev[1], "inclusions": book.seventh_inclusions(c.code)} if sev else None,
        "book": {"name": book.name, "origin": book.origin, "provisional": book.provisional},
        "provenance": book.provenance(c.code),
    }


def lookup(code: str, date: str | None = None, year: int | None = None) -> dict[str, Any]:
    """Resolve a code in any loaded system; LookupError_ names an unknown or malformed code."""
    raw = code.strip()
    if not raw:
        raise LookupError_("empty code")
    upper = raw.upper()
    for name, matches, resolve in SYSTEMS:
        if matches(upper):
            hit = resolve(upper, date=date, year=year)
            if hit is not None:
                return hit
    _load_other_systems()
    for name, matches, resolve in SYSTEMS:
        if matches(upper):
            hit = resolve(upper, date=date, year=year)
            if hit is not None:
                return hit
    if ICD10CM_FORMAT.match(upper.replace(" ", "")):
        hit = icd10cm_result(upper, date=date, year=year)
        if hit is not None:
            return hit
        book = books.icd10cm(year, date=date) if (year or date) else books.icd10cm()
        c = normalize(raw)
        other = [y for y in books.icd10cm_years() if y != book.fiscal_year and books.icd10cm(y).get(c) is not None]
        hint = book.near_misses(c) or (f"it is in {', '.join(f'FY{y}' for y in other)}" if other else "")
        raise LookupError_(f"unknown code {raw!r}: {c} is not in ICD-10-CM FY{book.fiscal_year}"
                           + (f"; {hint}" if hint else ""))
    raise LookupError_(f"malformed code {raw!r}: not an ICD-10-CM, ICD-10-PCS, HCPCS or CPT code")


_loaded = False


def _load_other_systems() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    import importlib

    for mod in ("icd10pcs", "hcpcs", "cpt"):
        try:
            importlib.import_module(f"workstation.codes.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name != f"workstation.codes.{mod}":
                raise
