"""From a procedure statement to an ICD-10-PCS code, the way a coder builds one.

1. Walk the ICD-10-PCS Index (the compiled index of the code year's release): a main term the
   statement names ("Appendectomy", "Thoracentesis", "Arthroplasty", "Catheterization"), then
   the subterms its words support ("Heart", "Vein, Peripheral"); a "see" reference is followed
   ("Angioplasty: see Dilation, Heart and Great Vessels 027"), and where the index gives several
   ("Appendectomy: see Excision 0DBJ; see Resection 0DTJ") each is tried.
2. The index gives a table (three characters) or a partial code; the table then offers, axis by
   axis, only the values a valid code may have. Each axis (body part, approach, device,
   qualifier) takes the value whose label the words support: the statement's own words first,
   the rest of the case's documentation (the operative description, negated words removed) at
   a lower weight; laterality is a word of the body-part label ("Hip Joint, Right"). Approaches
   follow the PCS definitions (laparoscopic: Percutaneous Endoscopic; needle, ultrasound-guided
   or catheter access: Percutaneous; endoscopy through an orifice: Via Natural or Artificial
   Opening Endoscopic). Where no word supports a value, "No Device" / "No Qualifier" stand.
3. Root operation: Resection (all of a body part) over Excision (a portion) unless the note
   says partial (PCS guideline B3.8 and the root operation definitions); a therapeutic
   procedure over a diagnostic one at the same site (B3.4a: the qualifier is not Diagnostic).

Only valid codes of the tables come out; each names the index path and the words that chose
each axis, so the coder can check it (the Suggestions list shows them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from workstation.search.abbreviations import expansions
from workstation.search.tokenize import STOP_WORDS, tokens, words

# Approach words -> the approach label of the PCS tables (definitions of the 5th character).
_APPROACH_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("laparoscop", "thoracoscop", "arthroscop", "mediastinoscop", "endoscopically"), "Percutaneous Endoscopic"),
    (("colonoscop", "endoscopy", "egd", "esophagogastroduodenoscop", "cystoscop", "bronchoscop", "hysteroscop",
      "ureteroscop", "sigmoidoscop", "transurethr"), "Via Natural or Artificial Opening Endoscopic"),
    (("percutan", "needl", "guided", "ultrasound", "radial", "catheter", "transcathet", "intraven", "peripher",
      "puncture", "pci"), "Percutaneous"),
    (("vagin", "transvagin", "transor", "nasogastr", "rectal"), "Via Natural or Artificial Opening"),
    (("open", "incis", "laparotom", "thoracotom", "arthrotom", "sternotom", "craniotom", "parapatellar",
      "posterior"), "Open"),
    (("external", "closed", "manual", "manu", "skin"), "External"),
)
_PARTIAL = re.compile(r"\b(?:partial|portion|part of|segment(?:al)?|wedge|biops(?:y|ies)|subtotal|hemi)", re.I)
_THERAPEUTIC = re.compile(r"\btherapeutic\b", re.I)
_DIAGNOSTIC = re.compile(r"\b(?:diagnostic|biops(?:y|ies))\b", re.I)
_EMPTY = frozenset({"No Device", "No Qualifier", "None", "No Substance"})
_LABEL_NOISE = frozenset({"no", "devic", "device", "qualifi", "qualifier", "approach", "nos", "other", "and"})
# Main terms that say how or where, never which procedure (they start no walk).
_NOT_PROCEDURES = frozenset({"open", "approach", "percutaneous", "external", "right", "left", "bilateral",
                             "cemented", "general", "local", "anesthesia", "guidance", "surgeon", "access"})
SUPPORT_WEIGHT = 0.4


@dataclass(frozen=True)
class Words:
    """What a statement says, as stems; the case's other words at a lower weight."""
    own: frozenset[str]
    support: frozenset[str] = frozenset()
    text: str = ""

    def weight(self, stem: str) -> float:
        if _has(self.own, stem):
            return 1.0
        if _has(self.support, stem):
            return SUPPORT_WEIGHT
        return 0.0


def _has(pool: frozenset[str], s: str) -> bool:
    if s in pool:
        return True
    if len(s) < 4:
        return False
    # "manual" / "manually", "assist" / "assistance": the stemmer leaves some pairs apart, so a
    # stem also matches one that starts with it (or that it starts with), up to 4 letters apart.
    return s in _prefixes(pool) or any(s[:k] in pool for k in range(max(4, len(s) - 4), len(s)))


@lru_cache(maxsize=256)
def _prefixes(pool: frozenset[str]) -> frozenset[str]:
    return frozenset(p[:k] for p in pool if len(p) >= 4 for k in range(max(4, len(p) - 4), len(p)))


def stems_of(text: str) -> frozenset[str]:
    out = set(tokens(text))
    for w in words(text):
        for phrase in expansions(w):
            out.update(tokens(phrase))
        low = w.lower()
        if low.startswith("hemi") and len(low) > 8:     # hemiarthroplasty: a partial arthroplasty
            out.update(tokens(low[4:]))
    if any(s.startswith(("arthroplast", "prosthe", "implant", "component")) for s in out):
        out.update(tokens("synthetic substitute"))     # the PCS device key: a prosthesis is a synthetic substitute
    if out & {"intraven", "iv"}:
        out.update(tokens("vein"))                     # "via peripheral IV": the site is a vein
    low = text.lower()
    if len({a for a in _CORONARIES if re.search(rf"\b{a}\b", low)}) >= 2:
        out.update(tokens("multiple"))                 # LAD, LCx and RCA: more than one coronary artery
    return frozenset(out)


# Words that say which root operation, where the index offers several (PCS root operation
# definitions: Replacement puts in a device taking the place of all or a portion of a body part;
# Supplement reinforces or augments it; Repair restores it with no other root operation).
_OPERATION_CUES: dict[str, tuple[str, ...]] = {
    "Replacement": ("replac", "prosthe", "total", "hemiarthroplast", "component", "cement"),
    "Supplement": ("reinforc", "augment", "mesh", "patch"),
    "Repair": ("repair", "sutur", "herniorrhaph"),
    # a biopsy takes tissue (Excision, qualifier Diagnostic) unless it draws fluid (Drainage)
    "Excision": ("biops", "excis"),
    "Drainage": ("aspirat", "fluid", "drain"),
}
_CORONARIES = ("lad", "lcx", "rca", "left main", "circumflex", "right coronary", "left anterior descending",
               "diagonal", "obtuse marginal", "ramus")
# Procedure phrases the PCS Index lists under another main term.
_PHRASES = {"coronary intervention": "angioplasty", "coronary angioplasty": "angioplasty"}
# Imaging modality words -> the main term of the "see" reference they choose.
_MODALITY = (("computerized tomography", ("ct", "cta", "comput")),
             ("magnetic resonance", ("mri", "mra", "magnet")),
             ("fluoroscopy", ("fluoroscop", "cathet", "select", "cath")),
             ("plain radiography", ("radiograph", "xray", "film")))


@dataclass
class PcsPick:
    code: str
    title: str
    path: str                        # the index path walked ("Arthroplasty › see Replacement, Lower Joints 0SR")
    score: float
    axes: list[str] = field(default_factory=list)
    whole_from_index: bool = False   # the index printed the whole code (no axis was chosen)   # "Body Part: Hip Joint, Femoral Surface, Right (words: hip, femoral, right)"


# ------------------------------------------------------------------ the index as a tree

@dataclass(frozen=True)
class _Node:
    id: int
    parent: int
    title: str
    code: str | None
    see: str | None
    use: str | None


class _Index:
    def __init__(self) -> None:
        from workstation.codes.icd10pcs import icd10pcs

        raw = icd10pcs()._index_raw
        self.nodes = [_Node(i, p, t or "", c, s, u) for i, (p, t, c, s, u) in enumerate(raw)]
        self.kids: dict[int, list[int]] = {}
        self.mains: dict[str, list[int]] = {}
        for n in self.nodes:
            self.kids.setdefault(n.parent, []).append(n.id)
            if n.parent < 0 and n.title:
                self.mains.setdefault(n.title.lower(), []).append(n.id)
        self.by_path: dict[tuple[str, ...], int] = {}
        for n in self.nodes:
            if n.title:
                self.by_path.setdefault(self.path(n.id), n.id)

    def path(self, i: int) -> tuple[str, ...]:
        out: list[str] = []
        while i >= 0:
            n = self.nodes[i]
            if n.title:
                out.append(n.title.lower())
            i = n.parent
        return tuple(reversed(out))

    def resolve(self, ref: str) -> int | None:
        """ "Fluoroscopy, Artery" -> that term (the longest path the reference names)."""
        # "Excision with qualifier Diagnostic": the term, the qualifier is for the axes to choose.
        ref = re.sub(r"\s+with qualifier\b.*$", "", ref, flags=re.I)
        parts = tuple(p.strip().lower() for p in ref.split(","))
        for k in range(len(parts), 0, -1):
            got = self.by_path.get(parts[:k])
            if got is not None:
                return got
        return None


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index()


def _title_stems(title: str) -> frozenset[str]:
    return frozenset(s for s in tokens(title) if s not in ("nec", "nos"))


def _targets(ix: _Index, node: int, w: Words, trail: tuple[str, ...], depth: int = 0) -> list[tuple[str, str]]:
    """(code or table prefix, path text) the walk reaches from a term."""
    if depth > 8:
        return []
    n = ix.nodes[node]
    kids = [ix.nodes[k] for k in ix.kids.get(node, [])]
    found: list[tuple[str, str]] = []
    named = [k for k in kids if k.title and _title_stems(k.title)
             and all(_has(w.own, s) for s in _title_stems(k.title))]
    if not named:   # "left heart catheterization": Sampling and Pressure › Left Heart
        for k in kids:
            for g in ix.kids.get(k.id, []):
                gs = _title_stems(ix.nodes[g].title)
                if len(gs) >= 2 and all(_has(w.own, s) for s in gs):
                    found.extend(_targets(ix, g, w, trail + (k.title, ix.nodes[g].title), depth + 2))
        if found:
            return found
    if not named:   # the rest of the case may name the subterm ("via peripheral IV")
        named = [k for k in kids if k.title and _title_stems(k.title)
                 and all(_has(w.own | w.support, s) for s in _title_stems(k.title))]
    for k in named:
        found.extend(_targets(ix, k.id, w, trail + (k.title,), depth + 1))
    if found:
        return found
    here = " \u203a ".join(trail)
    if n.code:
        found.append((n.code, here))
        if n.see and len(n.code) < 7:   # "Heart 4A02, see Measurement, Cardiac": its subterms say more
            ref = ix.by_path.get(tuple(p.strip().lower() for p in n.see.split(",")))
            if ref is not None and ref != node:
                more = [t for t in _targets(ix, ref, w, trail + (f"see {n.see}",), depth + 1)
                        if len(t[0]) >= len(n.code) and t[0].startswith(n.code)]
                if more:
                    return more
    for k in kids:
        if k.title:
            continue
        if k.code:
            found.append((k.code, here + (f" \u203a see {k.see}" if k.see else "")))
        elif k.see or k.use:
            ref = ix.resolve(k.see or k.use or "")
            if ref is not None and ref != node:
                found.extend(_targets(ix, ref, w, trail + (f"see {k.see or k.use}",), depth + 1))
    if not found and (n.see or n.use) and not n.code:
        ref = ix.resolve(n.see or n.use or "")
        if ref is not None and ref != node:
            found.extend(_targets(ix, ref, w, trail + (f"see {n.see or n.use}",), depth + 1))
    if not found:
        # A term whose subterms the note does not name: the table they share, if one.
        codes = {c for c in _descendant_codes(ix, node) if len(c) >= 3}
        tables = {c[:3] for c in codes}
        if len(tables) == 1:
            found.append((tables.pop(), here))
    return found


def _descendant_codes(ix: _Index, node: int, depth: int = 0) -> list[str]:
    out: list[str] = []
    for k in ix.kids.get(node, []):
        n = ix.nodes[k]
        if n.code:
            out.append(n.code)
        if depth < 4:
            out.extend(_descendant_codes(ix, k, depth + 1))
    return out


def main_terms(text: str) -> list[tuple[int, int, str]]:
    """(word position, index node, the words) of the index main terms a statement names, longest first at each place."""
    ix = _index()
    ws = [x.lower() for x in words(text)]
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(ws):
        hit = False
        for k in range(min(4, len(ws) - i), 0, -1):
            phrase = " ".join(ws[i:i + k])
            if k == 1 and (phrase in STOP_WORDS or phrase in _NOT_PROCEDURES or len(phrase) < 4):
                continue
            candidates = [phrase] + ([_PHRASES[phrase]] if phrase in _PHRASES else [])
            if k == 1:
                candidates += [e for e in expansions(phrase)]
                if phrase.startswith("hemi") and len(phrase) > 8:
                    candidates.append(phrase[4:])
            for c in candidates:
                for node in ix.mains.get(c, []):
                    out.append((i, node, c))
                    hit = True
            if hit:
                i += k
                break
        if not hit:
            i += 1
    return out


# ------------------------------------------------------------------ the axes

def _label_fit(label: str, w: Words, miss: float = 0.5) -> tuple[float, list[str]]:
    if label in _EMPTY:
        return 0.0, []
    st = [s for s in _title_stems(label) if s not in _LABEL_NOISE]
    if not st:
        return -0.1, []
    got = [(s, w.weight(s)) for s in st]
    matched = [s for s, x in got if x > 0]
    score = sum(x for _s, x in got) - miss * sum(1 for _s, x in got if x == 0)
    return score, matched


def _approach_from(w: Words) -> tuple[str, bool]:
    """The approach the words name, and whether the statement itself names it."""
    for stems_, label in _APPROACH_WORDS:
        if any(_has(w.own, s) for s in stems_):
            return label, True
    for stems_, label in _APPROACH_WORDS:
        if any(_has(w.support, s) for s in stems_):
            return label, False
    return "", False


def fill(prefix: str, w: Words) -> tuple[str, float, list[str]] | None:
    """The code the words support from a table or partial code; None when the tables allow nothing."""
    from workstation.codes.icd10pcs import icd10pcs

    book = icd10pcs()
    code = prefix.upper()
    total = 0.0
    notes: list[str] = []
    names = book.axis_names(code[:1]) if code else []
    approach, said = _approach_from(w)
    therapeutic = bool(_THERAPEUTIC.search(w.text))
    op_words: frozenset[str] | None = None
    while len(code) < 7:
        choices = book.next_choices(code)
        if not choices:
            return None
        pos = len(code)
        axis = names[pos] if pos < len(names) else ""
        best: tuple[float, int, str, str, list[str]] | None = None
        if len(code) == 3 or op_words is None:
            head = book.decode(code[:3]) if len(code) >= 3 else []
            op_words = _title_stems(head[2].label) if len(head) == 3 else frozenset()
        for order, (ch, label) in enumerate(choices):
            # The body part matters most: a word of its label the note does not say is evidence against.
            score, matched = _label_fit(label, w, 1.0) if axis == "Body Part" else _label_fit(label, w)
            if axis == "Device" and op_words & _title_stems(label):
                score, matched = _label_fit(label, Words(w.own - op_words, w.support - op_words, w.text))
            if axis == "Body Part" and "Surface" in label:
                # a hemiarthroplasty replaces one surface; a total arthroplasty the whole joint
                score += 1.0 if _PARTIAL.search(w.text) else (-1.0 if re.search(r"\btotal\b", w.text, re.I) else 0.0)
            if axis == "Device" and "Unicondylar" in label and re.search(r"\btotal\b", w.text, re.I):
                score -= 2.0   # a total knee is not a unicondylar one
            if label.startswith("Nonautologous") and not _has(w.own | w.support, "autolog"):
                score += 0.6   # donor blood unless the note says the patient's own
            if axis == "Approach":
                score = (3.0 if said else 1.0) if label == approach else (-1.0 if said else 0.0)
                matched = [approach] if label == approach else []
            if axis == "Qualifier" and label == "Diagnostic":
                score = 2.0 if (_DIAGNOSTIC.search(w.text) and not therapeutic) else -2.0
            if label in _EMPTY or ch == "Z":
                score += 0.05    # where nothing is said, nothing is added
            key = (score, -order)
            if best is None or key > (best[0], -best[1]):
                best = (score, order, ch, label, matched)
        assert best is not None
        score, _o, ch, label, matched = best
        if pos >= 3:
            total += max(score, 0.0) * (2.0 if axis == "Body Part" else 1.0)
            if label not in _EMPTY:
                notes.append(f"{axis}: {label}" + (f" ({', '.join(matched)})" if matched else
                                                     " (the only value)" if len(choices) == 1 else
                                                     " (NOT DOCUMENTED: the table's first value; check)"))
        code += ch
    return code, total, notes


@lru_cache(maxsize=64)
def _support(support: str) -> frozenset[str]:
    """The case's words, less what it says is absent ("no drain left in place")."""
    from workstation.search.case_words import read_case_words

    if not support:
        return frozenset()
    return stems_of(support) - read_case_words(support).negated


def pick(text: str, support: str = "") -> PcsPick | None:
    """The PCS code a procedure statement supports, or None."""
    from workstation.codes.icd10pcs import icd10pcs

    w = Words(stems_of(text), _support(support) - stems_of(text), text)
    ix = _index()
    options: list[tuple[str, str]] = []
    for _pos, node, phrase in main_terms(text)[:1]:
        options.extend(_targets(ix, node, w, (ix.nodes[node].title,)))
    if not options:
        return None
    # Resection (all of a body part) over Excision (a portion) unless the note says partial.
    ops = {c[:3] for c, _p in options if len(c) >= 3}
    partial = bool(_PARTIAL.search(text))
    best: PcsPick | None = None
    book = icd10pcs()
    for prefix, path in dict.fromkeys(options):
        # The subterms walked say what the coder read ("Sampling and Pressure › Left Heart").
        trail = " ".join(t for t in path.split(" \u203a ")[1:] if not t.startswith("see "))
        got = fill(prefix, Words(w.own | stems_of(trail), w.support, w.text))
        if got is None:
            continue
        code, score, notes = got
        low = path.lower()
        for term, cues in _MODALITY:
            if f"see {term}" in low:
                score += 1.5 if any(_has(w.own | w.support, c) for c in cues) else 0.0
        if len(prefix) >= 3 and prefix[2] in "BT" and {prefix[:2] + "B", prefix[:2] + "T"} <= ops:
            score += 1.0 if (prefix[2] == "B") == partial else -1.0
        if len(prefix) == 7:
            score += 2.0     # the index gives the whole code
        score += 0.5 * sum(1 for t in path.split(" \u203a ")[1:] if not t.startswith("see "))  # subterms walked
        axes0 = book.decode(prefix[:3]) if len(prefix) >= 3 else []
        if len({c[:3] for c, _p in options if len(c) >= 3}) > 1 and len(axes0) == 3:
            cues = _OPERATION_CUES.get(axes0[2].label, ())
            if any(_has(w.own | w.support, c) for c in cues):
                score += 1.5
        title = book.title(code) or code
        p = PcsPick(code, title, path, score, notes, len(prefix) == 7)
        if best is None or p.score > best.score:
            best = p
    return best


def names_whole_code(text: str) -> bool:
    """Whether the first main term the text names has a whole code somewhere below it (a cheap
    test before `pick` for statements outside a procedure heading)."""
    terms = main_terms(text)
    return bool(terms) and _has_whole(terms[0][1])


@lru_cache(maxsize=4096)
def _has_whole(node: int) -> bool:
    return any(len(c) == 7 for c in _descendant_codes(_index(), node)) or bool(
        (_index().nodes[node].code or "")[6:7])


def warm() -> None:
    """Build the index tree (about 24,000 terms) ahead of the first procedure."""
    _index()


def procedures_in(text: str) -> list[str]:
    """A statement that lists procedures ("Left heart catheterization, selective coronary
    angiography, PCI of the LAD with one drug-eluting stent") cut into one statement each:
    a comma part that names a new index main term starts a procedure, other parts
    ("cemented", "open, posterior approach") belong to the one before."""
    parts = [p.strip() for p in re.split(r"[,;]\s*(?![^()]*\))", text) if p.strip()]
    out: list[str] = []
    for p in parts:
        if out and not main_terms(p):
            out[-1] += ", " + p
        elif out and main_terms(out[-1]) and main_terms(p)[0][2] in ("and",):
            out[-1] += ", " + p
        else:
            out.append(p)
    return out
