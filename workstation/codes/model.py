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
    # Narrowed by "with fifth character 1", "with 7th character B or C", "with final characters -23":
    # (position in the undotted code, counted from 1; the characters allowed there). All must hold.
    at: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        # The bounds without dots, worked out once: covers() runs for every pair of codes on
        # every claim the scrubber checks. Plain attributes, not fields (equality, hashing and
        # asdict see only the reference as printed).
        object.__setattr__(self, "_s", self.start.replace(".", ""))
        object.__setattr__(self, "_e", self.end.replace(".", ""))

    def covers(self, code: str) -> bool:
        """True when `code` falls under this reference (its category, range or subcategory)."""
        bare = code.replace(".", "").upper()
        for pos, allowed in self.at:
            if len(bare) < pos or bare[pos - 1] not in allowed:
                return False
        s: str = self._s  # type: ignore[attr-defined]
        if not self.end:
            return bare.startswith(s)
        e: str = self._e  # type: ignore[attr-defined]
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


# "(B27.0-B27.9 with fifth character 1)", "(V01-V09 with 5th character 9)", "(T36.8X- with sixth
# character 1-4)", "(S42.- with 7th character B or C)", "(F10-F19 with 5th character .6)",
# "(I69. with final characters -23)", "(E08, E09, E11, E13 with final characters .00 or .01)",
# "(T36-T50 with final character 6)": the references before the phrase (a comma/or list of them)
# apply only to codes with those characters. Read alone, "B27.0-B27.9" would claim every
# mononucleosis code and give Excludes1 clashes the note never meant.
_ORDINALS = {"fifth": 5, "5th": 5, "sixth": 6, "six": 6, "6th": 6, "seventh": 7, "7th": 7, "final": 0}
_ORD = r"(?:fifth|5th|sixth|6th|seventh|7th|final)"
_CHAR_TOKEN = r"[.-]?[0-9A-Z]+(?:\s*-\s*[0-9A-Z](?![0-9A-Za-z]))?"
_CHAR_RE = re.compile(
    rf"\s*,?\s*with\s+(?P<ord>{_ORD}(?:\s+(?P<join>or|to)\s+(?P<ord2>fifth|5th|sixth|six|6th))?)[\s-]+characters?\s+"
    rf"(?P<spec>{_CHAR_TOKEN}(?:\s*(?:,|or|and)\s*{_CHAR_TOKEN})*|to indicate intent)(?![0-9A-Za-z])"
    # "(S52.- with open fracture 7th character)": the letters of the fracture tables that mean open
    rf"|\s*with\s+(?P<open>open\s+fracture)\s+(?:7th|seventh)\s+character"
)
_TOKEN_RE = re.compile(r"(?P<tok>[.-]?[0-9A-Z]+)(?:\s*-\s*(?P<hi>[0-9A-Z])(?![0-9A-Za-z]))?")
_LIST_SEP = re.compile(r"\s*(?:,|,?\s*or|,?\s*and)\s*")
FINAL_POSITION = 6  # the notes' "final characters" end at the 6th (I69.x23, T36-T50 6th character 6)
# The 7th characters of the fracture tables (S42, S52, S62, S72, S82, S92 ...) whose meaning is an
# open fracture: B C (initial), E F, H J, M N, Q R (subsequent). tests/codes check it against the XML.
OPEN_FRACTURE_7TH = "BCEFHJMNQR"
# "to indicate intent": the intent characters of the poisoning codes: 1 accidental, 2 intentional
# self-harm, 3 assault, 4 undetermined.
INTENT = "1234"


def _chars(spec: str) -> str:
    """"1-4 or 6" -> "12346"; "B or C" -> "BC"."""
    out = ""
    for t in _TOKEN_RE.finditer(spec):
        lo = t["tok"].lstrip(".-")[-1]
        out += "".join(chr(c) for c in range(ord(lo), ord(t["hi"]) + 1)) if t["hi"] else lo
    return out


def _positions(ordinal: str, spec: str, join: str | None = None, ord2: str | None = None
               ) -> list[tuple[tuple[int, str], ...]]:
    """The alternatives a "with <ordinal> character <spec>" phrase allows, each as (position, chars)."""
    first_word = ordinal.split()[0].lower()
    nth = _ORDINALS[first_word]
    if join == "or":
        # "with fifth or sixth character 5" (the T36-T65 intent/type character): the 6th character,
        # or the 5th when the 6th is the placeholder X (T36.91XA, T51.91XA).
        chars = INTENT if spec == "to indicate intent" else _chars(spec)
        return [((6, chars),), ((5, chars), (6, "X"))]
    if join == "to":
        # "with fifth to sixth characters 51": those characters in those positions (F11.151, F15.951).
        body = spec.lstrip(".-")
        return [tuple((nth + i, ch) for i, ch in enumerate(body))]
    alts: list[tuple[tuple[int, str], ...]] = []
    for t in _TOKEN_RE.finditer(spec):
        tok, hi = t["tok"], t["hi"]
        if nth:  # one position: "1", "1-4", "B", ".6"
            lo = tok.lstrip(".-")
            chars = "".join(chr(c) for c in range(ord(lo[-1]), ord(hi) + 1)) if hi else lo[-1]
            alts.append(((nth, chars),))
        elif tok.startswith("."):  # right after the dot: ".00" is positions 4-5
            alts.append(tuple((4 + i, ch) for i, ch in enumerate(tok[1:])))
        else:  # "-23", "6": the characters ending at the final position
            body = tok.lstrip("-")
            first = FINAL_POSITION - len(body) + 1
            alts.append(tuple((first + i, ch) for i, ch in enumerate(body)))
    # Single characters at one position ("B or C", "1, 2"): one reference allowing them all.
    if alts and all(len(a) == 1 for a in alts) and len({a[0][0] for a in alts}) == 1:
        return [((alts[0][0][0], "".join(a[0][1] for a in alts)),)]
    return alts


def _narrow(text: str, found: list[tuple[int, int, CodeRef]]) -> list[CodeRef]:
    """Apply each "with <n>th character" phrase to the references listed right before it."""
    out = [[r] for _, _, r in found]  # each reference, or what it narrows to, in place
    done: set[int] = set()
    for ph in _CHAR_RE.finditer(text):
        # The references just before the phrase: the nearest, then any joined to it by , / or / and.
        # "(T36-T50) with fifth or sixth character 6": the reference may close its bracket first.
        idx = [i for i, (_, end, _) in enumerate(found)
               if end <= ph.start() and not text[end:ph.start()].strip(" ,.-)")]
        if not idx:
            continue
        group = [idx[-1]]
        while group[0] > 0:
            prev_end, this_start = found[group[0] - 1][1], found[group[0]][0]
            if not _LIST_SEP.fullmatch(text[prev_end:this_start]):
                break
            group.insert(0, group[0] - 1)
        alts = ([((7, OPEN_FRACTURE_7TH),)] if ph["open"]
                else _positions(ph["ord"], ph["spec"], ph["join"], ph["ord2"]))
        for i in group:
            if i in done or not alts:
                continue
            done.add(i)
            base = out[i][0]
            out[i] = [CodeRef(base.start, base.end, base.text, base.incomplete, a) for a in alts]
    return [r for refs in out for r in refs]


def parse_refs(text: str) -> list[CodeRef]:
    """Find the code references in a note's text, in order."""
    found: list[tuple[int, int, CodeRef]] = []
    spans = []
    for w in _WITH_RE.finditer(text):
        spans.append((w.start(), w.end(), _with_refs(w)))
    for m in _REF_RE.finditer(text):
        span = next((sp for sp in spans if sp[0] <= m.start() < sp[1]), None)
        if span is not None:
            if span[2]:  # the narrowed references stand in for the bare categories, once
                found.extend((span[0], span[1], r) for r in span[2])
                spans[spans.index(span)] = (span[0], span[1], [])
            continue
        start, end = m.group("start"), m.group("end") or ""
        # A range written "T36-T65" or "N18.1-N18.6"; "E11.-" is a single incomplete code.
        found.append((m.start(), m.end(), CodeRef(
            start=start,
            end=end,
            text=m.group(0).strip(),
            incomplete=bool(m.group("edash") if end else m.group("sdash")),
        )))
    return _narrow(text, found)
