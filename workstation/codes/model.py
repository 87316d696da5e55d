"""Shared shapes of the code sets: instructional notes and the code references inside them."""
from __future__ import annotations

import re
from dataclasses import dataclass

NOTE_KINDS = {
    "includes": "Includes",
    "inclusion_term": "Inclusion term",
    "excludes1": "Excludes1",
    "excludes2": "Excludes2",
    "code_first": "Code first",
    "use_additional_code": "Use additional code",
    "code_also": "Code also",
    "note": "Note",
    "seventh_note": "7th character note",
    "seventh_char": "7th character",
}


@dataclass(frozen=True)
class CodeRef:
    """A code or range named inside a note: "E11.-", "N18.1-N18.6", "T36-T65", "Z79.4".

    `start` and `end` are dotted codes; `end` is empty for a single code. `incomplete` marks a
    trailing dash (the code needs more characters). `text` is the reference as printed.
    """

    start: str
    end: str
    text: str
    incomplete: bool = False

    def covers(self, code: str) -> bool:
        """True when `code` falls under this reference (its category, range or subcategory)."""
        bare = code.replace(".", "").upper()
        s = self.start.replace(".", "")
        if not self.end:
            return bare.startswith(s)
        e = self.end.replace(".", "")
        # Compare on the shorter of the bounds' lengths so "N18.1-N18.6" covers N18.30.
        head = bare[: max(len(s), len(e))]
        return s <= head[: len(s)] and head[: len(e)] <= e


@dataclass(frozen=True)
class Note:
    kind: str  # a key of NOTE_KINDS
    text: str
    origin: str  # the node the note is printed at: "Chapter 4", "E08-E13", "E11", "E11.2"
    origin_level: str  # chapter, block, category, subcategory, code
    refs: tuple[CodeRef, ...] = ()

    @property
    def label(self) -> str:
        return NOTE_KINDS.get(self.kind, self.kind)


# A code: letter, digit, digit-or-letter, then optionally a dot and up to four characters or a dash.
_CODE = r"[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_REF_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<start>{_CODE})(?P<sdash>\.?-)?"
    rf"(?:\s*-\s*(?P<end>{_CODE})(?P<edash>\.?-)?)?(?![A-Za-z0-9])"
)


# "diabetes mellitus (E08-E13 with .42)", "(F10, F13, F19 with .26, .96)", "(E08-E13 with .51-.52)":
# categories named with the subdivision that applies. Read alone, "E08-E13" would claim every
# diabetes code (and make G63 clash with E11.22); the suffix narrows it to E08.42 ... E13.42.
_CAT = r"[A-Z]\d[0-9A-Z]"
_SUFFIX = r"\.[0-9A-Z]+(?:\s*-\s*\.[0-9A-Z]+|-)?"
_WITH_RE = re.compile(
    rf"(?<![A-Za-z0-9.])(?P<cats>{_CAT}(?:\s*-\s*{_CAT})?(?:\s*,\s*{_CAT}(?:\s*-\s*{_CAT})?)*),?"
    rf"\s+with\s+(?P<suf>{_SUFFIX}(?:\s*[.,]\s*{_SUFFIX})*)"
)
_SUFFIX_PART = re.compile(r"\.(?P<a>[0-9A-Z]+)(?:\s*-\s*\.(?P<b>[0-9A-Z]+)|(?P<dash>-))?")


def _categories(spec: str) -> list[str]:
    """"E08-E13" -> E08, E09, ... E13; "F10, F13, F19" -> those three."""
    out: list[str] = []
    for part in spec.split(","):
        lo, _, hi = (x.strip() for x in part.partition("-"))
        if hi and lo[0] == hi[0] and lo[1:].isdigit() and hi[1:].isdigit():
            out.extend(f"{lo[0]}{n:02d}" for n in range(int(lo[1:]), int(hi[1:]) + 1))
        else:
            out.extend(x for x in (lo, hi) if x)
    return out


def _with_refs(m: re.Match[str]) -> list[CodeRef]:
    out = []
    for cat in _categories(m.group("cats")):
        for part in _SUFFIX_PART.finditer(m.group("suf")):
            start = f"{cat}.{part['a']}"
            end = f"{cat}.{part['b']}" if part["b"] else ""
            out.append(CodeRef(start, end, f"{start}-{end}" if end else start + ("-" if part["dash"] else ""),
                               incomplete=bool(part["dash"])))
    return out


def parse_refs(text: str) -> list[CodeRef]:
    """Find the code references in a note's text, in order."""
    out: list[CodeRef] = []
    spans = []
    for w in _WITH_RE.finditer(text):
        spans.append((w.start(), w.end(), _with_refs(w)))
    for m in _REF_RE.finditer(text):
        span = next((sp for sp in spans if sp[0] <= m.start() < sp[1]), None)
        if span is not None:
            if span[2]:  # the narrowed references stand in for the bare categories, once
                out.extend(span[2])
                spans[spans.index(span)] = (span[0], span[1], [])
            continue
        start, end = m.group("start"), m.group("end") or ""
        # A range written "T36-T65" or "N18.1-N18.6"; "E11.-" is a single incomplete code.
        out.append(
            CodeRef(
                start=start,
                end=end,
                text=m.group(0).strip(),
                incomplete=bool(m.group("edash") if end else m.group("sdash")),
            )
        )
    return out
