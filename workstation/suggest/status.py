"""Devices the patient has, told anywhere the history is: "on insulin ever since (insulin pump,
Humalog)" is the status code Presence, insulin pump Z96.41.

ICD-10-CM guideline I.C.21.c.3: status codes say the patient has a device (Z95-Z97, "Presence
of ..."). The device names are the Alphabetic Index's own subterms of "Presence", its first level
only (a deeper one such as "intravascular implant, coronary artery" is not named by its last
words alone), of two words or more ("insulin pump", "cochlear implant", "contact lens": a single
word says too little), found as words of a statement that is not negated, uncertain,
hypothetical, historical or about the family; the index gives the code, checked billable in the
tabular of the code year.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SECTIONS = ("hpi", "pmh", "assessment", "preoperative", "other")


@dataclass(frozen=True)
class Device:
    code: str
    path: str        # "Presence, insulin pump"
    start: int       # offsets of the device's words in the statement
    end: int


@lru_cache(maxsize=1)
def _devices() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    from workstation.codes.index_tables import alphabetic_index, normalize_text

    idx = alphabetic_index()
    out = []
    for main in idx.find("Presence"):
        for t in idx.children(main.id):
            name = normalize_text(t.term)
            if not t.codes or t.codes[0].endswith("-") or t.codes[0][:3] not in ("Z95", "Z96", "Z97"):
                continue
            if len(name.split()) < 2 or " nec" in name or "specified" in name or "," in name:
                continue
            out.append((re.compile(r"\b" + re.escape(name) + r"s?\b", re.I), t.codes[0], idx.path_text(t.id)))
    return tuple(out)


def devices(text: str) -> list[Device]:
    found: list[Device] = []
    for pat, code, path in _devices():
        m = pat.search(text)
        if m and not any(d.code == code for d in found):
            found.append(Device(code, path, m.start(), m.end()))
    return found
