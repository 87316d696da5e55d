"""Pin the search ranking: record the top 10 of many queries, or check them against a record.

Every prefix of every query of benchmarks/search_latency.py and of the demo documentation set
(benchmarks/search_demo_set.py) is searched as the UI does, plus each full query again for a
man of 70, a woman of 30, a child of 4 and with a date of service in FY2025. The top 10 (code,
code set, score, what matched) of each search is written to, or compared with, a JSON record.
A refactoring of the ranking code must leave the record unchanged.

    python benchmarks/search_ranking.py --record /tmp/top10.json
    python benchmarks/search_ranking.py --check /tmp/top10.json

The record belongs to the compiled books it was made with: make it before the change and check
after, on the same codebooks/. Exit 1 on any difference, listing the first ones.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

PATIENTS: tuple[tuple[str, str | None, int | None, str | None], ...] = (
    ("M70", "M", 70, None), ("F30", "F", 30, None), ("child4", None, 4, None), ("FY2025", None, None, "2024-11-15"),
)


def snapshot() -> dict[str, list[list[object]]]:
    from search_latency import queries

    from workstation.search.engine import get_engine

    engine = get_engine()
    out: dict[str, list[list[object]]] = {}
    for q in dict.fromkeys(queries(demo=True)):
        for i in range(1, len(q) + 1):
            key = q[:i]
            if key not in out:
                out[key] = [[r.code, r.system, r.score, r.via] for r in engine.search(key, limit=10)]
        for label, sex, age, date in PATIENTS:
            out[f"{q} [{label}]"] = [[r.code, r.system, r.score, r.via]
                                     for r in engine.search(q, limit=10, sex=sex, age=age, date=date)]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--record", type=Path)
    g.add_argument("--check", type=Path)
    args = ap.parse_args()
    now = snapshot()
    if args.record:
        args.record.write_text(json.dumps(now, indent=0, sort_keys=True))
        print(f"recorded the top 10 of {len(now)} searches in {args.record}")
        return 0
    was = json.loads(args.check.read_text())
    diff = [k for k in sorted(set(was) | set(now)) if was.get(k) != now.get(k)]
    print(f"searches: {len(now)}; different from the record: {len(diff)}")
    for k in diff[:15]:
        print(f"  {k!r}\n    was {was.get(k)}\n    now {now.get(k)}")
    return 1 if diff else 0


if __name__ == "__main__":
    raise SystemExit(main())
