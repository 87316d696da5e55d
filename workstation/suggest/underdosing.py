"""Underdosing told in the note's words: "after running out of furosemide", "stopped taking her
metoprolol", "missed doses of insulin".

ICD-10-CM guideline I.C.19.e.5.c: underdosing is taking less of a medication than prescribed;
the Table of Drugs and Chemicals' Underdosing column gives the code (T36-T50, 6th character 6),
sequenced after the condition that relapsed or got worse. The intent (noncompliance Z91.12-,
Z91.13-, Z91.14-) is coded only "if known": running out says nothing of intent, so no Z91.1-
code comes from these words. Only the history and diagnostic statements are read (not the plan:
"do not run out of ..." is advice), and a statement that is negated or hypothetical is not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_UNDER = re.compile(
    r"\b(?:ran|run|running|runs) out of (?:(?:his|her|their|the) )?(?:home |oral )?"
    r"|\b(?:stopped|stopping|quit) taking (?:(?:his|her|their|the) )?"
    r"|\bmissed (?:\w+ )?doses? of (?:(?:his|her|their|the) )?", re.I)
_DRUG = re.compile(r"([A-Za-z][A-Za-z-]{3,}(?: [A-Za-z][A-Za-z-]{3,})?)")
_STOP_AT = re.compile(r"\s+(?:and|or|for|with|since|because|after|x|at|on|in)\b.*$", re.I)
SECTIONS = ("hpi", "assessment", "preoperative", "other", "pmh")


@dataclass(frozen=True)
class Underdosed:
    drug: str      # the words of the drug, as the note writes them
    start: int     # offsets of the drug's words in the statement
    end: int


def told(text: str) -> list[Underdosed]:
    out: list[Underdosed] = []
    for m in _UNDER.finditer(text):
        d = _DRUG.match(text, m.end())
        if d is None:
            continue
        words = _STOP_AT.sub("", d.group(1))
        out.append(Underdosed(words, d.start(1), d.start(1) + len(words)))
    return out


def accept(code: str, via: str, drug: str, score: float) -> bool:
    """A Drug Table hit in its Underdosing column for the substance the note names."""
    return (code[:1] == "T" and len(code) >= 7 and code[6] == "6" and via.startswith("drug table:")
            and "Underdosing" in via and drug.split()[0].lower() in via.lower() and score >= 90)
