"""HCPCS Level II service codes (G-codes) a note's own words name.

Two kinds, each found in the HCPCS book by search and checked by its title:
- the Medicare annual wellness visit, initial (G0438) or subsequent (G0439), when the note
  says it is one;
- for a Medicare patient (plan type MB/MA or a payer named Medicare), the administration of an
  influenza, pneumococcal or hepatitis B vaccine: Medicare pays these as G0008, G0009, G0010
  (not the CPT administration codes); the vaccine product itself is a CPT code, left to the coder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    query: str                  # what is searched in the HCPCS book
    must: tuple[str, ...]       # words the code's title must have
    start: int                  # offsets of the words that name it in the text
    end: int
    why: str


_AWV = re.compile(r"\bannual wellness visit\b[^.\n]{0,40}?\b(initial|first|subsequent)\b|\bAWV\b[^.\n]{0,20}?\b(initial|subsequent)\b",
                  re.I)
_VACCINE = re.compile(r"\b(influenza|flu|pneumococcal|hepatitis b)\b[^.\n]{0,20}?\bvaccine\b[^\n]*", re.I)
_GIVEN = re.compile(r"\b(?:IM|intramuscular|given|administered|deltoid|injected|SC|subcutaneous)\b", re.I)
_NOT = re.compile(r"\b(?:declined|refused|deferred|not given|ordered|recommended|due)\b", re.I)


def is_medicare(payer: str, plan_type: str = "") -> bool:
    return plan_type.upper() in ("MB", "MA") or "medicare" in payer.lower()


def services(text: str, medicare: bool) -> list[Service]:
    out: list[Service] = []
    m = _AWV.search(text)
    if m:
        which = (m.group(1) or m.group(2) or "").lower()
        which = "initial" if which in ("initial", "first") else "subsequent"
        out.append(Service(f"annual wellness visit {which} visit", ("annual", "wellness", which), m.start(), m.end(),
                           f"the note names a Medicare annual wellness visit, {which}"))
    if medicare:
        for v in _VACCINE.finditer(text):
            if not _GIVEN.search(v.group(0)) or _NOT.search(v.group(0)):
                continue
            kind = v.group(1).lower()
            kind = "influenza" if kind == "flu" else kind
            out.append(Service(f"administration of {kind} vaccine", ("administration", kind.split()[0]), v.start(),
                               v.end(), f"{kind} vaccine given to a Medicare patient: Medicare's administration "
                                        "code (the vaccine product is a CPT code)"))
    return out
