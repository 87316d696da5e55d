"""`workstation gaps` (documentation gaps) and `workstation queries list|show|draft|answer|withdraw|export`.

The query lifecycle goes through the session store (session/coding.py rules), exactly as the app's
Queries screen and coding screen do: the same compliance check, options, hold and audit entries.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

import orjson

from workstation.cases.model import Case
from workstation.session import query_compliance as compliance
from workstation.cdi.gaps import Gap, answered, find_gaps
from workstation.cdi.queries import (
    Draft,
    Tracked,
    draft,
    file_name,
    json_document,
    text_documents,
    tracked,
)
from workstation.commands import UsageError, add_session_option, open_session
from workstation.fileio import atomic_write_bytes
from workstation.session.store import SessionStore, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    g = sub.add_parser("gaps", help="documentation gaps: unspecified codes, clinical indicators without a diagnosis, "
                                    "conflicts, unmet instructions (what to query, what to fix)")
    add_session_option(g, required=True)
    g.add_argument("--case", action="append", default=[], metavar="ID", help="only this case (repeat)")
    g.add_argument("--json", action="store_true")
    g.set_defaults(func=cmd_gaps)

    q = sub.add_parser("queries", help="provider queries of a session: list, show, draft from a gap, answer, "
                                       "withdraw, export for sending")
    qs = q.add_subparsers(dest="queries_command", metavar="ACTION", required=True)

    ls = qs.add_parser("list", help="every query: status, age in days, provider (oldest open first)")
    add_session_option(ls, required=True)
    ls.add_argument("--status", choices=("open", "answered", "withdrawn"))
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    sh = qs.add_parser("show", help="one query as the provider reads it")
    add_session_option(sh, required=True)
    sh.add_argument("case_id")
    sh.add_argument("query_id")
    sh.add_argument("--json", action="store_true")
    sh.set_defaults(func=cmd_show)

    dr = qs.add_parser("draft", help="a compliant query drafted from a gap of `workstation gaps` (print it; "
                                     "--send raises it and holds the case)")
    add_session_option(dr, required=True)
    dr.add_argument("case_id")
    dr.add_argument("gap", nargs="?", type=int, default=1, help="the gap's number in `workstation gaps --case` (default 1)")
    dr.add_argument("--question", help="replace the drafted question")
    dr.add_argument("--indicators", help="replace the quoted clinical indicators")
    dr.add_argument("--option", action="append", default=[], metavar="TEXT",
                    help="replace the drafted options (repeat); 'Other' and 'Clinically undetermined' are added")
    dr.add_argument("--provider", help="send to this provider instead of the encounter's rendering provider")
    dr.add_argument("--send", action="store_true", help="raise the query (checked first; the case holds until answered)")
    dr.set_defaults(func=cmd_draft)

    an = qs.add_parser("answer", help="record the provider's answer (the last open query answered ends the hold)")
    add_session_option(an, required=True)
    an.add_argument("case_id")
    an.add_argument("query_id")
    an.add_argument("answer")
    an.set_defaults(func=cmd_answer)

    wd = qs.add_parser("withdraw", help="withdraw an open query (the last open one withdrawn ends the hold)")
    add_session_option(wd, required=True)
    wd.add_argument("case_id")
    wd.add_argument("query_id")
    wd.set_defaults(func=cmd_withdraw)

    ex = qs.add_parser("export", help="queries for sending: plain text, one document per provider, or JSON")
    add_session_option(ex, required=True)
    ex.add_argument("--format", choices=("text", "json"), default="text")
    ex.add_argument("--out", required=True, metavar="PATH",
                    help="text: a folder for one file per provider; json: the file (never overwritten)")
    ex.add_argument("--status", choices=("open", "answered", "withdrawn"), default="open",
                    help="which queries (default: open)")
    ex.set_defaults(func=cmd_export)


def _json(doc: object) -> None:
    print(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode())


def _case_ids(store: SessionStore, wanted: list[str]) -> list[str]:
    ids = store.case_ids()
    for cid in wanted:
        if cid not in ids:
            raise UsageError(f"no case {cid} in {store.path}")
    return wanted or ids


def _gaps(store: SessionStore, cid: str) -> list[Gap]:
    return find_gaps(store.case(cid), store.work(cid))


# ---------------------------------------------------------------- gaps

def cmd_gaps(args: argparse.Namespace) -> int:
    with open_session(args, readonly=True) as store:
        report: dict[str, list[dict[str, object]]] = {}
        lines: list[str] = []
        for cid in _case_ids(store, args.case):
            work = store.work(cid)
            gaps = _gaps(store, cid)
            asked = answered(work)
            report[cid] = [dict(g.to_dict(), number=i, queried=g.key in asked) for i, g in enumerate(gaps, 1)]
            if not gaps:
                if args.case:
                    lines.append(f"{cid}: no documentation gap found")
                continue
            lines.append(f"{cid}  [{work.status}]")
            for i, g in enumerate(gaps, 1):
                what = "query" if g.action == "query" else "fix  "
                done = "  (queried)" if g.key in asked else ""
                lines.append(f"  {i}. {what} {g.kind:<14} {g.code or '-':<9} {g.message}{done}")
                for e in g.evidence[:4]:
                    lines.append(f"       {e}")
                lines.append(f"       source: {g.source}")
        if args.json:
            _json(report)
        else:
            total = sum(len(v) for v in report.values())
            queries = sum(1 for v in report.values() for g in v if g["action"] == "query")
            print("\n".join(lines) if lines else "no documentation gap found")
            print(f"{total} gap{'s' if total != 1 else ''} in {sum(1 for v in report.values() if v)} case(s): "
                  f"{queries} to query, {total - queries} to fix in the coding")
    return 0


# ---------------------------------------------------------------- queries

def _rows(store: SessionStore, status: str = "") -> tuple[list[Tracked], dict[str, Case]]:
    works = store.all_work()
    with_queries = [cid for cid, w in works.items() if w.queries]
    cases = {cid: store.case(cid) for cid in with_queries}
    return tracked(cases, {cid: works[cid] for cid in with_queries}, datetime.now(timezone.utc).date(), status), cases


def cmd_list(args: argparse.Namespace) -> int:
    with open_session(args, readonly=True) as store:
        rows, cases = _rows(store, args.status or "")
        if args.json:
            _json(json_document(rows, cases))
            return 0
        if not rows:
            print("no provider queries" + (f" {args.status}" if args.status else ""))
            return 0
        print(f"{'case':<12} {'query':<5} {'status':<10} {'age':>4}  {'provider':<22} question")
        for t in rows:
            print(f"{t.case_id:<12} {t.query.query_id:<5} {t.status:<10} {t.age_days:>3}d  {t.provider[:22]:<22} "
                  f"{t.query.question[:70]}")
        counts = {s: sum(1 for t in rows if t.status == s) for s in ("open", "answered", "withdrawn")}
        print(", ".join(f"{n} {s}" for s, n in counts.items() if n))
    return 0


def _find(store: SessionStore, case_id: str, query_id: str) -> tuple[Tracked, dict[str, Case]]:
    rows, cases = _rows(store)
    for t in rows:
        if t.case_id == case_id and t.query.query_id == query_id.upper():
            return t, cases
    raise UsageError(f"case {case_id} has no query {query_id.upper()}")


def cmd_show(args: argparse.Namespace) -> int:
    with open_session(args, readonly=True) as store:
        t, cases = _find(store, args.case_id, args.query_id)
        if args.json:
            _json(json_document([t], cases)[0])
        else:
            print(text_documents([t], cases)[t.provider or "Unassigned provider"])
    return 0


def cmd_draft(args: argparse.Namespace) -> int:
    with open_session(args, readonly=not args.send) as store:
        cid = _case_ids(store, [args.case_id])[0]
        all_gaps = _gaps(store, cid)
        if not any(g.action == "query" for g in all_gaps):
            raise UsageError(f"{cid}: no documentation gap calls for a query (see `workstation gaps --case {cid}`)")
        if not 1 <= args.gap <= len(all_gaps):
            raise UsageError(f"{cid} has {len(all_gaps)} gap(s); give a number from `workstation gaps --case {cid}`")
        gap = all_gaps[args.gap - 1]
        if gap.action != "query":
            raise UsageError(f"gap {args.gap} of {cid} is a coding fix, not a query: {gap.message}")
        d: Draft = draft(store.case(cid), gap)
        if args.question:
            d.question = args.question
        if args.indicators:
            d.indicators = args.indicators
        if args.option:
            d.options = list(args.option)
        if args.provider:
            d.provider = args.provider
        problems = d.problems()
        print(d.text(store.case(cid)))
        if problems:
            raise UsageError(compliance.refusal(problems))
        if args.send:
            try:
                q = store.add_query(cid, d.question, d.indicators, d.options, provider=d.provider, gap=d.gap)
            except StoreError as exc:
                raise UsageError(str(exc)) from None
            print(f"\nquery {q.query_id} raised to {q.provider or 'the attending provider'}: case {cid} is on hold")
    return 0


def cmd_answer(args: argparse.Namespace) -> int:
    with open_session(args) as store:
        try:
            store.answer_query(args.case_id, args.query_id.upper(), args.answer)
            w = store.work(args.case_id)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        left = len(w.open_queries)
        print(f"{args.case_id} {args.query_id.upper()} answered; case {w.status}"
              + (f" ({left} quer{'y' if left == 1 else 'ies'} still open)" if left else ""))
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    with open_session(args) as store:
        try:
            store.withdraw_query(args.case_id, args.query_id.upper())
            w = store.work(args.case_id)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        print(f"{args.case_id} {args.query_id.upper()} withdrawn; case {w.status}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    with open_session(args, readonly=True) as store:
        rows, cases = _rows(store, args.status)
    if not rows:
        print(f"no {args.status} queries to export")
        return 1
    out = Path(args.out)
    if args.format == "json":
        if out.exists():
            raise UsageError(f"{out} exists: choose a new file (an export never overwrites)")
        atomic_write_bytes(out, orjson.dumps(json_document(rows, cases), option=orjson.OPT_INDENT_2), mode=0o600)
        print(f"{len(rows)} queries written to {out}")
        return 0
    docs = text_documents(rows, cases)
    targets = {provider: out / file_name(provider) for provider in docs}
    clash = [str(p) for p in targets.values() if p.exists()]
    if clash:
        raise UsageError(f"{', '.join(clash)} exist: choose a new folder (an export never overwrites)")
    for provider, path in targets.items():
        atomic_write_bytes(path, docs[provider].encode(), mode=0o600)
    print(f"{len(rows)} queries for {len(docs)} provider(s) written to {out}: "
          + ", ".join(p.name for p in targets.values()))
    return 0
