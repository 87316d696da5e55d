"""Provider queries: a compliant draft from a documentation gap, tracking (age, provider), export.

    d = draft(case, gap)                  # question, indicators quoted with where they stand, options
    d.problems()                          # the compliance check (empty: it may be sent)
    rows = tracked(cases, works, today)   # every query of a session, oldest open first
    text_documents(rows, cases)           # {provider: plain-text document}, one per provider
    json_document(rows, cases)            # everything as one JSON-ready list

The lifecycle itself (raise, answer, withdraw, the hold) is the session core's (session/coding.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from workstation.cases.model import Case
from workstation.session import query_compliance as compliance
from workstation.cdi.gaps import Gap
from workstation.session.work import CaseWork, Query


@dataclass
class Draft:
    """A query as it will be sent; every part may be edited before it is."""

    case_id: str
    provider: str
    question: str
    indicators: str
    options: list[str]
    gap: str = ""  # the gap key it answers
    yes_no: str = ""

    def problems(self) -> list[compliance.Problem]:
        return compliance.check(self.question, self.indicators, compliance.with_open_options(self.options), self.yes_no)

    def text(self, case: Case) -> str:
        opts = compliance.with_open_options(self.options)
        lines = [*identification(case), f"To: {self.provider or 'attending provider'}", "",
                 "Clinical indicators from the record:", self.indicators or "(none)", "",
                 f"Question: {self.question}", "", "Please document your clinical judgement in the record:"]
        lines += [f"  [ ] {o}" for o in opts]
        return "\n".join(lines)


def identification(case: Case) -> list[str]:
    """Patient and encounter, as a query must name them (for the provider, never for a log)."""
    p, e = case.patient, case.encounter
    name = ", ".join(x for x in (p.last, " ".join(y for y in (p.first, p.middle) if y)) if x)
    stay = f"{e.admit_date} to {e.discharge_date}" if e.type == "inpatient" and e.admit_date else e.date_of_service
    return [f"Patient: {name} (DOB {p.dob or 'not recorded'}, sex {p.sex})",
            f"Encounter: {case.case_id}, {e.type.replace('_', ' ')}, {stay}" + (f", {e.facility}" if e.facility else "")]


def indicators_text(gap: Gap) -> str:
    return "\n".join(f"- {e}" for e in gap.evidence)


def draft(case: Case, gap: Gap) -> Draft:
    """A compliant query from a gap: the gap's question, its evidence quoted, its options by title."""
    question = gap.question or f"Please clarify the {gap.topic or 'documentation'} for {gap.code}."
    return Draft(case.case_id, case.encounter.rendering_provider.name, question, indicators_text(gap),
                 [str(o) for o in gap.options], gap.key)


# ---------------------------------------------------------------- tracking

@dataclass(frozen=True)
class Tracked:
    case_id: str
    query: Query
    provider: str
    age_days: int  # open: days since raised; settled: days it was open

    @property
    def status(self) -> str:
        return self.query.status


def _day(stamp: str) -> date | None:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date() if stamp else None
    except ValueError:
        return None


def age_days(q: Query, today: date) -> int:
    start = _day(q.created)
    end = _day(q.answered) if q.status != "open" else today
    if start is None or end is None:
        return 0
    return max(0, (end - start).days)


def tracked(cases: dict[str, Case], works: dict[str, CaseWork], today: date | None = None,
            status: str = "") -> list[Tracked]:
    """Every query of the session (or those of one status), oldest first, open ones before settled."""
    today = today or datetime.now(timezone.utc).date()
    out = []
    for cid, work in works.items():
        case = cases.get(cid)
        for q in work.queries:
            if status and q.status != status:
                continue
            provider = q.provider or (case.encounter.rendering_provider.name if case else "")
            out.append(Tracked(cid, q, provider, age_days(q, today)))
    out.sort(key=lambda t: (t.status != "open", -t.age_days, t.case_id, t.query.query_id))
    return out


# ---------------------------------------------------------------- export

def file_name(provider: str) -> str:
    """The file a provider's queries are written to: queries-haddad-samir.txt."""
    return "queries-" + (re.sub(r"[^a-z0-9]+", "-", provider.lower()).strip("-") or "provider") + ".txt"


def text_documents(rows: list[Tracked], cases: dict[str, Case]) -> dict[str, str]:
    """One plain-text document per provider holding their queries, ready to send."""
    by_provider: dict[str, list[Tracked]] = {}
    for t in rows:
        by_provider.setdefault(t.provider or "Unassigned provider", []).append(t)
    docs = {}
    for provider, items in sorted(by_provider.items()):
        out = [f"Provider queries for {provider}", f"{len(items)} quer{'y' if len(items) == 1 else 'ies'}", ""]
        for t in items:
            q = t.query
            out += ["=" * 72, f"Query {t.case_id} {q.query_id}  ({q.status}, {t.age_days} day{'s' if t.age_days != 1 else ''}"
                    f"{', raised ' + q.created[:10] if q.created else ''})"]
            out += identification(cases[t.case_id]) if t.case_id in cases else [f"Encounter: {t.case_id}"]
            out += ["", "Clinical indicators from the record:", q.indicators or "(none)", "",
                    f"Question: {q.question}", "", "Please document your clinical judgement in the record:"]
            out += [f"  [{'x' if q.answer and q.answer.casefold() == o.casefold() else ' '}] {o}" for o in q.options]
            if q.status == "answered":
                out.append(f"Answer recorded {q.answered[:10]}: {q.answer}")
            elif q.status == "withdrawn":
                out.append(f"Withdrawn {q.answered[:10]}")
            out.append("")
        docs[provider] = "\n".join(out)
    return docs


@dataclass
class JsonQuery:
    case_id: str
    query_id: str
    status: str
    provider: str
    age_days: int
    question: str
    indicators: str
    options: list[str]
    answer: str
    created: str
    answered: str
    gap: str
    patient: dict[str, str] = field(default_factory=dict)
    encounter: dict[str, str] = field(default_factory=dict)


def json_document(rows: list[Tracked], cases: dict[str, Case]) -> list[dict[str, object]]:
    out = []
    for t in rows:
        q, c = t.query, cases.get(t.case_id)
        patient = {"last": c.patient.last, "first": c.patient.first, "dob": c.patient.dob, "sex": c.patient.sex} if c else {}
        enc = {"type": c.encounter.type, "date_of_service": c.encounter.date_of_service,
               "admit_date": c.encounter.admit_date, "discharge_date": c.encounter.discharge_date} if c else {}
        out.append(JsonQuery(t.case_id, q.query_id, q.status, t.provider, t.age_days, q.question, q.indicators,
                             list(q.options), q.answer, q.created, q.answered, q.gap, patient, enc).__dict__)
    return out
