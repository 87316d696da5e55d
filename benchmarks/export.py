"""Time to export and validate 1,000 claims as one 837P (prints figures; asserts nothing).

    .venv/bin/python benchmarks/export.py [--claims 1000] [--store]

Synthetic patients; codes E11.22/N18.31/I10 (ICD-10-CM FY2026) and HCPCS/CPT numbers only.
--store also runs the whole path through a temporary session store (scrub, control numbers,
validation, atomic write, mark exported), as `workstation export` does.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workstation.billing.claim import build_claim  # noqa: E402
from workstation.billing.settings import PracticeSettings  # noqa: E402
from workstation.cases.model import Address, Case, Coverage, Encounter, Person, Provider  # noqa: E402
from workstation.export.validate_837p import own_checks, run_pyx12  # noqa: E402
from workstation.export.x12_837p import Envelope, write_837p  # noqa: E402
from workstation.session.work import CaseWork, ServiceLine  # noqa: E402

LAST = ["Example", "O'Brien", "Smith*Jones", "Nuñez", "Lee", "Ann~Marie"]


def synthetic(i: int) -> tuple[Case, CaseWork]:
    pt = Person("Pat", f"{LAST[i % len(LAST)]}{i}", "", f"19{40 + i % 60:02d}-0{1 + i % 9}-1{i % 9}", "FM"[i % 2],
                Address(f"{i} Test Road", "", "Springfield", "IL", "62704"))
    dependent = i % 3 == 0
    sub = Person("Sam", f"Holder{i}", "", "1950-05-05", "M", Address("1 Main", "", "Springfield", "IL", "62704"))
    cov = Coverage("Medicare Part B (demo)", "DEMO00001", f"MBR{i:08d}", "", "MB",
                   "child" if dependent else "self", sub if dependent else None)
    enc = Encounter("office", "2026-03-04", "11", rendering_provider=Provider("Rivera, Dana", "1234567893", "207Q00000X"))
    case = Case(f"BENCH-{i:05d}", pt, enc, cov, source="bench", source_key=f"bench:{i}")
    lines = [ServiceLine("99214", [], 1, Decimal("185.00"), ["A", "B"]),
             ServiceLine("81002", [], 1, Decimal("10.00"), ["C"]),
             ServiceLine("36415", [], 1, Decimal("12.00"), ["A"])]
    return case, CaseWork(case.case_id, "coded", ["E11.22", "N18.31", "I10"], [], lines)


def timed(label: str, fn):
    t = time.perf_counter()
    out = fn()
    print(f"{label:<44}{time.perf_counter() - t:8.2f} s")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", type=int, default=1000)
    ap.add_argument("--store", action="store_true", help="also time the full export through a session store")
    args = ap.parse_args()
    settings = PracticeSettings()
    pairs = [synthetic(i) for i in range(args.claims)]
    print(f"{args.claims} claims, 3 diagnoses and 3 lines each")
    claims = timed("build claims", lambda: [build_claim(c, w, settings) for c, w in pairs])
    env = Envelope(settings.submitter_id, settings.receiver_id, 1, 1, datetime(2026, 3, 5, 9, 30), usage="T")
    text = timed("write 837P", lambda: write_837p(claims, settings, env))
    print(f"{'  size':<44}{len(text) / 1024:8.0f} KiB, {text.count('~')} segments")
    problems, _ = timed("pyx12 validation (005010X222A1 map)", lambda: run_pyx12(text))
    own, n, _ = timed("own checks (totals, NPI, codes, pointers)", lambda: own_checks(text))
    print(f"{'  problems':<44}{len(problems) + len(own):8d}  ({n} claims read back)")
    if args.store:
        from workstation.export.batch import run_export
        from workstation.session.store import SessionStore

        with tempfile.TemporaryDirectory() as tmp:
            with SessionStore.open(Path(tmp) / "bench.json") as store:
                def fill() -> None:
                    store.add_cases([c for c, _ in pairs])
                    for c, w in pairs:
                        for code in w.diagnoses:
                            store.assign_dx(c.case_id, code)
                        for line in w.lines:
                            store.add_line(c.case_id, line)
                        store.set_status(c.case_id, "coded")
                timed("fill a session store (not part of export)", fill)
                result = timed("run_export (scrub, write, validate, mark)",
                               lambda: run_export(store, "837p", Path(tmp) / "out.837"))
                print(f"{'  exported':<44}{len(result.exported):8d}  held {len(result.held)}; valid={result.validation.ok}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
