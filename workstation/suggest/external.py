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
