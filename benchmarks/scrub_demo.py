"""Scrub the whole demo worklist coded with its answer key: edit counts and scrub time per case.

The scrubber runs on every change the coder makes, so its time per case matters. Each case is
scrubbed once cold (first use of each code's notes) and then ROUNDS more times warm; the figures
are the warm p50 / p95 / max. The counts are the issue-14 acceptance figure: no error, at most one
reminder per code (warnings: drug lines waiting for their NDC).

    PYTHONPATH=. .venv/bin/python benchmarks/scrub_demo.py [--rounds N] [--list]

Prints figures only; it asserts nothing (timings depend on the machine and its load).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--list", action="store_true", help="print every edit")
    args = ap.parse_args()

    from tests.cases.answer_key import KEY
    from workstation.billing.edits import claim_verdict, scrub
    from workstation.cases.demo import demo_cases
    from workstation.session.work import CaseWork, ServiceLine

    cases = demo_cases()
    works = {}
    for c in cases:
        exp = KEY[c.case_id]
        works[c.case_id] = CaseWork(c.case_id, diagnoses=list(exp.dx), procedures=list(exp.pcs), lines=[
            ServiceLine(l.code, list(l.modifiers), l.units, None, list(l.pointers), l.date) for l in exp.lines])
    t0 = time.perf_counter()
    results = {c.case_id: scrub(c, works[c.case_id], ncci=None) for c in cases}
    cold = time.perf_counter() - t0
    warm: list[float] = []
    for _ in range(args.rounds):
        for c in cases:
            t = time.perf_counter()
            scrub(c, works[c.case_id], ncci=None)
            warm.append((time.perf_counter() - t) * 1000)

    sev = Counter(e.severity for edits in results.values() for e in edits)
    ids = Counter(e.edit_id for edits in results.values() for e in edits)
    worst = max(max(Counter(e.target for e in edits if e.severity == "info").values(), default=0)
                for edits in results.values())
    from workstation.billing.claim import build_claim

    clean = sum(1 for c in cases if claim_verdict(results[c.case_id], build_claim(c, works[c.case_id]), ncci=None).clean)
    print(f"demo worklist: {len(cases)} cases coded with the answer key")
    print(f"  errors {sev['error']}, warnings {sev['warning']}, reminders (info) {sev['info']}")
    print(f"  by edit: {dict(sorted(ids.items()))}")
    print(f"  most reminders on one code: {worst}")
    print(f"  clean with NCCI not loaded: {clean} (never called clean without NCCI, except self-pay statements)")
    warm.sort()
    print(f"scrub time: cold {cold * 1000:.0f} ms for all cases; warm per case p50 {statistics.median(warm):.2f} ms, "
          f"p95 {warm[int(len(warm) * 0.95) - 1]:.2f} ms, max {warm[-1]:.2f} ms ({args.rounds} rounds)")
    if args.list:
        for cid, edits in results.items():
            for e in edits:
                print(f"  {cid} {e.severity:<7} {e.edit_id:<22} {e.target:<10} {e.message[:110]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
