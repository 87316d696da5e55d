"""Code sets that serve a date with an older release, said out loud (issue 13 item 3).

ICD-10-CM has a book per fiscal year (a provisional one for FY2027). The other compiled sets
have one release each: ICD-10-PCS FY2025, HCPCS Level II July 2025 (a quarterly file) and the
Medicare Code Editor v37 (FY2020). They keep serving later dates, because nothing newer is
compiled, but a case and its claim say so: `dated_books(date)` lists each set whose release is
not the one in force on the date, and `year_of(code, date)` tells what an Index/Table hit means
in the case's code year (valid, a header now, deleted) and what replaced it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date, timedelta
from typing import TYPE_CHECKING, Any

from workstation.codes import books
from workstation.codes.diff import replacements
from workstation.codes.icd10cm import normalize

if TYPE_CHECKING:
    from workstation.cases.model import Encounter

LABELS = {"icd10pcs": "ICD-10-PCS", "hcpcs": "HCPCS Level II", "mce": "Medicare Code Editor"}


@dataclass(frozen=True)
class DatedBook:
    system: str  # icd10pcs, hcpcs, mce, icd10cm
    release: str  # "FY2025", "2025 July", "MCE v37 (FY2020)"
    in_force_to: str  # the last day the release was current (ISO)
    message: str


def _quarter_end(start: str) -> str:
    d = Date.fromisoformat(start)
    month = d.month + 3
    nxt = Date(d.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return (nxt - timedelta(days=1)).isoformat()


def dated_books(day: str, systems: tuple[str, ...] = ("icd10pcs", "hcpcs", "mce", "icd10cm")) -> list[DatedBook]:
    """The compiled releases that serve `day` although they are not the ones in force on it."""
    d = books.as_date(day).isoformat()
    out: list[DatedBook] = []
    entries = books.manifest()["codebooks"]
    for system in systems:
        if system == "icd10cm":
            try:
                e = books.release_for_date(d)
            except books.NoRelease:
                continue
            if e.get("provisional"):
                out.append(DatedBook("icd10cm", e["release"], e.get("effective_to", ""),
                                     f"ICD-10-CM FY{e['fiscal_year']} is provisional (FY{e['fiscal_year'] - 1} tabular with "
                                     f"the CMS FY{e['fiscal_year']} addenda): notes of codes new in FY{e['fiscal_year']} "
                                     "are missing; install the CDC tabular (workstation codebooks install)."))
            continue
        mine = [e for e in entries.values() if e["system"] == system and e.get("effective_from")]
        if not mine:
            continue
        current = [e for e in mine if e["effective_from"] <= d]
        e = max(current or mine, key=lambda e: e["effective_from"])
        if system == "hcpcs":  # the quarterly book that serves the day (an installed one before the shipped)
            from workstation.codes.hcpcs import book_for

            e = book_for(d)
        last = max(x["effective_from"] for x in mine)
        end = e.get("effective_to") or (_quarter_end(e["effective_from"]) if system == "hcpcs" else "")
        if e["effective_from"] <= d and (not end or d <= end):
            continue
        label = LABELS[system]
        which = ("oldest compiled release" if d < e["effective_from"] else "newest compiled release"
                 if e["effective_from"] == last else "release compiled nearest before that date")
        when = f"in force {e['effective_from']} to {end}" if end else f"in force from {e['effective_from']}"
        out.append(DatedBook(system, e["release"], end,
                             f"{label} {e['release']} ({when}) is the {which}: codes for {d} are "
                             f"checked against it, not against the release in force on that date."))
    return out


@dataclass(frozen=True)
class YearCheck:
    code: str  # as the Index or Table gives it ("M72.2", "S06.0X-")
    fiscal_year: int
    status: str  # valid, incomplete (finish it: a header in the tabular), became_header, deleted
    replaced_by: list[str] = field(default_factory=list)
    message: str = ""


def year_of(code: str, day: str, index_year: int = 2025, limit: int = 12) -> YearCheck:
    """What an Index/Drug/Neoplasm/External cause hit means in the code year of `day`.

    The index tables are FY2025's; a code they name may since have become a header (M72.2 in
    FY2027: offer M72.20-M72.22) or been deleted (offer the billable codes of its nearest
    ancestor still in the tabular, with the same 7th character where it has one).
    """
    book = books.icd10cm(date=day)
    fy = book.fiscal_year
    c = normalize(code.rstrip("-").rstrip("."))
    hit = book.get(c)
    old = books.icd10cm(index_year).get(c) if index_year in books.icd10cm_years() else None
    if hit is not None and hit.billable:
        return YearCheck(code, fy, "valid")
    if hit is not None:
        repl = replacements(book, hit.code)
        if old is not None and old.billable:
            return YearCheck(code, fy, "became_header", repl[:limit],
                             f"{hit.code} is a header in FY{fy} (it was billable in FY{index_year}): "
                             f"use {_list(repl, limit)}")
        return YearCheck(code, fy, "incomplete", repl[:limit],
                         f"{hit.code} is a header: finish it in the tabular ({_list(repl, limit)})")
    # Deleted: the nearest ancestor still in the book, and its billable codes.
    bare = c.replace(".", "")
    seventh = bare[-1] if len(bare) == 7 else ""
    for k in range(len(bare) - 1, 2, -1):
        anc = book.get(bare[:k]) or book.get(bare[:k].rstrip("X"))
        if anc is not None:
            if anc.billable:
                repl = [anc.code]
            else:
                below = replacements(book, anc.code)
                # Keep the characters the deleted code fixed past the ancestor (T52.8X1:
                # accidental, 6th character 1; S23.420A: initial encounter); X is a placeholder.
                kept = [r for r in below if _keeps(bare, k, r.replace(".", ""))]
                repl = kept or [r for r in below if not seventh or r.endswith(seventh)]
                if not seventh:  # T52.8X1 names no 7th character: offer the headers that take one
                    repl = list(dict.fromkeys(
                        r[:-1] if len(r.replace(".", "")) == 7 and book.get(r[:-1]) is not None
                        and book.needs_seventh(r[:-1]) else r for r in repl))
            return YearCheck(code, fy, "deleted", repl[:limit],
                             f"{c} is not in ICD-10-CM FY{fy}; the tabular has under {anc.code}: {_list(repl, limit)}")
    return YearCheck(code, fy, "deleted", [], f"{c} is not in ICD-10-CM FY{fy}")


def _keeps(bare: str, k: int, cand: str) -> bool:
    return len(cand) >= len(bare) and all(ch == "X" or cand[i] == ch for i, ch in enumerate(bare) if i >= k)


def _list(codes: list[str], limit: int) -> str:
    if not codes:
        return "no billable code below it"
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


def code_year_title(encounter: Encounter, short: bool = False) -> str:
    """'FY2027 ICD-10-CM · date of service 2026-11-20' (an inpatient stay: '· discharge 2026-10-02'):
    the code year `Encounter.coding_date` decides, as the coding screen's title bar shows it.
    `short`, for a narrow terminal: 'FY2027 (prov.) · DOS 2026-11-20', '· disch. 2026-10-02'."""
    day = encounter.coding_date
    if not day:
        return "no DOS: no code year" if short else "no date of service: no code year"
    inpatient = encounter.type == "inpatient" and day == encounter.discharge_date
    which = ("disch." if inpatient else "DOS") if short else ("discharge" if inpatient else "date of service")
    try:
        e = books.release_for_date(day)
    except books.NoRelease:
        return f"no ICD-10-CM release · {which} {day}"
    except ValueError:
        return f"not a date: {which} {day}"
    if short:
        return f"FY{e['fiscal_year']}{' (prov.)' if e.get('provisional') else ''} · {which} {day}"
    provisional = " (provisional)" if e.get("provisional") else ""
    return f"FY{e['fiscal_year']} ICD-10-CM{provisional} · {which} {day}"


def case_years(day: str) -> dict[str, Any]:
    """The release each code set uses for a date, and the dated ones: for the case header."""
    try:
        cm = books.release_for_date(day)
        cm_label = f"ICD-10-CM FY{cm['fiscal_year']}" + (" (provisional)" if cm.get("provisional") else "")
    except books.NoRelease as exc:
        cm_label = str(exc)
    return {"icd10cm": cm_label, "dated": [b.message for b in dated_books(day, ("icd10pcs", "hcpcs", "mce"))]}
