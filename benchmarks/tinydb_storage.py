"""Could the journal be a TinyDB `Storage` (issue 12 item 6)? Time one saved change both ways.

    PYTHONPATH=. .venv/bin/python benchmarks/tinydb_storage.py [--sizes 1000 5000] [--changes 300] [--no-fsync]

TinyDB's storage interface is `read() -> whole document` and `write(whole document)`: every table
write (insert, update, upsert) reads the whole table, rebuilds it twice as a new dict, and hands
the whole document to `Storage.write`. A journal needs the one record that changed, so a journal
written as a TinyDB `Storage` has to find it by comparing the document with the last one it saw
(here: each record's orjson bytes against the bytes it journaled last). Two paths are timed on the
same store of N coded cases (built by benchmarks/session_save.py), per change (a note and its
audit entry, the change the UI makes most):

- direct:  what the store does (`SessionStore.set_notes`: the change applied to the in-memory
           TinyDB document, one journal append, one fdatasync; reads go through TinyDB tables);
- storage: the same change written through TinyDB (`work` and `audit` table `update`), with a
           journaling `Storage` that diffs the document on each write and appends what changed,
           with the same fdatasync;
- tinydb:  to split the cost, TinyDB's write path alone: the change is handed to the storage
           beside TinyDB (no diff), which a Storage cannot do by itself.

Both append the same bytes and fsync alike, so the difference is TinyDB's write path and the
diff. Synthetic cases only; figures depend on the machine and the disk.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from session_save import build, pct  # noqa: E402

from workstation.session.storage import Journal, encode_record  # noqa: E402
from workstation.session.store import SessionStore  # noqa: E402


class TellingStorage(Storage):
    """Only to split the cost: TinyDB's write path with the change handed over beside it (no diff),
    which is no longer a Storage that can stand alone."""

    def __init__(self, data: dict[str, dict[str, Any]], journal: Journal) -> None:
        self.data = data
        self.journal = journal
        self.ops: list[list[Any]] = []

    def read(self) -> dict[str, dict[str, Any]]:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self.data = data
        if self.ops:
            self.journal.append(encode_record({"ops": self.ops}))
            self.ops = []


class DiffJournalStorage(Storage):
    """A TinyDB Storage that journals what each write changed (found by diffing the document)."""

    def __init__(self, data: dict[str, dict[str, Any]], journal: Journal) -> None:
        self.data = data
        self.journal = journal
        self.seen = {t: {k: orjson.dumps(r) for k, r in tab.items()} for t, tab in data.items()}
        self.seq = 0

    def read(self) -> dict[str, dict[str, Any]]:
        return self.data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        ops = []
        for name, table in data.items():
            seen = self.seen.setdefault(name, {})
            for key, rec in table.items():
                raw = orjson.dumps(rec)
                if seen.get(key) != raw:
                    seen[key] = raw
                    ops.append([name, key, rec])
        self.data = data
        if ops:
            self.seq += 1
            self.journal.append(encode_record({"seq": self.seq, "ops": ops}))


def time_direct(path: Path, changes: int, rng: random.Random) -> list[float]:
    with SessionStore.open(path) as s:
        ids = s.case_ids()
        out = []
        for i in range(changes):
            t = time.perf_counter()
            s.set_notes(rng.choice(ids), f"note {i}")
            out.append((time.perf_counter() - t) * 1000)
    return out


def time_storage(path: Path, changes: int, rng: random.Random, telling: bool = False) -> list[float]:
    with SessionStore.open(path, readonly=True) as s:
        data = orjson.loads(orjson.dumps(s._storage.data))
        ids = {cid: s._doc_id(cid) for cid in s.case_ids()}
    journal = Journal(path.with_name("storage.journal"), 0)
    storage: Storage = TellingStorage(data, journal) if telling else DiffJournalStorage(data, journal)
    db = TinyDB(storage=lambda: storage)
    work, audit = db.table("work", cache_size=0), db.table("audit", cache_size=0)
    out = []
    for i in range(changes):
        cid = rng.choice(list(ids))
        key = ids[cid]
        t = time.perf_counter()
        if telling:
            storage.ops = [["work", key, {"notes": f"note {i}"}]]  # type: ignore[attr-defined]
        work.update({"notes": f"note {i}"}, doc_ids=[key])
        audit.update(lambda d: d["entries"].append({"action": "notes", "case_id": cid, "after": f"note {i}"}),
                     doc_ids=[key])
        out.append((time.perf_counter() - t) * 1000)
    journal.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    ap.add_argument("--changes", type=int, default=300)
    ap.add_argument("--no-fsync", action="store_true", help="CPU only: no fdatasync (steadier on a busy disk)")
    args = ap.parse_args()
    if args.no_fsync:
        os.fsync = os.fdatasync = lambda fd: None  # type: ignore[assignment]
    print(" cases  path      p50 ms   p99 ms   max ms")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="tinydb-storage-") as t:
            os.chmod(t, 0o700)
            path = Path(t) / "s.json"
            build(path, n)
            for name, fn in (("direct", time_direct), ("storage", time_storage),
                             ("tinydb", lambda p, c, r: time_storage(p, c, r, telling=True))):
                xs = fn(path, args.changes, random.Random(n))
                print(f"{n:6d}  {name:8s} {pct(xs, 50):7.2f}  {pct(xs, 99):7.2f}  {max(xs):7.2f}", flush=True)


if __name__ == "__main__":
    main()
