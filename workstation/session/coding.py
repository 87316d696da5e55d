"""The coding rules of the session core: pure changes on one case's work, no I/O.

Every change a coder makes (diagnoses, procedures and their dates, POA, the stay, service lines,
status, notes, provider queries) is a function here: it checks the change, makes it on the
`CaseWork` it is given and returns a `Change` (what the audit records). The store calls these
and commits the work with its audit entries in one write per user action (`SessionStore.change`
makes several in one); the CLI and the app both go through the store, so they cannot disagree about
what a change does: which pointers move with a diagnosis, what a query offers, whether it may
be sent, or when the hold it puts on the case ends.

    ch = assign_dx(case, work, "e1122", position=0)   # ch.value == "E11.22", ch.before / ch.after

    q = add_query(work, "Please clarify ...", "BNP 1,450 ...", ["Acute", "Chronic"], now)
    # q.options gained "Other (please specify)" and "Clinically undetermined"; work.status == "query"
    answer_query(work, q.query_id, "Acute on chronic", now)   # the last open one: back to in_progress
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from workstation.cases.model import Case
from workstation.codes.icd10cm import normalize
from workstation.session import query_compliance as compliance
from workstation.session import undo as undo_history
from workstation.session import validate as v
from workstation.session.validate import CodingError
from workstation.session.work import STATUSES, CaseWork, Query, ServiceLine

HOLD = "query"  # the status of a case waiting on a provider
AFTER_HOLD = "in_progress"  # where an answered (or withdrawn) last query puts the case: back to coding


class QueryRefused(ValueError):
    """The query cannot be sent as written (the message names every reason)."""


@dataclass(frozen=True)
class StatusChange:
    before: str
    after: str


@dataclass(frozen=True)
class Change:
    """One change made to a case's work: the audit entry's action, before and after, and what
    the caller gets back. `changed` False: nothing to write (the value was already so)."""

    action: str
    before: Any
    after: Any
    value: Any = None
    changed: bool = True
    starts: bool = True  # a coding change: it starts a new case and reopens an exported one


def started(work: CaseWork) -> Change | None:
    """The first coding change starts a case (new -> in_progress). A coding change to a claim
    already sent opens the case again, to be re-coded and sent as a replacement; the batch stays
    on the work (and in the store's exports) as its history."""
    if work.status == "new":
        work.status = "in_progress"
        return Change("set_status", "new", "in_progress")
    if work.status == "exported":
        work.status = "in_progress"
        return Change("reopen", {"status": "exported", "export_batch": work.export_batch},
                      {"status": "in_progress", "export_batch": work.export_batch})
    return None


def _put(values: dict[str, str], key: str, value: str) -> str:
    """Set a code's value in a per-code table ("" clears it); returns what it was."""
    before = values.get(key, "")
    if value:
        values[key] = value
    else:
        values.pop(key, None)
    return before


# ---------------------------------------------------------------- diagnoses

def assign_dx(case: Case, work: CaseWork, code: str, position: int | None = None) -> Change:
    """Assign a diagnosis (validated for the case's date); position 0 makes it first-listed. The
    lines' diagnosis pointers follow the codes they pointed to. Value: the normalised code."""
    c = v.validate_dx(case, code)
    if c in work.diagnoses:
        raise CodingError(f"{c} is already assigned to case {work.case_id} "
                          f"(as {v.POINTER_LETTERS[work.diagnoses.index(c)]})")
    before = list(work.diagnoses)
    pos = len(before) if position is None else max(0, min(int(position), len(before)))
    work.diagnoses.insert(pos, c)
    work.lines = v.remap_pointers(work.lines, before, work.diagnoses)
    return Change("assign_dx", before, list(work.diagnoses), c)


def find_dx(work: CaseWork, code: str) -> str:
    c = normalize(code)
    if c not in work.diagnoses:
        raise CodingError(f"{c} is not assigned to case {work.case_id}")
    return c


def remove_dx(case: Case, work: CaseWork, code: str) -> Change:
    """Remove a diagnosis, its POA indicator, and the line pointers to it."""
    c = find_dx(work, code)
    before = list(work.diagnoses)
    work.diagnoses.remove(c)
    work.poa.pop(c, None)
    work.lines = v.remap_pointers(work.lines, before, work.diagnoses)
    return Change("remove_dx", before, list(work.diagnoses))


def move_dx(case: Case, work: CaseWork, code: str, delta: int) -> Change:
    """Resequence: delta -1 moves the code up one place (towards first-listed)."""
    c = find_dx(work, code)
    before = list(work.diagnoses)
    i = before.index(c)
    j = max(0, min(i + int(delta), len(before) - 1))
    if i == j:
        return Change("move_dx", before, before, changed=False)
    work.diagnoses.pop(i)
    work.diagnoses.insert(j, c)
    work.lines = v.remap_pointers(work.lines, before, work.diagnoses)
    return Change("move_dx", before, list(work.diagnoses))


def set_poa(case: Case, work: CaseWork, code: str, indicator: str) -> Change:
    """The present-on-admission indicator of an inpatient diagnosis ("" clears it). Value: the
    indicator as stored."""
    c, value = v.validate_poa(case, work, code, indicator)
    before = _put(work.poa, c, value)
    return Change("set_poa", {"code": c, "poa": before}, {"code": c, "poa": value}, value, changed=value != before)


# ---------------------------------------------------------------- procedures and the stay

def add_procedure(case: Case, work: CaseWork, code: str) -> Change:
    c = v.validate_pcs(case, code)
    if c in work.procedures:
        raise CodingError(f"{c} is already assigned to case {work.case_id}")
    before = list(work.procedures)
    work.procedures.append(c)
    return Change("add_procedure", before, list(work.procedures), c)


def remove_procedure(case: Case, work: CaseWork, code: str) -> Change:
    """Remove an ICD-10-PCS procedure and its date."""
    c = code.strip().upper()
    if c not in work.procedures:
        raise CodingError(f"{c} is not assigned to case {work.case_id}")
    before = list(work.procedures)
    work.procedures.remove(c)
    work.pcs_dates.pop(c, None)
    return Change("remove_procedure", before, list(work.procedures))


def set_procedure_date(case: Case, work: CaseWork, code: str, day: str) -> Change:
    """The date an inpatient ICD-10-PCS procedure was performed ("" clears it)."""
    c, d = v.validate_pcs_date(case, work, code, day)
    before = _put(work.pcs_dates, c, d)
    return Change("set_procedure_date", {"code": c, "date": before}, {"code": c, "date": d}, changed=d != before)


def set_stay(case: Case, work: CaseWork, fields: dict[str, str]) -> Change:
    """The inpatient stay's claim fields (admission type and source, patient status, hours)."""
    checked = v.validate_stay(case, fields)
    before = dict(work.stay.__dict__)
    new = replace(work.stay, **checked)
    changed = new != work.stay
    work.stay = new
    return Change("set_stay", before, dict(new.__dict__), changed=changed)


# ---------------------------------------------------------------- service lines

def line_index(work: CaseWork, index: int) -> int:
    if not 0 <= int(index) < len(work.lines):
        raise CodingError(f"case {work.case_id} has no service line {int(index) + 1} "
                          f"({len(work.lines)} line{'s' if len(work.lines) != 1 else ''})")
    return int(index)


def add_line(case: Case, work: CaseWork, line: ServiceLine) -> Change:
    """Add a service line (validated). Value: its index (0-based)."""
    new = v.validate_line(work, line, case.coding_date)
    work.lines.append(new)
    return Change("add_line", None, asdict(new), len(work.lines) - 1)


def update_line(case: Case, work: CaseWork, index: int, fields: dict[str, Any]) -> Change:
    i = line_index(work, index)
    v.check_line_fields(fields)
    old = work.lines[i]
    new = v.validate_line(work, replace(old, **fields), case.coding_date)
    work.lines[i] = new
    return Change("update_line", {"index": i, **asdict(old)}, {"index": i, **asdict(new)}, changed=new != old)


def remove_line(case: Case, work: CaseWork, index: int) -> Change:
    i = line_index(work, index)
    old = work.lines.pop(i)
    return Change("remove_line", {"index": i, **asdict(old)}, None)


def move_line(case: Case, work: CaseWork, index: int, delta: int) -> Change:
    """Reorder the service lines: delta -1 moves line `index` up one place. Value: its new index."""
    i = line_index(work, index)
    j = max(0, min(i + int(delta), len(work.lines) - 1))
    before = [l.code for l in work.lines]
    if i == j:
        return Change("move_line", before, before, i, changed=False)
    work.lines.insert(j, work.lines.pop(i))
    return Change("move_line", before, [l.code for l in work.lines], j)


def restore_coding(case: Case, work: CaseWork, diagnoses: list[str], procedures: list[str],
                   lines: list[ServiceLine], status: str | None = None) -> Change:
    """Undo: the diagnoses, procedures and lines as they were before a change (and the status,
    when the change undone was one). Audited like any change, as "undo"."""
    if status is not None and status not in STATUSES:
        raise CodingError(f"unknown status {status!r}; one of: {', '.join(STATUSES)}")

    def coding(w: CaseWork) -> dict[str, Any]:
        return {"diagnoses": list(w.diagnoses), "procedures": list(w.procedures),
                "lines": [asdict(l) for l in w.lines], "status": w.status}

    before = coding(work)
    work.diagnoses = list(diagnoses)
    work.procedures = list(procedures)
    work.lines = [replace(l, modifiers=list(l.modifiers), pointers=list(l.pointers)) for l in lines]
    if status is not None:
        work.status = status
    return Change("undo", before, coding(work), starts=status is None)



def undo_last(case: Case, work: CaseWork) -> Change:
    """Undo the last change the case's undo history recorded (session/undo.py): the coding as it
    was before it, that entry forgotten, in one change audited as "undo". Value: what was undone."""
    entry = undo_history.last(work)
    if entry is None:
        raise CodingError(f"nothing to undo in case {work.case_id}")
    ch = restore_coding(case, work, entry.diagnoses, entry.procedures, entry.lines, entry.status)
    work.undo = work.undo[:-1]
    return replace(ch, after={**ch.after, "undone": entry.label}, value=entry.label)

# ---------------------------------------------------------------- status, notes, claim number

def set_status(case: Case, work: CaseWork, status: str) -> Change:
    """A case is coded only with a diagnosis and no provider query still open."""
    if status not in STATUSES:
        raise CodingError(f"unknown status {status!r}; one of: {', '.join(STATUSES)}")
    before = work.status
    if status == before:
        return Change("set_status", before, status, changed=False, starts=False)
    if status == "coded":
        if not work.diagnoses:
            raise CodingError(f"case {work.case_id} cannot be marked coded: no diagnosis is assigned")
        if work.open_queries:
            raise CodingError(f"case {work.case_id} cannot be marked coded: "
                              f"{len(work.open_queries)} provider query still open")
    work.status = status
    return Change("set_status", before, status, starts=False)


def set_notes(case: Case, work: CaseWork, text: str) -> Change:
    before = work.notes
    work.notes = text
    return Change("set_notes", before, text, changed=text != before, starts=False)


def set_payer_claim_number(case: Case, work: CaseWork, number: str) -> Change:
    """The payer's claim control number of the claim already sent (REF*F8 on a replacement);
    empty clears it. It does not reopen an exported case (the coding is unchanged)."""
    value = v.validate_payer_claim_number(number)
    before = work.payer_claim_number
    work.payer_claim_number = value
    return Change("set_payer_claim_number", before, value, changed=value != before, starts=False)


# ---------------------------------------------------------------- provider queries


def query_options(options: list[str]) -> list[str]:
    """The offered answers plus "Other (please specify)" and "Clinically undetermined"."""
    return compliance.with_open_options(options)


def find_query(work: CaseWork, query_id: str) -> Query:
    qid = query_id.strip().upper()
    for q in work.queries:
        if q.query_id == qid:
            return q
    raise KeyError(f"case {work.case_id} has no query {qid}")


def next_query_id(work: CaseWork) -> str:
    used = {q.query_id for q in work.queries}
    n = len(work.queries) + 1
    while f"Q{n}" in used:
        n += 1
    return f"Q{n}"


def _hold(work: CaseWork) -> StatusChange | None:
    if work.status == HOLD:
        return None
    before, work.status = work.status, HOLD
    return StatusChange(before, HOLD)


def _release(work: CaseWork) -> StatusChange | None:
    """The last open query settled: a case on hold goes back to coding."""
    if work.open_queries or work.status != HOLD:
        return None
    work.status = AFTER_HOLD
    return StatusChange(HOLD, AFTER_HOLD)


def add_query(work: CaseWork, question: str, indicators: str, options: list[str], now: str,
              provider: str = "", yes_no: str = "", gap: str = "") -> tuple[Query, StatusChange | None]:
    """Raise a query: checked for compliance, "other"/"undetermined" added, the case put on hold."""
    offered = query_options(list(options))
    problems = compliance.check(question, indicators, offered, yes_no)
    if problems:
        raise QueryRefused(compliance.refusal(problems))
    q = Query(next_query_id(work), question.strip(), indicators.strip(), offered, "open", "", now, "",
              provider=provider.strip(), form=yes_no, gap=gap)
    work.queries.append(q)
    return q, _hold(work)


def answer_query(work: CaseWork, query_id: str, answer: str, now: str) -> tuple[Query, StatusChange | None]:
    q = find_query(work, query_id)
    if q.status != "open":
        raise ValueError(f"query {q.query_id} of case {work.case_id} is {q.status}, not open")
    if not answer.strip():
        raise ValueError(f"record the provider's answer to {q.query_id}")
    q.status, q.answer, q.answered = "answered", answer.strip(), now
    return q, _release(work)


def withdraw_query(work: CaseWork, query_id: str, now: str) -> tuple[Query, StatusChange | None]:
    q = find_query(work, query_id)
    if q.status != "open":
        raise ValueError(f"query {q.query_id} of case {work.case_id} is {q.status}, not open")
    q.status, q.answered = "withdrawn", now
    return q, _release(work)
