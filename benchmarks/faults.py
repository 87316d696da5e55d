"""Fault loops for a bounded time (issue 20): kills, the lock race, damaged files. Prints rounds and losses.

    PYTHONPATH=. .venv/bin/python benchmarks/faults.py [--seconds 60]

- kill:    a writer SIGKILLed at random moments (tests/session/sigkill_driver.py); lost = acknowledged
           changes missing after reopen;
- export:  the 837P export killed at each of its writes in turn (tests/session/export_driver.py);
           lost = a claim in no file, double = a claim in two files or a case billed twice;
- race:    writers released together on a dead writer's lock (tests/session/race_driver.py);
           double = two writers inside at once, lost = acknowledged changes missing;
- corrupt: one random byte of one random store file flipped, then the open (must refuse with a
           message, never a traceback) and `sessions repair`; lost = changes missing beyond the
           one damaged record, not reported = a change missing while the repair reported nothing
           dropped, wrong = a case shown with another case's work.
Synthetic data only; each loop gets a quarter of --seconds.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
DRIVERS = ROOT / "tests" / "session"
ENV = dict(os.environ, PYTHONPATH=str(ROOT))
ENV.pop("WORKSTATION_FAULT", None)


def _run(args: list[str], env: dict[str, str] | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env or ENV, timeout=timeout)


def kill_loop(tmp: Path, seconds: float) -> str:
    rounds = acked = lost = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        d = tmp / f"kill{rounds}"
        d.mkdir(mode=0o700)
        out = _run([str(DRIVERS / "sigkill_driver.py"), str(d / "s.json"), "50", str(rounds)])
        rep = orjson.loads(out.stdout)
        rounds += 50
        acked += len(rep["acked"])
        lost += len(rep["errors"])
    return f"kill     {rounds:6d} rounds  {acked:6d} acknowledged changes  {lost} lost or failed reopens"


def export_loop(tmp: Path, seconds: float) -> str:
    template = tmp / "export-template"
    template.mkdir(mode=0o700)
    _run([str(DRIVERS / "export_driver.py"), "setup", str(template / "s.json")])
    work = tmp / "export-list"
    shutil.copytree(template, work)
    listed = _run([str(DRIVERS / "export_driver.py"), "export", str(work / "s.json"), str(work / "a.837")],
                  env=dict(ENV, WORKSTATION_FAULT="list"))
    seen: dict[str, int] = {}
    points = []
    for line in listed.stderr.splitlines():
        if line.startswith("fault-point "):
            name = line.split()[1]
            seen[name] = seen.get(name, 0) + 1
            points.append(f"{name}:{seen[name]}")
    rounds = lost = double = leftovers = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end and points:
        fault = points[rounds % len(points)]
        d = tmp / f"export{rounds}"
        shutil.copytree(template, d / "store")
        store, out, again = d / "store" / "s.json", d / "out" / "a.837", d / "out" / "b.837"
        _run([str(DRIVERS / "export_driver.py"), "export", str(store), str(out)], env=dict(ENV, WORKSTATION_FAULT=fault))
        res = orjson.loads(_run([str(DRIVERS / "export_driver.py"), "check", str(store), str(out), str(again)]).stdout)
        claims = sum(res["files"].values())
        lost += max(0, 2 - claims)
        double += max(0, claims - 2) + sum(1 for w in res["work"].values() if len(w["batches"]) != 1)
        leftovers += sum(1 for p in d.rglob("*.tmp"))
        rounds += 1
    return (f"export   {rounds:6d} rounds  ({len(points)} write points)  {lost} claims lost  {double} billed twice  "
            f"{leftovers} temp files left")


def race_loop(tmp: Path, seconds: float) -> str:
    d = tmp / "race"
    d.mkdir(mode=0o700)
    out = _run([str(DRIVERS / "race_driver.py"), str(d / "s.json"), "100000", "4", "7", str(seconds)])
    rep = orjson.loads(out.stdout)
    return (f"race     {rep['rounds']:6d} rounds  {rep['acked']:6d} acknowledged changes  {rep['lost']} lost  "
            f"{rep['doubles']} two writers at once  {len(rep['errors'])} errors")


def corrupt_loop(tmp: Path, seconds: float) -> str:
    from workstation.cases.model import Case, Encounter, Person
    from workstation.session.repair import repair
    from workstation.session.store import SessionStore, StoreError

    rng = random.Random(20)
    rounds = refused = tracebacks = lost = wrong = silent = unreported = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        d = tmp / f"corrupt{rounds}"
        d.mkdir(mode=0o700)
        path = d / "s.json"
        ids = [f"C-{i:03d}" for i in range(6)]
        s = SessionStore.open(path)
        s.add_cases([Case(c, Person("Synthetic", f"P{c}"), Encounter("office", "2025-11-03"), source="faults",
                          source_key=f"faults:{c}") for c in ids])
        for i, c in enumerate(ids):
            s.set_notes(c, f"note of {c}")
            if i == 2:
                s.compact()  # some changes in the document, the rest in the journal
        s._release()  # as after a crash
        target = rng.choice([p for p in (path, Path(f"{path}.journal"), Path(f"{path}.cases")) if p.exists()
                             and p.stat().st_size])
        data = bytearray(target.read_bytes())
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        target.write_bytes(bytes(data))
        rounds += 1
        try:
            SessionStore.open(path).close()
            moved = None
        except StoreError as exc:
            refused += 1
            moved = getattr(exc, "moved", None)
        except Exception:  # noqa: BLE001 - counted: the open must never crash
            tracebacks += 1
            continue
        if not moved:  # opened: the flip was harmless (whitespace) or looked like a torn last append
            try:
                r = SessionStore.open(path, readonly=True)
            except StoreError:
                continue  # refused with a message and left as it is
            with r:
                silent += sum(1 for c in ids if r.work(c).notes != f"note of {c}")
            continue
        out = d / "repaired.json"
        try:
            report = repair(moved[0], out)
        except Exception:  # noqa: BLE001
            tracebacks += 1
            continue
        with SessionStore.open(out, readonly=True) as r:
            have = {c: r.work(c).notes for c in r.case_ids()}
        wrong += sum(1 for c, n in have.items() if n and n != f"note of {c}")
        missing = sum(1 for c in ids if have.get(c) != f"note of {c}")
        lost += max(0, missing - 1)
        unreported += 1 if missing and not report.dropped else 0
    return (f"corrupt  {rounds:6d} rounds  {refused} refused with a message  {tracebacks} tracebacks  "
            f"{lost} changes lost beyond the damaged record  {unreported} damaged records not reported  "
            f"{wrong} cases showing another case's work  "
            f"{silent} changes dropped silently (a damaged last journal record read as a torn append)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    quarter = args.seconds / 4
    with tempfile.TemporaryDirectory(prefix="faults-") as t:
        tmp = Path(t)
        os.chmod(tmp, 0o700)
        os.environ["WORKSTATION_DATA_DIR"] = str(tmp / "userdata")
        ENV["WORKSTATION_DATA_DIR"] = str(tmp / "userdata")
        for loop in (kill_loop, export_loop, race_loop, corrupt_loop):
            started = time.monotonic()
            line = loop(tmp, quarter)
            print(f"{line}  ({time.monotonic() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
