"""Codes suggested from a case's documentation, each with its evidence and the reason.

    from workstation.suggest.suggest import suggest_case, suggest_text, Patient
    suggest_case(case)                             # list[Suggestion], diagnoses first
    suggest_text(text, Patient("F", 64, "2026-03-01", "outpatient"))

What is read (context.py): the diagnostic sections (assessment, impression, diagnoses,
postoperative / discharge diagnoses, pathology); when a note has none, every section but plan,
exam and results. Procedures come from the procedure sections. Family history and personal
history statements anywhere give Z80-Z84 and Z85-Z87 codes.

Context rules (the coder decides; every skip is reported in `Reading.skipped`):
- negated, hypothetical: not coded;
- uncertain: outpatient not coded (ICD-10-CM guideline IV.H: code the symptoms, which other
  statements name); inpatient coded as if established (guideline II.H / III.C);
- historical: the personal history code (Z85-Z87), not the active disease;
- family: the family history code (Z80-Z84).

Finding the code (matcher.py): the search engine over the statement (index paths, titles,
inclusion terms, Drug and Neoplasm tables, abbreviations; ranked for the patient's sex and
age), cross-checked by a walk down the Alphabetic Index; then the tabular of the code year
(header to billable child, 7th character when the note names the encounter) and the MCE's
sex and age edits. Combination codes (combine.py) last.

Deterministic and offline. The search index loads once per process (about half a second);
a note then takes tens of milliseconds.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from typing import Any

from workstation.search.tokenize import tokens
from workstation.suggest import combine, drugs, encounter, external, matcher, pcs, services, status, underdosing
from workstation.suggest.context import _LEAD_TRIGGER, DIAGNOSTIC, Statement, read

SETTINGS = ("outpatient", "inpatient")
DX_MIN_SCORE = 74.0
PCS_MIN_FIT = 2.0        # pcs.pick's score: the axes the words chose (the index path alone gives 2)
HCPCS_MIN_SCORE = 90.0
_MAX_PARTS = 4
_PART_BONUS = 6.0      # a longer stretch of the statement that still finds a code says more
_LATER_MIN_SCORE = 90.0


@dataclass(frozen=True)
class Patient:
    sex: str = "U"            # F, M or U
    age: int | None = None    # years on the date of service
    date: str = ""            # date of service (inpatient: discharge date), YYYY-MM-DD
    setting: str = "outpatient"
    encounter: str = ""       # cases.model ENCOUNTER_TYPES ("emergency", "office" ...), when known
    medicare: bool = False    # Medicare pays (its G-codes for vaccine administration)
    pregnancy_told: bool = True  # the notes say pregnancy or delivery (set by the reading itself)


@dataclass
class Suggestion:
    code: str
    system: str                # icd10cm | icd10pcs | hcpcs
    title: str
    kind: str                  # diagnosis | procedure
    evidence: str              # the words of the note that support it
    doc: int                   # document index in the case, and offsets into its text
    start: int
    end: int
    section: str
    why: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    score: float = 0.0
    billable: bool = True
    needs_seventh: bool = False
    already_coded: bool = False
    units: int | None = None   # HCPCS drug codes: the dose in the code's units (None: not documented)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = round(self.score, 1)
        return d


@dataclass
class Skipped:
    evidence: str
    reason: str


@dataclass
class Reading:
    suggestions: list[Suggestion]
    skipped: list[Skipped]


def age_on(dob: str, on: str) -> int | None:
    try:
        b, d = Date.fromisoformat(dob), Date.fromisoformat(on)
    except (TypeError, ValueError):
        return None
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def patient_of(case: Any) -> Patient:
    enc = case.encounter
    date = (enc.discharge_date or enc.date_of_service) if enc.type == "inpatient" else enc.date_of_service
    setting = "inpatient" if enc.type == "inpatient" else "outpatient"
    cov = case.coverage
    return Patient(case.patient.sex or "U", age_on(case.patient.dob, date), date, setting, enc.type,
                   services.is_medicare(cov.payer_name, cov.plan_type))


def suggest_case(case: Any) -> Reading:
    """Suggestions for a case (cases.model.Case)."""
    return suggest_documents([d.text for d in case.documents], patient_of(case))


def suggest_text(text: str, patient: Patient) -> Reading:
    return suggest_documents([text], patient)


# ------------------------------------------------------------------ the reading

_LETTERS = re.compile(r"[A-Za-z]{3,}")
_PREGNANCY = re.compile(r"\b(?:pregnan\w*|gestation\w*|gravid\w*|trimester|antepartum|intrapartum|postpartum|"
                        r"puerper\w*|deliver\w*|labou?r|obstetric\w*|prenatal|antenatal|weeks'? gestation|"
                        r"G\d+\s*P\d+|EDD|LMP|postnatal|cesarean|caesarean|miscarriage|abortion|ectopic)\b", re.I)
_PARENS = re.compile(r"\(([^()]*)\)")
_DATE = re.compile(r"\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b")
_FAMILY_WORDS = re.compile(r"^(?:family history of|family hx of|fh of|(?:his|her|the patient's) )?"
                           r"(?:mother|father|sister|brother|grandmother|grandfather|aunt|uncle|son|daughter|"
                           r"parents?|siblings?)?\s*(?:had|has|with|died of|of)?\s*", re.I)
_HISTORY_WORDS = re.compile(r"^(?:(?:personal )?history of|hx of|h/o|status post|s/p|former|previous|prior)\s+", re.I)


def suggest_documents(texts: list[str], patient: Patient) -> Reading:
    from workstation.search.engine import get_engine

    if patient.setting not in SETTINGS:
        raise ValueError(f"setting must be one of {', '.join(SETTINGS)}")
    engine = _Remembered(get_engine())
    statements: list[Statement] = []
    for i, t in enumerate(texts):
        statements.extend(read(t, i))
    all_text = "\n".join(texts)
    if not _PREGNANCY.search(all_text):
        # Chapter 15 codes are for a pregnancy, childbirth or the puerperium the record tells of
        # (guideline I.C.15.a); without one, "diabetes mellitus, on insulin" is no O24 code.
        from dataclasses import replace as _replace
        patient = _replace(patient, pregnancy_told=False)
    seventh = matcher.seventh_from(all_text) or _default_seventh(all_text, patient)
    statements = _same_as_preoperative(statements)
    any_diagnostic = any(s.section in DIAGNOSTIC for s in statements)
    out: list[Suggestion] = []
    skipped: list[Skipped] = []
    for st in statements:
        if not _LETTERS.search(st.text):
            continue
        ctx = st.context
        if st.section == "procedure":
            out.extend(_procedures(engine, st, patient, all_text))
            continue
        if patient.setting == "inpatient" and st.section in ("other", "hpi") and not (
                ctx.negated or ctx.hypothetical or ctx.historical or ctx.family or ctx.uncertain):
            out.extend(_pcs_elsewhere(st, all_text))
        family = ctx.family
        historical = ctx.historical and not family
        in_dx = st.section in DIAGNOSTIC or (not any_diagnostic and st.section in ("other", "hpi"))
        if not (in_dx or family or historical):
            continue
        action = bool(_ACTION.search(st.text))
        if ctx.negated:
            skipped.append(Skipped(st.text, "negated: " + "; ".join(ctx.labels())))
            continue
        if ctx.hypothetical:
            skipped.append(Skipped(st.text, "hypothetical or planned: not a current condition"))
            continue
        why_ctx: list[str] = []
        if ctx.uncertain:
            if patient.setting == "outpatient":
                skipped.append(Skipped(st.text, "uncertain diagnosis, outpatient: not coded; code the symptoms "
                                                "(ICD-10-CM guideline Section IV.H)"))
                continue
            why_ctx.append("uncertain diagnosis at discharge, inpatient: coded as if established "
                           "(ICD-10-CM guideline Section II.H)")
        if family:
            s = _history_code(engine, st, patient, "family history of ", ("Z80", "Z81", "Z82", "Z83", "Z84"),
                              _FAMILY_WORDS, "family history: Z80-Z84, not the patient's condition")
        elif historical:
            s = _history_code(engine, st, patient, "personal history of ", ("Z85", "Z86", "Z87", "Z92"),
                              _HISTORY_WORDS, "history of: the personal history code (Z85-Z87), not the active disease")
        else:
            s = None
            for d in _diagnoses(engine, st, patient, seventh):
                if action and not d.code.startswith("Z79"):
                    # "chest x-ray ordered", "Injection given": an order or a treatment, not a
                    # condition; only the long-term drug therapy it names is coded (Z79).
                    skipped.append(Skipped(st.text, f"plan or order, not a condition ({d.code} not suggested)"))
                    continue
                d.why.extend(why_ctx)
                out.append(d)
        if s is not None:
            s.context = ctx.labels()
            s.why.extend(why_ctx)
            out.append(s)
    if patient.setting == "outpatient" and patient.encounter not in ("emergency", "inpatient"):
        # In the ED the hospital supplies the drugs and bills them on its own claim.
        out.extend(_drugs(statements, patient))
        out.extend(_services(engine, texts, patient))
    out = _open_bites(out, statements, patient)
    out.extend(_underdosing(engine, statements, patient, seventh, {s.code for s in out}))
    out.extend(_device_status(statements, patient, {s.code for s in out}))
    first, later = _encounter_reasons(engine, texts, patient, {s.code for s in out})
    causes = _external_causes(engine, statements, patient, out, seventh)
    return Reading(_tidy(first + out + causes + later, patient), skipped)


def _external_causes(engine: Any, statements: list[Statement], patient: Patient, found: list[Suggestion],
                     seventh: str) -> list[Suggestion]:
    """How and where the injury happened (external.py), when there is an injury to go with."""
    if not any(external.is_injury(s.code) for s in found):
        return []
    have = {s.code[:1] for s in found if s.code[:1] in "VWXY"}
    out: list[Suggestion] = []
    done: set[str] = {"how"} if have & set("VWX") else set()
    # The diagnosis statements say it best ("... due to fall from bed"); then the history.
    ordered = sorted(statements, key=lambda st: 0 if st.section in DIAGNOSTIC else 1)
    told = [st for st in ordered if not (st.context.negated or st.context.hypothetical)
            and st.section in (*DIAGNOSTIC, "hpi", "other")]
    said = matcher.statement_stems(" ".join(st.text for st in told))
    places: list[tuple[Statement, str]] = []
    for st in told:
        for ph in external.phrases(_clean(st.text)):
            if ph.kind == "where":
                places.append((st, ph.text))
            if ph.kind in done:
                continue
            for h in engine.search(ph.text, system="icd10cm", limit=15, date=patient.date or None):
                if not external.accept(ph.kind, h.code, h.score, ph.text, f"{h.title} {h.via}"):
                    continue
                code, more = h.code, []
                if ph.kind == "where" and (deeper := external.refine_place(h.via, said)):
                    code, more = deeper, [(f"{deeper}: the room or part of the place the note names ({h.code} "
                                           "is the unspecified place)")]
                fin = matcher.finish(code, matcher.statement_stems(ph.text), patient.date or _today(), seventh)
                if fin is None:
                    break
                fin.notes[:0] = more
                what = "how it happened" if ph.kind == "how" else "where it happened (place of occurrence)"
                out.append(Suggestion(fin.code, "icd10cm", fin.title, "diagnosis", st.text, st.doc, st.start, st.end,
                                      st.section, [f"external cause, {what}: {h.via if h.via != 'title' else 'title match'}"
                                                   f" (search: {ph.text!r}); never first-listed (guideline I.C.20)",
                                                   *fin.notes], [], h.score, fin.billable, fin.needs_seventh))
                done.add(ph.kind)
                break
    if "where" not in done:
        # No place in the index's own words: the coder's walk down "Place of occurrence".
        for st, words in places:
            code, path = external.walk_place(words)
            fin = matcher.finish(code, matcher.statement_stems(words), patient.date or _today(), seventh) if code \
                else None
            if fin is not None:
                out.append(Suggestion(fin.code, "icd10cm", fin.title, "diagnosis", st.text, st.doc, st.start, st.end,
                                      st.section, [(f"external cause, where it happened (place of occurrence): "
                                                    f"external cause index: {path} ({words!r}); never first-listed "
                                                    "(guideline I.C.20)"), *fin.notes], [], 80.0, fin.billable,
                                      fin.needs_seventh))
                break
    if not out and not have:
        return out  # activity and status go with a cause (or place) code, never alone
    text = "\n".join(st.sentence for st in statements if not st.context.negated)
    for f in external.activity_and_status(text):
        for h in engine.search(f.query, system="icd10cm", limit=5, date=patient.date or None):
            if h.code.startswith(f.prefix) and h.billable and h.score >= 85:
                st = next((x for x in statements if f.evidence in x.sentence), statements[0])
                out.append(Suggestion(h.code, "icd10cm", h.title, "diagnosis", st.text, st.doc, st.start, st.end,
                                      st.section, [f.why, f"search: {f.query!r}; with the external cause codes "
                                                   "(guideline I.C.20)"], [], h.score))
                break
    return out


def _device_status(statements: list[Statement], patient: Patient, found: set[str]) -> list[Suggestion]:
    """Devices the patient has (status.py): the index's "Presence, insulin pump" Z96.41."""
    from workstation.codes import books

    book = books.icd10cm(date=patient.date or _today())
    out: list[Suggestion] = []
    for st in statements:
        c = st.context
        if st.section not in status.SECTIONS or c.negated or c.uncertain or c.hypothetical or c.historical or c.family:
            continue
        for d in status.devices(st.text):
            got = book.get(d.code)
            if got is None or not got.billable or d.code in found:
                continue
            found.add(d.code)
            out.append(Suggestion(d.code, "icd10cm", got.title, "diagnosis", st.text[d.start:d.end], st.doc,
                                  st.start + d.start, st.start + d.end, st.section,
                                  [f"index: {d.path} {d.code}", ("status: a device the patient has (guideline "
                                                                  "I.C.21.c.3)")], [], 90.0))
    return out


def _underdosing(engine: Any, statements: list[Statement], patient: Patient, seventh: str,
                 found: set[str]) -> list[Suggestion]:
    """Underdosing the note tells ("after running out of furosemide", underdosing.py): the Drug
    Table's Underdosing column, after the condition (guideline I.C.19.e.5.c)."""
    out: list[Suggestion] = []
    for st in statements:
        if st.section not in underdosing.SECTIONS or st.context.negated or st.context.hypothetical:
            continue
        for u in underdosing.told(st.text):
            q = f"underdosing of {u.drug}"
            for h in engine.search(q, system="icd10cm", limit=5, date=patient.date or None):
                if not underdosing.accept(h.code, h.via, u.drug, h.score):
                    continue
                fin = matcher.finish(h.code, matcher.statement_stems(q), patient.date or _today(), seventh)
                if fin is None or fin.code in found:
                    break
                found.add(fin.code)
                out.append(Suggestion(fin.code, "icd10cm", fin.title, "diagnosis", st.text[u.start:u.end], st.doc,
                                      st.start + u.start, st.start + u.end, st.section,
                                      [(f"underdosing: {h.via} (search: {q!r}); after the condition it worsened, "
                                        "intent not documented so no Z91.1- code (guideline I.C.19.e.5.c)"),
                                       *fin.notes], [], h.score, fin.billable, fin.needs_seventh))
                break
    return out


_BITE = re.compile(r"\b(?:bite|bites|bitten)\b", re.I)
_WOUND_KIND = re.compile(r"^(?:Laceration (?:with|without) foreign body|Puncture wound (?:with|without) foreign body|"
                         r"Unspecified open wound)\b")
_NOT_SITE = frozenset(tokens("open bite of initial encounter subsequent sequela right left unspecified with without "
                             "damage to nail foreign body"))


def _open_bites(found: list[Suggestion], statements: list[Statement], patient: Patient) -> list[Suggestion]:
    """An open wound the note says was made by a bite is an open bite: Index "Bite (animal)
    (human), hand S61.45-", a subcategory of its own beside laceration and puncture (S61.41-,
    S61.43-), even when the note calls the wound a laceration. The open bite code of the same
    site and side (its title checked in the tabular) replaces the laceration's, when a statement
    that is not negated says "bite" or "bitten" and names the wound's site."""
    from workstation.codes import books

    bites = [st for st in statements if _BITE.search(st.text) and not (st.context.negated or st.context.hypothetical)]
    if not bites:
        return found
    said = matcher.statement_stems(" ".join(st.text for st in bites))
    book = books.icd10cm(date=patient.date or _today())
    out: list[Suggestion] = []
    for s in found:
        if s.system == "icd10cm" and s.code[:1] == "S" and len(s.code) >= 6 and _WOUND_KIND.match(s.title):
            twin = book.get(s.code[:5] + "5" + s.code[6:])
            site = frozenset(tokens(twin.title)) - _NOT_SITE if twin is not None else frozenset()
            if twin is not None and twin.title.startswith("Open bite") and site & said:
                s = Suggestion(twin.code, "icd10cm", twin.title, s.kind, s.evidence, s.doc, s.start, s.end, s.section,
                               [f"{s.code} ({s.title}) made by a bite: an open bite (Index: Bite, open wound)",
                                *s.why], list(s.context), s.score, twin.billable, s.needs_seventh)
        out.append(s)
    return out


def _encounter_reasons(engine: Any, texts: list[str], patient: Patient,
                       found: set[str]) -> tuple[list[Suggestion], list[Suggestion]]:
    """Codes for what the encounter is (chemotherapy, immunization, screening, weeks of
    gestation), first-listed ones apart."""
    first: list[Suggestion] = []
    later: list[Suggestion] = []
    for r in encounter.reasons(texts):
        for h in engine.search(r.query, system="icd10cm", limit=5, date=patient.date or None):
            if not h.code.startswith(r.prefix) or not h.billable or h.score < 85 or h.code in found:
                continue
            if matcher.mce_refusal(h.code, patient.sex, patient.age):
                break
            s = Suggestion(h.code, "icd10cm", h.title, "diagnosis", r.evidence, r.doc, r.start, r.end, "encounter",
                           [r.why, f"search: {r.query!r}"], [], h.score)
            (first if r.first else later).append(s)
            found.add(h.code)
            break
    return first, later


_SAME = re.compile(r"^(?:same|same as (?:above|preoperative|pre-?op)(?: diagnosis)?|unchanged)$", re.I)


def _same_as_preoperative(statements: list[Statement]) -> list[Statement]:
    """"POSTOPERATIVE DIAGNOSIS: Same.": the preoperative diagnosis (its first statement) is the
    diagnosis; without any postoperative or other diagnosis, the preoperative one stands too."""
    from dataclasses import replace

    docs_same = {s.doc for s in statements if s.section == "assessment" and _SAME.match(s.text.strip(". "))}
    docs_dx = {s.doc for s in statements if s.section in DIAGNOSTIC}
    out: list[Statement] = []
    first_seen: set[int] = set()
    for s in statements:
        if s.section == "assessment" and _SAME.match(s.text.strip(". ")):
            continue
        if s.section == "preoperative" and (s.doc in docs_same or not docs_dx) and s.doc not in first_seen:
            first_seen.add(s.doc)
            s = replace(s, section="assessment")
        out.append(s)
    return out


def _default_seventh(text: str, patient: Patient) -> str:
    """The 7th character when the note names no encounter: active treatment in the ED or as an
    inpatient is the initial encounter (guideline I.C.19.a); a follow-up visit for healing is
    subsequent. Empty when the note does not say enough (the coder chooses)."""
    low = text.lower()
    if patient.encounter in ("emergency", "inpatient"):
        return "A"
    if ("follow-up" in low or "follow up" in low) and ("healing" in low or "cast" in low):
        return "D"
    return ""


def _clean(text: str) -> str:
    t = _DATE.sub(" ", text)
    return " ".join(t.split())


_ACTION = re.compile(r"\b(?:ordered|given|scheduled|refer(?:red|ral)|recheck|continue[sd]?|start(?:ed)?|"
                     r"stop(?:ped)?|held|hold|(?<!as )prescribed|counsel+ed|obtain(?:ed)?|return|follow[- ]?up|"
                     r"discontinued|resume[sd]?|advised|encouraged|reviewed|sent)\b", re.I)
_NEGATOR = re.compile(r"\b(?:without|no|not|w/o)\b", re.I)


def _parts(text: str) -> list[str]:
    """Comma parts, never splitting inside parentheses; a part that says "without" / "no"
    keeps the rest of its list ("without perforation, gangrene or abscess")."""
    parts: list[str] = []
    depth, cur = 0, []
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth <= 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    # "Gross hematuria due to adverse effect of warfarin": the cause is a part of its own
    # (tried with the first part, then alone: the adverse effect code).
    parts = [q.strip() for p in parts for q in re.split(r"\s+(?=due to\b)", p) if q.strip()]
    for i, p in enumerate(parts):
        if _NEGATOR.search(p) and i + 1 < len(parts):
            return parts[:i] + [", ".join(parts[i:])]
    return parts


def _keep_detail(m: re.Match[str]) -> str:
    inner = m.group(1)
    return " " if ("," in inner or any(c.isdigit() for c in inner)) else m.group(0)


def _detail_out(text: str) -> str:
    """The text without parenthesised detail that carries numbers or a list."""
    return " ".join(_PARENS.sub(_keep_detail, text).split())


def _query(text: str) -> str:
    """What is searched: the words without parenthesised detail that carries numbers or a
    list ("(1/2 pack per day)", "(LCx, RCA, non-obstructive)"); "(alprazolam)" stays."""
    t = _PARENS.sub(_keep_detail, text)
    # "taken as prescribed" says adverse effect (not poisoning); the Drug table's column
    # already says so, the words only dilute the match.
    t = re.sub(r"\b(?:taken )?(?:as prescribed|correctly)\b", " ", t, flags=re.I)
    return " ".join(t.split())


def _diagnoses(engine: Any, st: Statement, patient: Patient, seventh: str) -> list[Suggestion]:
    """The statement's code, then the codes of what its later comma parts name on their own
    ("... chronic kidney disease, CKD stage 3b": E11.22, then N18.32)."""
    out: list[Suggestion] = []
    # The condition without its leading context words ("Probable pneumonia" -> "pneumonia").
    # Numeric detail in parentheses goes before the dates do: "(1/2 pack per day)" is a dose,
    # and once its "1/2" is taken for a date the rest would be searched as words.
    parts = _parts(_LEAD_TRIGGER.sub("", _clean(_detail_out(st.text))))
    first = True
    while parts and len(out) < 4:
        s, used = _diagnosis(engine, st, patient, seventh, parts, strict=not first)
        if s is not None and all(o.code != s.code for o in out):
            out.append(s)
        if first and s is not None:
            out.extend(o for o in _with_tail(engine, st, patient, seventh, parts[0], s) if o.code not in
                       {x.code for x in out})
        parts = parts[max(used, 1):]
        first = False
    return out


_WITH_TAIL = re.compile(r"\bwith\s+(.+)$", re.I)


def _with_tail(engine: Any, st: Statement, patient: Patient, seventh: str, part: str,
               got: Suggestion) -> list[Suggestion]:
    """"Severe sepsis with acute kidney injury": the code found (R65.20) names the sepsis and its
    organ dysfunction, not which one; what follows "with" that the code's own words do not say is
    a condition of its own (its "use additional code" note), searched as a later part is."""
    m = _WITH_TAIL.search(part)
    if m is None:
        return []
    tail = " ".join(_PARENS.sub(" ", m.group(1)).split())
    said = matcher.statement_stems(tail)
    named = matcher.statement_stems(got.title + " " + " ".join(got.why))
    if len(said - named) < 2:
        return []
    s, _used = _diagnosis(engine, st, patient, seventh, [tail], strict=True)
    return [s] if s is not None and s.code != got.code else []


def _diagnosis(engine: Any, st: Statement, patient: Patient, seventh: str,
               parts: list[str], strict: bool = False) -> tuple[Suggestion | None, int]:
    """The code the first parts of a statement support best. `strict` for the later parts of
    a statement: they must name a condition of their own (a near-exact hit sharing two or more
    words with it), not qualify the first ("compensated", "nodular type")."""
    text = ", ".join(parts)
    own7 = matcher.seventh_from(st.text) or seventh
    best: tuple[float, Any, str, int] | None = None
    for k in range(1, min(len(parts), _MAX_PARTS) + 1):
        q = _query(", ".join(parts[:k]))
        if k > 1 and not _LETTERS.search(parts[k - 1]):
            continue
        # Words in parentheses are the note's aside ("ACE inhibitor (lisinopril)": the class and
        # its drug): the words with and without them are both tried, the better hit counts.
        bare = " ".join(_PARENS.sub(" ", q).split())
        for qq in dict.fromkeys((q, bare) if bare and _LETTERS.search(bare) else (q,)):
            hits = engine.search(qq, system="icd10cm", limit=8, date=patient.date or None,
                                 sex=patient.sex if patient.sex in ("F", "M") else None, age=patient.age)
            for h in hits:
                if matcher.mce_refusal(h.code, patient.sex, patient.age) or (
                        h.code[:1] == "O" and not patient.pregnancy_told):
                    continue
                # More of the statement supporting the same or a better score: the more specific.
                score = h.score + _PART_BONUS * (k - 1)
                if best is None or score > best[0]:
                    best = (score, h, qq, k)
                break
    walk = matcher.walk_index(text)
    stems = matcher.statement_stems(text)
    why: list[str] = []
    code = ""
    score = 0.0
    via = ""
    need = DX_MIN_SCORE if len(stems) >= 2 else 95.0  # one word alone must name the code
    used = len(parts)
    if strict:
        if best is None or best[1].score < _LATER_MIN_SCORE:
            return None, 1
        said = matcher.statement_stems(_query(", ".join(parts[:best[3]])))
        named = matcher.statement_stems(best[1].title + " " + best[1].via)
        if len(said & named) < 2 and not (best[1].score >= 97 and said and said <= named):
            return None, 1
    if best is not None and best[1].score >= need:
        score, hit, q, used = best[1].score, best[1], best[2], best[3]
        code = hit.code
        via = hit.via
        if hit.title.startswith("Other ") and walk is not None and len(walk.path) >= 2 and \
                walk.code[:3] == hit.code[:3] and walk.code.rstrip("-") != hit.code:
            # An "Other ..." code is for a specified type the classification has no code for;
            # the index entry the words reach is the code ("Appendicitis, acute" K35.80, not
            # K35.890 Other acute appendicitis ...).
            code, via = walk.code, f"index: {walk.path_text}"
        elif via.startswith("index: ") and walk is not None and walk.code[:3] == hit.code[:3] and \
                walk.code.rstrip("-") != hit.code and (off := matcher.unsupported_subterm(via[7:], stems, hit.title)):
            # The search reached the code through a subterm the statement does not say; the
            # coder's walk goes down only the subterms the words support.
            why.append(f"not {hit.code} ({via}): the note does not say {off!r}")
            code, via = walk.code, f"index: {walk.path_text}"
        why.append(f"{'title match' if via == 'title' else via}" + (f" (search: {q!r})" if q != text else ""))
        if walk is not None and not via.startswith("index") and walk.code.rstrip("-").replace(".", "") and \
                hit.code.replace(".", "").startswith(walk.code.rstrip("-").replace(".", "")[:4]):
            why.append(f"index: {walk.path_text} {walk.code}")
    elif walk is not None and (len(walk.path) >= 2 or 3 * len(walk.covered) >= len(stems)):
        # The index alone: a path of subterms, or a main term that is most of what is said
        # ("community-acquired pneumonia": Pneumonia J18.9).
        code = walk.code
        score = 70.0
        why.append(f"index: {walk.path_text} {walk.code}")
    if not code or (code[:1] == "O" and not patient.pregnancy_told):
        return None, used
    fin = matcher.finish(code, stems | matcher.statement_stems(st.sentence), patient.date or _today(), own7)
    if fin is None:
        return None, used
    refusal = matcher.mce_refusal(fin.code, patient.sex, patient.age)
    if refusal:
        return None, used
    why.extend(fin.notes)
    return Suggestion(fin.code, "icd10cm", fin.title, "diagnosis", st.text, st.doc, st.start, st.end, st.section,
                      why, [], score, fin.billable, fin.needs_seventh), used


def _history_code(engine: Any, st: Statement, patient: Patient, prefix: str, allowed: tuple[str, ...],
                  lead: re.Pattern[str], reason: str) -> Suggestion | None:
    target = lead.sub("", _clean(st.text)).strip() or _clean(st.text)
    target = _query(_parts(target)[0]) if _parts(target) else target  # the condition, not its course
    q = prefix + target
    for h in engine.search(q, system="icd10cm", limit=10, date=patient.date or None):
        if h.code.startswith(allowed) and h.score >= DX_MIN_SCORE - 4 and h.billable:
            return Suggestion(h.code, "icd10cm", h.title, "diagnosis", st.text, st.doc, st.start, st.end,
                              st.section, [reason, f"search: {q!r}"], [], h.score, True, False)
    return None


_BY = re.compile(r"\b(?:by|per)\s+(?:dr\.?|doctor)\s.*$|\(dr\.?[^)]*\)", re.I)


def _procedures(engine: Any, st: Statement, patient: Patient, support: str) -> list[Suggestion]:
    """ICD-10-PCS (inpatients: the PCS Index walked to a table, then the axes the words
    support, pcs.py) and HCPCS Level II for a procedure statement."""
    text = _BY.sub(" ", _clean(st.text))
    if not _LETTERS.search(text):
        return []
    out: list[Suggestion] = []
    if patient.setting == "inpatient":
        for part in pcs.procedures_in(text):
            got = pcs.pick(part, support)
            if got is None or got.score < PCS_MIN_FIT:
                continue
            why = [f"ICD-10-PCS (inpatient procedure), index: {got.path} \u2192 {got.code[:3]} table", *got.axes]
            at = st.text.find(part)   # the part's own words as the evidence, when the text has them as cut
            ev, a, b = (part, st.start + at, st.start + at + len(part)) if at >= 0 else (st.text, st.start, st.end)
            out.append(Suggestion(got.code, "icd10pcs", got.title, "procedure", ev, st.doc, a, b,
                                  st.section, why, [], got.score * 10))
        return out
    return _hcpcs_by_search(engine, st, patient, text)


def _hcpcs_by_search(engine: Any, st: Statement, patient: Patient, text: str) -> list[Suggestion]:
    """HCPCS Level II for an outpatient procedure statement: the longest stretch of its comma
    parts that finds a code (CPT is not shipped, so a procedure CPT names is left to the coder)."""
    text = " ".join(_PARENS.sub(" ", text).split())
    parts = [p for c in _parts(text) for p in re.split(r"\s+(?=with\b)", c) if p.strip()]
    best: tuple[float, Any, str] | None = None
    for k in range(1, min(len(parts), _MAX_PARTS) + 1):
        q = " ".join(parts[:k])
        if len(matcher.statement_stems(q)) < 2:
            continue  # one word ("Irrigated") is not enough to name a supply or a drug
        for h in engine.search(q, system="hcpcs", limit=5, date=patient.date or None):
            score = h.score + _PART_BONUS * (k - 1)
            if h.score >= HCPCS_MIN_SCORE and (best is None or score > best[0]):
                best = (score, h, q)
            break
    if best is None:
        return []
    _s, h, q = best
    why = ["HCPCS Level II: " + (h.via if h.via != "title" else "title match") + (f" (search: {q!r})" if q != text else "")]
    return [Suggestion(h.code, "hcpcs", h.title, "procedure", st.text, st.doc, st.start, st.end, st.section, why, [],
                       h.score)]


def _drugs(statements: list[Statement], patient: Patient) -> list[Suggestion]:
    """HCPCS Level II drug codes with units, for drugs the note says were given (drugs.py)."""
    out: list[Suggestion] = []
    for st in statements:
        if drugs.skip_statement(st.section, st.heading) or st.context.negated or st.context.hypothetical:
            continue
        for g in drugs.given(st.text, st.sentence):
            why = [g.why, "a drug given in the office or infusion room; the administration itself is a CPT line"]
            out.append(Suggestion(g.code, "hcpcs", g.title, "procedure", st.text[g.start:g.end], st.doc,
                                  st.start + g.start, st.start + g.end, st.section, why, [], 90.0, units=g.units))
    return out


def _services(engine: Any, texts: list[str], patient: Patient) -> list[Suggestion]:
    """HCPCS G-codes the note names (services.py), each found in the book by search."""
    out: list[Suggestion] = []
    for i, text in enumerate(texts):
        for sv in services.services(text, patient.medicare):
            for h in engine.search(sv.query, system="hcpcs", limit=5, date=patient.date or None):
                title = h.title.lower()
                if h.code.startswith("G") and all(w in title for w in sv.must):
                    out.append(Suggestion(h.code, "hcpcs", h.title, "procedure", text[sv.start:sv.end], i, sv.start,
                                          sv.end, "encounter", [f"HCPCS Level II: {sv.why}", f"search: {sv.query!r}"],
                                          [], h.score, units=1))
                    break
    return out


def _pcs_elsewhere(st: Statement, support: str) -> list[Suggestion]:
    """An inpatient procedure told outside a PROCEDURE heading ("Spontaneous vaginal delivery of
    a live born infant" in a delivery note): only when the PCS Index itself gives the whole code."""
    if not pcs.names_whole_code(st.text):
        return []
    got = pcs.pick(st.text, support)
    if got is None or not got.whole_from_index:
        return []
    return [Suggestion(got.code, "icd10pcs", got.title, "procedure", st.text, st.doc, st.start, st.end, st.section,
                       [f"ICD-10-PCS (inpatient procedure), index: {got.path} {got.code}", "told in the "
                        f"{st.section} section, not under a procedure heading: check it was done"], [], got.score * 10)]


class _Remembered:
    """The search engine, each query asked once per reading (a statement's comma parts and the
    history / external-cause look-ups ask the same words more than once)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.seen: dict[tuple[Any, ...], list[Any]] = {}

    def search(self, query: str, **kw: Any) -> list[Any]:
        key = (query, *sorted(kw.items()))
        got = self.seen.get(key)
        if got is None:
            got = self.seen[key] = self.engine.search(query, **kw)
        return got


def _today() -> str:
    return Date.today().isoformat()


def _tidy(found: list[Suggestion], patient: Patient) -> list[Suggestion]:
    """One suggestion a code (first evidence kept, later ones noted), combination codes, and the
    unspecified twin of a specific code dropped."""
    from workstation.codes import books

    by_code: dict[str, Suggestion] = {}
    order: list[str] = []
    for s in found:
        if s.code in by_code:
            first = by_code[s.code]
            first.why.append(f"also: {s.evidence!r}")
            continue
        by_code[s.code] = s
        order.append(s.code)
    # One PCS code a procedure: the discharge summary's "Right total knee arthroplasty" restates
    # the operative note's procedure (same table and body part); the better-supported code stays.
    for c in [c for c in order if by_code[c].system == "icd10pcs"]:
        rivals = [o for o in order if o != c and by_code[o].system == "icd10pcs" and (
            o[:4] == c[:4] or (o[:2] + o[3] == c[:2] + c[3] and by_code[o].doc != by_code[c].doc))]
        if rivals and any(by_code[o].score > by_code[c].score for o in rivals):
            order.remove(c)
            del by_code[c]
    dx = [c for c in order if by_code[c].system == "icd10cm"]
    book = books.icd10cm(date=patient.date or _today())
    for comb in combine.combinations(dx):
        got = book.get(comb.add)
        if got is None or not got.billable:
            continue
        first = next((c for c in order if c in comb.drop), None)
        src = by_code[first] if first else by_code[dx[0]]
        new = Suggestion(got.code, "icd10cm", got.title, "diagnosis", src.evidence, src.doc, src.start, src.end,
                         src.section, [comb.why], list(src.context), src.score, True, False)
        at = order.index(first) if first else len(order)
        for c in comb.drop:
            if c in by_code:
                order.remove(c)
                del by_code[c]
        if got.code not in by_code:
            by_code[got.code] = new
            order.insert(min(at, len(order)), got.code)
    titles = {c: by_code[c].title for c in order}
    gone = combine.redundant([c for c in order if by_code[c].system == "icd10cm"], titles)
    for c, better in gone.items():
        if c in by_code and better in by_code:
            by_code[better].why.append(f"{c} ({by_code[c].title}) left out: {better} says more")
            order.remove(c)
            del by_code[c]
    result = [by_code[c] for c in order]
    result.sort(key=lambda s: 0 if s.kind == "diagnosis" else 1)
    return result


def warm() -> None:
    """Load what the first suggestion would otherwise wait for (the search index and its typo
    table, the Alphabetic Index's main terms, the MCE tables); for a background thread at start."""
    from workstation.codes.index_tables import alphabetic_index
    from workstation.codes.mce import mce
    from workstation.search.engine import get_engine

    engine = get_engine()
    if hasattr(engine, "warm"):
        engine.warm().join()
    alphabetic_index().find("diabetes")
    mce()
    pcs.warm()
    drugs.warm()
