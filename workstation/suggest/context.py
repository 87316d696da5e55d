"""Reading a note: sections, sentences, clauses, and each clinical statement's context.

A small ConText implementation (Chapman, Chu, Dowling: "ConText: an algorithm for identifying
contextual features from clinical text", BioNLP 2007; Harkema et al., J Biomed Inform 2009):
trigger phrases with a category and a direction, whose scope runs to the end of the clause or
to a termination term. Categories and what the coder does with them:

  negated       "no evidence of", "denies", "negative for", "... ruled out"  -> not coded
  uncertain     "possible", "probable", "likely", "suspected", "rule out", "versus"
                -> outpatient: not coded, code the symptoms (guideline IV.H, Section IV.H of the
                   outpatient guidelines); inpatient: coded as if established at discharge
                   (guideline II.H / III.C, inpatient only)
  historical    "history of", "h/o", "status post", "former"  -> personal history, Z85-Z87
  family        "family history of", "mother had", "father with"  -> family history, Z80-Z84
  hypothetical  "return if", "watch for", "in case of", "risk of"  -> not coded

Why not medspaCy (checked 2026-12-01): `pip install medspacy` works and runs offline (no
model download; the blank English pipeline, PyRuSH sentences, sectionizer and ConText rules
ship in the package; import plus load about 0.8 s here), but it does not install cleanly: its
hard dependency medspacy_quickumls 3.2 puts a top-level `tests` package into site-packages,
which shadows this project's own tests/ package (every `from tests.x import ...` fails), and it
pulls spaCy, thinc, numpy, pydantic and nltk (about 50 packages) into a workstation that
otherwise starts with four. Its sectionizer also did not know this project's headings
("ASSESSMENT AND PLAN", "PRINCIPAL DIAGNOSIS"). The rules below follow medspaCy's default
ConText rule categories and the published ConText trigger lists, sized to what coders read.

Everything here is plain Python and deterministic; character offsets point into the original
text so the UI can light the words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

# ------------------------------------------------------------------ sections

# Section kinds and the headings that open them (lower case, without the colon).
SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "assessment": (
        "assessment and plan", "assessment & plan", "assessment/plan", "a/p", "assessment",
        "impression", "diagnosis", "diagnoses", "principal diagnosis", "secondary diagnoses",
        "secondary diagnosis", "secondary", "discharge diagnoses", "discharge diagnosis",
        "final diagnosis", "final diagnoses", "postoperative diagnosis", "post-operative diagnosis",
        "postop diagnosis", "problem list", "problems", "clinical impression", "admitting diagnosis",
    ),
    "preoperative": ("preoperative diagnosis", "pre-operative diagnosis", "preop diagnosis", "indication", "indications"),
    "procedure": (
        "procedure", "procedures", "operation", "operations", "procedure performed",
        "procedures performed", "intervention", "interventions", "treatment given",
    ),
    "pathology": ("pathology", "pathology report", "cytology"),
    "hpi": (
        "hpi", "history of present illness", "cc", "chief complaint", "reason for admission",
        "reason for visit", "interval history", "history", "subjective",
    ),
    "pmh": ("pmh", "past medical history", "medical history", "past history", "psh", "past surgical history"),
    "family": ("family history", "fh", "fhx"),
    "social": ("social history", "sh", "shx"),
    "ros": ("ros", "review of systems"),
    "exam": ("exam", "physical exam", "physical examination", "exam at discharge", "mental status", "vitals"),
    "results": ("labs", "lab", "laboratory", "imaging", "x-ray", "ct", "mri", "findings", "test", "tests",
                "screening", "results", "studies", "echo", "ekg", "ecg"),
    "plan": ("plan", "disposition", "follow-up", "follow up", "discharge medications", "medications",
             "course", "hospital course", "ed course", "condition at discharge", "recommendations",
             "description", "anesthesia", "surgeon", "sedation"),
    "admin": ("date", "admitted", "discharged", "birth", "maternal", "visit", "specimen", "ebl",
              "assistant", "attending", "provider", "location", "time", "signed"),
}
_HEADING_KIND = {h: kind for kind, heads in SECTION_HEADINGS.items() for h in heads}
# A heading: at the start of a line, up to 5 words (capitals or title case), then a colon.
_HEADING_RE = re.compile(r"(?m)^[ \t]*([A-Za-z][A-Za-z/&\- ]{0,40}?)(?:\s*\([^)\n]{0,30}\))?[ \t]*:")
DIAGNOSTIC = frozenset({"assessment", "pathology"})


@dataclass(frozen=True)
class Section:
    kind: str      # one of SECTION_HEADINGS, or "other" before any known heading
    heading: str   # as written ("" for text before the first heading)
    start: int     # offsets into the text: the section's body
    end: int


def sections(text: str) -> list[Section]:
    """The note's sections in order; text before the first heading is kind "other"."""
    marks: list[tuple[int, int, str, str]] = []
    for m in _HEADING_RE.finditer(text):
        head = " ".join(m.group(1).split())
        kind = _HEADING_KIND.get(head.lower())
        if kind is None:
            # "CT HEAD without contrast:", "X-RAY left wrist, 2 views:" -> results by first word
            first = head.lower().split()[0] if head else ""
            if head.isupper() and first in _HEADING_KIND and len(head.split()) <= 5:
                kind = _HEADING_KIND[first]
            else:
                continue
        marks.append((m.start(), m.end(), kind, head))
    out: list[Section] = []
    pos, kind, head = 0, "other", ""
    for start, end, k, h in marks:
        if start > pos or out or kind != "other":
            out.append(Section(kind, head, pos, start))
        pos, kind, head = end, k, h
    out.append(Section(kind, head, pos, len(text)))
    return [s for s in out if text[s.start:s.end].strip()]


# ------------------------------------------------------------------ sentences and clauses

# Abbreviations whose period does not end a sentence.
_NO_END = ("dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "approx", "no", "st", "e", "b", "t", "u", "s")
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])|\n\s*\n|\n(?=\s*(?:\d+[.)]|[-*\u2022])\s)|\n(?=[A-Z][A-Za-z ]{0,40}:)")
_LIST_MARK = re.compile(r"^\s*(?:\d+[.)]|[-*\u2022])\s+")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of text[start:end]: split after . ! ? before a capital or digit, at blank lines,
    before list items ("1. ...", "- ..."); list markers are left out of the sentence."""
    end = len(text) if end is None else end
    out: list[Sentence] = []
    pos = start
    body = text[start:end]
    cuts = []
    for m in _SENT_END.finditer(body):
        prev = body[:m.start()].rstrip()
        word = prev.rsplit(None, 1)[-1].lower().rstrip(".") if prev else ""
        if body[m.start() - 1:m.start()] == "." and (word in _NO_END or (word.isdigit() and len(word) <= 2
                                                             and _line_start(prev))):
            continue  # "Dr. Osei", "vs. B12"; a list number "1. Primary ..."
        cuts.append((start + m.start(), start + m.end()))
    for cut_start, cut_end in cuts + [(end, end)]:
        _add(out, text, pos, cut_start)
        pos = cut_end
    return out


def _line_start(prev: str) -> bool:
    """True when the last word of `prev` is the first on its line (a list number)."""
    line = prev.rsplit("\n", 1)[-1]
    return len(line.split()) == 1


def _add(out: list[Sentence], text: str, a: int, b: int) -> None:
    seg = text[a:b]
    m = _LIST_MARK.match(seg)
    if m:
        a += m.end()
        seg = text[a:b]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip()
    if seg:
        out.append(Sentence(seg, a + lead, a + lead + len(seg)))


# ------------------------------------------------------------------ ConText rules

NEGATED, UNCERTAIN, HISTORICAL, FAMILY, HYPOTHETICAL = "negated", "uncertain", "historical", "family", "hypothetical"
CATEGORIES = (NEGATED, UNCERTAIN, HISTORICAL, FAMILY, HYPOTHETICAL)
FORWARD, BACKWARD, BOTH = "forward", "backward", "both"


@dataclass(frozen=True)
class Rule:
    phrase: str
    category: str
    direction: str = FORWARD


def _rules(category: str, direction: str, phrases: str) -> list[Rule]:
    return [Rule(p.strip(), category, direction) for p in phrases.split("|") if p.strip()]


RULES: tuple[Rule, ...] = tuple(
    _rules(NEGATED, FORWARD,
           "no|not|denies|denied|denying|negative for|no evidence of|without evidence of|no signs of|"
           "no sign of|no symptoms of|no history of|free of|absence of|never had|no known|no further|"
           "no new|no acute|no significant|not have|did not have|does not have|rather than|"
           "rules out|ruled out for|no findings of|no complaints of|resolution of|not seen")
    + _rules(NEGATED, BACKWARD,
             "ruled out|was ruled out|is ruled out|has been ruled out|were ruled out|unlikely|"
             "is negative|was negative|were negative|not seen|not present|absent|resolved|"
             "not found|excluded|was excluded|is excluded|negative|immune")
    + _rules(UNCERTAIN, FORWARD,
             "possible|possibly|probable|probably|likely|suspected|suspect|suspicion of|"
             "suspicious for|questionable|question of|presumed|presumably|rule out|r/o|"
             "concern for|concerning for|worrisome for|consistent with|compatible with|"
             "suggestive of|suggests|may have|might have|could be|differential|ddx|"
             "cannot rule out|can not rule out|cannot exclude|versus|vs")
    + _rules(UNCERTAIN, BACKWARD,
             "is suspected|was suspected|suspected|is possible|is likely|is probable|"
             "cannot be excluded|cannot be ruled out|not excluded|versus|vs|is questionable|"
             "to be ruled out|?")
    + _rules(HISTORICAL, FORWARD,
             "history of|hx of|h/o|past history of|personal history of|prior history of|"
             "previous|previously|prior|status post|s/p|former|remote")
    + _rules(HISTORICAL, BACKWARD, "in the past|years ago|as a child|in childhood|resolved")
    + _rules(FAMILY, FORWARD,
             "family history of|family hx of|fh of|fhx of|mother|father|sister|brother|"
             "mother had|father had|maternal|paternal|grandmother|grandfather|aunt|uncle|"
             "sibling|siblings|parent|parents|son|daughter|cousin")
    + _rules(FAMILY, BACKWARD, "in the family|in his mother|in her mother|in his father|in her father|runs in the family")
    + _rules(HYPOTHETICAL, FORWARD,
             "if|return if|return for|call for|call if|in case of|watch for|monitor for|"
             "risk of|at risk for|to prevent|prevention of|precautions|should he|should she|"
             "should the patient|would|plan to|planned|will undergo|scheduled for|candidate for")
)

# Words that end a trigger's scope (ConText "termination terms"), and clause punctuation.
TERMINATORS = re.compile(
    r"\b(?:but|however|although|though|yet|except|aside from|apart from|which|who|secondary to|"
    r"due to|because of|now|presents?|presenting|reports?|complains? of|noted|found|with new)\b"
    r"|[;:]|\s-\s", re.I)

# Family words that are about who is with the patient, not whose disease it is.
_FAMILY_FALSE = re.compile(
    r"\b(?:brought (?:in )?by|accompanied by|with|lives with|home with|found by|per|seen with)\s+"
    r"(?:his|her|the|their)?\s*(?:mother|father|parents?|son|daughter|sister|brother|family|grandmother|grandfather)\b"
    r"|\b(?:mother|father|parents?|daughter|son)\s+(?:reports?|states?|says|notes?|feels?|brought)\b", re.I)


def _rule_re(rule: Rule) -> re.Pattern[str]:
    p = re.escape(rule.phrase).replace(r"\ ", r"\s+")
    left = r"(?<![A-Za-z0-9])" if rule.phrase[0].isalnum() else ""
    right = r"(?![A-Za-z0-9])" if rule.phrase[-1].isalnum() else ""
    return re.compile(left + p + right, re.I)


_COMPILED: tuple[tuple[Rule, re.Pattern[str]], ...] = tuple((r, _rule_re(r)) for r in RULES)


@dataclass(frozen=True)
class Modifier:
    category: str
    phrase: str      # the trigger as written in the note
    start: int       # offsets in the sentence
    end: int


@dataclass
class Context:
    """What a statement's context says; `modifiers` are the triggers that apply."""

    modifiers: list[Modifier] = field(default_factory=list)

    def has(self, category: str) -> bool:
        return any(m.category == category for m in self.modifiers)

    @property
    def negated(self) -> bool:
        return self.has(NEGATED)

    @property
    def uncertain(self) -> bool:
        return self.has(UNCERTAIN)

    @property
    def historical(self) -> bool:
        return self.has(HISTORICAL)

    @property
    def family(self) -> bool:
        return self.has(FAMILY)

    @property
    def hypothetical(self) -> bool:
        return self.has(HYPOTHETICAL)

    def labels(self) -> list[str]:
        return [f"{m.category} ({m.phrase!r})" for m in self.modifiers]


def _triggers(sentence: str) -> list[Modifier]:
    found: list[Modifier] = []
    for rule, rx in _COMPILED:
        for m in rx.finditer(sentence):
            found.append(Modifier(f"{rule.category}:{rule.direction}", m.group(0), m.start(), m.end()))
    # A longer trigger covering a shorter one wins ("no evidence of" over "no", "ruled out" over "out").
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    kept: list[Modifier] = []
    for f in found:
        if any(k.start <= f.start and f.end <= k.end and (k.end - k.start) > (f.end - f.start) for k in kept):
            continue
        kept.append(f)
    return kept


def context_of(sentence: str, target_start: int, target_end: int) -> Context:
    """The context of the words sentence[target_start:target_end] (offsets in the sentence).

    A forward trigger applies when it comes before the target with no termination term
    between; a backward trigger when it comes after the target with none between.
    """
    out: list[Modifier] = []
    fam_false = [(m.start(), m.end()) for m in _FAMILY_FALSE.finditer(sentence)]
    triggers = _triggers(sentence)
    for t in triggers:
        category, direction = t.category.split(":")
        if t.start < target_start and t.end <= target_end and direction in (FORWARD, BOTH):
            # before the target (or running into its first words: "Father had colon cancer")
            between = sentence[t.end:target_start] if t.end < target_start else ""
            if TERMINATORS.search(between):
                continue
            if category == NEGATED and t.phrase.lower() in ("no", "not") and _far(between, 6):
                continue
        elif t.start >= target_end and direction in (BACKWARD, BOTH):
            between = sentence[target_end:t.start]
            if TERMINATORS.search(between) or _far(between, 6):
                continue
            # "Numbness of both feet, possibly neuropathy vs B12 deficiency": a forward trigger
            # in between opens a new statement; the backward one belongs to that.
            if any(o.start >= target_end and o.end <= t.start and o.category.endswith(FORWARD) for o in triggers):
                continue
        else:
            continue
        if category == FAMILY and any(a <= t.start < b for a, b in fam_false):
            continue
        out.append(Modifier(category, t.phrase, t.start, t.end))
    # "family history of" is family, not the patient's history.
    if any(m.category == FAMILY for m in out):
        out = [m for m in out if not (m.category == HISTORICAL and "history" in m.phrase.lower())]
    return Context(out)


def _far(between: str, words: int) -> bool:
    return len(between.split()) > words


# ------------------------------------------------------------------ statements


@dataclass(frozen=True)
class Statement:
    """A clause that may name a condition or a procedure, where it sits, and its context."""

    text: str          # the clause as written
    doc: int           # which document of the case (0-based)
    start: int         # offsets in that document's text
    end: int
    section: str       # section kind
    heading: str
    sentence: str      # the whole sentence, for the evidence line
    context: Context


# Split a sentence into clauses at semicolons, and before "possibly" / "versus" style words, so
# "Numbness of both feet, possibly diabetic neuropathy" gives the certain part its own clause.
_CLAUSE_CUT = re.compile(r";\s*|\.\s+|,\s+(?=(?:possibly|probably|likely|suspected|versus|vs\.?|no|not|denies|"
                         r"history of|status post|s/p|rule out|r/o|family history)\b)", re.I)


def clauses(sentence: Sentence) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    text = sentence.text
    for m in _CLAUSE_CUT.finditer(text):
        if text.count("(", 0, m.start()) > text.count(")", 0, m.start()):
            continue  # inside parentheses: an aside, not a new clause
        if m.group(0).startswith(".") and _abbreviation_before(text, m.start()):
            continue  # "E. coli", "vs. B12": the period of an abbreviation ends no clause
        _add_clause(out, sentence, pos, m.start())
        pos = m.end()
    _add_clause(out, sentence, pos, len(text))
    return out


def _abbreviation_before(text: str, at: int) -> bool:
    prev = text[:at].rstrip()
    word = prev.rsplit(None, 1)[-1].lower() if prev else ""
    return word.lstrip("(") in _NO_END


def _add_clause(out: list[Sentence], s: Sentence, a: int, b: int) -> None:
    seg = s.text[a:b]
    lead = len(seg) - len(seg.lstrip())
    seg = seg.strip().rstrip(".")
    if seg:
        out.append(Sentence(seg, s.start + a + lead, s.start + a + lead + len(seg)))


_LEAD_TRIGGER = re.compile(r"^(?:(?:no|not|denies|possible|possibly|probable|likely|suspected|"
                           r"history of|h/o|hx of|status post|s/p|family history of|rule out|r/o|"
                           r"mother|father|sister|brother)\b[\s:,]*)+", re.I)


def read(text: str, doc: int = 0) -> list[Statement]:
    """Every clause of a document with its section and context."""
    out: list[Statement] = []
    for sec in sections(text):
        for sent in sentences(text, sec.start, sec.end):
            for cl in clauses(sent):
                rel_start = cl.start - sent.start
                # The target: the clause without its leading trigger words.
                m = _LEAD_TRIGGER.match(cl.text)
                t_start = rel_start + (m.end() if m else 0)
                ctx = context_of(sent.text, t_start, rel_start + len(cl.text))
                if sec.kind == "family" and not ctx.family and not ctx.negated:
                    ctx = Context(ctx.modifiers + [Modifier(FAMILY, sec.heading, 0, 0)])
                out.append(Statement(cl.text, doc, cl.start, cl.end, sec.kind, sec.heading, sent.text, ctx))
    return out
