"""Drugs given in the clinic or infusion room, to their HCPCS Level II codes with units.

The HCPCS book's drug titles say what a unit is: "Injection, docetaxel, 1 mg",
"Injection, penicillin g benzathine, 100,000 units", "Cyclophosphamide, 100 mg",
"Injection, methylprednisolone sodium succinate, up to 40 mg". A note's statement of a
drug given ("Docetaxel 75 mg/m2 = 130 mg IV over 60 minutes", "Methylprednisolone acetate
80 mg IM given in office") gives the drug, the dose and the route; the code is the title
whose drug name the note says (salt words may be left out), whose other words (a brand in
parentheses, "biosimilar", "preservative free", "for intravenous infusion") the note does not
contradict, and the units are the dose divided by the title's amount, rounded up (CMS: bill
the units that cover the dose given). Where several codes name the drug at different amounts
(J1020 20 mg, J1030 40 mg, J1040 80 mg), the one that covers the dose in the fewest units.

Not coded: drugs taken by mouth or at home, prescriptions and regimens ("daily x 5 days"),
vaccines (their product codes are CPT), and a drug named before its dose's unit is known
is still suggested, with the units left to the coder.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from workstation.search.tokenize import stem

_AMOUNT = re.compile(r"(?:,\s*|\s+)(?P<upto>per\s+|up to\s+)?(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<mult>million\s+)?"
                     r"(?P<unit>mg|mcg|micrograms?|gm?|grams?|units?|ml|iu)\b\.?\s*$", re.I)
_DOSE = re.compile(r"(?P<n>\d[\d,]*(?:\.\d+)?)\s*(?P<mult>million\s+)?(?P<unit>mg|mcg|micrograms?|g|grams?|units?|ml|iu)\b"
                   r"(?!\s*/\s*(?:m2|m\^2|kg|day|hr|h\b))", re.I)
_GIVEN = re.compile(r"\b(?:iv|im|intravenous(?:ly)?|intramuscular(?:ly)?|subcutaneous(?:ly)?|sc|sq|subq|inject(?:ed|ion|or)?|"
                    r"infus(?:ed|ion)|intra-?articular|administered|given in (?:the )?(?:clinic|office)|push)\b", re.I)
_NOT_GIVEN = re.compile(r"\b(?:po|oral(?:ly)?|by mouth|taken at home|at home|tablets?|capsules?|prescri(?:bed|ption)|"
                        r"daily|bid|tid|qid|nightly|x\s*\d+\s*days|refill(?:ed)?|inhal(?:ed|er)|patch)\b", re.I)
_SALTS = frozenset(stem(w) for w in ("hydrochloride", "hcl", "sodium", "potassium", "phosphate", "sulfate", "citrate",
                                     "mesylate", "tartrate", "hyclate", "bromide", "chloride", "maleate", "tromethamine", "excludes",
                                     "biosimilar", "per", "not", "otherwise", "specified", "injection", "and"))
_UNIT = {"mg": ("mg", 1.0), "mcg": ("mg", 0.001), "microgram": ("mg", 0.001), "micrograms": ("mg", 0.001),
         "g": ("mg", 1000.0), "gm": ("mg", 1000.0), "gram": ("mg", 1000.0), "grams": ("mg", 1000.0),
         "unit": ("unit", 1.0), "units": ("unit", 1.0), "iu": ("unit", 1.0), "ml": ("ml", 1.0)}
_SKIP_SECTIONS = frozenset({"pmh", "family", "social"})
# A local anaesthetic the physician gives with the procedure is part of it (NCCI policy manual,
# chapter I: anaesthesia by the physician performing the procedure is not reported separately).
_LOCAL = frozenset(stem(w) for w in ("lidocaine", "bupivacaine", "ropivacaine", "mepivacaine", "xylocaine"))
_WITH_PROCEDURE = re.compile(r"\b(?:injected|block|infiltrat\w*|joint|aspirat\w*|incision|procedure)\b", re.I)
_SKIP_HEADINGS = re.compile(r"medication|allerg|home", re.I)


@dataclass(frozen=True)
class DrugCode:
    code: str
    title: str
    name: tuple[str, ...]       # stems of the drug name ("methylprednisolon", "acet")
    extra: tuple[str, ...]      # stems of the title's other words the note must not leave out
    amount: float | None        # in base units (mg, unit, ml)
    base: str                   # "mg", "unit", "ml"
    up_to: bool
    added: str


@dataclass(frozen=True)
class DrugGiven:
    code: str
    title: str
    units: int | None
    start: int                  # offsets of the drug and its dose in the statement
    end: int
    why: str


def _stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in re.findall(r"[a-z][a-z0-9'-]*", text.lower()))


@lru_cache(maxsize=1)
def _book() -> dict[str, list[DrugCode]]:
    """Drug codes of the HCPCS book by the first word of the drug's name."""
    from workstation.codes.hcpcs import hcpcs

    out: dict[str, list[DrugCode]] = {}
    for c in hcpcs().all_codes():
        title = c.long or ""
        low = title.lower()
        if c.code[:1] not in "JQC" or "vaccine" in low or "oral" in low or "inhalation" in low:
            continue
        m = _AMOUNT.search(title)
        body = title[:m.start()] if m else title
        segs = [s.strip() for s in body.split(",") if s.strip()]
        if segs and segs[0].lower() == "injection":
            segs = segs[1:]
        if not segs:
            continue
        name = _stems(re.sub(r"\([^)]*\)", " ", segs[0]))
        if not name:
            continue
        brand = re.findall(r"\(([^)]*)\)", body)
        extra = tuple(s for seg in segs[1:] for s in _stems(re.sub(r"\([^)]*\)", " ", seg)) if s not in _SALTS)
        extra += tuple(s for b in brand for s in _stems(b))
        amount, base, upto = None, "", False
        if m:
            n = float(m.group("n").replace(",", "")) * (1e6 if m.group("mult") else 1.0)
            base, factor = _UNIT.get(m.group("unit").lower().rstrip("."), ("", 1.0))
            amount = n * factor
            upto = bool(m.group("upto")) and m.group("upto").lower().startswith("up")
        out.setdefault(name[0], []).append(DrugCode(c.code, title, name, extra, amount, base, upto, c.added or ""))
    return out


def _fit(d: DrugCode, said: set[str]) -> float:
    """How well a code's title fits what the note says: every word of the drug's name (salts
    may be left out), then fewer title words the note leaves out."""
    name = {s for s in d.name if s not in _SALTS}
    if any(s not in said for s in name):
        return -1.0
    extra_missing = {s for s in d.extra if s not in said}
    return len(name) - 1.0 * len(extra_missing)


def given(text: str, sentence: str = "") -> list[DrugGiven]:
    """The drugs a statement says were given, each with its HCPCS code and units."""
    around = sentence or text
    if not _GIVEN.search(around) or _NOT_GIVEN.search(text):
        return []
    book = _book()
    low = text.lower()
    words = [(m.group(0), m.start(), m.end()) for m in re.finditer(r"[a-z][a-z0-9'-]*", low)]
    said = {stem(w) for w, _s, _e in words}
    out: list[DrugGiven] = []
    seen: set[str] = set()
    for w, ws, we in words:
        cands = book.get(stem(w))
        if not cands or stem(w) in seen:
            continue
        if stem(w) in _LOCAL and _WITH_PROCEDURE.search(around):
            continue
        seen.add(stem(w))
        best_fit = max(_fit(d, said) for d in cands)
        if best_fit < 1:
            continue
        top = [d for d in cands if _fit(d, said) == best_fit]
        # The dose written after the name, before the next drug's name.
        dose_m = None
        for m in _DOSE.finditer(low, we):
            if m.start() - we > 60:
                break
            dose_m = m
            break
        dose, base = None, ""
        if dose_m is not None:
            base, factor = _UNIT.get(dose_m.group("unit").lower(), ("", 1.0))
            dose = float(dose_m.group("n").replace(",", "")) * (1e6 if dose_m.group("mult") else 1.0) * factor
        chosen, units = _choose(top, dose, base)
        if chosen is None:
            continue
        end = dose_m.end() if dose_m is not None else we
        why = (f"HCPCS Level II drug: {chosen.title}; " +
               (f"dose {dose_m.group(0)} = {units} unit{'s' if units != 1 else ''} of the code's amount"
                if units is not None and dose_m is not None else "dose or unit not documented: units left to the coder"))
        out.append(DrugGiven(chosen.code, chosen.title, units, ws, end, why))
    return out


def _choose(top: list[DrugCode], dose: float | None, base: str) -> tuple[DrugCode | None, int | None]:
    if dose is None:
        # No dose: the newest code for the drug (a later code supersedes the older dose descriptor).
        # (A code with no "added" date comes from the files after 2020: the newest.)
        return max(top, key=lambda d: (d.added or "99999999", d.code)), None
    same = [d for d in top if d.amount and d.base == base]
    if not same:
        return None, None

    def units(d: DrugCode) -> int:
        assert d.amount
        if d.up_to:
            return max(1, math.ceil(dose / d.amount - 1e-9))
        return max(1, math.ceil(dose / d.amount - 1e-9))

    pick = min(same, key=lambda d: (units(d), d.code))
    return pick, units(pick)


def skip_statement(section: str, heading: str) -> bool:
    return section in _SKIP_SECTIONS or bool(_SKIP_HEADINGS.search(heading or ""))


def warm() -> None:
    """Read the HCPCS book's drug titles ahead of the first note."""
    _book()
