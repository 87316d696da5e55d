"""Provider-query rules of the session core: pure changes on one case's work, no I/O.

The store calls these and commits the result with its audit entries in one write; the CLI and the
app both go through the store, so they cannot disagree about the options a query offers, whether
it may be sent, or when the hold it puts on the case ends.

    q = add_query(work, "Please clarify ...", "BNP 1,450 ...", ["Acute", "Chronic"], now)
    # q.options gained "Other (please specify)" and "Clinically undetermined"; work.status == "query"
    answer_query(work, q.query_id, "Acute on chronic", now)   # the last open one: back to in_progress
"""
from __future__ import annotations

from dataclasses import dataclass

from workstation.session import query_compliance as compliance
from workstation.session.work import CaseWork, Query

HOLD = "query"  # the status of a case waiting on a provider
AFTER_HOLD = "in_progress"  # where an answered (or withdrawn) last query puts the case: back to coding


class QueryRefused(ValueError):
    """The query cannot be sent as written (the message names every reason)."""


@dataclass(frozen=True)
class StatusChange:
    before: str
    after: str


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
