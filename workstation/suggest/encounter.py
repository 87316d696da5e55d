"""The reason for the encounter, when the note says it outside the diagnosis list.

Some codes come from what the visit *is*, not from a diagnosis statement. Each rule below
finds the words in the note and asks the search engine for the code in the classification's
own wording, so the code comes from the code book of the year, never from this file:

- an encounter for antineoplastic chemotherapy (an infusion / cycle of an adjuvant or
  neoadjuvant regimen): "encounter for antineoplastic chemotherapy", first-listed
  (guideline I.C.2.e.2);
- vaccines given at the visit: "encounter for immunization" (guideline I.C.21.c.2);
- a screening examination ("screening colonoscopy"): the screening code first, even when a
  finding is made during it (guideline I.C.21.c.5);
- weeks of gestation on the maternal record ("at 39 weeks"): "N weeks gestation of pregnancy"
  (category Z3A, guideline I.C.15.b.3; maternal record only, which the MCE's age edit checks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    query: str          # what is searched
    evidence: str       # the note's words
    start: int          # offsets in the document
    end: int
    doc: int
    first: bool         # first-listed
    why: str
    prefix: str         # the code must start with this (the classification's category)


_CHEMO_VISIT = re.compile(r"\b(?:cycle\s+\d+(?:\s+of\s+\d+)?|infusion)\b", re.I)
_CHEMO = re.compile(r"\b(?:chemotherapy|adjuvant|neoadjuvant|antineoplastic)\b", re.I)
_VACCINE = re.compile(r"\b(?:immuni[sz]ations?|vaccines?|vaccinations?)\b[^.\n]{0,60}?\b(?:given|administered)\b"
                      r"|\b(?:given|administered)\b[^.\n]{0,30}?\b(?:vaccines?|immuni[sz]ations?)\b", re.I)
_SCREENING = re.compile(r"\bscreening\s+(colonoscopy|mammogram|mammography)\b", re.I)
_WEEKS = re.compile(r"\b(\d{1,2})\s+weeks?\b(?!\s+(?:ago|later|after|postpartum|old))", re.I)
_PREGNANT = re.compile(r"\b(?:pregnan\w*|gestation\w*|G\d+P\d+|prenatal|antepartum|delivery|delivered|labor)\b", re.I)


def reasons(texts: list[str]) -> list[Reason]:
    out: list[Reason] = []
    for doc, text in enumerate(texts):
        m = _CHEMO_VISIT.search(text)
        if m and _CHEMO.search(text):
            out.append(Reason("encounter for antineoplastic chemotherapy", _line(text, m), *_span(text, m), doc, True,
                              "encounter for chemotherapy: first-listed (guideline I.C.2.e.2)", "Z51"))
        m = _VACCINE.search(text)
        if m:
            out.append(Reason("encounter for immunization", _line(text, m), *_span(text, m), doc, False,
                              "vaccines given at the visit: encounter for immunization (guideline I.C.21.c.2)", "Z23"))
        m = _SCREENING.search(text)
        if m:
            out.append(Reason(m.group(0), m.group(0), m.start(), m.end(), doc, True,
                              "screening examination: the screening code first, even with a finding (guideline I.C.21.c.5)",
                              "Z1"))
        m = _WEEKS.search(text)
        if m and _PREGNANT.search(text) and 8 <= int(m.group(1)) <= 42:
            out.append(Reason(f"{int(m.group(1))} weeks gestation of pregnancy", m.group(0), m.start(), m.end(), doc,
                              False, "weeks of gestation on the maternal record (category Z3A, guideline I.C.15.b.3)",
                              "Z3A"))
    return out


def _span(text: str, m: re.Match[str]) -> tuple[int, int]:
    a = text.rfind("\n", 0, m.start()) + 1
    b = text.find("\n", m.end())
    return a, (len(text) if b < 0 else b)


def _line(text: str, m: re.Match[str]) -> str:
    a, b = _span(text, m)
    return text[a:b].strip()
