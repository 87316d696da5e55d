"""From a clinical statement to the most specific code its words support.

Two ways in, both over the official books:

1. `walk_index`: the coder's walk through the ICD-10-CM Alphabetic Index. Find a main term
   the statement names (any of its comma forms: "Diabetes, diabetic"), then go down the
   subterms the statement supports (type, site, acuity, laterality ...), through "with"
   subterms (presumed linked, guideline I.A.15), into "without" / "due to" only when the
   statement says so; nonessential modifiers (in parentheses) are ignored. The deepest term
   with a code gives the code; "E11.-"-style codes are finished in the tabular.
2. The search engine (workstation/search), which indexes the same Alphabetic Index paths, the
   tabular titles and inclusion terms, the Drug and Neoplasm tables and the coder abbreviations,
   and ranks with the patient's sex and age, laterality and "without" words.

`finish` then checks the code in the tabular of the case's code year: a header goes down to
the billable child the words support (or the unspecified one), a 7th character is added when
the note names the encounter, and a code the Medicare Code Editor rejects for the patient's
sex or age is refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from workstation.codes.index_tables import Term, TermTable, alphabetic_index, normalize_text
from workstation.search.abbreviations import expansions
from workstation.search.tokenize import STOP_WORDS, stem, tokens, words

# Subterms that are connectors: entered only when the statement uses the word (or, for
# "with", always: the classification presumes the link, guideline I.A.15).
_CONNECTORS = {"with": None, "without": ("without", "no", "not"), "due to": ("due", "from", "secondary", "caused"),
               "in": None, "and": None,
               # "Lipoma, site classification, trunk": an instruction to go on by site, no words of its own.
               "site classification": None}
_NEG_TERM = re.compile(r"\b(?:without|no|not)\b")
# Main terms too general to start a walk from a note's words alone.
_WEAK_MAIN = frozenset(stem(w) for w in (
    "history", "status", "examination", "admission", "encounter", "care", "follow", "observation",
    "problem", "state", "use", "long", "test", "plan", "return", "present", "presence", "change",
    "control", "day", "week", "month", "year", "time", "left", "right", "level", "type", "stage",
    "mild", "severe", "acute", "chronic", "total", "primary", "secondary", "dose", "daily",
))


@dataclass(frozen=True)
class IndexWalk:
    path: tuple[Term, ...]     # main term first
    code: str                  # as the index gives it (may end in "-")
    covered: frozenset[str]    # the statement's stems the path used

    @property
    def path_text(self) -> str:
        return " \u203a ".join(t.term or t.nonessential for t in self.path)


def statement_stems(text: str) -> frozenset[str]:
    """Stems of the words, plus the stems of what abbreviations stand for ("CKD")."""
    out = set(tokens(text))
    for w in words(text):
        for phrase in expansions(w):
            out.update(tokens(phrase))
    return frozenset(out)


def _term_stems(t: Term) -> frozenset[str]:
    return frozenset(s for s in tokens(normalize_text(t.term)) if s not in ("nec", "nos"))


def _modifier_stems(t: Term) -> frozenset[str]:
    return frozenset(tokens(t.nonessential)) if t.nonessential else frozenset()


def _forms(t: Term) -> list[frozenset[str]]:
    """A main term's comma forms ("Diabetes, diabetic"): any one of them names it."""
    return [frozenset(tokens(p)) for p in normalize_text(t.term).split(", ") if tokens(p)]


def walk_index(text: str, book: TermTable | None = None) -> IndexWalk | None:
    """The deepest Alphabetic Index path the statement's words support, or None."""
    return _walk(text) if book is None else _walk_in(text, book)


@lru_cache(maxsize=4096)
def _walk(text: str) -> IndexWalk | None:
    return _walk_in(text, alphabetic_index())


def _walk_in(text: str, book: TermTable) -> IndexWalk | None:
    from workstation.search.case_words import read_case_words

    idx = book
    # What the statement says is absent ("without perforation or gangrene") supports no subterm.
    negated = read_case_words(text).negated
    have = statement_stems(text) - negated
    raw = set(words(text))
    best: IndexWalk | None = None
    seen: set[int] = set()
    said = list(words(text))
    for w in words(text):
        for phrase in expansions(w):
            said.extend(words(phrase))
    for w in dict.fromkeys(said):
        if w in STOP_WORDS or stem(w) in _WEAK_MAIN or len(w) < 3:
            continue
        for main in idx.find(w):
            if main.level != 0 or main.id in seen:
                continue
            seen.add(main.id)
            if not any(f <= have for f in _forms(main)):
                continue
            used = frozenset().union(*(f for f in _forms(main) if f <= have))
            walk = _descend(idx, [main], used, have, raw, negated)
            if walk and (best is None or _better(walk, best)):
                best = walk
    return best


def _better(a: IndexWalk, b: IndexWalk) -> bool:
    return (len(a.covered), len(a.path)) > (len(b.covered), len(b.path))


def _descend(idx: TermTable, path: list[Term], used: frozenset[str], have: frozenset[str],
             raw: set[str], negated: frozenset[str] = frozenset()) -> IndexWalk | None:
    node = path[-1]
    best: IndexWalk | None = None
    if node.has_children:
        for kid in idx.children(node.id):
            key = normalize_text(kid.term)
            if key in _CONNECTORS:
                need = _CONNECTORS[key]
                if need and not raw.intersection(need):
                    continue
                # Under "without" the absent words are the ones that count.
                sub = _descend(idx, path + [kid], used, have | negated if key == "without" else have, raw, negated)
                if sub and len(sub.covered) > len(used) and (best is None or _better(sub, best)):
                    best = sub
                continue
            ks = _term_stems(kid)
            # "without loss of consciousness": a subterm that itself says "without" takes the
            # absent words.
            avail = have | negated if _NEG_TERM.search(key) else have
            if not ks or not ks <= avail or ks <= used:
                continue
            # Non-essential modifiers the statement also says confirm the subterm: "trunk (skin)
            # (subcutaneous)" says more of "subcutaneous tissue of the back (trunk)" than "subcutaneous".
            sub = _descend(idx, path + [kid], used | ks | (_modifier_stems(kid) & have), have, raw, negated)
            if sub and (best is None or _better(sub, best)):
                best = sub
    if best is not None:
        return best
    # "see Hypertension, kidney": follow the cross-reference and walk on from there.
    if node.see_ids and len(path) < 12 and not any(p.id in node.see_ids for p in path):
        target = idx.term(node.see_ids[0])
        there = idx.path(target.id)
        sub = _descend(idx, path + there, used | frozenset().union(*(_term_stems(t) for t in there)) & have, have, raw,
                       negated)
        if sub is not None:
            return sub
    # The deepest term on the path that gives a code.
    for i in range(len(path) - 1, -1, -1):
        if path[i].codes:
            return IndexWalk(tuple(path), path[i].codes[0], used)
    return None


def unsupported_subterm(path_text: str, have: frozenset[str], title: str,
                        book: TermTable | None = None) -> str:
    """The first subterm of an Alphabetic Index path that the statement does not say while the
    code's title does ("" when there is none, or the path is not in the index). A coder goes
    down only the subterms the documentation supports: "Atherosclerosis, transplanted heart,
    native coronary artery" (I25.811, "... of transplanted heart ...") is not the path for
    "atherosclerosis of native coronary arteries". A subterm the title does not repeat is a
    synonym of what the title says ("cardiorenal" for "heart and chronic kidney disease") and
    is not asked for; nor are connectors ("with", "due to") and NEC / NOS words."""
    named = frozenset(tokens(title))
    idx = book if book is not None else alphabetic_index()
    found = idx.find(path_text)
    if not found:
        return ""
    for t in idx.path(found[0].id)[1:]:
        key = normalize_text(t.term)
        ks = _term_stems(t)
        if key in _CONNECTORS or not ks:
            continue
        if not ks & have and ks & named:
            return t.term
    return ""


# ------------------------------------------------------------------ tabular check


@dataclass
class Finished:
    code: str
    title: str
    billable: bool
    needs_seventh: bool
    notes: list[str] = field(default_factory=list)   # what finishing did ("7th character A: initial encounter")


SEVENTH_WORDS = (("initial encounter", "A"), ("subsequent encounter", "D"), ("sequela", "S"))


def seventh_from(text: str) -> str:
    low = text.lower()
    for phrase, ch in SEVENTH_WORDS:
        if phrase in low:
            return ch
    return ""


def finish(code: str, stems: frozenset[str], date: str, seventh: str = "") -> Finished | None:
    """The code checked (and completed where the words allow) in the tabular of the code year."""
    from workstation.codes import books

    book = books.icd10cm(date=date)
    c = book.get(code.rstrip("-"))
    if c is None:
        return None
    notes: list[str] = []
    # Down from a header to the billable child the words support (laterality, type ...).
    for _ in range(3):
        if c.billable or book.needs_seventh(c.code):
            break
        kids = book.children(c.code)
        if not kids:
            break
        def fit(k):  # noqa: E306 - words of the child's own title the statement has
            own = frozenset(tokens(k.title)) - frozenset(tokens(c.title))
            return (len(own & stems) - 0.5 * len(own - stems), "unspecified" in k.title.lower())
        pick = max(kids, key=fit)
        notes.append(f"{c.code} is a header: {pick.code} is the child the words support")
        c = pick
    if book.needs_seventh(c.code):
        if seventh:
            table = book.seventh_characters(c.code)
            allowed = {ch for ch, _m in table[1]} if table else set()
            if seventh in allowed:
                full = book.with_seventh(c.code, seventh)
                got = book.get(full)
                if got is not None:
                    notes.append(f"7th character {seventh} from the note")
                    return Finished(got.code, got.title, got.billable, False, notes)
        return Finished(c.code, c.title, False, True, notes)
    return Finished(c.code, c.title, c.billable, False, notes)


def mce_refusal(code: str, sex: str, age: int | None) -> str:
    """Why the MCE rejects the code for this patient ("" when it does not)."""
    from workstation.codes.mce import mce

    book = mce()
    for e in (book.check_sex(code, sex, "D") if sex else None,
              book.check_age(code, age) if age is not None else None):
        if e is not None:
            return e.message
    return ""
