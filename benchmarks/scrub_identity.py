"""Scrub results of every demo case and every fabricated benchmark case, recorded once and compared
later: a speed change to the scrubber must not change a single edit (issue 18).

    PYTHONPATH=. python benchmarks/scrub_identity.py --record FILE [--cases 100000 --stores 50]
    PYTHONPATH=. python benchmarks/scrub_identity.py --compare FILE

Each case's full edit list (rule, severity, message, source, target, in the scrubber's order) is
written as one JSON line. The demo cases are scrubbed coded with their answer key (as
tests/billing/test_demo_scrub.py does); the fabricated ones are benchmarks/report.py's stores (same seed), scrubbed as
the extract scrubs them (the store's practice settings, the NCCI state as installed, a fixed day).
Exit 1 on any difference, naming the first few cases.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TODAY = "2026-12-01"  # fixed: the future-date checks read the clock


def _edits(edits) -> list[list[str]]:
    return [[e.edit_id, e.severity, e.message, e.source, e.target] for e in edits]


def demo_lines() -> list[bytes]:
    from tests.billing.test_demo_scrub import coded
    from workstation.billing.edits import scrub
    from workstation.cases.demo import demo_cases

    out = []
    for c in demo_cases():
        out.append(orjson.dumps(["demo", c.case_id, _edits(scrub(c, coded(c.case_id), ncci=None, today=TODAY))]))
    return out


def store_lines(path: str) -> list[bytes]:
    from workstation.billing.claim import build_claim
    from workstation.billing.edits import scrub
    from workstation.billing.settings import PracticeSettings
    from workstation.cases.model import Case
    from workstation.session.store import SessionStore
    from workstation.session.work import CaseWork

    out = []
    with SessionStore.open(Path(path), create=False, readonly=True) as store:
        settings = PracticeSettings.from_store(store)
        for record, work_doc in store.records():
            case = Case.from_dict(record)
            work = CaseWork(case.case_id) if work_doc is None else CaseWork.from_dict(work_doc)
            claim = build_claim(case, work, settings)
            out.append(orjson.dumps([Path(path).name, case.case_id, _edits(scrub(case, work, claim, settings, today=TODAY))]))
    return out


def collect(cases: int, stores: int) -> list[bytes]:
    from report import fabricate  # benchmarks/report.py (this folder is on sys.path)

    tmp = Path(tempfile.mkdtemp(prefix="workstation-scrub-identity-"))
    os.chmod(tmp, 0o700)
    os.environ["WORKSTATION_DATA_DIR"] = str(tmp / "userdata")
    try:
        folder = tmp / "stores"
        folder.mkdir(mode=0o700)
        fabricate(folder, cases, stores)
        lines = demo_lines()
        with ProcessPoolExecutor(2) as pool:
            for part in pool.map(store_lines, [str(p) for p in sorted(folder.glob("*.json"))]):
                lines.extend(part)
        return lines
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--record", type=Path)
    g.add_argument("--compare", type=Path)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--stores", type=int, default=50)
    args = ap.parse_args()
    lines = collect(args.cases, args.stores)
    n_edits = sum(len(orjson.loads(l)[2]) for l in lines)
    if args.record:
        args.record.write_bytes(b"\n".join(lines) + b"\n")
        print(f"recorded {len(lines):,} cases ({n_edits:,} edits) in {args.record}")
        return 0
    before = args.compare.read_bytes().splitlines()
    diff = [(a, b) for a, b in zip(before, lines) if a != b]
    if len(before) != len(lines):
        print(f"different number of cases: {len(before):,} recorded, {len(lines):,} now")
    for a, b in diff[:5]:
        print(f"differs:\n  before {a[:400]!r}\n  after  {b[:400]!r}")
    same = not diff and len(before) == len(lines)
    print(f"{'identical' if same else f'{len(diff):,} cases differ'}: {len(lines):,} cases, {n_edits:,} edits")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
