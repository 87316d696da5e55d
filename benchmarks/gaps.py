"""Gap detection against the demo answer key: every case the key marks for a query must be found,
and no gap may be raised for a case the key codes fully. Prints the counts (and the time per case).

    python benchmarks/gaps.py            # counts, then one line per case with a gap or a miss
    python benchmarks/gaps.py --all      # every case, with its gaps
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "cases"))

from answer_key import KEY  # noqa: E402  (tests/cases: which cases call for a query)

from workstation.cases.demo import demo_cases  # noqa: E402
from workstation.cdi.gaps import find_gaps  # noqa: E402
from workstation.session.work import CaseWork  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--all", action="store_true", help="print every case")
    args = ap.parse_args()
    cases = {c.case_id: c for c in demo_cases()}
    found = missed = clean = false_pos = 0
    times: list[float] = []
    kinds: dict[str, int] = {}
    lines = []
    for cid, exp in KEY.items():
        case = cases[cid]
        work = CaseWork(cid, "in_progress", list(exp.dx), list(exp.pcs))
        t = time.perf_counter()
        gaps = find_gaps(case, work)
        times.append((time.perf_counter() - t) * 1000)
        for g in gaps:
            kinds[f"{g.kind}/{g.action}"] = kinds.get(f"{g.kind}/{g.action}", 0) + 1
        queries = [g for g in gaps if g.action == "query"]
        if exp.query:
            ok = bool(queries)
            found += ok
            missed += not ok
            mark = "found " if ok else "MISSED"
        else:
            ok = not gaps
            clean += ok
            false_pos += not ok
            mark = "clean " if ok else "FALSE+"
        if args.all or not ok or gaps:
            lines.append(f"{mark} {cid}  key: {exp.query or 'coded fully'}")
            for g in gaps:
                lines.append(f"         {g.kind:<14} {g.action:<5} {g.code:<9} {g.message}")
    need = found + missed
    full = clean + false_pos
    print(f"demo worklist: {len(KEY)} cases; {need} call for a query (answer key), {full} are coded fully")
    print(f"query cases found by gap detection: {found}/{need}" + (f"  (missed {missed})" if missed else ""))
    print(f"fully coded cases with no gap raised: {clean}/{full}" + (f"  (false gaps on {false_pos})" if false_pos else ""))
    print("gaps by kind/action: " + (", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) or "none"))
    times.sort()
    print(f"time per case (code books warm after the first): median {times[len(times) // 2]:.1f} ms, "
          f"max {times[-1]:.1f} ms (first case, with book load)")
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
