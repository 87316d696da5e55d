"""Time one saved change in a session store as the session grows (issue 6: p99 < 10 ms at 1,000 cases).

    .venv/bin/python benchmarks/session_save.py [--sizes 10 100 1000 5000] [--changes 1000] [--baseline]

For each size: a store with that many coded cases (2 diagnoses, a service line, status coded),
then CHANGES timed changes on random cases, alternating assign_dx and remove_dx (validated against
the code book, journaled, fsync'd and audited: the full path the UI takes). The periodic compaction
(every COMPACT_EVERY changes) falls inside the timed changes, so it shows in max; it is also timed
alone. --baseline times stock TinyDB (JSONStorage rewriting the whole file) on the same documents.
Synthetic cases only. Figures depend on the disk's fsync latency: they are printed too.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from workstation.cases.model import Case, Encounter, Person
from workstation.session import store as store_mod
from workstation.session.store import SessionStore
from workstation.session.work import ServiceLine

DX = ["E11.22", "N18.31", "I10", "E78.5", "J45.909", "M54.50", "R51.9", "Z79.4"]


def synthetic_cases(n: int) -> list[Case]:
    return [Case(f"BENCH-{i:05d}", Person("Synthetic", f"Patient{i}", dob="1960-01-01", sex="U"),
                 Encounter("office", "2025-11-03"), source="benchmark", source_key=f"bench:{i}")
            for i in range(n)]


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def build(path: Path, n: int) -> None:
    """A store of n coded cases, built with fsync off (setup is not what is measured)."""
    real = os.fsync, os.fdatasync
    os.fsync = os.fdatasync = lambda fd: None  # type: ignore[assignment]
    try:
        with SessionStore.open(path) as s:
            s.add_cases(synthetic_cases(n))
            for cid in s.case_ids():
                s.assign_dx(cid, "E11.22")
                s.assign_dx(cid, "N18.31")
                s.add_line(cid, ServiceLine("G0439", charge=175.0, pointers=["A", "B"]))
                s.set_status(cid, "coded")
    finally:
        os.fsync, os.fdatasync = real


def fsync_latency(folder: Path, n: int = 50) -> float:
    p = folder / "fsync.probe"
    fd = os.open(p, os.O_WRONLY | os.O_CREAT, 0o600)
    ts = []
    try:
        for _ in range(n):
            os.write(fd, b"x" * 200)
            t = time.perf_counter()
            os.fdatasync(fd)
            ts.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        p.unlink()
    return statistics.median(ts) * 1000


def measure(path: Path, changes: int, rng: random.Random) -> dict[str, float]:
    t = time.perf_counter()
    s = SessionStore.open(path)
    opened = time.perf_counter() - t
    ids = s.case_ids()
    times = []
    try:
        for k in range(changes):
            cid = rng.choice(ids)
            w = s.work(cid)
            code = next((c for c in DX[2:] if c not in w.diagnoses), None)
            t = time.perf_counter()
            if code is None or (k % 2 and len(w.diagnoses) > 2):
                s.remove_dx(cid, w.diagnoses[-1])
            else:
                s.assign_dx(cid, code)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        s.compact()
        compaction = time.perf_counter() - t
    finally:
        s.close()
    ms = [x * 1000 for x in times]
    return {"p50": pct(ms, 50), "p99": pct(ms, 99), "max": max(ms), "open": opened * 1000,
            "compact": compaction * 1000, "bytes": path.stat().st_size}


def baseline(n: int, folder: Path, updates: int = 20) -> float:
    """Stock TinyDB: the same work documents, one update rewriting the whole JSON file."""
    from tinydb import TinyDB
    from tinydb.table import Document

    p = folder / "stock.json"
    db = TinyDB(p)
    work = {"status": "coded", "diagnoses": ["E11.22", "N18.31"], "procedures": [], "queries": [], "notes": "",
            "lines": [{"code": "G0439", "modifiers": [], "units": 1, "charge": 175.0, "pointers": ["A", "B"], "date": ""}]}
    db.table("work").insert_multiple([dict(work, case_id=f"BENCH-{i:05d}") for i in range(n)])
    ts = []
    for k in range(updates):
        t = time.perf_counter()
        db.table("work").upsert(Document(dict(work, notes=str(k), case_id="x"), doc_id=1 + k % n))
        ts.append(time.perf_counter() - t)
    db.close()
    p.unlink()
    return statistics.median(ts) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000, 5000])
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--baseline", action="store_true", help="also time stock TinyDB JSONStorage")
    ap.add_argument("--no-fsync", action="store_true",
                    help="fsync off while timing: the software's own cost per change, without the disk's")
    ap.add_argument("--dir", help="folder for the temporary stores (default: a temporary folder)")
    args = ap.parse_args()
    rng = random.Random(6)
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        print(f"fsync (fdatasync) median on this disk: {fsync_latency(folder):.2f} ms; "
              f"compaction every {store_mod.COMPACT_EVERY} changes")
        print(f"{'cases':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'open ms':>8} {'compact ms':>11} {'store KB':>9}"
              + ("  stock TinyDB ms" if args.baseline else ""))
        for n in args.sizes:
            path = folder / f"bench-{n}.json"
            build(path, n)
            if args.no_fsync:
                real = os.fsync, os.fdatasync
                os.fsync = os.fdatasync = lambda fd: None  # type: ignore[assignment]
            try:
                r = measure(path, args.changes, rng)
            finally:
                if args.no_fsync:
                    os.fsync, os.fdatasync = real
            line = (f"{n:>6} {r['p50']:>8.2f} {r['p99']:>8.2f} {r['max']:>8.2f} {r['open']:>8.1f} "
                    f"{r['compact']:>11.1f} {r['bytes'] / 1024:>9.0f}")
            if args.baseline:
                line += f"  {baseline(n, folder):>16.1f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
