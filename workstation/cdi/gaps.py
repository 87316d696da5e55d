"""Documentation gaps: where the record does not support the codes as specifically as it could.

    gaps = find_gaps(case, work)        # Case (with its documents) and its CaseWork
    for g in gaps: g.kind, g.action, g.code, g.message, g.evidence

Kinds:
- `unspecified`: an unspecified code where the category has specified siblings, by axis
  (laterality, acuity, stage, trimester, severity, type). If the documentation already names a
  sibling ("left knee" with an unspecified-knee code) it is a coding error (`action` "code");
  otherwise a query (`action` "query") where the record gives something to ask on: every body part
  has a side, and for the other axes a specificity rule of rules.toml must find its indicators.
- `specificity`: a default or unspecified code with the clinical indicators of a rule (heart
  failure with BNP / LVEF, anemia with a transfusion, diabetes of undocumented type with DKA ...).
- `indicator`: clinical indicators without the diagnosis they point to (low sodium, ...).
- `conflict`: two documents disagree on the side of a coded condition, or on exclusive terms.
- `episode`: the 7th character against the record (active treatment documented with a
  subsequent-care code: a query; cast removal or suture removal coded as initial: a coding fix).
- `use_additional`, `code_first`: the tabular's instruction names a code the documentation supports
  and it is not assigned (coding errors).
- `symptom`: a symptom coded beside the definitive diagnosis that routinely explains it.

Everything is read from the compiled code books of the case's code year and from rules.toml;
nothing here knows a code by heart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from workstation.cases.model import Case
from workstation.cdi.rules import AnyOf, Clause, Coded, NoneOf, Rules, Value, Words, load
from workstation.codes import books
from workstation.codes.icd10cm import ICD10CM, Code
from workstation.session.validate import coding_date
from workstation.session.work import CaseWork

NEGATIONS = frozenset({"no", "not", "denies", "denied", "without", "negative", "never", "nor", "absent"})
NEGATION_WINDOW = 4  # tokens before a term that can negate it
SIDE_WINDOW = 3  # tokens between a side word and the body site it qualifies
SIDES = ("right", "left", "bilateral")

KINDS = ("unspecified", "specificity", "indicator", "conflict", "episode", "use_additional", "code_first", "symptom")


@dataclass(frozen=True)
class Evidence:
    """Words of the record: which document (title and date) and the sentence quoted."""

    document: str
    text: str

    def __str__(self) -> str:
        return f'{self.document}: "{self.text}"'


@dataclass(frozen=True)
class Option:
    text: str
    code: str = ""

    def __str__(self) -> str:
        return f"{self.text} ({self.code})" if self.code else self.text


@dataclass(frozen=True)
class Gap:
    kind: str  # one of KINDS
    action: str  # "query": ask the provider; "code": the record already says it, fix the coding
    code: str  # the assigned code it concerns ("" when no code is assigned for it)
    message: str
    source: str
    axis: str = ""
    topic: str = ""
    question: str = ""
    evidence: tuple[Evidence, ...] = ()
    options: tuple[Option, ...] = ()
    suggested: str = ""  # for a coding error: the code the documentation supports
    rule: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.code or self.rule}"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind, "action": self.action, "code": self.code, "axis": self.axis, "topic": self.topic,
            "message": self.message, "question": self.question, "suggested": self.suggested, "rule": self.rule,
            "source": self.source,
            "evidence": [{"document": e.document, "text": e.text} for e in self.evidence],
            "options": [{"text": o.text, "code": o.code} for o in self.options],
        }


# ---------------------------------------------------------------- reading the record

_TOKEN = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(])|\n+")


def _stem(t: str) -> str:
    return t[:-1] if len(t) > 4 and t.endswith("s") and not t.endswith("ss") else t


_NON = re.compile(r"\bnon[- ](?=[a-z])")


def words_of(text: str) -> list[str]:
    low = _NON.sub("non", text.lower().replace("'", "").replace("\u2019", ""))  # non-displaced: one word
    return [_stem(t) for t in _TOKEN.findall(low)]


@dataclass
class Sentence:
    document: str
    text: str
    tokens: list[str]

    def find(self, phrase: list[str]) -> list[int]:
        """Start positions of the phrase, not negated."""
        n = len(phrase)
        out = []
        for i in range(len(self.tokens) - n + 1):
            if self.tokens[i:i + n] == phrase and not self.negated(i):
                out.append(i)
        return out

    def negated(self, i: int) -> bool:
        return any(t in NEGATIONS for t in self.tokens[max(0, i - NEGATION_WINDOW):i])

    def has_all(self, words: set[str]) -> bool:
        return all(self.find([w]) for w in words)


@dataclass
class Record:
    """A case's documentation split into sentences, with abbreviations read as title words."""

    sentences: list[Sentence]
    age: float | None
    sex: str
    rules: Rules
    _values: dict[str, list[tuple[float, Sentence]]] = field(default_factory=dict)

    @classmethod
    def of(cls, case: Case, rules: Rules) -> "Record":
        out: list[Sentence] = []
        for doc in case.documents:
            label = " ".join(x for x in (doc.title, doc.date) if x)
            for part in _SENTENCE.split(doc.text):
                part = part.strip()
                if not part:
                    continue
                toks: list[str] = []
                for t in words_of(part):
                    exp = rules.abbreviations.get(t)
                    toks.extend(words_of(exp) if exp else [t])
                out.append(Sentence(label, part, toks))
        return cls(out, _age(case), (case.patient.sex or "U").upper(), rules)

    def phrase(self, text: str) -> list[Sentence]:
        p = words_of(text)
        exp: list[str] = []
        for t in p:
            e = self.rules.abbreviations.get(t)
            exp.extend(words_of(e) if e else [t])
        return [s for s in self.sentences if exp and s.find(exp)]

    def values(self, measure: str) -> list[tuple[float, Sentence]]:
        if measure not in self._values:
            m = self.rules.measures[measure]
            found = []
            for s in self.sentences:
                for hit in m.pattern.finditer(s.text):
                    try:
                        v = float(hit.group(1).replace(",", ""))
                    except ValueError:
                        continue
                    found.append((v, s))
            self._values[measure] = found
        return self._values[measure]

    @property
    def documents(self) -> list[str]:
        return list(dict.fromkeys(s.document for s in self.sentences))


def _age(case: Case) -> float | None:
    try:
        born = date.fromisoformat(case.patient.dob)
        on = date.fromisoformat(case.encounter.date_of_service)
    except (TypeError, ValueError):
        return None
    return (on - born).days / 365.25


def _coded(dx: list[str], prefixes: tuple[str, ...]) -> list[str]:
    return [d for d in dx if any(d.startswith(p) for p in prefixes)]


def holds(clause: Clause, rec: Record, dx: list[str]) -> tuple[bool, list[Sentence]]:
    """Whether a rule clause holds, and the sentences that show it."""
    if isinstance(clause, Words):
        hits = [s for w in clause.words for s in rec.phrase(w)]
        return bool(hits), hits
    if isinstance(clause, Coded):
        return bool(_coded(dx, clause.prefixes)), []
    if isinstance(clause, Value):
        if clause.sex and rec.sex != clause.sex:
            return False, []
        if clause.age_below is not None and (rec.age is None or rec.age >= clause.age_below):
            return False, []
        if clause.age_from is not None and (rec.age is None or rec.age < clause.age_from):
            return False, []
        hits = [s for v, s in rec.values(clause.measure)
                if (clause.below is None or v < clause.below) and (clause.above is None or v > clause.above)]
        return bool(hits), hits
    if isinstance(clause, AnyOf):
        met, ev = 0, []
        for c in clause.clauses:
            ok, e = holds(c, rec, dx)
            if ok:
                met += 1
                ev.extend(e)
        return met >= clause.at_least, ev if met >= clause.at_least else []
    if isinstance(clause, NoneOf):
        return not any(holds(c, rec, dx)[0] for c in clause.clauses), []
    raise TypeError(clause)


def all_hold(clauses: tuple[Clause, ...], rec: Record, dx: list[str]) -> tuple[bool, list[Sentence]]:
    ev: list[Sentence] = []
    for c in clauses:
        ok, e = holds(c, rec, dx)
        if not ok:
            return False, []
        ev.extend(e)
    return True, ev


def _evidence(sentences: list[Sentence], limit: int = 6) -> tuple[Evidence, ...]:
    seen: dict[tuple[str, str], Evidence] = {}
    for s in sentences:
        seen.setdefault((s.document, s.text), Evidence(s.document, s.text))
    return tuple(list(seen.values())[:limit])


# ---------------------------------------------------------------- the code book side

def _content(title: str, rules: Rules) -> set[str]:
    return {w for w in words_of(title) if w not in rules.generic_words}


def unspecified_node(book: ICD10CM, code: str) -> Code | None:
    """The highest node on the code's path whose title says "unspecified" (S52.50 for S52.502D)."""
    for node in book.path(code):
        if node.level in ("chapter", "block") or (node.level == "category" and not node.billable):
            continue  # a category heading names a family ("Suppurative and unspecified otitis media")
        low = node.title.lower()
        if "unspecified" in words_of(low) and not _COMBINED.search(low) and node.parent >= 0:
            return node
    return None


_COMBINED = re.compile(r"\b(?:and|or) unspecified\b|\bunspecified (?:and|or)\b")


def siblings(book: ICD10CM, node: Code) -> list[Code]:
    """The specified alternatives: the node's siblings, without those that are unspecified too."""
    parent = book.parent(node.code)
    if parent is None:
        return []
    return [c for c in book.children(parent.code) if c.code != node.code and "unspecified" not in words_of(c.title)]


def axis_of(node: Code, sibs: list[Code], rules: Rules) -> str:
    mine = set(words_of(node.title))
    for axis in rules.axes:
        if axis.name == "type":
            continue
        seen: set[str] = set()
        for s in sibs:
            seen |= (set(words_of(s.title)) - mine) & axis.title_words
        if len(seen) >= min(axis.min_words, len(axis.title_words)):
            return axis.name
    return "type"


def _side_site(title: str, side: str) -> set[str]:
    """The body-site words a side word qualifies in a title ("left knee" -> knee)."""
    toks = words_of(title)
    if side not in toks:
        return set()
    i = toks.index(side)
    after = [t for t in toks[i + 1:i + 3] if t not in {"and", "of", "the", "side", "upper", "lower", "encounter"}]
    return set(after[:1]) or {t for t in toks[max(0, i - 2):i]}


def sides_documented(rec: Record, site: set[str], sentences: list[Sentence] | None = None) -> dict[str, list[Sentence]]:
    """{side: sentences} where a side word stands within a few words of a site word, not negated."""
    out: dict[str, list[Sentence]] = {}
    for s in sentences if sentences is not None else rec.sentences:
        for side in SIDES:
            for i in s.find([side]):
                near = s.tokens[max(0, i - SIDE_WINDOW):i + SIDE_WINDOW + 1]
                if site & set(near):
                    out.setdefault(side, []).append(s)
                    break
    return out


def _option(book: ICD10CM, ref: str) -> Option:
    if ref.startswith("text:"):
        return Option(ref[5:])
    hit = book.get(ref)
    return Option(hit.title if hit else ref, hit.code if hit else ref)


# ---------------------------------------------------------------- the checks

def _unspecified(book: ICD10CM, code: str, rec: Record, rules: Rules) -> Gap | None:
    node = unspecified_node(book, code)
    if node is None:
        return None
    sibs = siblings(book, node)
    if not sibs:
        return None
    axis = axis_of(node, sibs, rules)
    src = rules.source(next(a.source for a in rules.axes if a.name == axis))
    if axis == "laterality":
        sided = [(side, s) for s in sibs for side in SIDES if side in words_of(s.title)]
        parent = book.parent(node.code)
        grand = book.parent(parent.code) if parent is not None else None
        site = set().union(*(_side_site(s.title, side) for side, s in sided)) if sided else set()
        if grand is not None and not any(side == "bilateral" for side, _ in sided):
            # "bilateral" often sits one level up (M17.0 beside M17.1-): the same condition, both sides
            same = _content(node.title, rules) - {"unspecified"}
            axis_words = next(a.title_words for a in rules.axes if a.name == "laterality")
            sided += [("bilateral", c) for c in book.children(grand.code)
                      if c.code != (parent.code if parent else "") and "bilateral" in words_of(c.title)
                      and _content(c.title, rules) - axis_words <= same]
        found = sides_documented(rec, site)
        for side, sib in sided:
            if side in found:
                return Gap("unspecified", "code", code,
                           f"{code} has an unspecified side, but the documentation says {side} "
                           f"({', '.join(sorted(site))}): code the {side} side ({sib.code} {sib.title}).",
                           src, axis, f"{axis} of {', '.join(sorted(site)) or 'the site'}",
                           evidence=_evidence(found[side]), suggested=sib.code)
        mentions = [s for s in rec.sentences if site & set(s.tokens)]
        return Gap("unspecified", "query", code,
                   f"{code} ({book.get(code).title}): the side is documented nowhere in the record.",
                   src, axis, f"laterality of the {', '.join(sorted(site)) or 'site'}",
                   question=f"Please clarify the laterality of the {', '.join(sorted(site)) or 'condition'} "
                            "documented in the record.",
                   evidence=_evidence(mentions), options=tuple(Option(s.title, s.code) for _, s in sided))
    # Another axis: a sibling whose own words all stand in one sentence with the condition's words.
    head = _content(node.title, rules) - {"unspecified"}
    for sib in sibs:
        distinct = _content(sib.title, rules) - _content(node.title, rules)
        if not distinct:
            continue
        hits = [s for s in rec.sentences if head & set(s.tokens) and s.has_all(distinct)]
        if hits:
            return Gap("unspecified", "code", code,
                       f"{code} is unspecified ({axis}), but the documentation says "
                       f"{', '.join(sorted(distinct))}: {sib.code} {sib.title}.",
                       src, axis, f"{axis}", evidence=_evidence(hits), suggested=sib.code)
    return None


def _specificity(book: ICD10CM, code: str, rec: Record, dx: list[str], rules: Rules) -> Gap | None:
    hit = book.get(code)
    for r in rules.specificity:
        if r.codes and not any(code.startswith(p) for p in r.codes):
            continue
        if r.title_starts and not (hit and hit.title.startswith(r.title_starts)):
            continue
        if not r.codes and not r.title_starts:
            continue
        ok, ev = all_hold(r.when, rec, dx)
        if not ok:
            continue
        if r.options:
            options = tuple(_option(book, o) for o in r.options)
        else:
            node = unspecified_node(book, code)
            options = tuple(Option(s.title, s.code) for s in siblings(book, node)) if node else ()
        title = hit.title if hit else code
        return Gap("specificity", "query", code,
                   f"{code} ({title}) with clinical indicators of a more specific {r.topic}.",
                   rules.source(r.source), r.axis, r.topic, r.question, _evidence(ev), options, rule=r.id)
    return None


def _indicators(book: ICD10CM, rec: Record, dx: list[str], rules: Rules) -> list[Gap]:
    out = []
    for r in rules.indicators:
        if _coded(dx, r.unless_coded):
            continue
        ok, ev = all_hold(r.when, rec, dx)
        if not ok:
            continue
        said = [s for w in r.documented for s in rec.phrase(w)]
        if said:
            out.append(Gap("indicator", "code", "", f"{r.topic}: documented ({said[0].text!r}) but not coded.",
                           rules.source(r.source), topic=r.topic, evidence=_evidence(said + ev),
                           options=tuple(_option(book, o) for o in r.options if not o.startswith("text:")), rule=r.id))
        else:
            out.append(Gap("indicator", "query", "", f"Clinical indicators of {r.topic} without a diagnosis.",
                           rules.source(r.source), topic=r.topic, question=r.question, evidence=_evidence(ev),
                           options=tuple(_option(book, o) for o in r.options), rule=r.id))
    return out


def _conflicts(book: ICD10CM, code: str, rec: Record, rules: Rules) -> Gap | None:
    """Two documents disagree on the side of a coded condition (one says only right, one only left)."""
    hit = book.get(code)
    if hit is None or len(rec.documents) < 2:
        return None
    toks = words_of(hit.title)
    coded_side = next((s for s in ("right", "left") if s in toks), "")
    if not coded_side:
        return None
    site = _side_site(hit.title, coded_side)
    per_doc: dict[str, set[str]] = {}
    ev: list[Sentence] = []
    for doc in rec.documents:
        found = sides_documented(rec, site, [s for s in rec.sentences if s.document == doc])
        if "bilateral" in found:
            return None
        sides = {s for s in found if s in ("right", "left")}
        if len(sides) == 1:
            per_doc[doc] = sides
            ev.extend(found[next(iter(sides))][:1])
    said = set().union(*per_doc.values()) if per_doc else set()
    if said != {"right", "left"}:
        return None
    return Gap("conflict", "query", code,
               f"{code} is coded {coded_side}, but the documents disagree on the side of the {', '.join(sorted(site))}.",
               rules.source("guidelines_laterality"), "laterality", "conflicting laterality",
               question=f"The documentation listed gives different sides for the {', '.join(sorted(site))}. "
                        "Please clarify the side.",
               evidence=_evidence(ev), options=(Option("Right"), Option("Left"), Option("Bilateral")))


def _episode(book: ICD10CM, code: str, rec: Record, dx: list[str], rules: Rules) -> Gap | None:
    """The 7th character (initial / subsequent ...) against what the record says of this encounter."""
    bare = code.replace(".", "")
    if code[0] in "VWXY":
        return None  # external causes follow the injury's 7th character: one question, on the injury
    table = book.seventh_characters(code) if len(bare) == 7 else None
    if not table:
        return None
    chars = {c for c, _ in table[1]}
    stem = code[:-1]
    for r in rules.episodes:
        if code[-1] not in r.seventh or r.suggest not in chars:
            continue
        ok, ev = all_hold(r.when, rec, dx)
        if not ok:
            continue
        other = book.get(stem + r.suggest)
        if other is None:
            continue
        mine = book.get(code)
        options = (Option(mine.title, mine.code), Option(other.title, other.code)) if mine else ()
        if r.action == "code":
            return Gap("episode", "code", code,
                       f"{code}: the record describes care during healing; the 7th character is {r.suggest} "
                       f"({other.code} {other.title}).", rules.source(r.source), "episode of care",
                       "episode of care", evidence=_evidence(ev), suggested=other.code, rule=r.id)
        return Gap("episode", "query", code,
                   f"{code}: the record describes active treatment and care during healing (7th character "
                   f"{code[-1]} or {r.suggest}).", rules.source(r.source), "episode of care", "episode of care",
                   r.question, _evidence(ev), options, rule=r.id)
    return None


def _term_conflicts(rec: Record, dx: list[str], rules: Rules) -> list[Gap]:
    """Two documents that each use a different one of a rule's exclusive terms (type 1 / type 2)."""
    out = []
    for r in rules.conflicts:
        concerned = _coded(dx, r.codes)
        if not concerned or len(rec.documents) < 2:
            continue
        per_doc: dict[str, set[str]] = {}
        ev: dict[str, Sentence] = {}
        reconciled = False
        for doc in rec.documents:
            sents = [s for s in rec.sentences if s.document == doc]
            if any(s.find(words_of(t)) for t in r.also_allowed for s in sents):
                reconciled = True
            found = set()
            for term in r.terms:
                tw = words_of(term)
                for s in sents:
                    hits = s.find(tw)
                    # "displaced" inside "nondisplaced" is another word; "type 1" must not be "type 1.5"
                    if hits:
                        found.add(term)
                        ev.setdefault(f"{doc}/{term}", s)
                        break
            if len(found) == 1:
                per_doc[doc] = found
        said = set().union(*per_doc.values()) if per_doc else set()
        if reconciled or len(said) < 2:
            continue
        out.append(Gap("conflict", "query", concerned[0],
                       f"The documents disagree on the {r.topic}: " + " / ".join(sorted(said)) + ".",
                       rules.source(r.source), "type", r.topic,
                       question=f"The documentation listed describes the {r.topic} differently. Please clarify "
                                f"the {r.topic}.",
                       evidence=_evidence([ev[k] for k in sorted(ev)]),
                       options=tuple(Option(t.capitalize()) for t in r.terms), rule=f"conflict:{r.topic}"))
    return out


_LEAD = re.compile(r"^(?:code,?\s*(?:where applicable,?\s*|if applicable,?\s*)?(?:to identify\s*)?|,\s*if applicable,?\s*)",
                   re.IGNORECASE)


def _instructions(book: ICD10CM, code: str, rec: Record, dx: list[str], rules: Rules) -> list[Gap]:
    out: list[Gap] = []
    groups: dict[tuple[str, str], list] = {}
    hit = book.get(code)
    manifestation = bool(hit and "classified elsewhere" in hit.title.lower())
    for n in book.notes(code):
        if n.kind == "use_additional_code" and n.origin_level != "chapter":
            groups.setdefault(("use_additional", n.origin), []).append(n)
        elif n.kind == "code_first" and manifestation:
            groups.setdefault(("code_first", n.origin), []).append(n)
    for (kind, origin), notes in groups.items():
        refs = [r for n in notes for r in n.refs if not r.covers(code)]
        if not refs or any(r.covers(b) for r in refs for b in dx if b != code):
            continue
        for n in notes:
            phrase = _LEAD.sub("", n.text.split("(")[0]).strip(" ,:")
            words = _content(phrase, rules)
            if not words or not [r for r in n.refs if not r.covers(code)]:
                continue
            sents = [s for s in rec.sentences if s.has_all(words)]
            if sents:
                what = "Use additional code" if kind == "use_additional" else "Code first"
                out.append(Gap(kind, "code", code,
                               f"{code}: '{what}' ({origin}) {n.text}: the documentation says {phrase!r}, "
                               "and no such code is assigned.",
                               f"{rules.source('tabular_notes')}: {what} at {origin}", topic=phrase,
                               evidence=_evidence(sents), suggested=", ".join(r.text for r in n.refs)))
                break
    return out


def _symptoms(book: ICD10CM, dx: list[str], rules: Rules) -> list[Gap]:
    out = []
    for r in rules.symptoms:
        for sym in _coded(dx, r.symptom):
            explained = [d for d in _coded(dx, r.explained_by) if d != sym]
            if explained:
                s, d = book.get(sym), book.get(explained[0])
                out.append(Gap("symptom", "code", sym,
                               f"{sym} ({s.title if s else sym}) is coded beside {explained[0]} "
                               f"({d.title if d else explained[0]}), which routinely explains it: "
                               "remove the symptom unless the provider documents it as unrelated.",
                               rules.source(r.source), topic="symptom with its diagnosis", suggested=explained[0]))
    return out


def find_gaps(case: Case, work: CaseWork, rules: Rules | None = None, book: ICD10CM | None = None) -> list[Gap]:
    """Every documentation gap of one case, queries first, in the order of the codes."""
    rules = rules or load()
    book = book or books.icd10cm(date=coding_date(case))
    rec = Record.of(case, rules)
    dx = list(work.diagnoses)
    out: list[Gap] = []
    for code in dx:
        if book.get(code) is None:
            continue  # the scrubber reports codes the book does not know
        g = _unspecified(book, code, rec, rules)
        if g is not None:
            out.append(g)
        if g is None or g.action != "code":
            s = _specificity(book, code, rec, dx, rules)
            if s is not None and not (g is not None and g.action == "query" and g.axis == s.axis):
                out.append(s)
        c = _conflicts(book, code, rec, rules)
        if c is not None:
            out.append(c)
        e = _episode(book, code, rec, dx, rules)
        if e is not None:
            out.append(e)
        out.extend(_instructions(book, code, rec, dx, rules))
    out.extend(_term_conflicts(rec, dx, rules))
    out.extend(_indicators(book, rec, dx, rules))
    out.extend(_symptoms(book, dx, rules))
    out.sort(key=lambda g: g.action != "query")
    return out


def answered(work: CaseWork) -> set[str]:
    """Gap keys a query of the case already settled or asks about (open or answered)."""
    return {q.gap for q in work.queries if q.gap and q.status in ("open", "answered")}
