"""What would change the DRG: the question a CDI specialist asks of a grouped case.

Each candidate is a code that is *not* coded now, with where the idea came from; every candidate
is grouped with the case's real coding plus (or instead of) it, and only those that move the
DRG are kept. Candidates come from:
- "specificity": the billable codes of the same ICD-10-CM category as a coded *unspecified*
  secondary diagnosis (I50.9 -> I50.21 ...), which is what a query about type or acuity can yield;
  the candidate replaces the unspecified code, as the answer would;
- "query": for each open provider query, the code each answer option would be coded to (the
  search engine's near-exact top hit for the option's wording): whether answering it can change
  the DRG;
- "suggestion" / "manual": codes passed in by callers (the note-suggestion area when it lands,
  or the coder's own `--if-add`).

This is for the coder and the CDI specialist only. It is never written into a provider query: a
compliant query does not mention payment or the DRG (AHIMA/ACDIS query practice).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from workstation.cases.model import Case
from workstation.grouping.drg import DrgResult, GroupingError, group_input, input_of
from workstation.session.work import CaseWork


@dataclass(frozen=True)
class Candidate:
    code: str  # dotted ICD-10-CM
    source: str  # specificity, suggestion, query, manual
    why: str = ""
    replaces: str = ""  # a coded diagnosis it would replace (the unspecified code), or ""


@dataclass
class Change:
    candidate: Candidate
    drg: int | None
    drg_title: str
    role: str  # what the candidate would be: MCC, CC, excluded, or "" (moved the DRG otherwise)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self.candidate), "drg": self.drg, "drg_title": self.drg_title, "role": self.role}


@dataclass
class WhatIf:
    base: DrgResult
    changes: list[Change] = field(default_factory=list)
    tried: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"drg": self.base.drg, "tried": self.tried, "changes": [c.to_dict() for c in self.changes]}


def _unspecified(title: str) -> bool:
    t = title.lower()
    return "unspecified" in t or t.endswith(", not elsewhere classified")


def specificity_candidates(case: Case, work: CaseWork, limit_per_code: int = 40) -> list[Candidate]:
    """More specific codes of the same category for each coded unspecified secondary diagnosis."""
    from workstation.codes import books
    from workstation.grouping.drg import discharge_of

    try:
        book = books.icd10cm(date=discharge_of(case))
    except (books.CodebookError, GroupingError):
        return []
    out: list[Candidate] = []
    coded = set(work.diagnoses)
    for code in work.diagnoses[1:]:
        entry = book.get(code)
        if entry is None or not _unspecified(entry.title):
            continue
        category = code.split(".")[0]
        siblings = [c for c in _billable_under(book, category) if c not in coded and c != code]
        for c in siblings[:limit_per_code]:
            out.append(Candidate(c, "specificity", f"more specific than {code} ({entry.title})", replaces=code))
    return out


GENERIC_OPTIONS = ("other", "clinically undetermined", "unable to determine", "undetermined", "none of the above")


def query_candidates(case: Case, work: CaseWork) -> list[Candidate]:
    """For each open provider query, the code each of its answer options would be coded to: the
    search engine's top billable ICD-10-CM hit for the option's wording (only a near-exact match,
    score 95 or more; "other" and "clinically undetermined" give nothing). A hit in the category of
    a coded diagnosis replaces it (the answer makes it specific); otherwise it is added."""
    open_queries = [q for q in work.queries if q.status == "open" and q.options]
    if not open_queries:
        return []
    from workstation.grouping.drg import discharge_of
    from workstation.search.engine import get_engine

    engine = get_engine()
    day = discharge_of(case)
    out: list[Candidate] = []
    for q in open_queries:
        for option in q.options:
            words = option.strip()
            if not words or words.lower().strip(". ") in GENERIC_OPTIONS:
                continue
            hits = [h for h in engine.search(words, system="icd10cm", limit=5, date=day) if h.billable]
            if not hits or hits[0].score < 95:
                continue
            for h in (h for h in hits if h.score == hits[0].score):
                same = next((d for d in work.diagnoses[1:] if d.split(".")[0] == h.code.split(".")[0]), "")
                out.append(Candidate(h.code, "query", f"{q.query_id} answered '{words}'", replaces=same))
    return out


def _billable_under(book: Any, code: str) -> list[str]:
    out: list[str] = []
    stack = [code]
    while stack:
        c = stack.pop()
        kids = book.children(c)
        if not kids and book.is_billable(c):
            out.append(c)
        stack.extend(k.code for k in reversed(kids))
    return sorted(out)


def what_would_change(case: Case, work: CaseWork, extra: list[Candidate] | None = None,
                      specificity: bool = True, queries: bool = True) -> WhatIf:
    """Group the case as coded, then with each candidate; keep those that move the DRG."""
    gi = input_of(work)
    base = group_input(case, gi)
    cands = (specificity_candidates(case, work) if specificity else []) + list(extra or [])
    if queries:
        cands = query_candidates(case, work) + cands
    result = WhatIf(base)
    seen: set[tuple[str, str]] = set()
    for cand in cands:
        key = (cand.code, cand.replaces)
        if key in seen or cand.code in gi.diagnoses:
            continue
        seen.add(key)
        dx = [cand.code if d == cand.replaces else d for d in gi.diagnoses]
        if not cand.replaces:
            dx.append(cand.code)
        variant = type(gi)(dx, list(gi.procedures), {**gi.poa, cand.code: "Y"}, gi.patient_status)
        try:
            r = group_input(case, variant)
        except (GroupingError, ValueError, RuntimeError):
            continue
        result.tried += 1
        if r.drg != base.drg:
            role = next((d.role for d in r.secondaries if d.code == cand.code), "")
            result.changes.append(Change(cand, r.drg, r.drg_title, role))
    return result


def format_whatif(w: WhatIf) -> str:
    if not w.changes:
        return f"  what would change DRG {w.base.drg}: nothing of {w.tried} candidate codes tried"
    lines = [f"  what would change DRG {w.base.drg} (for the coder / CDI only, never in a query):"]
    by_target: dict[tuple[int | None, str, str, str], list[Change]] = {}
    for c in w.changes:
        by_target.setdefault((c.drg, c.drg_title, c.candidate.source, c.candidate.why), []).append(c)
    for (drg, title, _, _), changes in by_target.items():
        codes = ", ".join(f"{c.candidate.code}{' ' + c.role if c.role else ''}" for c in changes[:8])
        more = f" (+{len(changes) - 8} more)" if len(changes) > 8 else ""
        why = changes[0].candidate.why
        lines.append(f"    -> DRG {drg} {title}: {codes}{more}  [{changes[0].candidate.source}: {why}]")
    return "\n".join(lines)
