"""Analytics benchmark: fabricate coded encounters across session stores, time the extract and each report.

    PYTHONPATH=. python benchmarks/report.py [--cases 100000] [--stores 50] [--keep DIR]

Everything is fabricated in a private temporary folder (synthetic patients, real codes drawn from
the compiled ICD-10-CM FY2026 book and the reportability table, E/M service lines). The stores
are written in the store's own on-disk format (document + cases file, as a compaction leaves
them), with an audit trail like the store API writes. Printed: fabrication time, the extract
(stores -> Parquet by month), each report over the Parquet extract (DuckDB), and the same
case-mix and claims figures computed in plain Python over the stores as a baseline.
Target (issue 18): extract under 20 s, each report under 1 s on a 2-core machine.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST = ["Avery", "Blake", "Casey", "Drew", "Emery", "Finley", "Harper", "Jordan", "Kendall", "Logan", "Morgan",
         "Parker", "Quinn", "Reese", "Rowan", "Sawyer", "Skyler", "Taylor"]
LAST = ["Ashdown", "Brackley", "Cobbold", "Dunmore", "Elphick", "Fernsby", "Gadsby", "Hollins", "Ingleby",
        "Jessop", "Kirkham", "Lathbury", "Marwood", "Newbold", "Oakes", "Pridmore"]
PAYERS = [("Medicare Part B", "MCRB1", "MB"), ("Ohio Medicaid", "OHMCD", "MC"), ("Lakeshore Health Plan", "LHP01", "CI"),
          ("Buckeye Mutual Health", "BMH01", "CI"), ("", "", "")]
TYPES = ["office"] * 7 + ["emergency"] * 2 + ["telehealth"]
EM = ["99212", "99213", "99214", "99215", "99283", "99284"]
CODERS = ["coder01", "coder02", "coder03", "coder04", "coder05"]


def fabricate(folder: Path, n_cases: int, n_stores: int, seed: int = 18) -> None:
    from workstation.codes.books import icd10cm, load_doc

    rnd = random.Random(seed)
    book = icd10cm(2026)
    billable = [c for c, _t, _l, b in book.rows() if b]
    # A practice codes from a few thousand codes, a few of them very often: draw from 2,000 real
    # billable codes with weights 1/rank (Zipf), not uniformly from all 70,000.
    pool = rnd.sample(billable, 2000)
    weights = [1 / (r + 1) for r in range(len(pool))]
    registry_codes = [c for c in load_doc("registry")["icdo3"] if book.is_billable(c)]
    patients = [(rnd.choice(FIRST), rnd.choice(LAST), date(1930, 1, 1) + timedelta(days=rnd.randrange(33000)),
                 rnd.choice("FM"), f"{rnd.randrange(100, 999)}{rnd.randrange(10, 99)}") for _ in range(n_cases // 3)]
    per_store = n_cases // n_stores
    start = date(2025, 10, 1)
    for s in range(n_stores):
        coder = CODERS[s % len(CODERS)]
        cases, work, audit = [], {}, {}
        seq = 1
        for i in range(per_store):
            doc_id = i + 1
            cid = f"S{s:02d}-{i:05d}"
            first, last, dob, sex, zipc = rnd.choice(patients)
            dos = start + timedelta(days=rnd.randrange(365))
            payer = rnd.choice(PAYERS)
            cases.append({
                "case_id": cid, "source": "benchmark", "source_key": "",
                "patient": {"first": first, "last": last, "middle": "", "dob": dob.isoformat(), "sex": sex,
                            "address": {"line1": "1 Bench St", "line2": "", "city": "Testville", "state": "OH", "zip": zipc},
                            "phone": ""},
                "encounter": {"type": rnd.choice(TYPES), "date_of_service": dos.isoformat(), "place_of_service": "11"},
                "coverage": {"payer_name": payer[0], "payer_id": payer[1], "member_id": f"M{rnd.randrange(10**8)}",
                             "plan_type": payer[2], "self_pay": not payer[0]},
                "documents": [{"title": "Progress note", "text": "Synthetic benchmark note."}],
            })
            t = datetime(2026, 10, 1) + timedelta(minutes=rnd.randrange(60 * 24 * 60))
            def at(minutes: int) -> str:
                return (t + timedelta(minutes=minutes)).isoformat(timespec="milliseconds") + "Z"
            entries = [{"seq": seq, "when": at(0), "who": coder, "action": "add_case", "case_id": cid,
                        "before": None, "after": {"source": "benchmark"}}]
            dx = rnd.choices(pool, weights, k=rnd.randint(1, 4))
            if rnd.random() < 0.05:
                dx[0] = rnd.choice(registry_codes)
            dx = list(dict.fromkeys(dx))
            for k, code in enumerate(dx):
                seq += 1
                entries.append({"seq": seq, "when": at(5 + k), "who": coder, "action": "assign_dx", "case_id": cid,
                                "before": dx[:k], "after": dx[:k + 1]})
            lines = [{"code": rnd.choice(EM), "modifiers": [], "units": 1, "charge": float(rnd.choice([90, 120, 150, 210])),
                      "pointers": ["A"], "date": ""}]
            seq += 1
            entries.append({"seq": seq, "when": at(10), "who": coder, "action": "add_line", "case_id": cid,
                            "before": None, "after": lines[0]})
            queries = []
            status = "coded"
            if rnd.random() < 0.08:
                answered = rnd.random() < 0.7
                queries.append({"query_id": "Q1", "question": "Synthetic query", "indicators": "", "options": [],
                                "status": "answered" if answered else "open", "answer": "yes" if answered else "",
                                "created": at(12), "answered": at(12 + rnd.randrange(60, 4000)) if answered else ""})
                if not answered:
                    status = "query"
            seq += 1
            entries.append({"seq": seq, "when": at(30 + rnd.randrange(600)), "who": coder, "action": "set_status",
                            "case_id": cid, "before": "in_progress", "after": status})
            work[str(doc_id)] = {"case_id": cid, "status": status, "diagnoses": dx, "procedures": [], "lines": lines,
                                 "queries": queries, "notes": "", "export_batch": "", "export_file": "", "exports": [],
                                 "payer_claim_number": ""}
            audit[str(doc_id)] = {"case_id": cid, "entries": entries}
        doc = {"meta": {"1": {"format": "workstation-session", "version": 1, "seq": seq, "created": "2026-10-01T00:00:00.000Z",
                              "current_case": None, "counters": {}}},
               "settings": {"1": {"coder_id": coder}}, "work": work, "audit": audit, "store_audit": {}}
        path = folder / f"bench{s:02d}.json"
        path.write_bytes(orjson.dumps(doc))
        path.with_name(path.name + ".cases").write_bytes(
            orjson.dumps({"format": "workstation-cases", "version": 1, "cases": cases}))
        for p in (path, path.with_name(path.name + ".cases")):
            os.chmod(p, 0o600)


def baseline(folder: Path) -> dict[str, float]:
    """Case mix (chapter of the first-listed code, top codes, by month) and charges by payer, in plain Python."""
    from workstation.billing.claim import build_claim
    from workstation.codes.books import icd10cm
    from workstation.session.store import SessionStore

    t0 = time.perf_counter()
    book = icd10cm(2026)
    chapter_of: dict[str, str] = {}
    chapters: Counter[str] = Counter()
    top: Counter[str] = Counter()
    months: Counter[str] = Counter()
    charges: Counter[str] = Counter()
    for p in sorted(folder.glob("*.json")):
        with SessionStore.open(p, create=False, readonly=True) as store:
            for cid in store.case_ids():
                case, work = store.case(cid), store.work(cid)
                months[case.encounter.date_of_service[:7]] += 1
                if work.diagnoses:
                    first = work.diagnoses[0]
                    ch = chapter_of.get(first)
                    if ch is None:
                        ch = chapter_of[first] = next((n.code for n in book.path(first) if n.level == "chapter"), "")
                    chapters[ch] += 1
                    top.update(set(work.diagnoses))
                payer = "self-pay" if case.coverage.self_pay else case.coverage.payer_name
                charges[payer] += build_claim(case, work).total_charge
    _ = (chapters.most_common(), top.most_common(20), sorted(months.items()), charges.most_common())
    return {"case_mix + charges_by_payer (plain Python over the stores)": time.perf_counter() - t0}


def profile(stores: Path, data_dir: Path, out: Path) -> None:
    """cProfile of a first (nothing cached) extract of five stores in one process: the top functions."""
    import cProfile
    import io
    import pstats

    from workstation.analytics import extract as ex

    some = sorted(stores.glob("*.json"))[:5]
    os.environ["WORKSTATION_DATA_DIR"] = str(data_dir)
    prof = cProfile.Profile()
    prof.enable()
    ex.extract_to_parquet(out, some, include_default=False, jobs=1)
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(30)
    print(f"profile of a first extract of {len(some)} stores, one process (cumulative seconds, cProfile overhead included):")
    print("\n".join(line for line in text.getvalue().splitlines() if line.strip())[:6000])


def cpu() -> float:
    """CPU seconds of this process and its finished worker processes (the machine is shared: wall
    time includes waiting for a core)."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--stores", type=int, default=50)
    ap.add_argument("--keep", type=Path, help="keep the fabricated stores and extract in this folder")
    ap.add_argument("--runs", type=int, default=1, help="extract this many times (first run and warm), for the spread")
    ap.add_argument("--profile", action="store_true",
                    help="also profile (cProfile) a first extract of 5 stores in one process; print where the time goes")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="workstation-bench-report-"))
    os.chmod(tmp, 0o700)
    os.environ["WORKSTATION_DATA_DIR"] = str(tmp / "userdata")  # the patient-key salt stays in the temp folder
    os.environ["WORKSTATION_SESSIONS"] = str(tmp / "no-default-sessions")
    try:
        from workstation.analytics import extract as ex
        from workstation.analytics import reports as rp

        stores = tmp / "stores"
        stores.mkdir(mode=0o700)
        t = time.perf_counter()
        fabricate(stores, args.cases, args.stores)
        print(f"fabricated {args.cases:,} coded encounters in {args.stores} stores: {time.perf_counter() - t:.1f} s")

        out = tmp / "extract"
        jobs = ex.default_jobs()

        def timed(label: str, data_dir: Path, target: Path, scrub_edits: bool = True) -> tuple[float, float]:
            os.environ["WORKSTATION_DATA_DIR"] = str(data_dir)
            load = os.getloadavg()[0]
            t, c = time.perf_counter(), cpu()
            result = ex.extract_to_parquet(target, [stores], include_default=False, scrub_edits=scrub_edits, jobs=jobs)
            took, took_cpu = time.perf_counter() - t, cpu() - c
            phases = ", ".join(f"{k} {v:.1f} s" for k, v in result.phases.items())
            print(f"{label}: {took:.2f} s ({took_cpu:.1f} CPU s; load {load:.1f})   target < 20 s   "
                  f"[{result.counts['cases']:,} cases, {result.counts['diagnoses']:,} diagnoses, "
                  f"{result.counts['edits']:,} edits, {result.counts['audit']:,} audit events; "
                  f"{len(result.skipped)} skipped; scrubbed {result.scrubbed:,}, from the edit cache "
                  f"{result.cache_hits:,}; {phases}]")
            return took, took_cpu

        first: list[float] = []
        warm: list[float] = []
        for run in range(args.runs):
            data = tmp / f"userdata-{run}"  # nothing cached: the first extract of an installation
            first.append(timed(f"extract, first run #{run + 1} (stores -> Parquet by month, scrubbed, {jobs} processes)",
                               data, out)[0])
            warm.append(timed(f"extract again #{run + 1}, nothing changed (edits from the edit cache)", data, out)[0])
        if args.runs > 1:
            print(f"extract first run: min {min(first):.2f} s, median {sorted(first)[len(first) // 2]:.2f} s, "
                  f"max {max(first):.2f} s; warm: min {min(warm):.2f} s, median {sorted(warm)[len(warm) // 2]:.2f} s, "
                  f"max {max(warm):.2f} s")
        timed("extract without the claim scrubber (no edit rows)", tmp / "userdata-noscrub", tmp / "extract-no-edits",
              scrub_edits=False)
        os.environ["WORKSTATION_DATA_DIR"] = str(tmp / "userdata-0")
        if args.profile:
            profile(stores, tmp / "userdata-profile", tmp / "extract-profile")

        con = ex.connect_extract(out)
        for name in rp.report_names():
            rp.run(con, name)  # warm: Parquet metadata, views
            t = time.perf_counter()
            rp.run(con, name)
            print(f"report {name:<13} {time.perf_counter() - t:.3f} s   target < 1 s")
        t = time.perf_counter()
        rp.run(con, "case_mix", rp.Filters(date_from="2026-01-01", date_to="2026-03-31", payer="Ohio Medicaid"))
        print(f"report case_mix, filtered (quarter, one payer): {time.perf_counter() - t:.3f} s")
        t = time.perf_counter()
        rp.drill(con, "case_mix", "by_chapter", "Chapter 2")
        print(f"drill-down (case_mix chapter 2): {time.perf_counter() - t:.3f} s")
        con.close()

        c = cpu()
        for label, secs in baseline(stores).items():
            print(f"baseline {label}: {secs:.2f} s ({cpu() - c:.1f} CPU s)")
        print(f"load average while running: {', '.join(f'{x:.1f}' for x in os.getloadavg())} (2 cores)")
        if args.keep:
            shutil.copytree(tmp, args.keep, dirs_exist_ok=True)
            print(f"kept in {args.keep}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
