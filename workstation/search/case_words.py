"""Words of a query that tell sibling codes apart, and what the patient's sex and age rule out.

The ranking in engine.py scores how well an entry covers the coder's words. Three kinds of
words need more than coverage, because sibling codes share every other word:

- **negation** ("without peritonitis", "no perforation", "w/o psychotic features"): an entry that
  has the word *after "with"* ("Acute appendicitis with generalized peritonitis") says the
  opposite of the query and ranks down; one that has it after "without" ranks up a little.
- **laterality** ("right", "left", "bilateral", "both"): "primary OA left knee" is M17.12
  (Unilateral primary osteoarthritis, left knee), not M17.0 (Bilateral ...) nor M17.11.
- **the patient** (sex, age): a code the Medicare Code Editor lists as female-only, male-only,
  newborn, pediatric, maternity or adult ranks below the others when the patient does not fit
  (codes/mce.py); it is still listed, the coder decides.

Older classifications and discharge summaries write the obstetric episode of care and "with
mention of" ("abnormal glucose tolerance of mother, delivered, with mention of postpartum
complication"; "unstable lie, antepartum condition or complication"); `descriptive_words`
maps that wording to ICD-10-CM's axes (pregnancy / childbirth / puerperium, maternal care,
with / without) before the search. The mapping follows the ICD-9-CM fifth-digit episode-of-care
definitions (0 unspecified, 1 delivered, 2 delivered with postpartum complication,
3 antepartum, 4 postpartum) and the ICD-10-CM chapter 15 title wording; it was not fitted to
the CMS GEM files (they are the held-out measurement).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from workstation.search.ranking import WEIGHTS, Weights
from workstation.search.tokenize import STOP_WORDS, stem, words

_NEGATORS = frozenset({"without", "no", "not", "wo"})
_SIDES = {"right": "right", "left": "left", "bilateral": "bilateral", "both": "bilateral",
          "rt": "right", "lt": "left"}
# Words after a negator that end its scope ("without perforation but with abscess").
_SCOPE_END = frozenset({"with", "but", "has", "plus"})
_MAX_SCOPE = 6


@dataclass(frozen=True)
class CaseWords:
    negated: frozenset[str] = field(default_factory=frozenset)   # stems said to be absent
    sides: frozenset[str] = field(default_factory=frozenset)     # right / left / bilateral
    # stems said to be present after "with" ("acute, with perforation, without hemorrhage"): an
    # entry that has them after "without" says the opposite
    affirmed: frozenset[str] = field(default_factory=frozenset)



def read_case_words(query: str) -> CaseWords:
    """The negated stems and the laterality of a query."""
    ws = words(query.replace("w/o", " without "))
    negated: set[str] = set()
    asserted: set[str] = set()
    sides: set[str] = set()
    affirmed: set[str] = set()
    scope = 0
    with_scope = 0
    for w in ws:
        if w in _SIDES:
            sides.add(_SIDES[w])
        if w in _NEGATORS:
            scope, with_scope = _MAX_SCOPE, 0
            continue
        if w in _SCOPE_END:
            scope = 0
            with_scope = 3 if w == "with" else 0
            continue
        if w in STOP_WORDS or w in _SIDES:
            continue
        if scope > 0:
            negated.add(stem(w))
            scope -= 1
        else:
            asserted.add(stem(w))
            if with_scope > 0:
                affirmed.add(stem(w))
                with_scope -= 1
    return CaseWords(frozenset(negated - asserted), frozenset(sides), frozenset(affirmed - negated))


@lru_cache(maxsize=65536)
def _segments(text: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(stems after "with", stems after "without", side words) of an entry's text."""
    with_s: set[str] = set()
    without_s: set[str] = set()
    sides: set[str] = set()
    mode = ""
    for part in text.lower().split("|"):
        mode = ""
        for w in words(part):
            if w in ("with", "without"):
                mode = w
                continue
            if w in _SIDES:
                sides.add(_SIDES[w])
            if w == "unilateral":
                sides.add("unilateral")
            if w in STOP_WORDS:
                continue
            if mode == "with":
                with_s.add(stem(w))
            elif mode == "without":
                without_s.add(stem(w))
    return frozenset(with_s), frozenset(without_s), frozenset(sides)


def case_adjustment(cw: CaseWords, text: str, w: Weights = WEIGHTS) -> float:
    """Points added to (or taken from) an entry's score for the query's negations and sides."""
    if not cw.negated and not cw.sides:
        # the common case, per keystroke: only "bilateral" (not said) matters
        adj = -w.bilateral_not_said if "ilateral" in text and "bilateral" in _segments(text)[2] else 0.0
        if cw.affirmed and "without" in text and cw.affirmed & _segments(text)[1]:
            adj -= w.with_said_entry_without
        return adj
    with_s, without_s, sides = _segments(text)
    return without_x(cw, with_s, without_s, w) + laterality(cw, sides, w)


def without_x(cw: CaseWords, with_s: frozenset[str], without_s: frozenset[str], w: Weights = WEIGHTS) -> float:
    """"Without X" (the classification's "with" / "without" axis, ICD-10-CM conventions I.A.15):
    an entry that has X after "with" says the opposite of the note and ranks down; one that has
    it after "without" ranks up a little."""
    adj = 0.0
    if cw.affirmed & without_s:
        adj -= w.with_said_entry_without   # "with perforation" said; the entry is "without ... perforation"
    if cw.negated:
        contra = len(cw.negated & with_s)
        if contra:
            adj -= min(w.contradicted_cap, w.contradicted_with * contra)
        if cw.negated & without_s:
            adj += w.denied_without
    return adj


def laterality(cw: CaseWords, sides: frozenset[str], w: Weights = WEIGHTS) -> float:
    """Laterality (guideline I.B.13): the side documented picks among codes that differ only by
    side; a code for both sides needs both documented ("osteoarthritis of the knee" is one knee,
    M17.10, not M17.0 Bilateral)."""
    if cw.sides:
        entry_sides = sides - {"unilateral"}
        if entry_sides:
            return w.same_side if entry_sides & cw.sides else -w.other_side
        if "unilateral" in sides and "bilateral" in cw.sides:
            return -w.unilateral_for_bilateral
        return 0.0
    return -w.bilateral_not_said if "bilateral" in sides else 0.0


# ------------------------------------------------------------ the patient

@lru_cache(maxsize=8192)
def mce_penalty(code: str, sex: str | None, age: int | None) -> float:
    """Sex and age (the Medicare Code Editor's sex and age edits): points taken from an
    ICD-10-CM code the MCE rejects for this patient (0 when it fits), `Weights.mce_edit` per
    edit, so it ranks below every code that fits; it is still listed, the coder decides.

    The MCE lists billable codes; a header (Z00.12) is penalised when every billable code
    below it is rejected."""
    from workstation.codes import books
    from workstation.codes.mce import mce

    book = mce()

    def refused(c: str) -> tuple[bool, bool]:
        return (bool(sex) and book.check_sex(c, sex or "", "D") is not None,
                age is not None and book.check_age(c, age) is not None)

    by_sex, by_age = refused(code)
    if not (by_sex or by_age):
        tab = books.icd10cm(books.icd10cm_years()[-1])
        node = tab.get(code)
        if node is not None and not node.billable:
            kids = _billable_below(tab, code)
            if kids:
                checks = [refused(k) for k in kids]
                by_sex = all(c[0] for c in checks)
                by_age = all(c[1] for c in checks)
    return WEIGHTS.mce_edit * (int(by_sex) + int(by_age))


def _billable_below(tab: object, code: str, limit: int = 60) -> list[str]:
    out: list[str] = []
    todo = [code]
    while todo and len(out) < limit:
        for k in tab.children(todo.pop()):  # type: ignore[attr-defined]
            (out if k.billable else todo).append(k.code)
    return out


# ------------------------------------------------------------ descriptive phrases

# (pattern, replacement) in order; applied to the lower-cased query, whole words only.
_DESCRIPTIVE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r) for p, r in (
        (r"\bwithout mention of\b", "without"),
        (r"\bwith mention of\b", "with"),
        (r"\bwith or without mention of\b", ""),
        # ICD-9-CM episode of care (fifth digits 0-4) -> ICD-10-CM "complicating pregnancy /
        # childbirth / the puerperium" and "maternal care".
        (r"\bdelivered,? with (?:mention of )?postpartum complication\b", "childbirth puerperium"),
        (r"\bdelivered,? with or without (?:mention of )?antepartum condition\b", "childbirth"),
        # antepartum with no trimester said: ICD-10-CM's "unspecified trimester" (round 2)
        (r"\bantepartum condition or complication\b(?!.*\btrimester\b)", "pregnancy unspecified trimester"),
        (r"\bantepartum condition or complication\b", "pregnancy"),
        (r"\bpostpartum condition or complication\b", "puerperium"),
        (r"\bantepartum\b", "pregnancy"),
        (r"\bunspecified as to episode of care(?: or not applicable)?\b", "unspecified trimester"),
        (r"\bepisode of care unspecified\b", "unspecified trimester"),
        # "anemia of mother, delivered": complicating childbirth, not pregnancy (round 2: the
        # episode decides, so "of mother" says only that the mother has it)
        (r"\b(?:of|in) mother\b(?=.*\b(?:childbirth|puerperium|pregnancy)\b)", "complicating"),
        (r"\b(?:of|in) mother\b", "maternal pregnancy"),
        (r"\bcomplicating pregnancy\b(?=.*\b(?:delivered|childbirth|puerperium)\b)", "complicating"),
        (r"\bdelivered\b", "childbirth delivery"),
        (r"\bcurrently complicating pregnancy\b", "complicating pregnancy"),
    )
)
_TRIGGERS = ("mention", "episode", "antepartum", "postpartum", "delivered", "mother")


def descriptive_words(query: str) -> str:
    """The query with episode-of-care and "with mention of" wording in ICD-10-CM's terms; the
    query unchanged when it has none of that wording."""
    low = query.lower()
    if not any(t in low for t in _TRIGGERS):
        return query
    for pat, rep in _DESCRIPTIVE:
        low = pat.sub(rep, low)
    return " ".join(low.split())
