"""Look a code up in whichever code set it belongs to; the JSON shape the CLI and the UI share
(`LookupResult`, codes/lookup_result.py).

`LOOKUPS` lists the other code sets in the order they are asked (each resolver returns a result
dict for a code of its shape, or None when its book does not have it); ICD-10-CM answers last,
with near misses and the years a code is valid in when it is unknown.
"""
from __future__ import annotations

from typing import Callable

from workstation.codes import books, formats
from workstation.codes.cpt import cpt_result
from workstation.codes.errors import LookupError_
from workstation.codes.hcpcs import hcpcs_result
from workstation.codes.icd10cm import normalize
from workstation.codes.icd10pcs import pcs_lookup
from workstation.codes.lookup_result import LookupResult

Resolver = Callable[..., "LookupResult | None"]

# (code set, shape test, resolver), asked in this order before ICD-10-CM.
LOOKUPS: list[tuple[str, Callable[[str], bool], Resolver]] = [
    ("icd10pcs", formats.is_pcs, pcs_lookup),
    ("hcpcs", formats.is_hcpcs, hcpcs_result),
    ("cpt", formats.is_cpt, cpt_result),
]


def icd10cm_result(code: str, date: str | None = None, year: int | None = None) -> LookupResult | None:
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


def also_icd10cm(hit: LookupResult, code: str, date: str | None, year: int | None) -> LookupResult:
    """A PCS or HCPCS code whose characters also spell an ICD-10-CM code (S72012A, G0439 /
    G04.39): say so, so the coder can type the dot for ICD-10-CM."""
    if not code[:1].isalpha():
        return hit
    try:
        cm = books.icd10cm(year, date=date) if (year or date) else books.icd10cm()
        other = cm.get(code)
    except Exception:  # no ICD-10-CM book is no reason to fail a PCS or HCPCS lookup
        return hit
    if other is not None:
        hit["also"] = {"system": "icd10cm", "code": other.code, "title": other.title}
        hit["notes"].append({"kind": "also", "label": "Also ICD-10-CM", "text": f"{other.code} {other.title} (type it with the dot for ICD-10-CM)",
                             "origin": f"ICD-10-CM FY{cm.fiscal_year}", "origin_level": "", "refs": []})
    return hit


def lookup(code: str, date: str | None = None, year: int | None = None) -> LookupResult:
    """Resolve a code in any loaded system; LookupError_ names an unknown or malformed code."""
    raw = code.strip()
    if not raw:
        raise LookupError_("empty code")
    upper = raw.upper()
    refused: LookupError_ | None = None  # a code of this shape not valid on the date (HCPCS quarters)
    for system, matches, resolve in LOOKUPS:
        if matches(upper):
            try:
                hit = resolve(upper, date=date, year=year)
            except LookupError_ as exc:
                refused = refused or exc
                continue
            if hit is not None:
                return also_icd10cm(hit, upper, date, year) if system != "cpt" else hit
    if formats.is_icd10cm(upper.replace(" ", "")):
        try:
            hit = icd10cm_result(upper, date=date, year=year)
        except books.NoRelease:
            if refused is not None:
                raise refused from None
            raise
        if hit is not None:
            return hit
        if refused is not None:
            raise refused
        book = books.icd10cm(year, date=date) if (year or date) else books.icd10cm()
        c = normalize(raw)
        other = [y for y in books.icd10cm_years() if y != book.fiscal_year and books.icd10cm(y).get(c) is not None]
        hint = book.near_misses(c) or (f"it is in {', '.join(f'FY{y}' for y in other)}" if other else "")
        raise LookupError_(f"unknown code {raw!r}: {c} is not in ICD-10-CM FY{book.fiscal_year}"
                           + (f"; {hint}" if hint else ""))
    if refused is not None:
        raise refused
    raise LookupError_(f"malformed code {raw!r}: not an ICD-10-CM, ICD-10-PCS, HCPCS or CPT code")
