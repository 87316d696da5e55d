"""External causes of an injury: how it happened (V00-Y38) and where (Y92), from the note's words.

Used only when an injury is among the suggestions (external cause codes go with injuries and
are never first-listed, guideline I.C.20). The words looked at are the tails of statements that
say how ("due to a fall from bed", "from overexertion lifting", "Mechanism: trip on sidewalk")
and where ("on an interstate highway", "at a building under construction"); each tail is
searched in the External Cause Index and titles, and kept only when the hit is close (a near-
exact score sharing two words with the tail). At most one mechanism and one place: the coder
adds more. Activity (Y93) and status (Y99) are not suggested: the note rarely says them in words
the index uses.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from workstation.search.tokenize import tokens

_HOW = re.compile(r"\b(?:due to|from|after|mechanism:?|caused by)\s+(.{4,}?)(?=$|[.;]|\s+(?:at|on|in)\s+(?:a|an|the|his|her|their|home)\b)",
                  re.I)
_WHERE = re.compile(r"\b(?:at|on|in)\s+((?:a|an|the|his|her|their)\s+)?"
                    r"([a-z](?:(?!\b(?:at|on|in)\s)[a-z -]){3,40}?)(?=$|[.,;]|\s+(?:while|when|after|and)\b)", re.I)
MECHANISM_MIN = 75.0
PLACE_MIN = 90.0


@dataclass(frozen=True)
class Phrase:
    text: str
    kind: str    # "how" | "where"


def phrases(statement: str) -> list[Phrase]:
    out = [Phrase(m.group(1).strip(), "how") for m in _HOW.finditer(statement)]
    out += [Phrase(m.group(2).strip(), "where") for m in _WHERE.finditer(statement)]
    return [p for p in out if len(tokens(p.text)) >= 1]


def is_injury(code: str) -> bool:
    """Chapter 19 injuries that take an external cause: S00-T34 and T66-T79 (not poisonings,
    adverse effects or complications of care, whose cause is in the code)."""
    if code[:1] == "S":
        return True
    if code[:1] == "T" and code[1:3].isdigit():
        n = int(code[1:3])
        return n <= 34 or 66 <= n <= 79
    return False


def accept(kind: str, code: str, score: float, phrase: str, title_and_via: str) -> bool:
    if kind == "how":
        if not ("V00" <= code[:3] <= "Y38") or score < MECHANISM_MIN:
            return False
    else:
        if not code.startswith("Y92") or score < PLACE_MIN:
            return False
    said, named = set(tokens(phrase)), set(tokens(title_and_via))
    return len(said & named) >= min(2, len(said))


def refine_place(via: str, said: frozenset[str]) -> str:
    """The place one subterm further down the External Cause Index, when the note names it:
    "lives in a single-family house" and "on the bedroom floor" is Place of occurrence,
    residence, house, single family, bedroom Y92.013, not the unspecified place Y92.019.
    Only one subterm may fit ("" when none or several do: the coder chooses); "specified NEC"
    is never taken from words."""
    from workstation.codes.index_tables import external_cause_index, normalize_text

    prefix = "external cause index: "
    if not via.startswith(prefix):
        return ""
    idx = external_cause_index()
    found = idx.find(via[len(prefix):])
    if not found:
        return ""
    fits = set()
    for kid in idx.children(found[0].id):
        stems = frozenset(tokens(normalize_text(kid.term)))
        if kid.codes and stems and "nec" not in stems and stems <= said:
            fits.add(kid.codes[0])
    return fits.pop() if len(fits) == 1 else ""


def walk_place(phrase: str) -> tuple[str, str]:
    """The place as a coder walks the External Cause Index when the words are not the index's
    own: from "Place of occurrence" down the subterms the phrase names (any comma form of a
    subterm names it: "house, single family" answers to "house"), through "see" references.
    "back yard of their house": house, see residence, house, single family, yard Y92.017.
    (code, path) of the walk covering most of the phrase's words, at least two of them; ("", "")
    when there is none."""
    from workstation.codes.index_tables import external_cause_index, normalize_text

    idx = external_cause_index()
    roots = idx.find("Place of occurrence")
    if not roots:
        return "", ""
    have = frozenset(tokens(phrase))
    best: tuple[int, int, str, str] = (0, 0, "", "")

    def forms(term: str) -> list[frozenset[str]]:
        return [f for f in (frozenset(tokens(p)) for p in normalize_text(term).split(", ")) if f]

    def down(tid: int, covered: frozenset[str], depth: int, names: list[str], seen: frozenset[int]) -> None:
        nonlocal best
        t = idx.term(tid)
        if t.codes and (len(covered), depth) > best[:2] and len(covered) >= 2:
            best = (len(covered), depth, t.codes[0], ", ".join(names))
        if depth > 8:
            return
        for kid in idx.children(tid):
            fs = [f for f in forms(kid.term) if f <= have]
            if fs and "nec" not in frozenset().union(*fs):
                down(kid.id, covered | frozenset().union(*fs), depth + 1, names + [kid.term], seen | {kid.id})
        for sid in [*t.see_ids, *t.see_also_ids]:
            if sid not in seen:
                down(sid, covered, depth + 1, names + [f"see {idx.path_text(sid)}"], seen | {sid})

    down(roots[0].id, frozenset(), 0, ["Place of occurrence"], frozenset({roots[0].id}))
    return best[2], best[3]


# ------------------------------------------------------------------ activity (Y93) and status (Y99)

_ANIMAL_WALK = re.compile(r"\bwalk(?:ing)?\s+(?:the|a|his|her|their)?\s*(?:\w+'s\s+|family\s+)?(?:dog|cat|pet|horse)s?\b", re.I)
_ACTIVITY = re.compile(r"\b(walking|hiking|running|jogging|skateboarding|swimming|cycling|biking|skiing|"
                       r"snowboarding|gardening|dancing|climbing)\b", re.I)
_CONSTRUCTION = re.compile(r"\b(?:under construction|construction (?:site|work|worker)|roofing)\b", re.I)
_WORK = re.compile(r"\bat work\b|\bworkers'? comp\w*|\bwork(?:-related)? injury\b|\bemployer\b|\bon the job\b|"
                   r"\bwhile working\b|\bconstruction worker\b|\bfor (?:income|pay)\b", re.I)
_MILITARY = re.compile(r"\b(?:on active duty|military duty|deployed)\b", re.I)
_VOLUNTEER = re.compile(r"\bvolunteer(?:ing)?\b", re.I)


@dataclass(frozen=True)
class Found:
    query: str       # searched in the classification's words
    evidence: str    # the note's words
    prefix: str      # Y93 / Y99
    why: str


def activity_and_status(text: str) -> list[Found]:
    """What the person was doing (Y93) and their status (Y99), when the note says it.

    Y99 is used with the other external cause codes (Y99 note in the tabular): income or pay
    (Y99.0) when the note says work; military (Y99.1), volunteer (Y99.2); a described activity
    that is not for pay is Y99.8 ("Activity NEC", "Leisure activity"). Nothing when the note
    says neither: Y99.9 would say only that it was not documented.
    """
    out: list[Found] = []
    m = _ANIMAL_WALK.search(text)
    act = None
    if m:
        act = Found("activity walking an animal", m.group(0), "Y93", "activity (Y93): walking an animal")
    elif (m := _CONSTRUCTION.search(text)) and _WORK.search(text):
        act = Found("activity building and construction", m.group(0), "Y93", "activity (Y93): building and construction")
    elif m := _ACTIVITY.search(text):
        act = Found(f"activity {m.group(1).lower()}", m.group(0), "Y93", f"activity (Y93): {m.group(1).lower()}")
    if act:
        out.append(act)
    if m := _WORK.search(text):
        out.append(Found("civilian activity done for income or pay", m.group(0), "Y99",
                         "status (Y99.0): the note says the injury happened at work"))
    elif m := _MILITARY.search(text):
        out.append(Found("military activity", m.group(0), "Y99", "status (Y99.1): military activity"))
    elif m := _VOLUNTEER.search(text):
        out.append(Found("volunteer activity", m.group(0), "Y99", "status (Y99.2): volunteer activity"))
    elif act is not None:
        out.append(Found("leisure activity", act.evidence, "Y99",
                         "status (Y99.8): an activity not done for income (Activity NEC, leisure)"))
    return out
