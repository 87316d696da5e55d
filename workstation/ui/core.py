"""The UI's one door into the domain core: plain functions, no Textual.

Every area below the UI is imported lazily here (so startup stays fast) and called from
workers. Where an area has not landed, a small stand-in keeps the screen useful; the stand-ins
hold no coding rules beyond "look the code up in the book".
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

SYSTEM_LABELS = {"icd10cm": "ICD-10-CM", "icd10pcs": "ICD-10-PCS", "hcpcs": "HCPCS", "cpt": "CPT"}

_PCS_RE = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
_HCPCS_RE = re.compile(r"^[A-V]\d{4}$")
_CPT_RE = re.compile(r"^\d{4}[0-9FTU]$")


# Tests turn the search engine off to stay fast and deterministic (the book stand-in answers).
USE_SEARCH_ENGINE = True


def optional(module: str) -> ModuleType | None:
    """Import a module of another area, or None while it has not landed."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


@dataclass(frozen=True)
class Result:
    """One row of the code search, whatever engine produced it."""

    code: str
    system: str
    title: str
    billable: bool
    via: str = ""
    needs_seventh: bool = False

    @property
    def kind(self) -> str:
        """billable, needs a 7th character, or a header (a category with codes below)."""
        return "billable" if self.billable else ("needs 7th character" if self.needs_seventh else "header")


def search(query: str, system: str = "all", date: str | None = None, limit: int = 50,
           sex: str | None = None, age: int | None = None) -> list[Result]:
    """Codes matching what the coder typed: the search engine when it exists. `sex` and `age`
    (the patient's) rank down codes the MCE would reject for them (issue 17)."""
    q = query.strip()
    if not q:
        return []
    engine_mod = optional("workstation.search.engine") if USE_SEARCH_ENGINE else None
    if engine_mod is not None:
        hits = engine_mod.get_engine().search(q, system=system, limit=limit, date=date, sex=sex, age=age)
        return [
            Result(h.code, h.system, h.title, bool(h.billable), str(getattr(h, "via", "") or ""), bool(getattr(h, "needs_seventh", False)))
            for h in hits
        ]
    return _book_search(q, date, limit) if system in ("all", "icd10cm") else []


def warm() -> None:
    """Load the code book and the search index in the background (called once the worklist shows)."""
    icd10cm(None)
    engine_mod = optional("workstation.search.engine") if USE_SEARCH_ENGINE else None
    if engine_mod is not None:
        engine = engine_mod.get_engine()
        if hasattr(engine, "warm"):
            engine.warm()


def _book_search(q: str, date: str | None, limit: int) -> list[Result]:
    """Stand-in until the search engine lands: code prefix, then every word in the title."""
    book = icd10cm(date)
    words = q.lower().split()
    code_q = q.upper().replace(".", "")
    exact = book.get(q) if len(code_q) >= 3 and " " not in q else None
    if exact is not None:  # a code: it and what is below it, without scanning the book
        found = [exact]
        for c in found:
            if len(found) >= limit:
                break
            found.extend(book.children(c.code)[: limit - len(found)])
        return [Result(c.code, "icd10cm", c.title, c.billable, "code", book.needs_seventh(c.code)) for c in found[:limit]]
    if not any(ch.isalpha() for ch in q):
        return []  # digits alone (a CPT code) name nothing in ICD-10-CM
    out: list[Result] = []
    for c in book.all_codes():
        if c.level in ("chapter", "block"):
            continue
        bare = c.code.replace(".", "")
        title = c.title.lower()
        if bare.startswith(code_q) or all(w in title for w in words):
            out.append(Result(c.code, "icd10cm", c.title, c.billable, "code" if bare.startswith(code_q) else "title", book.needs_seventh(c.code)))
            if len(out) >= limit:
                break
    return out


def icd10cm(date: str | None = None) -> Any:
    from workstation.codes import books

    try:
        return books.icd10cm(date=date) if date else books.icd10cm()
    except books.NoRelease:
        return books.icd10cm()


def system_of(code: str) -> str:
    """The code set a bare code belongs to, from its shape (ICD-10-CM carries a dot or is short)."""
    c = code.strip().upper()
    if "." in c or len(c) <= 3:
        return "icd10cm"
    if _CPT_RE.match(c):
        return "cpt"
    if _PCS_RE.match(c) and c[0].isdigit():
        return "icd10pcs"
    if _HCPCS_RE.match(c):
        return "hcpcs"
    return "icd10cm"


def detail(code: str, system: str, date: str | None = None) -> dict[str, Any] | None:
    """Everything the detail panel shows for a code, or None when the code is unknown."""
    if system == "icd10cm":
        from workstation.codes.lookup import icd10cm_result

        try:
            return icd10cm_result(code, date=date)
        except Exception:  # a date outside the compiled years: fall back to the newest book
            return icd10cm_result(code)
    from workstation.codes.lookup import LookupError_, lookup

    try:
        return lookup(code, date=date)
    except (LookupError_, Exception):
        return None


# ---------------------------------------------------------------- claim

@dataclass
class ClaimView:
    """What the claim pane shows: the built claim (or None) and the live edits."""

    claim: Any = None
    edits: list[Any] = field(default_factory=list)
    problem: str = ""  # why there is no claim (area missing, or build error)


def practice_settings(store: Any) -> Any:
    mod = optional("workstation.billing.settings")
    if mod is None:
        return None
    return mod.PracticeSettings.from_store(store)


def title_of(code: str, system: str, date: str | None = None) -> str:
    """A code's title for the claim list; "" when the book does not know it."""
    try:
        if system == "icd10cm":
            c = icd10cm(date).get(code)
            return c.title if c else ""
        if system == "icd10pcs":
            mod = optional("workstation.codes.icd10pcs")
            return (mod.icd10pcs().title(code) or "") if mod else ""
        d = detail(code, system, date)
        return str((d or {}).get("title") or "")
    except Exception:
        return ""


def claim_view(store: Any, case: Any, work: Any) -> ClaimView:
    """Build the claim from the stored case and scrub it (runs in a worker)."""
    claim_mod = optional("workstation.billing.claim")
    edits_mod = optional("workstation.billing.edits")
    view = ClaimView()
    settings = practice_settings(store)
    if claim_mod is None:
        view.problem = "claim builder not installed"
    else:
        try:
            view.claim = claim_mod.build_claim(case, work, settings)
        except Exception as exc:  # the message is shown; it must not name the patient
            view.problem = f"claim not built: {type(exc).__name__}: {exc}"
    if edits_mod is not None:
        try:
            view.edits = list(edits_mod.scrub(case, work, claim=view.claim, settings=settings))
        except Exception as exc:
            view.problem = view.problem or f"edits not run: {type(exc).__name__}: {exc}"
    return view


def edit_targets(edits: list[Any]) -> dict[str, str]:
    """code or line -> worst severity among the edits that concern it."""
    rank = {"error": 3, "warning": 2, "info": 1}
    out: dict[str, str] = {}
    for e in edits:
        target = str(getattr(e, "target", "") or "")
        sev = str(getattr(e, "severity", "info"))
        if target and rank.get(sev, 0) > rank.get(out.get(target, ""), 0):
            out[target] = sev
    return out


def cpt_loaded() -> bool:
    """True when the site has imported its licensed CPT file (else CPT codes are checked by format only)."""
    from workstation.codes.cpt import cpt

    try:
        return cpt() is not None
    except Exception:  # an unreadable file: the lookup reports it; here it simply is not loaded
        return False
